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
#include <time.h>

#include "nm/db.h"
#include "nm/log.h"
#include "nm/pgarray.h"
#include "nm/taxonomy.h"

enum { SRC_CAT, SRC_TAG, SRC_BIO, SRC_COUNT };

#define NO_ID	      UINT32_MAX
#define MAX_SLOTS     (1u << 24)
#define BIO_WORDS_MAX 96
#define FETCH_ROWS    "20000"

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
	char low_water[32]; /* pg_snapshot_xmin of the last sync, as text */
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

static bool slots_reserve(struct index *ix)
{
	if (ix->n_slots < ix->cap_slots)
		return true;
	if (ix->cap_slots >= MAX_SLOTS)
		return false;
	uint32_t cap = ix->cap_slots ? ix->cap_slots * 2 : 65536;
	struct nm_score_features *f = realloc(ix->feat, cap * sizeof *f);
	if (f)
		ix->feat = f;
	int32_t *d = realloc(ix->post_day, cap * sizeof *d);
	if (d)
		ix->post_day = d;
	uint8_t *v = realloc(ix->ver, cap);
	if (v)
		ix->ver = v;
	uint16_t *np = realloc(ix->n_post, cap * sizeof *np);
	if (np)
		ix->n_post = np;
	uint32_t *hf = realloc(ix->hot_followers, cap * sizeof *hf);
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

/* Columns of the sync query, in order. */
#define SYNC_COLS                                                                                  \
	"id, platform, followers, following, engagement_rate, price_per_post_cents, "              \
	"audience_female_share, follower_growth_30d, "                                             \
	"floor(extract(epoch FROM last_post_at) / 86400)::int, country, language, "                \
	"audience_countries::text, categories, hashtags, bio"

static void fill_features(const PGresult *res, int i, struct nm_score_features *f)
{
	memset(f, 0, sizeof *f);
	f->id = nm_db_i64(res, i, 0);
	enum nm_platform p = NM_PLATFORM_OTHER;
	nm_platform_parse(PQgetvalue(res, i, 1), &p);
	f->platform = (uint8_t)p;
	long long fol = nm_db_i64(res, i, 2);
	f->followers = fol > UINT32_MAX ? UINT32_MAX : (uint32_t)fol;
	long long fing = PQgetisnull(res, i, 3) ? -1 : nm_db_i64(res, i, 3);
	f->following = fing > INT32_MAX ? INT32_MAX : (int32_t)fing;
	f->engagement_rate = PQgetisnull(res, i, 4) ? -1.0 : strtod(PQgetvalue(res, i, 4), NULL);
	long long price = PQgetisnull(res, i, 5) ? -1 : nm_db_i64(res, i, 5);
	f->price_cents = price > INT32_MAX ? INT32_MAX : (int32_t)price;
	f->audience_female_share =
		PQgetisnull(res, i, 6) ? -1.0f : (float)strtod(PQgetvalue(res, i, 6), NULL);
	f->follower_growth_30d =
		PQgetisnull(res, i, 7) ? NAN : (float)strtod(PQgetvalue(res, i, 7), NULL);
	f->days_since_post = NM_SCORE_DAYS_UNKNOWN;
	if (!PQgetisnull(res, i, 9))
		memcpy(f->country, PQgetvalue(res, i, 9), 2);
	if (!PQgetisnull(res, i, 10))
		memcpy(f->language, PQgetvalue(res, i, 10), 2);
	if (PQgetisnull(res, i, 11))
		return;
	/* The largest audience shares, largest first. */
	json_t *aud = json_loads(PQgetvalue(res, i, 11), 0, NULL);
	const char *cc;
	json_t *v;
	json_object_foreach(aud, cc, v)
	{
		uint16_t share = (uint16_t)lround(json_number_value(v) * 10000);
		size_t pos = f->n_aud;
		while (pos > 0 && f->aud[pos - 1].share < share)
			pos--;
		if (pos >= NM_SCORE_AUD_MAX)
			continue;
		size_t last = f->n_aud < NM_SCORE_AUD_MAX ? f->n_aud : NM_SCORE_AUD_MAX - 1;
		memmove(&f->aud[pos + 1], &f->aud[pos], (last - pos) * sizeof f->aud[0]);
		memcpy(f->aud[pos].cc, cc, 2);
		f->aud[pos].share = share;
		if (f->n_aud < NM_SCORE_AUD_MAX)
			f->n_aud++;
	}
	json_decref(aud);
}

/* Inserts or replaces the creator of row i. */
static bool apply_row(struct index *ix, const PGresult *res, int i)
{
	int64_t id = nm_db_i64(res, i, 0);
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
	fill_features(res, i, &ix->feat[slot]);
	ix->hot_followers[slot] = ix->feat[slot].followers;
	ix->post_day[slot] = PQgetisnull(res, i, 8) ? INT32_MIN : (int32_t)nm_db_i64(res, i, 8);
	return index_list(ix, SRC_CAT, slot, PQgetvalue(res, i, 12)) &&
	       index_list(ix, SRC_TAG, slot, PQgetvalue(res, i, 13)) &&
	       (PQgetisnull(res, i, 14) || index_bio(ix, slot, PQgetvalue(res, i, 14)));
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

static bool exec_ok(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	bool ok = r &&
		  (PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK);
	PQclear(r);
	return ok;
}

/* Reads changes newer than ix->low_water (everything when ix is empty) into ix. */
static bool fetch_into(PGconn *c, struct index *ix, bool full, bool *changed)
{
	*changed = false;
	if (!exec_ok(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"))
		return false;
	PGresult *r = PQexec(c, "SELECT pg_snapshot_xmin(pg_current_snapshot())::text");
	bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
	char new_low[32] = "";
	if (ok)
		snprintf(new_low, sizeof new_low, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	const char *p[] = {ix->low_water};
	if (ok) {
		r = full ? PQexec(c, "DECLARE nm_sync NO SCROLL CURSOR FOR SELECT " SYNC_COLS
				     " FROM creators")
			 : PQexecParams(c,
					"DECLARE nm_sync NO SCROLL CURSOR FOR SELECT " SYNC_COLS
					" FROM creators WHERE txid >= $1::xid8",
					1, NULL, p, NULL, NULL, 0);
		ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
	}
	while (ok) {
		r = PQexec(c, "FETCH " FETCH_ROWS " FROM nm_sync");
		ok = PQresultStatus(r) == PGRES_TUPLES_OK;
		int n = ok ? PQntuples(r) : 0;
		for (int i = 0; i < n && ok; i++)
			ok = apply_row(ix, r, i);
		PQclear(r);
		if (n)
			*changed = true;
		if (n == 0)
			break;
	}
	if (ok && !full) {
		r = PQexecParams(c,
				 "SELECT creator_id FROM creator_tombstones WHERE txid >= $1::xid8",
				 1, NULL, p, NULL, NULL, 0);
		ok = PQresultStatus(r) == PGRES_TUPLES_OK;
		for (int i = 0; ok && i < PQntuples(r); i++) {
			apply_delete(ix, nm_db_i64(r, i, 0));
			*changed = true;
		}
		PQclear(r);
	}
	ok = ok && exec_ok(c, "COMMIT");
	if (!ok)
		exec_ok(c, "ROLLBACK");
	else
		snprintf(ix->low_water, sizeof ix->low_water, "%s", new_low);
	return ok;
}

static bool needs_rebuild(const struct index *ix)
{
	return ix->stale > ix->postings / 2 + 100000 ||
	       (ix->n_slots - ix->live) > ix->n_slots / 4 + 10000;
}

bool nm_index_sync(struct nm_pg *pg)
{
	PGconn *c = nm_db_conn(pg);
	pthread_mutex_lock(&sync_mu);
	bool ok;
	if (!idx.loaded || needs_rebuild(&idx)) {
		/* Build aside, swap in: runs keep using the old index meanwhile. */
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		struct index fresh;
		memset(&fresh, 0, sizeof fresh);
		bool changed;
		ok = fetch_into(c, &fresh, true, &changed);
		if (ok) {
			fresh.loaded = true;
			pthread_rwlock_wrlock(&lock);
			struct index old = idx;
			idx = fresh;
			pthread_rwlock_unlock(&lock);
			index_clear(&old);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			nm_log_json(NM_LOG_INFO, "ranking index loaded",
				    json_pack("{s:I, s:I, s:I, s:f}", "creators",
					      (json_int_t)idx.live, "terms",
					      (json_int_t)idx.n_terms, "postings",
					      (json_int_t)idx.postings, "seconds",
					      (double)(t1.tv_sec - t0.tv_sec) +
						      (double)(t1.tv_nsec - t0.tv_nsec) / 1e9));
		} else {
			index_clear(&fresh);
		}
	} else {
		/* Most syncs find nothing new: one statement (one snapshot) says so without
		 * a transaction or the write lock. */
		const char *p[] = {idx.low_water};
		PGresult *r = PQexecParams(
			c,
			"SELECT pg_snapshot_xmin(pg_current_snapshot())::text, "
			"EXISTS (SELECT 1 FROM creators WHERE txid >= $1::xid8) OR "
			"EXISTS (SELECT 1 FROM creator_tombstones WHERE txid >= $1::xid8)",
			1, NULL, p, NULL, NULL, 0);
		ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
		bool changes = !ok || strcmp(PQgetvalue(r, 0, 1), "t") == 0;
		if (ok && !changes)
			snprintf(idx.low_water, sizeof idx.low_water, "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
		if (ok && changes) {
			/* Small deltas are applied in place under the write lock. */
			pthread_rwlock_wrlock(&lock);
			bool changed;
			ok = fetch_into(c, &idx, false, &changed);
			pthread_rwlock_unlock(&lock);
		}
	}
	pthread_mutex_unlock(&sync_mu);
	return ok;
}

/* ------------------------------------------------------------------ ranking */

struct touched {
	uint32_t slot;
	uint64_t cat, tag, bio;
};

struct scratch {
	uint32_t *pos; /* sparse set: pos[slot] indexes t[] when t[pos[slot]].slot == slot */
	uint32_t cap_pos;
	struct touched *t;
	size_t n, cap;
	/* Candidate arrays, kept between runs: allocating megabytes per run costs mmap. */
	struct nm_score_features *cand;
	uint64_t *matched;
	size_t cap_cand;
	struct scratch *next;
};

static struct scratch *free_scratch;
static pthread_mutex_t scratch_mu = PTHREAD_MUTEX_INITIALIZER;

static struct scratch *scratch_get(uint32_t slots)
{
	pthread_mutex_lock(&scratch_mu);
	struct scratch *s = free_scratch;
	if (s)
		free_scratch = s->next;
	pthread_mutex_unlock(&scratch_mu);
	if (!s && !(s = calloc(1, sizeof *s)))
		return NULL;
	if (s->cap_pos < slots) {
		free(s->pos);
		s->pos = calloc(slots, sizeof *s->pos);
		s->cap_pos = s->pos ? slots : 0;
		if (!s->pos) {
			free(s);
			return NULL;
		}
	}
	s->n = 0;
	return s;
}

static void scratch_put(struct scratch *s)
{
	pthread_mutex_lock(&scratch_mu);
	s->next = free_scratch;
	free_scratch = s;
	pthread_mutex_unlock(&scratch_mu);
}

static struct touched *touch(struct scratch *s, uint32_t slot)
{
	uint32_t i = s->pos[slot];
	if (i < s->n && s->t[i].slot == slot)
		return &s->t[i];
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 4096;
		struct touched *nt = realloc(s->t, cap * sizeof *nt);
		if (!nt)
			return NULL;
		s->t = nt;
		s->cap = cap;
	}
	s->pos[slot] = (uint32_t)s->n;
	s->t[s->n] = (struct touched){slot, 0, 0, 0};
	return &s->t[s->n++];
}

/* The follower range of the run: creators outside it are never touched. */
struct range {
	uint32_t min, max;
};

static bool in_range(const struct range *rg, uint32_t slot)
{
	uint32_t f = idx.hot_followers[slot];
	return f >= rg->min && f <= rg->max;
}

/* Marks bit `bit` of source src for every live, in-range slot posted under term. */
static bool mark_term(struct scratch *s, const struct range *rg, int src, uint32_t term,
		      uint64_t bit)
{
	if (term == NO_ID)
		return true;
	const struct plist *p = &idx.post[src][term];
	for (uint32_t i = 0; i < p->n; i++) {
		uint32_t e = p->v[i];
		if (!posting_live(&idx, e) || !in_range(rg, e >> 8))
			continue;
		struct touched *t = touch(s, e >> 8);
		if (!t)
			return false;
		uint64_t *m = src == SRC_CAT ? &t->cat : src == SRC_TAG ? &t->tag : &t->bio;
		*m |= bit;
	}
	return true;
}

/* A bio term of several words matches when every word is in the bio: the slots of the
 * rarest word are checked against the other words' posting lists. */
static bool mark_bio_phrase(struct scratch *s, const struct range *rg, const char *term,
			    uint64_t bit)
{
	uint32_t words[8];
	size_t nw = 0;
	const char *p = term;
	while (*p && nw < 8) {
		while (*p == ' ')
			p++;
		const char *w = p;
		while (*p && *p != ' ')
			p++;
		if (p > w) {
			uint32_t t = dict_find(&idx, w, (size_t)(p - w));
			if (t == NO_ID)
				return true; /* a word no bio contains: no match */
			words[nw++] = t;
		}
	}
	if (nw <= 1)
		return mark_term(s, rg, SRC_BIO, nw ? words[0] : NO_ID, bit);
	size_t rare = 0;
	for (size_t i = 1; i < nw; i++)
		if (idx.post[SRC_BIO][words[i]].n < idx.post[SRC_BIO][words[rare]].n)
			rare = i;
	const struct plist *base = &idx.post[SRC_BIO][words[rare]];
	for (uint32_t i = 0; i < base->n; i++) {
		uint32_t e = base->v[i];
		if (!posting_live(&idx, e) || !in_range(rg, e >> 8))
			continue;
		bool all = true;
		for (size_t k = 0; k < nw && all; k++) {
			if (k == rare)
				continue;
			const struct plist *o = &idx.post[SRC_BIO][words[k]];
			bool found = false;
			for (uint32_t j = 0; j < o->n && !found; j++)
				found = o->v[j] == e;
			all = found;
		}
		if (all) {
			struct touched *t = touch(s, e >> 8);
			if (!t)
				return false;
			t->bio |= bit;
		}
	}
	return true;
}

static bool collect(struct scratch *s, const struct range *rg, const struct nm_niche_terms *terms)
{
	for (size_t i = 0; i < terms->n && i < 64; i++) {
		uint64_t bit = 1ull << i;
		const char *t = terms->term[i];
		uint32_t tid = dict_find(&idx, t, terms->len[i]);
		if (!mark_term(s, rg, SRC_CAT, tid, bit) || !mark_term(s, rg, SRC_TAG, tid, bit))
			return false;
		size_t cl = strlen(terms->compact[i]);
		if (cl != terms->len[i] &&
		    !mark_term(s, rg, SRC_TAG, dict_find(&idx, terms->compact[i], cl), bit))
			return false;
		if (!mark_bio_phrase(s, rg, t, bit))
			return false;
	}
	return true;
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

long nm_index_rank(const struct nm_score_query *q, const struct nm_niche_terms *terms,
		   const int64_t *exclude, size_t n_exclude, size_t k, struct nm_index_hit *out,
		   size_t *candidates)
{
	*candidates = 0;
	pthread_rwlock_rdlock(&lock);
	struct scratch *s = scratch_get(idx.n_slots ? idx.n_slots : 1);
	long nh = -1;
	struct nm_score_features *cand = NULL;
	uint64_t *matched = NULL;
	struct nm_score_hit *hits = NULL;
	struct range rg = {q->follower_min < 0		  ? 0
			   : q->follower_min > UINT32_MAX ? UINT32_MAX
							  : (uint32_t)q->follower_min,
			   q->follower_max < 0 || q->follower_max > UINT32_MAX
				   ? UINT32_MAX
				   : (uint32_t)q->follower_max};
	if (!s || !collect(s, &rg, terms))
		goto done;
	if (s->cap_cand < s->n) {
		size_t cap = s->n + s->n / 4 + 1024;
		free(s->cand);
		free(s->matched);
		s->cand = malloc(cap * sizeof *s->cand);
		s->matched = malloc(cap * sizeof *s->matched);
		s->cap_cand = s->cand && s->matched ? cap : 0;
		if (!s->cap_cand)
			goto done;
	}
	cand = s->cand;
	matched = s->matched;
	hits = malloc((k ? k : 1) * sizeof *hits);
	if (!hits)
		goto done;
	int32_t today = (int32_t)(time(NULL) / 86400);
	size_t nc = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct touched *t = &s->t[i];
		/* Slots are scattered over the features array: ask for a later one early,
		 * so that several cache misses are in flight at once. */
		if (i + 16 < s->n)
			__builtin_prefetch(&idx.feat[s->t[i + 16].slot]);
		struct nm_score_features *f = &cand[nc];
		*f = idx.feat[t->slot];
		int c = bits(t->cat), g = bits(t->tag), b = bits(t->bio);
		f->niche_cat = (uint8_t)(c > 255 ? 255 : c);
		f->niche_tag = (uint8_t)(g > 255 ? 255 : g);
		f->niche_bio = (uint8_t)(b > 255 ? 255 : b);
		int32_t day = idx.post_day[t->slot];
		if (day != INT32_MIN) {
			int32_t d = today - day, cap = (int32_t)NM_SCORE_DAYS_UNKNOWN - 1;
			f->days_since_post = (uint16_t)(d < 0 ? 0 : d > cap ? cap : d);
		}
		/* Only creators that pass the hard filters go on to scoring: most of the
		 * touched ones fail the follower range, and copying them costs more than
		 * checking. */
		if (!nm_score_passes(q, f))
			continue;
		matched[nc++] = t->cat | t->tag | t->bio;
	}
	nh = nm_score_rank(q, cand, nc, exclude, n_exclude, k, 2, hits, candidates);
	for (long i = 0; i < nh; i++) {
		uint32_t ci = hits[i].index;
		out[i].id = cand[ci].id;
		out[i].score = hits[i].score;
		out[i].matched = matched[ci];
		out[i].f = cand[ci];
	}
done:
	pthread_rwlock_unlock(&lock);
	if (s)
		scratch_put(s);
	free(hits);
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
		free(s->pos);
		free(s->t);
		free(s->cand);
		free(s->matched);
		free(s);
	}
	pthread_mutex_unlock(&scratch_mu);
}

static void *warm_main(void *arg)
{
	(void)arg;
	struct nm_pg *pg = nm_db_acquire();
	if (!pg)
		return NULL; /* the first run will load it */
	nm_index_sync(pg);
	nm_db_release(pg);
	return NULL;
}

void nm_index_warm_up(void)
{
	warm_started = pthread_create(&warm_thread, NULL, warm_main, NULL) == 0;
}
