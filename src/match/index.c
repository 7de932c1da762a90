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

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "nm/db_pool.h"
#include "nm/log.h"
#include "nm/pgarray.h"
#include "nm/score_filter.h"
#include "nm/store_index.h"
#include "nm/taxonomy.h"

#include "index_internal.h"

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
	struct srec *sr = big_grow(ix->srec, old * sizeof *sr, cap * sizeof *sr);
	if (sr)
		ix->srec = sr;
	int64_t *ao = big_grow(ix->as_of_s, old * sizeof *ao, cap * sizeof *ao);
	if (ao)
		ix->as_of_s = ao;
	uint8_t *cf = big_grow(ix->conf, old, cap);
	if (cf)
		ix->conf = cf;
	if (!f || !d || !v || !np || !hf || !sr || !ao || !cf)
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
	ix->feat[slot] = row->f;
	ix->hot_followers[slot] = ix->feat[slot].followers;
	ix->post_day[slot] = row->post_day;
	ix->as_of_s[slot] = row->as_of_s;
	ix->conf[slot] = row->conf;
	struct srec *sr = &ix->srec[slot];
	sr->followers = row->followers;
	sr->price = row->price_cents;
	sr->updated_us = row->updated_us;
	sr->post_us = row->post_us;
	sr->er = row->f.engagement_rate;
	sr->growth = row->growth;
	sr->platform = row->f.platform;
	sr->has_email = row->has_email;
	/* the stated country only: a geotag stand-in (content_country) scores, but search
	 * filters and facets on the country column, as the SQL path does */
	if (row->f.sample & NM_SCORE_COUNTRY_GEOTAG)
		memset(sr->country, 0, 2);
	else
		memcpy(sr->country, row->f.country, 2);
	memcpy(sr->language, row->f.language, 2);
	return index_list(ix, SRC_CAT, slot, row->categories) &&
	       index_list(ix, SRC_TAG, slot, row->hashtags) &&
	       (!row->bio || index_bio(ix, slot, row->bio));
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
	free(ix->srec);
	free(ix->as_of_s);
	free(ix->conf);
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
		if (ok) {
			fresh.loaded = true;
			pthread_rwlock_wrlock(&nm_idx_lock);
			struct index old = nm_idx;
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
	size_t bytes =
		(size_t)nm_idx.cap_slots * (sizeof *nm_idx.feat + sizeof *nm_idx.post_day + 1 + 2 +
					    sizeof *nm_idx.srec + sizeof *nm_idx.as_of_s + 1) +
		(size_t)nm_idx.map_cap * 12 + (size_t)nm_idx.dict_cap * 4 +
		(size_t)nm_idx.cap_terms * (sizeof(char *) + 4 + SRC_COUNT * sizeof(struct plist));
	for (uint32_t t = 0; t < nm_idx.n_terms; t++) {
		bytes += nm_idx.term_len[t] + 1;
		for (int s = 0; s < SRC_COUNT; s++)
			bytes += (size_t)nm_idx.post[s][t].cap * 4;
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
	return NULL;
}

void nm_index_warm_up(void)
{
	warm_started = pthread_create(&warm_thread, NULL, warm_main, NULL) == 0;
}
