/* Private to src/match: the index's layout, shared by the structure and sync
 * (index.c) and the ranking (rank.c). The helpers a run calls per posting are inline
 * here so that the split costs no calls. */
#ifndef NM_MATCH_INDEX_INTERNAL_H
#define NM_MATCH_INDEX_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nm/confidence.h"
#include "nm/match_index.h"
#include "nm/store_index.h"

enum { SRC_CAT, SRC_TAG, SRC_BIO, SRC_COUNT };

#define NO_ID	  UINT32_MAX
#define MAX_SLOTS (1u << 24)

struct plist {
	uint32_t *v;
	uint32_t n, cap;
};

/* A slot's fields for creator search (search.c), one dense column per field
 * (docs/performance.md "Creator search: column scan"): a scan reads only the columns its
 * filters name, 64 slots at a time (nm/colscan.h), and a slot's other fields only when it
 * passes. The columns live in struct index (s_*; followers is hot_followers); the cold
 * record holds what only a passing slot's sort key or a rare filter reads. Exact (unclamped)
 * where the features clamp. A new filter's field becomes a column when most searches filter
 * on it, else a field of the cold record. */
enum {
	SR_EMAIL = 1,	/* a non-empty email */
	SR_PRICE = 2,	/* price known */
	SR_POST = 4,	/* last post time known */
	SR_ER = 8,	/* engagement rate known */
	SR_GROWTH = 16, /* follower growth known */
};

struct srec_cold {
	int64_t followers;	     /* exact: hot_followers clamps at UINT32_MAX */
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
	int64_t *s_id; /* the creator's id */
	double *s_er;  /* engagement rate, meaningful with SR_ER */
	/* 16-bit keys the filters read (nm/colscan.h), the exact values only where a key
	 * equals a bound's: nm_cs_key_rate of the rate (0 unknown), nm_cs_key_u32 of
	 * hot_followers */
	uint16_t *s_er16, *s_fol16;
	uint8_t *s_platform, *s_tier; /* enum nm_platform (may be past NM_PLATFORM_OTHER), tier */
	uint8_t *s_flags;	      /* SR_* */
	uint16_t *s_country, *s_language; /* nm_sr_code(): 1 + 26·letter + letter, 0 unknown */
	struct srec_cold *scold;
	uint64_t *catmask; /* bit i: the slot has category cat_terms[i] (i < 64): the category
			    * facet counts these per matching slot, and walks postings only for
			    * categories past the 64th */
	struct nm_score_features *feat;
	int32_t *post_day;	 /* days since 1970-01-01 of last_post_at, INT32_MIN unknown */
	uint8_t *ver;		 /* bit 7: live; bits 0-6: version */
	uint16_t *n_post;	 /* postings written for the slot's current version */
	uint32_t *hot_followers; /* a copy of feat[].followers (clamped), dense: the range
				  * checks of runs and searches read it for every slot, and 4 B
				  * per slot stay in cache where 64 B do not */
	/* Data freshness (docs/scoring.md §12), read by the filters max_data_age_days and
	 * min_confidence of creator search and runs, dense so that a filter reads 9 B per
	 * slot and nothing when unused: data_as_of in seconds (NM_CONF_AS_OF_UNKNOWN) and the
	 * age-independent confidence inputs (nm_confidence_pack). */
	int64_t *as_of_s;
	uint8_t *conf;
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
	uint64_t gen; /* moves on with every change under the write lock (search_cache.h) */
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

/* The term ids of the (space-separated) words of a bio term, at most NM_IDX_PHRASE_MAX:
 * how many, or -1 when a word is in no bio (the term then matches nothing). Runs and alert
 * probes split bio phrases the same way. */
#define NM_IDX_PHRASE_MAX 8
static inline int nm_idx_phrase_words(const struct index *ix, const char *term,
				      uint32_t words[NM_IDX_PHRASE_MAX])
{
	int nw = 0;
	const char *c = term;
	while (*c && nw < NM_IDX_PHRASE_MAX) {
		while (*c == ' ')
			c++;
		const char *w = c;
		while (*c && *c != ' ')
			c++;
		if (c > w) {
			uint32_t t = dict_find(ix, w, (size_t)(c - w));
			if (t == NO_ID)
				return -1;
			words[nw++] = t;
		}
	}
	return nw;
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

/* The exact follower count of slot (hot_followers clamps at UINT32_MAX). */
static inline int64_t nm_idx_followers(const struct index *ix, uint32_t slot)
{
	uint32_t f = ix->hot_followers[slot];
	return f == UINT32_MAX ? ix->scold[slot].followers : f;
}

/* The confidence level of slot at now_s (seconds since the epoch). */
static inline enum nm_conf_level nm_idx_conf_level(const struct index *ix, uint32_t slot,
						   int64_t now_s)
{
	struct nm_confidence c;
	nm_confidence_packed_eval(ix->conf[slot], nm_confidence_age_days(ix->as_of_s[slot], now_s),
				  &c);
	return c.level;
}

static inline bool posting_live(const struct index *ix, uint32_t e)
{
	uint32_t slot = e >> 8;
	uint8_t v = ix->ver[slot];
	return (v & 0x80) && (v & 0x7f) == (e & 0x7f);
}

/* ---- shared by the run (rank.c) and the alert probe (probe.c): one copy of each rule ---- */

static inline int nm_idx_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* id in the strictly ascending ids[n]. */
static inline bool nm_idx_listed(const int64_t *ids, size_t n, int64_t id)
{
	return n && bsearch(&id, ids, n, sizeof id, nm_idx_cmp_i64);
}

/* Set bits of a mask that rarely has more than two: cheaper than the libgcc popcount
 * call a generic x86-64 build makes. */
static inline int nm_idx_bits(uint64_t m)
{
	int n = 0;
	for (; m; m &= m - 1)
		n++;
	return n;
}

static inline uint8_t nm_idx_sat8(int n)
{
	return (uint8_t)(n > 255 ? 255 : n);
}

/* The features of slot with the niche counts (cat | tag << 8 | bio << 16) and the days
 * since the last post filled. */
static inline void nm_idx_features_of(uint32_t slot, uint32_t counts, int32_t today,
				      struct nm_score_features *f)
{
	*f = nm_idx.feat[slot];
	f->niche_cat = (uint8_t)counts;
	f->niche_tag = (uint8_t)(counts >> 8);
	f->niche_bio = (uint8_t)(counts >> 16);
	int32_t day = nm_idx.post_day[slot];
	if (day != INT32_MIN) {
		int32_t d = today - day, cap = (int32_t)NM_SCORE_DAYS_UNKNOWN - 1;
		f->days_since_post = (uint16_t)(d < 0 ? 0 : d > cap ? cap : d);
	}
}

/* The freshness rule (max_data_age_days, then min_confidence) slot fails, or
 * NM_FUNNEL_COUNT when it passes both (or fr sets neither). */
static inline enum nm_funnel_rule nm_idx_fresh_rule(const struct nm_fresh_filter *fr, uint32_t slot)
{
	if (fr->by_age) {
		int64_t age = nm_confidence_age_days(nm_idx.as_of_s[slot], fr->now_s);
		if (age < 0 || age > fr->max_age_days)
			return NM_FUNNEL_DATA_AGE;
	}
	if (fr->by_conf && nm_idx_conf_level(&nm_idx, slot, fr->now_s) > fr->min_conf)
		return NM_FUNNEL_CONFIDENCE;
	return NM_FUNNEL_COUNT;
}

/* A result of slot as runs and alerts report it: the entry's id, score and matched terms,
 * the features, and the data age at now_s with the confidence inputs beside them. */
static inline void nm_idx_hit_fill(struct nm_index_hit *h, uint32_t slot,
				   const struct nm_score_topk_entry *e, int32_t today,
				   int64_t now_s)
{
	h->id = e->id;
	h->score = e->score;
	h->matched = e->aux64;
	nm_idx_features_of(slot, e->aux32, today, &h->f);
	h->data_age_days = nm_confidence_age_days(nm_idx.as_of_s[slot], now_s);
	h->conf = nm_idx.conf[slot];
}

/* Memory for per-slot arrays, on 2 MiB pages where the kernel allows (index.c). */
void *nm_idx_big_alloc(size_t bytes);
/* Frees the ranking's pooled scratch memory (rank.c; at shutdown). */
void nm_idx_scratch_free_all(void);
/* Frees the lookalikes' pooled scratch memory (lookalike.c; at shutdown). */
void nm_lk_scratch_free_all(void);

#endif
