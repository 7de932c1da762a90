/* The CSV exports' reads from PostgreSQL (src/store/exports.c; docs/api.md "CSV
 * exports"): a server-side cursor over one export's rows, fetched a batch at a time, so
 * that the service holds one batch whatever the export's size.
 *
 * An export runs in a transaction of its own on the borrowed connection (one snapshot
 * for the whole file); it is committed when the last batch was read. A connection given
 * back early (client gone, failure) is rolled back by the pool, which closes the cursor.
 *
 * Ownership: the export is the caller's until nm_store_export_free, which never touches
 * the connection; cells are borrowed from the current batch, valid until the next
 * nm_store_export_next or the free. */
#ifndef NM_STORE_EXPORTS_H
#define NM_STORE_EXPORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nm/tx.h"

struct nm_pg;
struct nm_creator_search;

/* A column of an export: its header and whether its cells are numbers we formatted
 * (never neutralised as formulas, nm/csvout.h) rather than text a user wrote. */
struct nm_export_column {
	const char *name;
	bool number;
};

struct nm_export;

/* GET /v1/creators.csv: the creators GET /v1/creators lists with the same filters (its
 * sort, page and facets do not apply), by id. With ids (not NULL; borrowed), only those
 * creators: what the index's text postings matched of q, when the caller has left q out
 * of f or kept it to check a phrase on these candidates. */
struct nm_export *nm_store_export_creators(struct nm_pg *pg, const struct nm_creator_search *f,
					   const int64_t *ids, size_t n_ids, struct nm_db_err *err);

/* GET /v1/brands/{id}/creators.csv: the brand's pipeline by creator id; statuses is a
 * text[] literal of pipeline statuses ("{contacted,accepted}"), NULL for all. */
struct nm_export *nm_store_export_pipeline(struct nm_pg *pg, int64_t brand_id, const char *statuses,
					   struct nm_db_err *err);

/* GET /v1/brands/{id}/matches.csv: run run_id of the brand in rank order. NULL members do
 * not filter; lists are text[] literals of canonical words. */
struct nm_match_export_filter {
	const char *statuses;  /* the creator's live status is one of these ("none": no status) */
	const char *tiers;     /* the result's tier is one of these */
	const char *platforms; /* the result's platform is one of these */
	const char *countries; /* the result's country is one of these (upper-case ISO codes) */
	const char *min_score; /* decimal text: score >= this */
};
struct nm_export *nm_store_export_matches(struct nm_pg *pg, int64_t brand_id, int64_t run_id,
					  const struct nm_match_export_filter *f,
					  struct nm_db_err *err);

/* The export's columns, in order; returns how many. */
size_t nm_export_columns(const struct nm_export *x, const struct nm_export_column **cols);

/* Reads the next batch: returns its row count, 0 once every row was read (the
 * transaction is then committed), or -1 with err. */
int nm_store_export_next(struct nm_export *x, struct nm_db_err *err);

/* Cell col of row i of the current batch and its length; NULL for SQL NULL. */
const char *nm_export_cell(const struct nm_export *x, int i, int col, size_t *len);

void nm_store_export_free(struct nm_export *x);

#endif
