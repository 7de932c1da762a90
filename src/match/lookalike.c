/* Lookalikes over the in-memory index (nm/lookalike_index.h). Reads the index's
 * dictionary, posting lists, per-slot term counts, features and search records under
 * its read lock; changes nothing in it.
 *
 * Cost: the seeds' posting lists are walked twice (live df, then the accumulation into
 * per-slot scratch arrays that stay zero between calls: only touched slots are reset);
 * each touched creator costs its term count read, and only those that could enter the
 * NM_LK_RESCORE best by content are filtered and read further. */
#include "nm/lookalike_index.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "index_internal.h"

/* Per-slot accumulators, pooled: zero between calls. */
struct lk_scratch {
	uint32_t slots;
	double *dot, *sw;
	uint16_t *kc;
	uint32_t *touched;
	struct lk_scratch *next;
};

static struct lk_scratch *free_lk;
static pthread_mutex_t lk_mu = PTHREAD_MUTEX_INITIALIZER;

static void lk_scratch_free(struct lk_scratch *s)
{
	if (!s)
		return;
	free(s->dot);
	free(s->sw);
	free(s->kc);
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
	s->dot = calloc(s->slots, sizeof *s->dot);
	s->sw = calloc(s->slots, sizeof *s->sw);
	s->kc = calloc(s->slots, sizeof *s->kc);
	s->touched = malloc(s->slots * sizeof *s->touched);
	if (!s->dot || !s->sw || !s->kc || !s->touched) {
		lk_scratch_free(s);
		return NULL;
	}
	return s;
}

/* Back to the pool with the touched slots zeroed. */
static void lk_scratch_put(struct lk_scratch *s, size_t n_touched)
{
	for (size_t i = 0; i < n_touched; i++) {
		uint32_t slot = s->touched[i];
		s->dot[slot] = 0;
		s->sw[slot] = 0;
		s->kc[slot] = 0;
	}
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

static bool passes(const struct nm_lk_filter *f, const struct srec *r)
{
	if (f->platforms && !(f->platforms & (1u << r->platform)))
		return false;
	if (r->followers < f->min_followers || r->followers > f->max_followers)
		return false;
	if (f->country[0] && (r->country[0] != f->country[0] || r->country[1] != f->country[1]))
		return false;
	return true;
}

/* ------------------------------------------------------------------ the walk */

struct walk {
	double seed2, sum_w;
	size_t n_w, touched;
};

/* Weighs every profile term (df over live postings) and accumulates the weighted ones
 * into s. */
static void accumulate(const struct index *ix, struct nm_lk_profile *prof, struct lk_scratch *s,
		       struct walk *w)
{
	size_t n_live = ix->live;
	double seeds = prof->n_seeds ? (double)prof->n_seeds : 1.0;
	for (size_t i = 0; i < prof->n; i++) {
		struct nm_lk_term *t = &prof->t[i];
		t->df = 0;
		t->weight = 0;
		uint32_t id = dict_find(ix, t->text, t->len);
		if (id == NO_ID)
			continue;
		const struct plist *pl = &ix->post[t->src][id];
		for (uint32_t j = 0; j < pl->n; j++)
			t->df += posting_live(ix, pl->v[j]);
		if (!t->df ||
		    (t->src == NM_LK_BIO && (double)t->df > NM_LK_BIO_STOP * (double)n_live))
			continue; /* nobody, or a bio word as common as a stop word */
		t->weight = nm_lk_src_weight(t->src) * nm_lk_idf(n_live, t->df);
		double a = (double)t->seeds / seeds, wa = t->weight * a;
		w->seed2 += t->weight * a * a;
		w->sum_w += t->weight;
		w->n_w++;
		for (uint32_t j = 0; j < pl->n; j++) {
			uint32_t e = pl->v[j];
			if (!posting_live(ix, e))
				continue;
			uint32_t slot = e >> 8;
			if (!s->kc[slot])
				s->touched[w->touched++] = slot;
			if (s->kc[slot] < UINT16_MAX)
				s->kc[slot]++;
			s->dot[slot] += wa;
			s->sw[slot] += t->weight;
		}
	}
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
			lk_scratch_put(s, 0);
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
	double mean_w = w.n_w ? w.sum_w / (double)w.n_w : 0.0;
	size_t nh = 0;
	for (size_t i = 0; i < w.touched; i++) {
		uint32_t slot = s->touched[i];
		struct cand c = {0};
		c.content = nm_lk_content(s->dot[slot], w.seed2, s->sw[slot], s->kc[slot],
					  ix->n_post[slot], mean_w);
		if (nh == m && c.content < heap[0].content)
			continue; /* cannot enter: skip the feature reads */
		c.slot = slot;
		c.id = ix->feat[slot].id;
		if (listed(exclude, n_exclude, c.id) || !passes(flt, &ix->srec[slot]))
			continue;
		heap_offer(heap, &nh, m, &c);
	}
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
	lk_scratch_put(s, w.touched);
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
