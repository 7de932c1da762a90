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

/* A slot's fields for creator search (search.c), split by how often a scan reads them
 * (docs/performance.md "Creator search"). The hot record is what every scan reads for
 * every live slot: 32 B, two per cache line, with the creator's id so that a match costs
 * no read of the 64 B features. The cold record is read only for the slots that pass the
 * hot checks, and only when a filter or the sort key needs it. Exact (unclamped) where
 * the features clamp. A new filter's field goes into the cold record unless most
 * searches filter on it (then into the hot record's spare byte, or grow it to 40 B). */
enum {
	SR_EMAIL = 1,	/* a non-empty email */
	SR_PRICE = 2,	/* price known */
	SR_POST = 4,	/* last post time known */
	SR_ER = 8,	/* engagement rate known */
	SR_GROWTH = 16, /* follower growth known */
};

struct srec_hot {
	int64_t id, followers;
	double er;		    /* meaningful with SR_ER */
	uint16_t country, language; /* nm_sr_code(): 1 + 26·letter + letter, 0 unknown */
	uint8_t platform, tier, flags, spare;
};

struct srec_cold {
	int64_t price;		     /* with SR_PRICE */
	int64_t updated_us, post_us; /* µs since the epoch; post_us with SR_POST */
	double growth;		     /* with SR_GROWTH */
};

/* A two-letter code (base 'A' for countries, 'a' for languages) as 1..676, or 0. */
static inline uint16_t nm_sr_code(const char *c, char base)
{
	unsigned a = (unsigned)(c[0] - base), b = (unsigned)(c[1] - base);
	return a < 26 && b < 26 ? (uint16_t)(1 + a * 26 + b) : 0;
}

struct index {
	/* slots */
	struct srec_hot *shot;
	struct srec_cold *scold;
	uint64_t *catmask; /* bit i: the slot has category cat_terms[i] (i < 64): the category
			    * facet counts these per matching slot, and walks postings only for
			    * categories past the 64th */
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
	struct plist *tpost; /* creator search's text postings (nm/textsearch.h): the slots
			      * whose words or stems include the term; cap_terms entries */
	uint32_t *sorted;    /* term ids in byte order of their text (prefix ranges) */
	uint32_t n_sorted;   /* the first n_sorted term ids are in sorted; the rest not yet */
	uint32_t *cat_terms; /* the terms with category postings, first seen first:
			      * the category facet walks these, not the dictionary */
	uint32_t n_cat_terms, cap_cat_terms;
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

#endif
