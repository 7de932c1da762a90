/* In-memory ranking index. Layout:
 *   slots     one per creator: scoring features (niche counts left zero), the day of the
 *             last post, a 7-bit version and a live flag; id → slot through a hash map;
 *   dict      every term seen (category, hashtag, bio word) interned to a 32-bit id;
 *   postings  per source (category, hashtag, bio) and term: the slots carrying it, each
 *             entry (slot << 8 | version). An update bumps the slot's version and appends
 *             fresh entries, so stale entries are skipped instead of searched for and
 *             removed; when stale entries or dead slots pile up the index is rebuilt.
 *
 * Sync: change tracking by writer transaction id (migrations/0007). Each sync reads,
 * in one REPEATABLE READ snapshot, the rows and tombstones written by transactions not
 * older than the oldest one still running at the previous sync, so a transaction that
 * commits late is never missed. */
#include "nm/rankindex.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "nm/log.h"
#include "nm/pgarray.h"
#include "nm/score_filter.h"
#include "nm/store_index.h"
#include "nm/taxonomy.h"

enum { SRC_CAT, SRC_TAG, SRC_BIO, SRC_COUNT };

#define NO_ID	      UINT32_MAX
#define MAX_SLOTS     (1u << 24)
#define BIO_WORDS_MAX 96

struct plist {
	uint32_t *v;
	uint32_t n, cap;
};

struct index {
	/* slots */
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

static struct index idx;
static pthread_t warm_thread;
static bool warm_started;
static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t sync_mu = PTHREAD_MUTEX_INITIALIZER;

/* ------------------------------------------------------------------ hashing */

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h ^ (h >> 29);
}

static uint64_t hash_id(int64_t id)
{
	uint64_t x = (uint64_t)id * 0x9E3779B97F4A7C15ull;
	return x ^ (x >> 31);
}

/* ------------------------------------------------------------------ dictionary */

static uint32_t dict_find(const struct index *ix, const char *s, size_t n)
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

static bool dict_grow(struct index *ix)
{
	uint32_t cap = ix->dict_cap ? ix->dict_cap * 2 : 4096;
	uint32_t *d = malloc(cap * sizeof *d);
	if (!d)
		return false;
	memset(d, 0xff, cap * sizeof *d);
	for (uint32_t t = 0; t < ix->n_terms; t++) {
		uint32_t i = (uint32_t)hash_bytes(ix->term[t], ix->term_len[t]) & (cap - 1);
		while (d[i] != NO_ID)
			i = (i + 1) & (cap - 1);
		d[i] = t;
	}
	free(ix->dict);
	ix->dict = d;
	ix->dict_cap = cap;
	return true;
}

static uint32_t dict_intern(struct index *ix, const char *s, size_t n)
{
	uint32_t t = dict_find(ix, s, n);
	if (t != NO_ID)
		return t;
	if ((ix->n_terms + 1) * 2 > ix->dict_cap && !dict_grow(ix))
		return NO_ID;
	if (ix->n_terms == ix->cap_terms) {
		uint32_t cap = ix->cap_terms ? ix->cap_terms * 2 : 4096;
		char **nt = realloc(ix->term, cap * sizeof *nt);
		if (nt)
			ix->term = nt;
		uint32_t *nl = realloc(ix->term_len, cap * sizeof *nl);
		if (nl)
			ix->term_len = nl;
		bool ok = nt && nl;
		for (int s_ = 0; s_ < SRC_COUNT && ok; s_++) {
			struct plist *np = realloc(ix->post[s_], cap * sizeof *np);
			if (!np) {
				ok = false;
				break;
			}
			memset(np + ix->cap_terms, 0, (cap - ix->cap_terms) * sizeof *np);
			ix->post[s_] = np;
		}
		if (!ok)
			return NO_ID;
		ix->cap_terms = cap;
	}
	char *copy = malloc(n + 1);
	if (!copy)
		return NO_ID;
	memcpy(copy, s, n);
	copy[n] = '\0';
	t = ix->n_terms++;
	ix->term[t] = copy;
	ix->term_len[t] = (uint32_t)n;
	uint32_t mask = ix->dict_cap - 1;
	uint32_t i = (uint32_t)hash_bytes(s, n) & mask;
	while (ix->dict[i] != NO_ID)
		i = (i + 1) & mask;
	ix->dict[i] = t;
	return t;
}

/* ------------------------------------------------------------------ id → slot */

static uint32_t map_get(const struct index *ix, int64_t id)
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

static void map_put_raw(int64_t *ids, uint32_t *slots, uint32_t cap, int64_t id, uint32_t slot)
{
	uint32_t mask = cap - 1;
	uint32_t i = (uint32_t)hash_id(id) & mask;
	while (ids[i] != 0 && ids[i] != id)
		i = (i + 1) & mask;
	ids[i] = id;
	slots[i] = slot;
}

static bool map_put(struct index *ix, int64_t id, uint32_t slot)
{
	if ((ix->n_slots + 1) * 2 > ix->map_cap) {
		uint32_t cap = ix->map_cap ? ix->map_cap * 2 : 4096;
		int64_t *ids = calloc(cap, sizeof *ids);
		uint32_t *slots = calloc(cap, sizeof *slots);
		if (!ids || !slots) {
			free(ids);
			free(slots);
			return false;
		}
		for (uint32_t i = 0; i < ix->map_cap; i++)
			if (ix->map_id[i])
				map_put_raw(ids, slots, cap, ix->map_id[i], ix->map_slot[i]);
		free(ix->map_id);
		free(ix->map_slot);
		ix->map_id = ids;
		ix->map_slot = slots;
		ix->map_cap = cap;
	}
	map_put_raw(ix->map_id, ix->map_slot, ix->map_cap, id, slot);
	return true;
}

/* ------------------------------------------------------------------ slots and postings */

#define HUGE_PAGE ((size_t)2 << 20)

/* Memory for the per-slot arrays, which runs read at scattered places: backed by 2 MiB
 * pages where the kernel allows it (transparent huge pages in "madvise" mode, Debian's
 * default), because with 4 KiB pages nearly every scattered read also missed the TLB
 * (docs/performance.md). Free with free(). */
static void *big_alloc(size_t bytes)
{
	if (bytes < HUGE_PAGE)
		return malloc(bytes ? bytes : 1);
	size_t rounded = (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	void *p = aligned_alloc(HUGE_PAGE, rounded);
	if (p)
		madvise(p, rounded, MADV_HUGEPAGE); /* advice only: failure changes nothing */
	return p;
}

/* realloc() for big_alloc() memory: keeps the first old_bytes. */
static void *big_grow(void *old, size_t old_bytes, size_t bytes)
{
	void *p = big_alloc(bytes);
	if (p && old)
		memcpy(p, old, old_bytes < bytes ? old_bytes : bytes);
	if (p)
		free(old);
	return p;
}

static bool slots_reserve(struct index *ix)
{
	if (ix->n_slots < ix->cap_slots)
		return true;
	if (ix->cap_slots >= MAX_SLOTS)
		return false;
	uint32_t cap = ix->cap_slots ? ix->cap_slots * 2 : 65536, old = ix->cap_slots;
	struct nm_score_features *f = big_grow(ix->feat, old * sizeof *f, cap * sizeof *f);
	if (f)
		ix->feat = f;
	int32_t *d = big_grow(ix->post_day, old * sizeof *d, cap * sizeof *d);
	if (d)
		ix->post_day = d;
	uint8_t *v = big_grow(ix->ver, old, cap);
	if (v)
		ix->ver = v;
	uint16_t *np = big_grow(ix->n_post, old * sizeof *np, cap * sizeof *np);
	if (np)
		ix->n_post = np;
	uint32_t *hf = big_grow(ix->hot_followers, old * sizeof *hf, cap * sizeof *hf);
	if (hf)
		ix->hot_followers = hf;
	if (!f || !d || !v || !np || !hf)
		return false;
	ix->cap_slots = cap;
	return true;
}

static bool post_add(struct index *ix, int src, uint32_t term, uint32_t slot)
{
	struct plist *p = &ix->post[src][term];
	if (p->n == p->cap) {
		uint32_t cap = p->cap ? p->cap * 2 : 4;
		uint32_t *nv = realloc(p->v, cap * sizeof *nv);
		if (!nv)
			return false;
		p->v = nv;
		p->cap = cap;
	}
	p->v[p->n++] = slot << 8 | (ix->ver[slot] & 0x7f);
	ix->postings++;
	ix->n_post[slot]++;
	return true;
}

static bool posting_live(const struct index *ix, uint32_t e)
{
	uint32_t slot = e >> 8;
	uint8_t v = ix->ver[slot];
	return (v & 0x80) && (v & 0x7f) == (e & 0x7f);
}

static bool word_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c >= 0x80 || c == '_';
}

/* Bio → distinct lower-case words (ASCII folded), each interned and posted. */
static bool index_bio(struct index *ix, uint32_t slot, const char *bio)
{
	uint32_t seen[BIO_WORDS_MAX];
	size_t n_seen = 0;
	char w[128];
	const char *p = bio;
	while (*p && n_seen < BIO_WORDS_MAX) {
		while (*p && !word_char((unsigned char)*p))
			p++;
		size_t n = 0;
		while (*p && word_char((unsigned char)*p)) {
			if (n < sizeof w)
				w[n++] = (*p >= 'A' && *p <= 'Z') ? (char)(*p + 32) : *p;
			p++;
		}
		if (n < 2 || n >= sizeof w)
			continue;
		uint32_t t = dict_intern(ix, w, n);
		if (t == NO_ID)
			return false;
		bool dup = false;
		for (size_t i = 0; i < n_seen && !dup; i++)
			dup = seen[i] == t;
		if (dup)
			continue;
		seen[n_seen++] = t;
		if (!post_add(ix, SRC_BIO, t, slot))
			return false;
	}
	return true;
}

static bool index_list(struct index *ix, int src, uint32_t slot, const char *literal)
{
	char *copy = strdup(literal);
	if (!copy)
		return false;
	char *v[64];
	size_t n = nm_pgarray_split(copy, v, 64);
	bool ok = true;
	for (size_t i = 0; i < n && ok; i++) {
		uint32_t t = dict_intern(ix, v[i], strlen(v[i]));
		ok = t != NO_ID && post_add(ix, src, t, slot);
	}
	free(copy);
	return ok;
}

/* Inserts or replaces a creator. */
static bool apply_row(struct index *ix, const struct nm_index_row *row)
{
	int64_t id = row->f.id;
	uint32_t slot = map_get(ix, id);
	if (slot == NO_ID) {
		if (!slots_reserve(ix))
			return false;
		slot = ix->n_slots;
		if (!map_put(ix, id, slot))
			return false;
		ix->n_slots++;
		ix->ver[slot] = 0x80;
		ix->live++;
	} else {
		uint8_t v = ix->ver[slot];
		if (!(v & 0x80))
			ix->live++;
		ix->stale += ix->n_post[slot];
		ix->ver[slot] = 0x80 | ((v + 1) & 0x7f);
		if ((ix->ver[slot] & 0x7f) == 0)
			ix->stale = SIZE_MAX / 2; /* versions wrapped: force a rebuild */
	}
	ix->n_post[slot] = 0;
	ix->feat[slot] = row->f;
	ix->hot_followers[slot] = ix->feat[slot].followers;
	ix->post_day[slot] = row->post_day;
	return index_list(ix, SRC_CAT, slot, row->categories) &&
	       index_list(ix, SRC_TAG, slot, row->hashtags) &&
	       (!row->bio || index_bio(ix, slot, row->bio));
}

static void apply_delete(struct index *ix, int64_t id)
{
	uint32_t slot = map_get(ix, id);
	if (slot == NO_ID || !(ix->ver[slot] & 0x80))
		return;
	ix->ver[slot] &= 0x7f;
	ix->live--;
	ix->stale += ix->n_post[slot];
	ix->n_post[slot] = 0;
}

static void index_clear(struct index *ix)
{
	for (uint32_t t = 0; t < ix->n_terms; t++) {
		free(ix->term[t]);
		for (int s = 0; s < SRC_COUNT; s++)
			free(ix->post[s][t].v);
	}
	for (int s = 0; s < SRC_COUNT; s++)
		free(ix->post[s]);
	free(ix->term);
	free(ix->term_len);
	free(ix->dict);
	free(ix->feat);
	free(ix->post_day);
	free(ix->ver);
	free(ix->n_post);
	free(ix->hot_followers);
	free(ix->map_id);
	free(ix->map_slot);
	memset(ix, 0, sizeof *ix);
}

/* ------------------------------------------------------------------ sync */

static bool sink_row(void *cls, const struct nm_index_row *row)
{
	return apply_row(cls, row);
}

static void sink_gone(void *cls, int64_t id)
{
	apply_delete(cls, id);
}

/* Reads changes since ix's mark (everything when full) into ix; see
 * nm_store_index_fetch. */
static bool fetch_into(struct nm_pg *pg, struct index *ix, bool full, bool *changed, bool *resync)
{
	const struct nm_index_sink sink = {ix, sink_row, sink_gone};
	return nm_store_index_fetch(pg, full ? NULL : &ix->mark, &sink, &ix->mark, changed, resync);
}

static bool needs_rebuild(const struct index *ix)
{
	return ix->stale > ix->postings / 2 + 100000 ||
	       (ix->n_slots - ix->live) > ix->n_slots / 4 + 10000;
}

bool nm_index_sync(struct nm_pg *pg)
{
	pthread_mutex_lock(&sync_mu);
	bool ok = true, resync = false;
	const char *why = !idx.loaded ? "load" : needs_rebuild(&idx) ? "compaction" : NULL;
	if (!why) {
		/* Most syncs find nothing new: one statement (one snapshot) says so without
		 * a transaction or the write lock. */
		bool changes;
		ok = nm_store_index_changes(pg, &idx.mark, &idx.mark, &resync, &changes);
		if (ok && !resync && changes) {
			/* Small deltas are applied in place under the write lock. */
			pthread_rwlock_wrlock(&lock);
			bool changed;
			ok = fetch_into(pg, &idx, false, &changed, &resync);
			pthread_rwlock_unlock(&lock);
			ok = ok || resync;
		}
		if (resync)
			why = "tombstones pruned"; /* deletes since the last sync may be gone */
	}
	if (ok && why) {
		/* Build aside, swap in: runs keep using the old index meanwhile. */
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		struct index fresh;
		memset(&fresh, 0, sizeof fresh);
		bool changed;
		ok = fetch_into(pg, &fresh, true, &changed, &resync);
		if (ok) {
			fresh.loaded = true;
			pthread_rwlock_wrlock(&lock);
			struct index old = idx;
			idx = fresh;
			pthread_rwlock_unlock(&lock);
			index_clear(&old);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			nm_log_json(NM_LOG_INFO, "ranking index loaded",
				    json_pack("{s:s, s:I, s:I, s:I, s:f}", "reason", why,
					      "creators", (json_int_t)idx.live, "terms",
					      (json_int_t)idx.n_terms, "postings",
					      (json_int_t)idx.postings, "seconds",
					      (double)(t1.tv_sec - t0.tv_sec) +
						      (double)(t1.tv_nsec - t0.tv_nsec) / 1e9));
		} else {
			index_clear(&fresh);
		}
	}
	pthread_mutex_unlock(&sync_mu);
	return ok;
}

/* ------------------------------------------------------------------ ranking */

/* A run first marks, term by term, the creators posted under each brand term: one byte
 * per creator for each source and group of 8 terms (bit i % 8 of group i / 8), plus a
 * bitmap of the creators marked at all. Writes land in arrays of a byte (or a bit) per
 * creator, which stay in cache where the 64-byte features do not. Then it visits the
 * marked creators in slot order, so the features array is read front to back, which
 * the hardware prefetches, instead of at random. The slots are split in two halves,
 * ranked on two threads into two heaps that are merged: the same hits either way. */
struct scratch {
	uint32_t slots;	      /* capacity, a multiple of 64 */
	unsigned groups;      /* term groups of 8 the marks have room for */
	uint8_t *mark;	      /* [groups][SRC_COUNT][slots], zero between runs */
	uint64_t *seen;	      /* [slots / 64], zero between runs */
	struct cand *cand[2]; /* each half's creators in range, in slot order */
	size_t cap_cand[2];
	struct scratch *next;
};

#define MARK_GROUPS_KEPT 2 /* larger mark arrays (brands with > 16 terms) are not pooled */
#define MIN_PER_THREAD	 65536

static struct scratch *free_scratch;
static pthread_mutex_t scratch_mu = PTHREAD_MUTEX_INITIALIZER;

static void scratch_free(struct scratch *s)
{
	free(s->cand[0]);
	free(s->cand[1]);
	free(s->mark);
	free(s->seen);
	free(s);
}

/* Mark groups (of 8 brand terms) a run with these terms uses; at least 1 for the
 * scratch allocation, and the terms past 64 are not matched (masks are 64-bit). */
static unsigned mark_groups(const struct nm_niche_terms *terms)
{
	size_t n = terms->n < 64 ? terms->n : 64;
	return n ? (unsigned)(n + 7) / 8 : 1;
}

static struct scratch *scratch_get(uint32_t slots, unsigned groups)
{
	pthread_mutex_lock(&scratch_mu);
	struct scratch *s = free_scratch;
	if (s)
		free_scratch = s->next;
	pthread_mutex_unlock(&scratch_mu);
	if (!s && !(s = calloc(1, sizeof *s)))
		return NULL;
	slots = (slots + 63) & ~63u;
	if (s->slots < slots || s->groups < groups) {
		free(s->mark);
		free(s->seen);
		s->slots = slots > s->slots ? slots : s->slots;
		s->groups = groups > s->groups ? groups : s->groups;
		size_t bytes = (size_t)s->groups * SRC_COUNT * s->slots;
		/* Aligned (at least to a cache line, so that the two halves never share
		 * one) and on huge pages: marking writes at scattered places. */
		s->mark = big_alloc(bytes < 64 ? 64 : (bytes + 63) & ~(size_t)63);
		s->seen = calloc(s->slots / 64, sizeof *s->seen);
		if (!s->mark || !s->seen) {
			scratch_free(s);
			return NULL;
		}
		memset(s->mark, 0, bytes);
	}
	return s;
}

static void scratch_put(struct scratch *s)
{
	if (s->groups > MARK_GROUPS_KEPT) {
		scratch_free(s);
		return;
	}
	pthread_mutex_lock(&scratch_mu);
	s->next = free_scratch;
	free_scratch = s;
	pthread_mutex_unlock(&scratch_mu);
}

/* A marked creator in the run's follower range, with its niche counts (cat | tag << 8 |
 * bio << 16) and the brand terms it matched. */
struct cand {
	uint32_t slot, counts;
	uint64_t matched;
};

/* One half of a run: slots [lo, hi), its own heap. */
struct part {
	int half;
	const struct nm_score_query *q;
	const struct nm_niche_terms *terms;
	const int64_t *exclude;
	size_t n_exclude;
	struct scratch *s;
	uint32_t lo, hi, range_min, range_max;
	int32_t today;
	struct nm_score_topk heap;
	size_t candidates;
	bool ok;
};

static uint8_t *mark_layer(const struct part *p, unsigned term_index, int src)
{
	return p->s->mark + ((size_t)(term_index / 8) * SRC_COUNT + (size_t)src) * p->s->slots;
}

static void mark(const struct part *p, uint8_t *layer, uint8_t bit, uint32_t slot)
{
	layer[slot] |= bit;
	p->s->seen[slot / 64] |= 1ull << (slot % 64);
}

/* Marks term index i in source src for the part's live slots posted under term. */
static void mark_term(const struct part *p, int src, uint32_t term, unsigned i)
{
	if (term == NO_ID)
		return;
	const struct plist *pl = &idx.post[src][term];
	uint8_t *layer = mark_layer(p, i, src);
	uint8_t bit = (uint8_t)(1u << (i % 8));
	for (uint32_t j = 0; j < pl->n; j++) {
		uint32_t e = pl->v[j], slot = e >> 8;
		if (slot >= p->lo && slot < p->hi && posting_live(&idx, e))
			mark(p, layer, bit, slot);
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* A bio term of several words matches when every word is in the bio: the part's slots
 * of the rarest word, sorted, count how many of the other words' lists hold them. */
static bool mark_bio_phrase(const struct part *p, const char *term, unsigned i)
{
	uint32_t words[8];
	size_t nw = 0;
	const char *c = term;
	while (*c && nw < 8) {
		while (*c == ' ')
			c++;
		const char *w = c;
		while (*c && *c != ' ')
			c++;
		if (c > w) {
			uint32_t t = dict_find(&idx, w, (size_t)(c - w));
			if (t == NO_ID)
				return true; /* a word no bio contains: no match */
			words[nw++] = t;
		}
	}
	if (nw <= 1) {
		mark_term(p, SRC_BIO, nw ? words[0] : NO_ID, i);
		return true;
	}
	size_t rare = 0;
	for (size_t k = 1; k < nw; k++)
		if (idx.post[SRC_BIO][words[k]].n < idx.post[SRC_BIO][words[rare]].n)
			rare = k;
	const struct plist *base = &idx.post[SRC_BIO][words[rare]];
	uint32_t *have = malloc((base->n ? base->n : 1) * sizeof *have);
	uint8_t *count = calloc(base->n ? base->n : 1, 1);
	size_t n = 0;
	for (uint32_t j = 0; have && count && j < base->n; j++) {
		uint32_t e = base->v[j], slot = e >> 8;
		if (slot >= p->lo && slot < p->hi && posting_live(&idx, e))
			have[n++] = slot;
	}
	if (!have || !count) {
		free(have);
		free(count);
		return false;
	}
	qsort(have, n, sizeof *have, cmp_u32);
	for (size_t k = 0; k < nw; k++) {
		const struct plist *o = &idx.post[SRC_BIO][words[k]];
		for (uint32_t j = 0; k != rare && n && j < o->n; j++) {
			uint32_t e = o->v[j], slot = e >> 8;
			if (slot < p->lo || slot >= p->hi || !posting_live(&idx, e))
				continue;
			uint32_t *at = bsearch(&slot, have, n, sizeof *have, cmp_u32);
			if (at)
				count[at - have]++; /* a word is posted once per slot version */
		}
	}
	uint8_t *layer = mark_layer(p, i, SRC_BIO);
	for (size_t j = 0; j < n; j++)
		if (count[j] == nw - 1)
			mark(p, layer, (uint8_t)(1u << (i % 8)), have[j]);
	free(have);
	free(count);
	return true;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Set bits of a mask that rarely has more than two: cheaper than the libgcc popcount
 * call a generic x86-64 build makes. */
static int bits(uint64_t m)
{
	int n = 0;
	for (; m; m &= m - 1)
		n++;
	return n;
}

static uint8_t sat8(int n)
{
	return (uint8_t)(n > 255 ? 255 : n);
}

/* The features of slot with the niche counts and days since the last post filled. */
static void features_of(uint32_t slot, uint32_t counts, int32_t today, struct nm_score_features *f)
{
	*f = idx.feat[slot];
	f->niche_cat = (uint8_t)counts;
	f->niche_tag = (uint8_t)(counts >> 8);
	f->niche_bio = (uint8_t)(counts >> 16);
	int32_t day = idx.post_day[slot];
	if (day != INT32_MIN) {
		int32_t d = today - day, cap = (int32_t)NM_SCORE_DAYS_UNKNOWN - 1;
		f->days_since_post = (uint16_t)(d < 0 ? 0 : d > cap ? cap : d);
	}
}

/* Appends c to the part's candidate list; false on OOM. */
static bool cand_push(struct part *p, const struct cand *c, size_t *n)
{
	struct scratch *s = p->s;
	if (*n == s->cap_cand[p->half]) {
		size_t cap = *n ? *n * 2 : 16384;
		struct cand *nc = realloc(s->cand[p->half], cap * sizeof *nc);
		if (!nc)
			return false;
		s->cand[p->half] = nc;
		s->cap_cand[p->half] = cap;
	}
	s->cand[p->half][(*n)++] = *c;
	return true;
}

/* Collects the part's marked slots in the follower range, in slot order, clearing every
 * mark (even after a failure, so that the next run starts clean). Returns the count, or
 * -1 on OOM. */
static long collect_marked(struct part *p)
{
	struct scratch *s = p->s;
	unsigned groups = mark_groups(p->terms);
	size_t n = 0;
	bool ok = true;
	for (uint32_t w = p->lo / 64; w < (p->hi + 63) / 64; w++) {
		uint64_t word = s->seen[w];
		if (!word)
			continue;
		s->seen[w] = 0;
		for (; word; word &= word - 1) {
			uint32_t slot = w * 64 + (uint32_t)__builtin_ctzll(word);
			uint64_t m[SRC_COUNT] = {0, 0, 0};
			for (unsigned g = 0; g < groups; g++)
				for (int src = 0; src < SRC_COUNT; src++) {
					uint8_t *b =
						&s->mark[((size_t)g * SRC_COUNT + (size_t)src) *
								 s->slots +
							 slot];
					m[src] |= (uint64_t)*b << (8 * g);
					*b = 0;
				}
			uint32_t fol = idx.hot_followers[slot];
			if (fol < p->range_min || fol > p->range_max)
				continue;
			struct cand c = {slot,
					 (uint32_t)sat8(bits(m[SRC_CAT])) |
						 (uint32_t)sat8(bits(m[SRC_TAG])) << 8 |
						 (uint32_t)sat8(bits(m[SRC_BIO])) << 16,
					 m[SRC_CAT] | m[SRC_TAG] | m[SRC_BIO]};
			ok = ok && cand_push(p, &c, &n);
		}
	}
	return ok ? (long)n : -1;
}

/* Filters, scores and keeps the best of the part's candidates. */
static void rank_cands(struct part *p, size_t n)
{
	const struct cand *c = p->s->cand[p->half];
	for (size_t i = 0; i < n; i++) {
		/* The slots are in order but sparse: the hardware does not see the
		 * pattern, so ask for a later creator's features early and keep several
		 * cache misses in flight. */
		if (i + 16 < n) {
			__builtin_prefetch(&idx.feat[c[i + 16].slot]);
			__builtin_prefetch(&idx.post_day[c[i + 16].slot]);
		}
		struct nm_score_features f;
		features_of(c[i].slot, c[i].counts, p->today, &f);
		if (!nm_score_filter(p->q, &f))
			continue;
		if (p->n_exclude && bsearch(&f.id, p->exclude, p->n_exclude, sizeof f.id, cmp_i64))
			continue;
		p->candidates++;
		/* Once the heap is full most creators cannot enter it: a bound from the two
		 * cheapest components settles that without the other five. */
		double floor = nm_score_topk_floor(&p->heap);
		if (nm_score_upper_bound(p->q, &f) < floor)
			continue;
		struct nm_score_topk_entry x = {nm_score_creator(p->q, &f, NULL), f.id, c[i].slot,
						c[i].counts, c[i].matched};
		if (x.score >= floor)
			nm_score_topk_offer(&p->heap, &x);
	}
}

static void run_part(struct part *p)
{
	const struct nm_niche_terms *terms = p->terms;
	p->ok = true;
	for (unsigned i = 0; i < terms->n && i < 64 && p->ok; i++) {
		uint32_t tid = dict_find(&idx, terms->term[i], terms->len[i]);
		mark_term(p, SRC_CAT, tid, i);
		mark_term(p, SRC_TAG, tid, i);
		size_t cl = strlen(terms->compact[i]);
		if (cl != terms->len[i])
			mark_term(p, SRC_TAG, dict_find(&idx, terms->compact[i], cl), i);
		p->ok = mark_bio_phrase(p, terms->term[i], i);
	}
	long n = collect_marked(p);
	if (n < 0)
		p->ok = false;
	else if (p->ok)
		rank_cands(p, (size_t)n);
}

static void *part_main(void *arg)
{
	run_part(arg);
	return NULL;
}

long nm_index_rank(const struct nm_score_query *q, const struct nm_niche_terms *terms,
		   const int64_t *exclude, size_t n_exclude, size_t k, struct nm_index_hit *out,
		   size_t *candidates)
{
	*candidates = 0;
	pthread_rwlock_rdlock(&lock);
	struct scratch *s = scratch_get(idx.n_slots ? idx.n_slots : 1, mark_groups(terms));
	/* Always two halves, so that every index, small ones in tests too, takes the
	 * split-and-merge path; a second thread only where it pays. */
	uint32_t n_slots = idx.n_slots;
	uint32_t mid = (n_slots / 2 + 63) & ~63u; /* halves meet on a bitmap word */
	if (mid > n_slots)
		mid = n_slots;
	bool threaded = n_slots >= 2 * MIN_PER_THREAD;
	struct part parts[2];
	bool ok = s != NULL;
	for (int i = 0; i < 2; i++) {
		parts[i] = (struct part){i,
					 q,
					 terms,
					 exclude,
					 n_exclude,
					 s,
					 i == 0 ? 0 : mid,
					 i == 0 ? mid : n_slots,
					 q->follower_min < 0		? 0
					 : q->follower_min > UINT32_MAX ? UINT32_MAX
									: (uint32_t)q->follower_min,
					 q->follower_max < 0 || q->follower_max > UINT32_MAX
						 ? UINT32_MAX
						 : (uint32_t)q->follower_max,
					 (int32_t)(time(NULL) / 86400),
					 {0},
					 0,
					 false};
		ok = nm_score_topk_init(&parts[i].heap, k) && ok;
	}
	long nh = -1;
	if (ok) {
		pthread_t tid;
		bool spawned = threaded && pthread_create(&tid, NULL, part_main, &parts[1]) == 0;
		run_part(&parts[0]);
		if (spawned)
			pthread_join(tid, NULL);
		else
			run_part(&parts[1]); /* no thread wanted or to be had: same result */
		ok = parts[0].ok && parts[1].ok;
		nm_score_topk_merge(&parts[0].heap, &parts[1].heap);
	}
	if (ok) {
		nh = (long)nm_score_topk_sort(&parts[0].heap);
		for (long i = 0; i < nh; i++) {
			const struct nm_score_topk_entry *e = &parts[0].heap.e[i];
			out[i].id = e->id;
			out[i].score = e->score;
			out[i].matched = e->aux64;
			features_of(e->ref, e->aux32, parts[0].today, &out[i].f);
		}
		*candidates = parts[0].candidates + parts[1].candidates;
	}
	pthread_rwlock_unlock(&lock);
	for (int i = 0; i < 2; i++)
		nm_score_topk_free(&parts[i].heap);
	if (s)
		scratch_put(s);
	return nh;
}

void nm_index_stats(struct nm_index_stats *st)
{
	pthread_rwlock_rdlock(&lock);
	st->creators = idx.live;
	st->terms = idx.n_terms;
	st->postings = idx.postings;
	size_t bytes =
		(size_t)idx.cap_slots * (sizeof *idx.feat + sizeof *idx.post_day + 1 + 2) +
		(size_t)idx.map_cap * 12 + (size_t)idx.dict_cap * 4 +
		(size_t)idx.cap_terms * (sizeof(char *) + 4 + SRC_COUNT * sizeof(struct plist));
	for (uint32_t t = 0; t < idx.n_terms; t++) {
		bytes += idx.term_len[t] + 1;
		for (int s = 0; s < SRC_COUNT; s++)
			bytes += (size_t)idx.post[s][t].cap * 4;
	}
	st->bytes = bytes;
	pthread_rwlock_unlock(&lock);
}

void nm_index_free(void)
{
	if (warm_started) {
		pthread_join(warm_thread, NULL);
		warm_started = false;
	}
	pthread_rwlock_wrlock(&lock);
	index_clear(&idx);
	pthread_rwlock_unlock(&lock);
	pthread_mutex_lock(&scratch_mu);
	while (free_scratch) {
		struct scratch *s = free_scratch;
		free_scratch = s->next;
		scratch_free(s);
	}
	pthread_mutex_unlock(&scratch_mu);
}

static void *warm_main(void *arg)
{
	(void)arg;
	nm_store_index_pooled(nm_index_sync); /* without a connection the first run loads it */
	return NULL;
}

void nm_index_warm_up(void)
{
	warm_started = pthread_create(&warm_thread, NULL, warm_main, NULL) == 0;
}
