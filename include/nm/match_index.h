/* The in-memory ranking index (docs/matching.md): every creator's scoring features
 * (64 bytes) plus posting lists from terms (categories, hashtags, bio words) to
 * creators, kept current from PostgreSQL by transaction-id change tracking. A match run
 * touches only the creators that share a term with the brand, instead of scanning and
 * scoring ~100k rows inside PostgreSQL.
 *
 * One process-wide index. Thread-safe: runs take a read lock, syncs a write lock.
 * Memory: see nm_index_stats(); roughly 64 B per creator plus 4 B per posting, plus
 * 72 B of search records and 4 B per text posting per creator for creator search
 * (nm/searchindex.h). */
#ifndef NM_MATCH_INDEX_H
#define NM_MATCH_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nm/niche.h"
#include "nm/score.h"

struct nm_pg;

/* Brings the index up to date with every transaction committed before this call
 * (the first call loads everything). Returns false when the database failed; the
 * index then keeps what it had. */
bool nm_index_sync(struct nm_pg *pg);

struct nm_index_hit {
	int64_t id;
	double score;
	uint64_t matched;	    /* bit i: terms->term[i] found in the creator */
	struct nm_score_features f; /* with niche counts and days_since_post filled */
};

/* The hard rules of a run in the order they are applied; a creator removed by several
 * counts for the first (docs/scoring.md §1). */
enum nm_funnel_rule {
	NM_FUNNEL_NICHE,	    /* no brand term in categories, hashtags or bio */
	NM_FUNNEL_FOLLOWERS,	    /* followers outside the range */
	NM_FUNNEL_PLATFORM,	    /* not on one of the brand's platforms */
	NM_FUNNEL_MIN_ENGAGEMENT,   /* rate below (or unknown against) min_engagement_rate */
	NM_FUNNEL_COUNTRY,	    /* target_countries_mode require */
	NM_FUNNEL_EXCLUDE_KEYWORDS, /* an exclude_keywords term in categories, hashtags, bio */
	NM_FUNNEL_EXCLUDE_HANDLES,  /* handle in exclude_handles */
	NM_FUNNEL_STATUS,	    /* declined or excluded for the brand */
	NM_FUNNEL_COUNT
};
/* pool: creators in the index; removed[rule]; what is left is the run's candidates. */
struct nm_funnel {
	size_t pool;
	size_t removed[NM_FUNNEL_COUNT];
};
/* "niche_relevance_zero", "follower_range", ...: static storage. */
const char *nm_funnel_rule_name(enum nm_funnel_rule rule);

/* Who leaves a run besides the filters of q: the statuses' declined/excluded ids and the
 * ids of excluded handles (each strictly ascending, may be NULL when empty), and the
 * creators carrying an excluded keyword (NULL or empty: none). */
struct nm_index_exclusions {
	const int64_t *status_ids;
	size_t n_status_ids;
	const int64_t *handle_ids;
	size_t n_handle_ids;
	const struct nm_niche_terms *keywords;
};

/* Ranks for q and the brand's terms without the exclusions (ex may be NULL). Writes up
 * to k hits (best first) into out, the number of creators that passed every rule into
 * *candidates and, when funnel is not NULL, how many each rule removed. Returns the hit
 * count, or -1 on OOM. */
long nm_index_rank(const struct nm_score_query *q, const struct nm_niche_terms *terms,
		   const struct nm_index_exclusions *ex, size_t k, struct nm_index_hit *out,
		   size_t *candidates, struct nm_funnel *funnel);

struct nm_index_stats {
	size_t creators, terms, postings, bytes;
};
void nm_index_stats(struct nm_index_stats *s);

/* Loads the index in a background thread from a pooled connection, so that the first
 * match run after a start does not pay for it (runs wait for a load in progress). */
void nm_index_warm_up(void);

/* Frees everything (at shutdown; joins the warm-up thread first). */
void nm_index_free(void);

#endif
