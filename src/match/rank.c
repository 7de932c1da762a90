/* Ranking over the in-memory index (see nm/match_index.h and index_internal.h). */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "index_internal.h"
#include "nm/score_filter.h"
#include "nm/taxonomy.h"

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
	uint64_t *ban;	      /* [slots / 64]: creators with an excluded keyword, zero
			       * between runs */
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
	free(s->ban);
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
		free(s->ban);
		s->slots = slots > s->slots ? slots : s->slots;
		s->groups = groups > s->groups ? groups : s->groups;
		size_t bytes = (size_t)s->groups * SRC_COUNT * s->slots;
		/* Aligned (at least to a cache line, so that the two halves never share
		 * one) and on huge pages: marking writes at scattered places. */
		s->mark = nm_idx_big_alloc(bytes < 64 ? 64 : (bytes + 63) & ~(size_t)63);
		s->seen = calloc(s->slots / 64, sizeof *s->seen);
		s->ban = calloc(s->slots / 64, sizeof *s->ban);
		if (!s->mark || !s->seen || !s->ban) {
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
	const struct nm_index_exclusions *ex;
	bool banning; /* ex has keywords: s->ban is in use */
	struct scratch *s;
	uint32_t lo, hi, range_min, range_max;
	int32_t today;
	struct nm_score_topk heap;
	size_t candidates;
	/* The funnel's counts for this part: marked creators (those that share a term
	 * with the brand) and the removals of every later rule. Counted only where a
	 * creator leaves, so a creator that stays costs nothing more. */
	size_t marked, removed[NM_FUNNEL_COUNT];
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

/* BAN as a term index: the term is an excluded keyword, its creators go to s->ban. */
#define BAN UINT32_MAX

/* Marks term index i (or BAN) in source src for the part's live slots posted under term. */
static void mark_term(const struct part *p, int src, uint32_t term, unsigned i)
{
	if (term == NO_ID)
		return;
	const struct plist *pl = &nm_idx.post[src][term];
	if (i == BAN) {
		for (uint32_t j = 0; j < pl->n; j++) {
			uint32_t e = pl->v[j], slot = e >> 8;
			if (slot >= p->lo && slot < p->hi && posting_live(&nm_idx, e))
				p->s->ban[slot / 64] |= 1ull << (slot % 64);
		}
		return;
	}
	uint8_t *layer = mark_layer(p, i, src);
	uint8_t bit = (uint8_t)(1u << (i % 8));
	for (uint32_t j = 0; j < pl->n; j++) {
		uint32_t e = pl->v[j], slot = e >> 8;
		if (slot >= p->lo && slot < p->hi && posting_live(&nm_idx, e))
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
	uint32_t words[NM_IDX_PHRASE_MAX];
	int found = nm_idx_phrase_words(&nm_idx, term, words);
	if (found < 0)
		return true; /* a word no bio contains: no match */
	size_t nw = (size_t)found;
	if (nw <= 1) {
		mark_term(p, SRC_BIO, nw ? words[0] : NO_ID, i);
		return true;
	}
	size_t rare = 0;
	for (size_t k = 1; k < nw; k++)
		if (nm_idx.post[SRC_BIO][words[k]].n < nm_idx.post[SRC_BIO][words[rare]].n)
			rare = k;
	const struct plist *base = &nm_idx.post[SRC_BIO][words[rare]];
	uint32_t *have = malloc((base->n ? base->n : 1) * sizeof *have);
	uint8_t *count = calloc(base->n ? base->n : 1, 1);
	size_t n = 0;
	for (uint32_t j = 0; have && count && j < base->n; j++) {
		uint32_t e = base->v[j], slot = e >> 8;
		if (slot >= p->lo && slot < p->hi && posting_live(&nm_idx, e))
			have[n++] = slot;
	}
	if (!have || !count) {
		free(have);
		free(count);
		return false;
	}
	qsort(have, n, sizeof *have, cmp_u32);
	for (size_t k = 0; k < nw; k++) {
		const struct plist *o = &nm_idx.post[SRC_BIO][words[k]];
		for (uint32_t j = 0; k != rare && n && j < o->n; j++) {
			uint32_t e = o->v[j], slot = e >> 8;
			if (slot < p->lo || slot >= p->hi || !posting_live(&nm_idx, e))
				continue;
			uint32_t *at = bsearch(&slot, have, n, sizeof *have, cmp_u32);
			if (at)
				count[at - have]++; /* a word is posted once per slot version */
		}
	}
	uint8_t *layer = i == BAN ? NULL : mark_layer(p, i, SRC_BIO);
	for (size_t j = 0; j < n; j++)
		if (count[j] == nw - 1 && layer)
			mark(p, layer, (uint8_t)(1u << (i % 8)), have[j]);
		else if (count[j] == nw - 1)
			p->s->ban[have[j] / 64] |= 1ull << (have[j] % 64);
	free(have);
	free(count);
	return true;
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
			p->marked++;
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
			uint32_t fol = nm_idx.hot_followers[slot];
			if (fol < p->range_min || fol > p->range_max) {
				p->removed[NM_FUNNEL_FOLLOWERS]++;
				continue;
			}
			struct cand c = {
				slot,
				(uint32_t)nm_idx_sat8(nm_idx_bits(m[SRC_CAT])) |
					(uint32_t)nm_idx_sat8(nm_idx_bits(m[SRC_TAG])) << 8 |
					(uint32_t)nm_idx_sat8(nm_idx_bits(m[SRC_BIO])) << 16,
				m[SRC_CAT] | m[SRC_TAG] | m[SRC_BIO]};
			ok = ok && cand_push(p, &c, &n);
		}
	}
	return ok ? (long)n : -1;
}

/* The rule of nm_score_filter() that f fails (the niche and the follower range were
 * settled while collecting), for the funnel. */
static enum nm_funnel_rule failed_rule(const struct nm_score_query *q,
				       const struct nm_score_features *f)
{
	unsigned pl = f->platform < NM_PLATFORM_COUNT ? f->platform : NM_PLATFORM_OTHER;
	if (q->platform_mask && !((q->platform_mask >> pl) & 1u))
		return NM_FUNNEL_PLATFORM;
	if ((int64_t)f->followers < q->follower_min ||
	    (q->follower_max >= 0 && (int64_t)f->followers > q->follower_max))
		return NM_FUNNEL_FOLLOWERS;
	if (!(f->niche_cat | f->niche_tag | f->niche_bio))
		return NM_FUNNEL_NICHE;
	return NM_FUNNEL_MIN_ENGAGEMENT;
}

/* The rules after nm_score_filter(), in funnel order: the rule f fails, or
 * NM_FUNNEL_COUNT when it stays. */
static enum nm_funnel_rule later_rule(const struct part *p, uint32_t slot,
				      const struct nm_score_features *f)
{
	if (p->q->require_countries && !nm_score_country_ok(p->q, f))
		return NM_FUNNEL_COUNTRY;
	if (p->banning && (p->s->ban[slot / 64] >> (slot % 64) & 1u))
		return NM_FUNNEL_EXCLUDE_KEYWORDS;
	if (p->ex && nm_idx_listed(p->ex->handle_ids, p->ex->n_handle_ids, f->id))
		return NM_FUNNEL_EXCLUDE_HANDLES;
	if (p->ex && nm_idx_listed(p->ex->status_ids, p->ex->n_status_ids, f->id))
		return NM_FUNNEL_STATUS;
	if (p->ex && (p->ex->fresh.by_age || p->ex->fresh.by_conf))
		return nm_idx_fresh_rule(&p->ex->fresh, slot);
	return NM_FUNNEL_COUNT;
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
			__builtin_prefetch(&nm_idx.feat[c[i + 16].slot]);
			__builtin_prefetch(&nm_idx.post_day[c[i + 16].slot]);
		}
		struct nm_score_features f;
		nm_idx_features_of(c[i].slot, c[i].counts, p->today, &f);
		if (!nm_score_filter(p->q, &f)) {
			p->removed[failed_rule(p->q, &f)]++;
			continue;
		}
		enum nm_funnel_rule later = later_rule(p, c[i].slot, &f);
		if (later != NM_FUNNEL_COUNT) {
			p->removed[later]++;
			continue;
		}
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
		uint32_t tid = dict_find(&nm_idx, terms->term[i], terms->len[i]);
		mark_term(p, SRC_CAT, tid, i);
		mark_term(p, SRC_TAG, tid, i);
		size_t cl = strlen(terms->compact[i]);
		if (cl != terms->len[i])
			mark_term(p, SRC_TAG, dict_find(&nm_idx, terms->compact[i], cl), i);
		p->ok = mark_bio_phrase(p, terms->term[i], i);
	}
	/* Excluded keywords match as brand terms do; their creators go to the ban bitmap,
	 * which rank_cands reads and which is cleared for the part afterwards. */
	const struct nm_niche_terms *ban = p->banning ? p->ex->keywords : NULL;
	for (unsigned i = 0; ban && i < ban->n && p->ok; i++) {
		uint32_t tid = dict_find(&nm_idx, ban->term[i], ban->len[i]);
		mark_term(p, SRC_CAT, tid, BAN);
		mark_term(p, SRC_TAG, tid, BAN);
		size_t cl = strlen(ban->compact[i]);
		if (cl != ban->len[i])
			mark_term(p, SRC_TAG, dict_find(&nm_idx, ban->compact[i], cl), BAN);
		p->ok = mark_bio_phrase(p, ban->term[i], BAN);
	}
	long n = collect_marked(p);
	if (n < 0)
		p->ok = false;
	else if (p->ok)
		rank_cands(p, (size_t)n);
	if (p->banning && p->hi > p->lo)
		memset(&p->s->ban[p->lo / 64], 0,
		       ((p->hi + 63) / 64 - p->lo / 64) * sizeof *p->s->ban);
}

static void *part_main(void *arg)
{
	run_part(arg);
	return NULL;
}

static const char *const funnel_names[NM_FUNNEL_COUNT] = {
	[NM_FUNNEL_NICHE] = "niche_relevance_zero",
	[NM_FUNNEL_FOLLOWERS] = "follower_range",
	[NM_FUNNEL_PLATFORM] = "platform",
	[NM_FUNNEL_MIN_ENGAGEMENT] = "min_engagement",
	[NM_FUNNEL_COUNTRY] = "target_countries_required",
	[NM_FUNNEL_EXCLUDE_KEYWORDS] = "exclude_keywords",
	[NM_FUNNEL_EXCLUDE_HANDLES] = "exclude_handles",
	[NM_FUNNEL_STATUS] = "status_declined_or_excluded",
	[NM_FUNNEL_DATA_AGE] = "data_too_old",
	[NM_FUNNEL_CONFIDENCE] = "confidence_below_minimum",
};

const char *nm_funnel_rule_name(enum nm_funnel_rule rule)
{
	return (unsigned)rule < NM_FUNNEL_COUNT ? funnel_names[rule] : "";
}

long nm_index_rank(const struct nm_score_query *q, const struct nm_niche_terms *terms,
		   const struct nm_index_exclusions *ex, size_t k, struct nm_index_hit *out,
		   size_t *candidates, struct nm_funnel *funnel)
{
	*candidates = 0;
	if (funnel)
		memset(funnel, 0, sizeof *funnel);
	pthread_rwlock_rdlock(&nm_idx_lock);
	struct scratch *s = scratch_get(nm_idx.n_slots ? nm_idx.n_slots : 1, mark_groups(terms));
	/* Always two halves, so that every index, small ones in tests too, takes the
	 * split-and-merge path; a second thread only where it pays. */
	uint32_t n_slots = nm_idx.n_slots;
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
					 ex,
					 ex && ex->keywords && ex->keywords->n,
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
					 0,
					 {0},
					 false};
		ok = nm_score_topk_init(&parts[i].heap, k) && ok;
	}
	long nh = -1;
	/* the clock of the filters, so that a result's age is the one they judged */
	int64_t now_s = ex && ex->fresh.now_s ? ex->fresh.now_s : (int64_t)time(NULL);
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
			nm_idx_hit_fill(&out[i], e->ref, e, parts[0].today, now_s);
		}
		*candidates = parts[0].candidates + parts[1].candidates;
		if (funnel) {
			size_t marked = parts[0].marked + parts[1].marked;
			funnel->pool = nm_idx.live;
			for (int r = 0; r < NM_FUNNEL_COUNT; r++)
				funnel->removed[r] = parts[0].removed[r] + parts[1].removed[r];
			funnel->removed[NM_FUNNEL_NICHE] +=
				nm_idx.live > marked ? nm_idx.live - marked : 0;
		}
	}
	pthread_rwlock_unlock(&nm_idx_lock);
	for (int i = 0; i < 2; i++)
		nm_score_topk_free(&parts[i].heap);
	if (s)
		scratch_put(s);
	return nh;
}

void nm_idx_scratch_free_all(void)
{
	pthread_mutex_lock(&scratch_mu);
	while (free_scratch) {
		struct scratch *s = free_scratch;
		free_scratch = s->next;
		scratch_free(s);
	}
	pthread_mutex_unlock(&scratch_mu);
}
