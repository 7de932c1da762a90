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
 * commits late is never missed. The SQL of a sync is store/index_sync.c; a run over the
 * index is rank.c; the layout both share is index_internal.h. */
#include "nm/match_index.h"
#include "nm/searchindex.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "nm/bio_words.h"
#include "nm/db_pool.h"
#include "nm/log.h"
#include "nm/pgarray.h"
#include "nm/score_filter.h"
#include "nm/store_index.h"
#include "nm/taxonomy.h"
#include "nm/textsearch.h"

#include "index_internal.h"
#include "nm/colscan.h"

struct index nm_idx;
static pthread_t warm_thread;
static bool warm_started;
static atomic_bool warm_stop;
pthread_rwlock_t nm_idx_lock = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t sync_mu = PTHREAD_MUTEX_INITIALIZER;

/* ------------------------------------------------------------------ hashing */

/* ------------------------------------------------------------------ dictionary */

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
		struct plist *tp = ok ? realloc(ix->tpost, cap * sizeof *tp) : NULL;
		if (tp) {
			memset(tp + ix->cap_terms, 0, (cap - ix->cap_terms) * sizeof *tp);
			ix->tpost = tp;
		}
		if (!ok || !tp)
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
void *nm_idx_big_alloc(size_t bytes)
{
	if (bytes < HUGE_PAGE)
		return malloc(bytes ? bytes : 1);
	size_t rounded = (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	void *p = aligned_alloc(HUGE_PAGE, rounded);
	if (p)
		madvise(p, rounded, MADV_HUGEPAGE); /* advice only: failure changes nothing */
	return p;
}

/* realloc() for nm_idx_big_alloc() memory: keeps the first old_bytes. */
static void *big_grow(void *old, size_t old_bytes, size_t bytes)
{
	void *p = nm_idx_big_alloc(bytes);
	if (p && old)
		memcpy(p, old, old_bytes < bytes ? old_bytes : bytes);
	if (p)
		free(old);
	return p;
}

struct slot_array {
	void **p;
	size_t elem;
};

#define SLOT_ARRAYS 18

/* The per-slot arrays and their element sizes (slots_reserve, index_clear, the memory
 * figure of nm_index_stats). */
static void slot_arrays(struct index *ix, struct slot_array a[SLOT_ARRAYS])
{
	size_t n = 0;
#define SLOT_ARRAY(field) a[n++] = (struct slot_array){(void **)&ix->field, sizeof *ix->field}
	SLOT_ARRAY(feat);
	SLOT_ARRAY(post_day);
	SLOT_ARRAY(ver);
	SLOT_ARRAY(n_post);
	SLOT_ARRAY(hot_followers);
	SLOT_ARRAY(s_id);
	SLOT_ARRAY(s_er);
	SLOT_ARRAY(s_er16);
	SLOT_ARRAY(s_fol16);
	SLOT_ARRAY(s_platform);
	SLOT_ARRAY(s_tier);
	SLOT_ARRAY(s_flags);
	SLOT_ARRAY(s_country);
	SLOT_ARRAY(s_language);
	SLOT_ARRAY(scold);
	SLOT_ARRAY(catmask);
	SLOT_ARRAY(as_of_s);
	SLOT_ARRAY(conf);
#undef SLOT_ARRAY
}

static size_t slot_bytes(struct index *ix)
{
	struct slot_array arrays[SLOT_ARRAYS];
	slot_arrays(ix, arrays);
	size_t bytes = 0;
	for (size_t i = 0; i < SLOT_ARRAYS; i++)
		bytes += arrays[i].elem;
	return bytes;
}

/* Capacity stays a power of two from 65,536: the column scan reads whole blocks of 64
 * slots (nm/colscan.h). */
static bool slots_reserve(struct index *ix)
{
	if (ix->n_slots < ix->cap_slots)
		return true;
	if (ix->cap_slots >= MAX_SLOTS)
		return false;
	uint32_t cap = ix->cap_slots ? ix->cap_slots * 2 : 65536, old = ix->cap_slots;
	struct slot_array arrays[SLOT_ARRAYS];
	slot_arrays(ix, arrays);
	bool ok = true;
	for (size_t i = 0; i < SLOT_ARRAYS; i++) {
		void *p = big_grow(*arrays[i].p, old * arrays[i].elem, cap * arrays[i].elem);
		if (p)
			*arrays[i].p = p;
		ok = ok && p;
	}
	if (!ok)
		return false;
	ix->cap_slots = cap;
	return true;
}

/* Notes term as a category (its first category posting). */
static bool cat_term_add(struct index *ix, uint32_t term)
{
	if (ix->n_cat_terms == ix->cap_cat_terms) {
		uint32_t cap = ix->cap_cat_terms ? ix->cap_cat_terms * 2 : 64;
		uint32_t *nv = realloc(ix->cat_terms, cap * sizeof *nv);
		if (!nv)
			return false;
		ix->cat_terms = nv;
		ix->cap_cat_terms = cap;
	}
	ix->cat_terms[ix->n_cat_terms++] = term;
	return true;
}

static bool plist_add(struct index *ix, struct plist *p, uint32_t slot)
{
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

static bool post_add(struct index *ix, int src, uint32_t term, uint32_t slot)
{
	struct plist *p = &ix->post[src][term];
	if (src == SRC_CAT && p->cap == 0 && !cat_term_add(ix, term))
		return false;
	return plist_add(ix, p, slot);
}

/* Bio → distinct lower-case words (ASCII folded), each interned and posted. */
static bool index_bio(struct index *ix, uint32_t slot, const char *bio)
{
	uint32_t seen[NM_BIO_WORDS_MAX];
	size_t n_seen = 0, n;
	char w[NM_BIO_WORD_MAX];
	const char *p = bio;
	while (n_seen < NM_BIO_WORDS_MAX && (n = nm_bio_next_word(&p, w)) != 0) {
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
		for (uint32_t c = 0; ok && src == SRC_CAT && c < ix->n_cat_terms && c < 64; c++)
			if (ix->cat_terms[c] == t)
				ix->catmask[slot] |= 1ull << c;
	}
	free(copy);
	return ok;
}

/* ---- creator search's text (nm/textsearch.h) ---- */

/* Scratch of the sync (one at a time: sync_mu): term ids of a creator, and stemmers. */
static uint32_t *text_ids;
static size_t text_cap;
static struct nm_stemmers *doc_stemmers;

static bool text_id_add(uint32_t t, size_t *n)
{
	if (t == NO_ID)
		return false;
	if (*n == text_cap) {
		size_t cap = text_cap ? text_cap * 2 : 256;
		uint32_t *nv = realloc(text_ids, cap * sizeof *nv);
		if (!nv)
			return false;
		text_ids = nv;
		text_cap = cap;
	}
	text_ids[(*n)++] = t;
	return true;
}

/* A direct-mapped cache of (word's term, language) → stem's term: the same word is
 * stemmed once, not once per creator. Term ids are those of the index being written:
 * emptied at the start of every fetch (stem_cache_clear). */
#define STEM_CACHE_SIZE (1u << 16)
static struct stem_slot {
	uint32_t word, stem; /* term ids; word NO_ID: empty */
	int32_t lang;
} * stem_cache;
static bool stem_cache_used;

static void stem_cache_clear(void)
{
	if (stem_cache && stem_cache_used)
		memset(stem_cache, 0xff, STEM_CACHE_SIZE * sizeof *stem_cache);
	stem_cache_used = false;
}

/* The term of the stem in lang of the word w[0..n) whose term is t, or NO_ID. */
static uint32_t stem_term(struct index *ix, uint32_t t, const char *w, size_t n, int lang)
{
	if (!stem_cache) {
		if (!(stem_cache = malloc(STEM_CACHE_SIZE * sizeof *stem_cache)))
			return NO_ID;
		memset(stem_cache, 0xff, STEM_CACHE_SIZE * sizeof *stem_cache);
	}
	stem_cache_used = true;
	struct stem_slot *c = &stem_cache[(t * 31u + (uint32_t)lang) & (STEM_CACHE_SIZE - 1)];
	if (c->word == t && c->lang == lang)
		return c->stem;
	size_t sn;
	const char *st = nm_stem(doc_stemmers, lang, w, n, &sn);
	if (!st)
		return NO_ID;
	uint32_t s = sn == n && memcmp(st, w, n) == 0 ? t : dict_intern(ix, st, sn);
	if (s != NO_ID)
		*c = (struct stem_slot){t, s, lang};
	return s;
}

/* The words of text and their stems in language lang, interned into text_ids. */
static bool text_words(struct index *ix, const char *text, int lang, size_t *n)
{
	const char *p = text, *w;
	size_t len;
	char buf[256];
	while (nm_ts_next_word(&p, &w, &len)) {
		char *fold = len < sizeof buf ? buf : malloc(len + 1);
		if (!fold)
			return false;
		memcpy(fold, w, len);
		nm_ts_fold(fold, len);
		uint32_t t = dict_intern(ix, fold, len);
		uint32_t s = t == NO_ID || lang < 0 ? t : stem_term(ix, t, fold, len, lang);
		bool ok = text_id_add(t, n) && (s == t || text_id_add(s, n));
		if (fold != buf)
			free(fold);
		if (!ok)
			return false;
	}
	return true;
}

static bool text_list(struct index *ix, const char *literal, int lang, size_t *n)
{
	char *copy = strdup(literal);
	if (!copy)
		return false;
	char *v[64];
	size_t k = nm_pgarray_split(copy, v, 64);
	bool ok = true;
	for (size_t i = 0; i < k && ok; i++)
		ok = text_words(ix, v[i], lang, n);
	free(copy);
	return ok;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* Posts the slot under each distinct term of its categories, hashtags, bio and caption
 * (row->bio holds both) and their stems in the creator's language. */
static bool index_text(struct index *ix, uint32_t slot, const struct nm_index_row *row)
{
	if (!doc_stemmers && !(doc_stemmers = nm_stemmers_new()))
		return false;
	int lang = nm_stem_language_of(row->f.language);
	size_t n = 0;
	if (!text_list(ix, row->categories, lang, &n) || !text_list(ix, row->hashtags, lang, &n) ||
	    (row->bio && !text_words(ix, row->bio, lang, &n)))
		return false;
	if (n) /* text_ids is NULL before the first word */
		qsort(text_ids, n, sizeof *text_ids, cmp_u32);
	for (size_t i = 0; i < n; i++)
		if ((i == 0 || text_ids[i] != text_ids[i - 1]) &&
		    !plist_add(ix, &ix->tpost[text_ids[i]], slot))
			return false;
	return true;
}

/* Byte order of two terms' text (sort_ix: the sync's index, under sync_mu). */
static const struct index *sort_ix;

static int cmp_term(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	size_t lx = sort_ix->term_len[x], ly = sort_ix->term_len[y];
	int c = memcmp(sort_ix->term[x], sort_ix->term[y], lx < ly ? lx : ly);
	return c ? c : (lx > ly) - (lx < ly);
}

/* Brings ix->sorted up to every term: the new ones sorted, then merged in. Out of memory
 * it leaves sorted as it was (a prefix search then also walks the unsorted rest). */
static void sorted_refresh(struct index *ix)
{
	uint32_t old = ix->n_sorted, n = ix->n_terms;
	if (old == n)
		return;
	uint32_t *merged = malloc((size_t)n * sizeof *merged);
	uint32_t *fresh = malloc((size_t)(n - old) * sizeof *fresh);
	if (!merged || !fresh) {
		free(merged);
		free(fresh);
		return;
	}
	for (uint32_t t = old; t < n; t++)
		fresh[t - old] = t;
	sort_ix = ix;
	qsort(fresh, n - old, sizeof *fresh, cmp_term);
	uint32_t i = 0, j = 0, k = 0;
	while (i < old && j < n - old)
		merged[k++] =
			cmp_term(&ix->sorted[i], &fresh[j]) <= 0 ? ix->sorted[i++] : fresh[j++];
	while (i < old)
		merged[k++] = ix->sorted[i++];
	while (j < n - old)
		merged[k++] = fresh[j++];
	free(fresh);
	free(ix->sorted);
	ix->sorted = merged;
	ix->n_sorted = n;
}

/* Inserts or replaces a creator. */
static bool apply_row(struct index *ix, const struct nm_index_row *row)
{
	int64_t id = row->f.id;
	uint32_t slot = nm_idx_slot_of(ix, id);
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
	ix->catmask[slot] = 0;
	ix->feat[slot] = row->f;
	ix->hot_followers[slot] = ix->feat[slot].followers;
	ix->post_day[slot] = row->post_day;
	ix->as_of_s[slot] = row->as_of_s;
	ix->conf[slot] = row->conf;
	struct srec_cold *c = &ix->scold[slot];
	ix->s_id[slot] = id;
	ix->s_er[slot] = row->f.engagement_rate;
	ix->s_er16[slot] = nm_cs_key_rate(row->f.engagement_rate);
	ix->s_fol16[slot] = nm_cs_key_u32(ix->hot_followers[slot]);
	ix->s_platform[slot] = row->f.platform;
	ix->s_tier[slot] = (uint8_t)nm_tier_of(row->followers);
	ix->s_flags[slot] =
		(uint8_t)((row->has_email ? SR_EMAIL : 0) | (row->price_cents >= 0 ? SR_PRICE : 0) |
			  (row->post_us != INT64_MIN ? SR_POST : 0) |
			  (row->f.engagement_rate >= 0.0 ? SR_ER : 0) |
			  (!isnan(row->growth) ? SR_GROWTH : 0));
	/* the stated country only: a geotag stand-in (content_country) scores, but search
	 * filters and facets on the country column, as the SQL path does */
	ix->s_country[slot] =
		row->f.sample & NM_SCORE_COUNTRY_GEOTAG ? 0 : nm_sr_code(row->f.country, 'A');
	ix->s_language[slot] = nm_sr_code(row->f.language, 'a');
	c->followers = row->followers;
	c->price = row->price_cents;
	c->updated_us = row->updated_us;
	c->post_us = row->post_us;
	c->growth = row->growth;
	return index_list(ix, SRC_CAT, slot, row->categories) &&
	       index_list(ix, SRC_TAG, slot, row->hashtags) &&
	       (!row->bio || index_bio(ix, slot, row->bio)) && index_text(ix, slot, row);
}

static void apply_delete(struct index *ix, int64_t id)
{
	uint32_t slot = nm_idx_slot_of(ix, id);
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
		free(ix->tpost[t].v);
	}
	free(ix->tpost);
	free(ix->sorted);
	for (int s = 0; s < SRC_COUNT; s++)
		free(ix->post[s]);
	free(ix->term);
	free(ix->term_len);
	free(ix->dict);
	struct slot_array arrays[SLOT_ARRAYS];
	slot_arrays(ix, arrays);
	for (size_t i = 0; i < SLOT_ARRAYS; i++)
		free(*arrays[i].p);
	free(ix->cat_terms);
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
	stem_cache_clear();
	return nm_store_index_fetch(pg, full ? NULL : &ix->mark, &sink, &ix->mark, changed, resync);
}

static bool needs_rebuild(const struct index *ix)
{
	return ix->stale > ix->postings / 2 + 100000 ||
	       (ix->n_slots - ix->live) > ix->n_slots / 4 + 10000;
}

static bool sync_locked(struct nm_pg *pg);

bool nm_index_sync(struct nm_pg *pg)
{
	/* Always from the primary: the change tracking compares transaction snapshots, and
	 * mixing a replica's (behind) with the primary's could step the mark back. */
	if (nm_db_is_replica(pg))
		return nm_store_index_pooled(nm_index_sync);
	pthread_mutex_lock(&sync_mu);
	bool ok = sync_locked(pg);
	pthread_mutex_unlock(&sync_mu);
	return ok;
}

bool nm_index_try_load(struct nm_pg *pg, int wait_ms)
{
	if (nm_index_loaded())
		return true;
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += wait_ms / 1000;
	until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	if (nm_db_is_replica(pg) || pthread_mutex_timedlock(&sync_mu, &until) != 0)
		return nm_index_loaded();
	bool ok = nm_idx.loaded || sync_locked(pg);
	pthread_mutex_unlock(&sync_mu);
	return ok && nm_index_loaded();
}

/* nm_index_sync with sync_mu held. */
static bool sync_locked(struct nm_pg *pg)
{
	bool ok = true, resync = false;
	const char *why = !nm_idx.loaded ? "load" : needs_rebuild(&nm_idx) ? "compaction" : NULL;
	if (!why) {
		/* Most syncs find nothing new: one statement (one snapshot) says so without
		 * a transaction or the write lock. */
		bool changes;
		ok = nm_store_index_changes(pg, &nm_idx.mark, &nm_idx.mark, &resync, &changes);
		if (ok && !resync && changes) {
			/* Small deltas are applied in place under the write lock. */
			pthread_rwlock_wrlock(&nm_idx_lock);
			bool changed;
			ok = fetch_into(pg, &nm_idx, false, &changed, &resync);
			sorted_refresh(&nm_idx);
			nm_idx.gen++; /* even a failed fetch may have changed slots */
			pthread_rwlock_unlock(&nm_idx_lock);
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
		if (ok)
			sorted_refresh(&fresh);
		if (ok) {
			fresh.loaded = true;
			pthread_rwlock_wrlock(&nm_idx_lock);
			struct index old = nm_idx;
			fresh.gen = old.gen + 1;
			nm_idx = fresh;
			pthread_rwlock_unlock(&nm_idx_lock);
			index_clear(&old);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			nm_log_json(NM_LOG_INFO, "ranking index loaded",
				    json_pack("{s:s, s:I, s:I, s:I, s:f}", "reason", why,
					      "creators", (json_int_t)nm_idx.live, "terms",
					      (json_int_t)nm_idx.n_terms, "postings",
					      (json_int_t)nm_idx.postings, "seconds",
					      (double)(t1.tv_sec - t0.tv_sec) +
						      (double)(t1.tv_nsec - t0.tv_nsec) / 1e9));
		} else {
			index_clear(&fresh);
		}
	}
	return ok;
}

void nm_index_stats(struct nm_index_stats *st)
{
	pthread_rwlock_rdlock(&nm_idx_lock);
	st->creators = nm_idx.live;
	st->terms = nm_idx.n_terms;
	st->postings = nm_idx.postings;
	size_t bytes = (size_t)nm_idx.cap_slots * slot_bytes(&nm_idx) +
		       (size_t)nm_idx.map_cap * 12 + (size_t)nm_idx.dict_cap * 4 +
		       (size_t)nm_idx.cap_terms *
			       (sizeof(char *) + 4 + (SRC_COUNT + 1) * sizeof(struct plist)) +
		       (size_t)nm_idx.n_sorted * 4;
	for (uint32_t t = 0; t < nm_idx.n_terms; t++) {
		bytes += nm_idx.term_len[t] + 1;
		for (int s = 0; s < SRC_COUNT; s++)
			bytes += (size_t)nm_idx.post[s][t].cap * 4;
		bytes += (size_t)nm_idx.tpost[t].cap * 4;
	}
	st->bytes = bytes;
	pthread_rwlock_unlock(&nm_idx_lock);
}

bool nm_index_loaded(void)
{
	pthread_rwlock_rdlock(&nm_idx_lock);
	bool loaded = nm_idx.loaded;
	pthread_rwlock_unlock(&nm_idx_lock);
	return loaded;
}

void nm_index_free(void)
{
	if (warm_started) {
		atomic_store(&warm_stop, true);
		pthread_join(warm_thread, NULL);
		warm_started = false;
	}
	pthread_rwlock_wrlock(&nm_idx_lock);
	index_clear(&nm_idx);
	pthread_rwlock_unlock(&nm_idx_lock);
	nm_idx_scratch_free_all();
	nm_lk_scratch_free_all();
	nm_search_cache_configure(0);
	free(text_ids);
	text_ids = NULL;
	text_cap = 0;
	nm_stemmers_free(doc_stemmers);
	doc_stemmers = NULL;
	free(stem_cache);
	stem_cache = NULL;
	stem_cache_used = false;
}

static pthread_mutex_t wake_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake_cv = PTHREAD_COND_INITIALIZER;
static bool wake_pending;

void nm_index_sync_soon(void)
{
	pthread_mutex_lock(&wake_mu);
	wake_pending = true;
	pthread_cond_signal(&wake_cv);
	pthread_mutex_unlock(&wake_mu);
}

/* Until a wake (or a stop); false on a stop. */
static bool wait_for_wake(void)
{
	pthread_mutex_lock(&wake_mu);
	while (!wake_pending && !atomic_load(&warm_stop)) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 250000000L; /* a stop is seen within a quarter second */
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&wake_cv, &wake_mu, &until);
	}
	wake_pending = false;
	pthread_mutex_unlock(&wake_mu);
	return !atomic_load(&warm_stop);
}

static void *warm_main(void *arg)
{
	(void)arg;
	/* Until it is loaded: /readyz answers 503 meanwhile (a run would load it too). */
	while (!nm_store_index_pooled(nm_index_sync) && !nm_index_loaded()) {
		for (int i = 0; i < 10 && !atomic_load(&warm_stop); i++)
			usleep(100000);
		if (atomic_load(&warm_stop))
			break;
	}
	/* Then a sync whenever a bulk import commits (nm_index_sync_soon): the requests that
	 * follow find the index current, or wait only for what is left of the sync. */
	while (wait_for_wake())
		nm_store_index_pooled(nm_index_sync);
	return NULL;
}

void nm_index_warm_up(void)
{
	warm_started = pthread_create(&warm_thread, NULL, warm_main, NULL) == 0;
}
