/* Private to src/match: the index's layout, shared by the structure and sync
 * (index.c) and the ranking (rank.c). The helpers a run calls per posting are inline
 * here so that the split costs no calls. */
#ifndef NM_MATCH_INDEX_INTERNAL_H
#define NM_MATCH_INDEX_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "nm/match_index.h"
#include "nm/store_index.h"

enum { SRC_CAT, SRC_TAG, SRC_BIO, SRC_COUNT };

#define NO_ID	      UINT32_MAX
#define MAX_SLOTS     (1u << 24)
#define BIO_WORDS_MAX 96

struct plist {
	uint32_t *v;
	uint32_t n, cap;
};

/* A slot's fields for creator search (search.c), one cache line's worth read per slot
 * by a scan; exact (unclamped) where the features clamp. */
struct srec {
	int64_t followers, price;    /* price < 0: unknown */
	int64_t updated_us, post_us; /* µs since the epoch; post_us INT64_MIN: unknown */
	double er, growth;	     /* er < 0, growth NaN: unknown */
	uint8_t platform, has_email;
	char country[2], language[2]; /* "\0\0": unknown */
};

struct index {
	/* slots */
	struct srec *srec;
	struct nm_score_features *feat;
	int32_t *post_day;	 /* days since 1970-01-01 of last_post_at, INT32_MIN unknown */
	uint8_t *ver;		 /* bit 7: live; bits 0-6: version */
	uint16_t *n_post;	 /* postings written for the slot's current version */
	uint32_t *hot_followers; /* a copy of feat[].followers, dense: the range check reads
				  * it for every posting, and 4 B per slot stay in cache
				  * where 64 B do not */
	uint32_t n_slots, cap_slots, live;
	/* id → slot */
	int64_t *map_id;
	uint32_t *map_slot;
	uint32_t map_cap; /* power of two; 0 = empty */
	/* dictionary */
	char **term;
	uint32_t *term_len;
	uint32_t n_terms, cap_terms;
	uint32_t *dict; /* open addressing over term ids, NO_ID = empty */
	uint32_t dict_cap;
	struct plist *post[SRC_COUNT]; /* indexed by term id, cap_terms entries */
	size_t postings, stale;
	bool loaded;
	struct nm_index_mark mark; /* where the last sync got to (its synced_at is compared
				    * with prune_state.index_resync_before: tombstones pruned) */
};

/* The one process-wide index: runs hold nm_idx_lock for reading, syncs for writing. */
extern struct index nm_idx;
extern pthread_rwlock_t nm_idx_lock;

static inline uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h ^ (h >> 29);
}

static inline uint32_t dict_find(const struct index *ix, const char *s, size_t n)
{
	if (!ix->dict_cap)
		return NO_ID;
	uint32_t mask = ix->dict_cap - 1;
	for (uint32_t i = (uint32_t)hash_bytes(s, n) & mask;; i = (i + 1) & mask) {
		uint32_t t = ix->dict[i];
		if (t == NO_ID)
			return NO_ID;
		if (ix->term_len[t] == n && memcmp(ix->term[t], s, n) == 0)
			return t;
	}
}

static inline uint64_t hash_id(int64_t id)
{
	uint64_t x = (uint64_t)id * 0x9E3779B97F4A7C15ull;
	return x ^ (x >> 31);
}

/* The slot of creator id, or NO_ID (live or not: check ver). */
static inline uint32_t nm_idx_slot_of(const struct index *ix, int64_t id)
{
	if (!ix->map_cap)
		return NO_ID;
	uint32_t mask = ix->map_cap - 1;
	for (uint32_t i = (uint32_t)hash_id(id) & mask;; i = (i + 1) & mask) {
		if (ix->map_id[i] == 0)
			return NO_ID;
		if (ix->map_id[i] == id)
			return ix->map_slot[i];
	}
}

static inline bool posting_live(const struct index *ix, uint32_t e)
{
	uint32_t slot = e >> 8;
	uint8_t v = ix->ver[slot];
	return (v & 0x80) && (v & 0x7f) == (e & 0x7f);
}

/* Memory for per-slot arrays, on 2 MiB pages where the kernel allows (index.c). */
void *nm_idx_big_alloc(size_t bytes);
/* Frees the ranking's pooled scratch memory (rank.c; at shutdown). */
void nm_idx_scratch_free_all(void);
/* Frees the lookalikes' pooled scratch memory (lookalike.c; at shutdown). */
void nm_lk_scratch_free_all(void);

#endif
