/* The in-memory ranking index (docs/matching.md): every creator's scoring features
 * (64 bytes) plus posting lists from terms (categories, hashtags, bio words) to
 * creators, kept current from PostgreSQL by transaction-id change tracking. A match run
 * touches only the creators that share a term with the brand, instead of scanning and
 * scoring ~100k rows inside PostgreSQL.
 *
 * One process-wide index. Thread-safe: runs take a read lock, syncs a write lock.
 * Memory: see nm_index_stats(); roughly 64 B per creator plus 4 B per posting, plus
 * 72 B of search records and 4 B per text posting per creator for creator search
 * (nm/searchindex.h) and 9 B of data freshness (data_as_of, confidence inputs). */
#ifndef NM_MATCH_INDEX_H
#define NM_MATCH_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nm/confidence.h"
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
	/* Beside the features, which the score reads and these must not change (issue 16):
	 * whole days since data_as_of at the run (-1 unknown) and the confidence inputs
	 * (nm_confidence_pack), for the result's data_stale explanation and confidence. */
	int64_t data_age_days;
	uint8_t conf;
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
	NM_FUNNEL_DATA_AGE,	    /* data older than max_data_age_days, or undated */
	NM_FUNNEL_CONFIDENCE,	    /* confidence below min_confidence */
	NM_FUNNEL_COUNT
};
/* pool: creators in the index; removed[rule]; what is left is the run's candidates. */
struct nm_funnel {
	size_t pool;
	size_t removed[NM_FUNNEL_COUNT];
};
/* "niche_relevance_zero", "follower_range", ...: static storage. */
const char *nm_funnel_rule_name(enum nm_funnel_rule rule);

/* The brand's data freshness filters (max_data_age_days, min_confidence; issue 16): with
 * by_age only creators whose data is at most max_age_days whole days old at now_s (seconds
 * since the epoch; an unknown date fails), with by_conf only those whose confidence at
 * now_s is min_conf or better. All zero: no filter. */
struct nm_fresh_filter {
	bool by_age, by_conf;
	int64_t max_age_days, now_s;
	enum nm_conf_level min_conf;
};

/* Who leaves a run besides the filters of q: the statuses' declined/excluded ids and the
 * ids of excluded handles (each strictly ascending, may be NULL when empty), and the
 * creators carrying an excluded keyword (NULL or empty: none). */
struct nm_index_exclusions {
	const int64_t *status_ids;
	size_t n_status_ids;
	const int64_t *handle_ids;
	size_t n_handle_ids;
	const struct nm_niche_terms *keywords;
	struct nm_fresh_filter fresh;
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

/* The counts of GET /v1/stats (nm/stats_grid.h) over the index's live creators at now_s
 * (seconds since the epoch): the same counts as nm_store_creator_stats. False when the
 * index is not loaded. Call nm_index_sync first. */
struct nm_stats_grid;
bool nm_index_creator_stats(int64_t now_s, struct nm_stats_grid *g);

/* Loads the index in a background thread from a pooled connection, so that the first
 * match run after a start does not pay for it (runs wait for a load in progress). */
void nm_index_warm_up(void);

/* Asks the warm-up thread (once the index is loaded) to sync it in the background: called
 * when a bulk import commits on any instance (nm_listener_on_creators). Returns at once. */
void nm_index_sync_soon(void);

/* True once the index was loaded (the first sync succeeded): until then an instance is
 * not ready for traffic (GET /readyz), since its first match run would pay the load. */
bool nm_index_loaded(void);
/* For readiness: true when loaded; else loads it on pg, unless a sync is running (the
 * warm-up's load at start), for which it waits at most wait_ms. So a check that comes
 * right after a start does not answer "not ready" for a load of milliseconds, and one
 * during a long load answers within wait_ms. */
bool nm_index_try_load(struct nm_pg *pg, int wait_ms);

/* Frees everything (at shutdown; joins the warm-up thread first). */
void nm_index_free(void);

#endif
