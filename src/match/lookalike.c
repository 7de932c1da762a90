/* Lookalikes over the in-memory index (nm/lookalike_index.h). Reads the index's
 * dictionary, posting lists, per-slot term counts, features and search records under
 * its read lock; changes nothing in it.
 *
 * Cost: the seeds' posting lists are counted (live df; not when the index has no stale
 * postings) and walked once, adding to each creator's sums (12 bytes per creator, zero
 * between calls: only touched ones are reset); each touched creator then costs its sums
 * and term count, and only those that could enter the NM_LK_RESCORE best by content are
 * filtered and read further (docs/performance.md, "Lookalikes"). */
#include "nm/lookalike_index.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "index_internal.h"

/* A creator's running sums: one 12-byte record, so that each posting costs one scattered
 * write (three arrays cost three cache misses per posting). */
struct acc {
	float dot;   /* Σ w a over the shared terms */
	float sw;    /* Σ w over the shared terms */
	uint32_t kc; /* shared terms */
};

/* Per-slot accumulators, pooled: zero between calls. */
struct lk_scratch {
	uint32_t slots;
	struct acc *acc; /* on huge pages where the kernel allows (nm_idx_big_alloc) */
	uint32_t *touched;
	struct lk_scratch *next;
};

static struct lk_scratch *free_lk;
static pthread_mutex_t lk_mu = PTHREAD_MUTEX_INITIALIZER;

static void lk_scratch_free(struct lk_scratch *s)
{
	if (!s)
		return;
	free(s->acc);
	free(s->touched);
	free(s);
}

static struct lk_scratch *lk_scratch_get(uint32_t slots)
{
	pthread_mutex_lock(&lk_mu);
	struct lk_scratch *s = free_lk;
	if (s)
		free_lk = s->next;
	pthread_mutex_unlock(&lk_mu);
	if (s && s->slots >= slots)
		return s;
	lk_scratch_free(s);
	s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->slots = slots ? slots : 1;
	s->acc = nm_idx_big_alloc((size_t)s->slots * sizeof *s->acc);
	s->touched = malloc(s->slots * sizeof *s->touched);
	if (!s->acc || !s->touched) {
		lk_scratch_free(s);
		return NULL;
	}
	memset(s->acc, 0, (size_t)s->slots * sizeof *s->acc);
	return s;
}

/* Back to the pool; the caller has zeroed every slot it touched. */
static void lk_scratch_put(struct lk_scratch *s)
{
	pthread_mutex_lock(&lk_mu);
	s->next = free_lk;
	free_lk = s;
	pthread_mutex_unlock(&lk_mu);
}

/* ------------------------------------------------------------------ selection */

struct cand {
	double content, sim;
	int64_t id;
	uint32_t slot;
	unsigned facts;
};

static bool better_content(const struct cand *a, const struct cand *b)
{
	return a->content > b->content || (a->content == b->content && a->id < b->id);
}

/* Min-heap by better_content: h[0] is the worst kept. */
static void heap_offer(struct cand *h, size_t *n, size_t k, const struct cand *x)
{
	if (*n < k) {
		size_t i = (*n)++;
		while (i > 0 && better_content(&h[(i - 1) / 2], x)) {
			h[i] = h[(i - 1) / 2];
			i = (i - 1) / 2;
		}
		h[i] = *x;
		return;
	}
	if (!better_content(x, &h[0]))
		return;
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		const struct cand *mv = x;
		if (l < *n && better_content(mv, &h[l])) {
			m = l;
			mv = &h[l];
		}
		if (r < *n && better_content(mv, &h[r]))
			m = r;
		if (m == i)
			break;
		h[i] = h[m];
		i = m;
	}
	h[i] = *x;
}

static int cmp_sim(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->sim != y->sim)
		return x->sim > y->sim ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

static bool listed(const int64_t *v, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] == id)
			return true;
		if (v[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static bool passes(const struct nm_lk_filter *f, const struct index *ix, uint32_t slot)
{
	if (f->platforms && !(f->platforms & (1u << ix->s_platform[slot])))
		return false;
	int64_t followers = nm_idx_followers(ix, slot);
	if (followers < f->min_followers || followers > f->max_followers)
		return false;
	if (f->country[0] && ix->s_country[slot] != nm_sr_code(f->country, 'A'))
		return false;
	return true;
}

/* ------------------------------------------------------------------ the walk */

struct walk {
	double seed2, sum_w;
	size_t n_w, touched;
};

/* Live postings of a list, counted up to stop. Without stale postings anywhere in the
 * index (a fresh load) every posting is live; with s stale ones at least n - s are. */
static size_t live_df(const struct index *ix, const struct plist *pl, size_t stop)
{
	if (!ix->stale)
		return pl->n;
	if (pl->n > ix->stale && pl->n - ix->stale >= stop)
		return pl->n - ix->stale;
	size_t df = 0;
	for (uint32_t j = 0; j < pl->n && df < stop; j++)
		df += posting_live(ix, pl->v[j]);
	return df;
}

/* Weighs every profile term (df over live postings) and accumulates the weighted ones
 * into s. */
static void accumulate(const struct index *ix, struct nm_lk_profile *prof, struct lk_scratch *s,
		       struct walk *w)
{
	size_t n_live = ix->live;
	double seeds = prof->n_seeds ? (double)prof->n_seeds : 1.0;
	bool all_live = !ix->stale;
	for (size_t i = 0; i < prof->n; i++) {
		struct nm_lk_term *t = &prof->t[i];
		t->df = 0;
		t->weight = 0;
		uint32_t id = dict_find(ix, t->text, t->len);
		if (id == NO_ID)
			continue;
		const struct plist *pl = &ix->post[t->src][id];
		/* a bio word stops being counted once it is known to be a stop word */
		size_t stop = t->src == NM_LK_BIO ? (size_t)(NM_LK_BIO_STOP * (double)n_live) + 1
						  : SIZE_MAX;
		t->df = live_df(ix, pl, stop);
		if (!t->df || t->df >= stop)
			continue; /* nobody, or a bio word as common as a stop word */
		t->weight = nm_lk_src_weight(t->src) * nm_lk_idf(n_live, t->df);
		double a = (double)t->seeds / seeds;
		float wa = (float)(t->weight * a), wf = (float)t->weight;
		w->seed2 += t->weight * a * a;
		w->sum_w += t->weight;
		w->n_w++;
		for (uint32_t j = 0; j < pl->n; j++) {
			uint32_t e = pl->v[j];
			/* the sums of a creator 16 postings ahead: the writes land at scattered
			 * places the hardware does not predict */
			if (j + 16 < pl->n)
				__builtin_prefetch(&s->acc[pl->v[j + 16] >> 8], 1);
			if (!all_live && !posting_live(ix, e))
				continue;
			struct acc *c = &s->acc[e >> 8];
			if (!c->kc++)
				s->touched[w->touched++] = e >> 8;
			c->dot += wa;
			c->sw += wf;
		}
	}
}

/* The selection's state: the bounded heap of the best by content. */
struct select {
	const struct index *ix;
	const struct walk *w;
	double mean_w;
	const struct nm_lk_filter *flt;
	const int64_t *exclude;
	size_t n_exclude;
	struct cand *heap;
	size_t nh, m;
};

/* Offers slot's candidate (its sums in c) to the heap, then zeroes c. */
static void select_one(struct select *q, uint32_t slot, struct acc *c)
{
	const struct index *ix = q->ix;
	struct cand x = {0};
	unsigned terms = ix->n_post[slot];
	if (q->nh == q->m) {
		/* content < the heap's floor f, without the root and the division:
		 * dot² < f² seed2 |y|², with a margin so that rounding never drops a tie */
		double f = q->heap[0].content, dot = c->dot;
		double y2 = c->sw + (terms > c->kc ? (double)(terms - c->kc) * q->mean_w : 0.0);
		if (dot * dot < f * f * q->w->seed2 * y2 * (1.0 - 1e-9)) {
			memset(c, 0, sizeof *c);
			return; /* cannot enter: skip the feature reads */
		}
	}
	x.content = nm_lk_content(c->dot, q->w->seed2, c->sw, c->kc, terms, q->mean_w);
	memset(c, 0, sizeof *c);
	if (q->nh == q->m && x.content < q->heap[0].content)
		return;
	x.slot = slot;
	x.id = ix->feat[slot].id;
	if (listed(q->exclude, q->n_exclude, x.id) || !passes(q->flt, ix, slot))
		return;
	heap_offer(q->heap, &q->nh, q->m, &x);
}

long nm_index_lookalikes(struct nm_lk_profile *prof, const int64_t *seeds, size_t n_seeds,
			 const struct nm_lk_filter *flt, const int64_t *exclude, size_t n_exclude,
			 const struct nm_score_bench *bench, size_t k, struct nm_lk_hit *out)
{
	pthread_rwlock_rdlock(&nm_idx_lock);
	const struct index *ix = &nm_idx;
	if (!ix->loaded) {
		pthread_rwlock_unlock(&nm_idx_lock);
		return -2;
	}
	struct lk_scratch *s = lk_scratch_get(ix->n_slots);
	size_t m = NM_LK_RESCORE;
	struct cand *heap = malloc(m * sizeof *heap);
	struct nm_lk_attr *sa = malloc((n_seeds ? n_seeds : 1) * sizeof *sa);
	if (!s || !heap || !sa) {
		pthread_rwlock_unlock(&nm_idx_lock);
		if (s)
			lk_scratch_put(s);
		free(heap);
		free(sa);
		return -1;
	}
	size_t n_sa = 0;
	for (size_t i = 0; i < n_seeds; i++) {
		uint32_t slot = nm_idx_slot_of(ix, seeds[i]);
		if (slot != NO_ID && (ix->ver[slot] & 0x80))
			nm_lk_attr_of(&ix->feat[slot], bench, &sa[n_sa++]);
	}
	struct walk w = {0};
	accumulate(ix, prof, s, &w);
	struct select q = {
		ix, &w, w.n_w ? w.sum_w / (double)w.n_w : 0.0, flt, exclude, n_exclude, heap, 0, m};
	/* Many touched creators: visit the slots in order (sequential reads the hardware
	 * prefetches); few: follow the touched list. The heap's order is total, so both keep
	 * the same candidates. */
	if (w.touched > ix->n_slots / 16) {
		for (uint32_t slot = 0; slot < ix->n_slots; slot++)
			if (s->acc[slot].kc)
				select_one(&q, slot, &s->acc[slot]);
	} else {
		for (size_t i = 0; i < w.touched; i++)
			select_one(&q, s->touched[i], &s->acc[s->touched[i]]);
	}
	size_t nh = q.nh;
	for (size_t i = 0; i < nh; i++) {
		struct cand *c = &heap[i];
		struct nm_lk_attr ca;
		nm_lk_attr_of(&ix->feat[c->slot], bench, &ca);
		double attr = 0;
		for (size_t j = 0; j < n_sa; j++) {
			attr += nm_lk_attr_score(&sa[j], &ca);
			c->facts |= nm_lk_facts(&sa[j], &ca);
		}
		c->sim = nm_lk_similarity(c->content, n_sa ? attr / (double)n_sa : 0.0);
	}
	pthread_rwlock_unlock(&nm_idx_lock);
	lk_scratch_put(s);
	qsort(heap, nh, sizeof *heap, cmp_sim);
	size_t n = nh < k ? nh : k;
	for (size_t i = 0; i < n; i++)
		out[i] =
			(struct nm_lk_hit){heap[i].id, heap[i].sim, heap[i].content, heap[i].facts};
	free(heap);
	free(sa);
	return (long)n;
}

void nm_lk_scratch_free_all(void)
{
	pthread_mutex_lock(&lk_mu);
	while (free_lk) {
		struct lk_scratch *s = free_lk;
		free_lk = s->next;
		lk_scratch_free(s);
	}
	pthread_mutex_unlock(&lk_mu);
}
