/* A match run's result documents, written as JSON text directly (src/match/results.c):
 * with 200 results, building jansson objects and dumping them cost ~4 ms of a run.
 *
 * The inputs are plain data so that this module sees neither HTTP nor the database: the
 * ranked hits (nm/match_index.h), the hits' creator summaries (read by the store,
 * store/matches.c) and the brand's pipeline statuses. */
#ifndef NM_MATCH_RESULTS_H
#define NM_MATCH_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nm/buf.h"
#include "nm/match_index.h"
#include "nm/niche.h"
#include "nm/score.h"

/* What a result shows of its creator. Strings are borrowed from whoever read them;
 * display_name and country may be NULL (SQL NULL); categories is a text[] literal. */
struct nm_creator_summary {
	int64_t id;
	int64_t followers;
	const char *platform, *handle, *display_name, *categories, *country;
};

/* The brand's pipeline statuses, ascending by creator id; status words are the fixed
 * ASCII words of docs/api.md §5 (borrowed, static). */
struct nm_match_statuses {
	int64_t *id;
	const char **status;
	size_t n;
	int64_t *excluded; /* declined or excluded creators, ascending: they leave the run */
	size_t n_excluded;
};
void nm_match_statuses_free(struct nm_match_statuses *s);
/* The status of creator id, or NULL. */
const char *nm_match_status_of(const struct nm_match_statuses *s, int64_t id);

struct nm_match_result {
	size_t doc; /* offset of the document in results.text */
	int64_t creator_id;
	double score;
	/* what pages filter by, as the document shows it: static names, "" when the
	 * platform is not one of ours; country "" when unknown */
	const char *platform, *tier;
	char country[3];
};

/* A run's results in rank order: the documents back to back in text, each
 * NUL-terminated (without the reasons and the live status: nm_match_with_status adds
 * them). */
struct nm_match_results {
	struct nm_buf text;
	struct nm_match_result *at;
	size_t n;
};

/* Results for the hits (rank order), creator fields from sums (ascending by id); a hit
 * whose creator is not in sums (deleted since the sync) is skipped. False when memory
 * ran out (rs is then empty). */
bool nm_match_results_build(const struct nm_index_hit *hits, long nh,
			    const struct nm_creator_summary *sums, size_t n_sums,
			    const struct nm_score_query *q, const struct nm_niche_terms *terms,
			    struct nm_match_results *rs);
void nm_match_results_free(struct nm_match_results *rs);
const char *nm_match_result_doc(const struct nm_match_results *rs, size_t i);

/* The results as COPY text rows of match_results (run_id, rank, creator_id, score,
 * platform, tier, country, doc) appended to rows (the score column gets the document's
 * digits). */
void nm_match_results_copy_rows(const struct nm_match_results *rs, int64_t run_id,
				struct nm_buf *rows);

/* '[' the first `first` documents, each with its creator's status, ']'. Caller frees;
 * NULL when out of memory. */
char *nm_match_results_page(const struct nm_match_results *rs, size_t first,
			    const struct nm_match_statuses *st);

/* A stored document with its reasons (the explanations' texts, not stored twice) and the
 * creator's live status spliced in before its closing brace (no reparse). Appends to w
 * (room for 2 × strlen(doc) + 32) and returns the new end. */
char *nm_match_with_status(char *w, const char *doc, const char *status);

/* The hit ids as a bigint[] literal "{1,2,3}" (caller frees), NULL when out of memory. */
char *nm_match_ids_literal(const struct nm_index_hit *hits, long nh);

#endif
