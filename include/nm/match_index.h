/* The in-memory ranking index (docs/matching.md): every creator's scoring features
 * (64 bytes) plus posting lists from terms (categories, hashtags, bio words) to
 * creators, kept current from PostgreSQL by transaction-id change tracking. A match run
 * touches only the creators that share a term with the brand, instead of scanning and
 * scoring ~100k rows inside PostgreSQL.
 *
 * One process-wide index. Thread-safe: runs take a read lock, syncs a write lock.
 * Memory: see nm_index_stats(); roughly 64 B per creator plus 4 B per posting. */
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

/* Ranks for q and the brand's terms; exclude is a strictly ascending id list (may be
 * NULL). Writes up to k hits (best first) into out and the number of creators that
 * passed every filter into *candidates. Returns the hit count, or -1 on OOM. */
long nm_index_rank(const struct nm_score_query *q, const struct nm_niche_terms *terms,
		   const int64_t *exclude, size_t n_exclude, size_t k, struct nm_index_hit *out,
		   size_t *candidates);

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
