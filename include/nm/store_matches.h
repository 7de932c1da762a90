/* Match runs in PostgreSQL (src/store/matches.c): what a run reads (the brand, the
 * engagement benchmarks, the brand's statuses, the hits' creator summaries), the run and
 * its results it writes, and the pages and lists read back. */
#ifndef NM_STORE_MATCHES_H
#define NM_STORE_MATCHES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nm/match_results.h"
#include "nm/score.h"
#include "nm/store.h"

struct nm_pg;

/* The brand's stored doc (caller owns), or NULL with err (NM_DB_NOT_FOUND). */
json_t *nm_store_match_brand(struct nm_pg *pg, int64_t brand_id, struct nm_db_err *err);

/* Fills b with the engagement benchmarks; on a failure b keeps the defaults (as before:
 * a run without benchmarks scores with the built-in medians). */
void nm_store_match_bench(struct nm_pg *pg, struct nm_score_bench *b);

/* Every pipeline status of the brand (caller frees with nm_match_statuses_free). */
bool nm_store_match_statuses(struct nm_pg *pg, int64_t brand_id, struct nm_match_statuses *out,
			     struct nm_db_err *err);

/* The creator summaries of the hits, ascending by id; the strings stay valid until
 * nm_store_match_summaries_free. A creator deleted since the sync is missing. err
 * NM_DB_OK with false: out of memory. */
struct nm_match_summaries {
	struct nm_creator_summary *row;
	size_t n;
	void *keep; /* private: owns the strings */
};
bool nm_store_match_summaries(struct nm_pg *pg, const struct nm_index_hit *hits, long nh,
			      struct nm_match_summaries *out, struct nm_db_err *err);
void nm_store_match_summaries_free(struct nm_match_summaries *s);

/* What a run records besides its results. */
struct nm_match_run_rec {
	int64_t brand_id;
	const char *goal;
	const char *weights; /* JSON text */
	const char *query;   /* JSON text: the effective brand */
	size_t candidates, stored;
	double duration_ms;
	const char *funnel; /* JSON text: the run's funnel */
};

/* The ids of the creators with one of the handles (handles_json: a JSON array of
 * normalised handles), any platform, ascending; caller frees *ids. err NM_DB_OK with
 * false: out of memory. */
bool nm_store_match_handle_ids(struct nm_pg *pg, const char *handles_json, int64_t **ids, size_t *n,
			       struct nm_db_err *err);

/* On pg's open transaction: inserts the run and COPYs its results. Sets *run_id and
 * created_at (>= 40 bytes). err NM_DB_OK with false: out of memory. */
bool nm_store_match_run_save(struct nm_pg *pg, const struct nm_match_run_rec *rec,
			     const struct nm_match_results *rs, int64_t *run_id, char *created_at,
			     struct nm_db_err *err);

/* The id of the brand's run run_id (0: its latest run); err NM_DB_NOT_FOUND when there
 * is none. */
bool nm_store_match_run_find(struct nm_pg *pg, int64_t brand_id, int64_t run_id, int64_t *found,
			     struct nm_db_err *err);

/* The brand's run run_id (0: its latest) as the runs list shows it, with its funnel
 * (null for runs stored before the funnel existed); NULL with err NM_DB_NOT_FOUND when
 * there is none, err NM_DB_OK when out of memory. Caller owns the object. */
json_t *nm_store_match_run_get(struct nm_pg *pg, int64_t brand_id, int64_t run_id,
			       struct nm_db_err *err);

/* Page filters of GET /v1/brands/{id}/matches, each NULL when not given: statuses,
 * tiers, platforms and countries are JSON arrays of words (status "none": no status),
 * min_score a decimal. */
struct nm_match_filter {
	const char *statuses, *tiers, *platforms, *countries, *min_score;
};

/* Up to limit stored results of a run after rank `after` that pass the filter (may be
 * NULL), with each creator's live status: borrowed strings valid until
 * nm_store_match_page_free. */
struct nm_match_page {
	size_t n;
	const char **doc;
	const char **status; /* NULL entries: no status */
	size_t *doc_len;
	int64_t next_after; /* 0 at the end */
	void *keep;
};
bool nm_store_match_page(struct nm_pg *pg, int64_t brand_id, int64_t run_id, int64_t after,
			 int limit, const struct nm_match_filter *f, struct nm_match_page *out,
			 struct nm_db_err *err);
void nm_store_match_page_free(struct nm_match_page *p);

/* One page of the brand's runs, newest first. */
bool nm_store_match_runs_list(struct nm_pg *pg, int64_t brand_id, const struct nm_page_req *pr,
			      struct nm_page *out, struct nm_db_err *err);

#endif
