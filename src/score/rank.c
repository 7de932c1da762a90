/* Top-K: a bounded min-heap of the best entries so far, and nm_score_rank(), which filters,
 * scores and keeps the k best of a features array. With two threads each half of the
 * array fills its own heap and the heaps are merged; because every creator's score is
 * computed the same way on either thread and the order is total (score, then id, then
 * ref), the result is independent of threads. */
#include <pthread.h>
#include <stdlib.h>

#include "nm/score.h"
#include "nm/score_filter.h"

#define MIN_PER_THREAD 65536 /* below this a thread costs more than it saves */

/* Total order, best first: score descending, id ascending, then ref. */
static bool better(const struct nm_score_topk_entry *a, const struct nm_score_topk_entry *b)
{
	if (a->score != b->score)
		return a->score > b->score;
	if (a->id != b->id)
		return a->id < b->id;
	return a->ref < b->ref;
}

bool nm_score_topk_init(struct nm_score_topk *t, size_t k)
{
	t->n = 0;
	t->k = k;
	t->e = malloc((k ? k : 1) * sizeof *t->e);
	return t->e != NULL;
}

void nm_score_topk_free(struct nm_score_topk *t)
{
	free(t->e);
	t->e = NULL;
	t->n = t->k = 0;
}

static void swap(struct nm_score_topk_entry *a, struct nm_score_topk_entry *b)
{
	struct nm_score_topk_entry x = *a;
	*a = *b;
	*b = x;
}

static void sift_up(struct nm_score_topk *h, size_t i)
{
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!better(&h->e[parent], &h->e[i]))
			break;
		swap(&h->e[parent], &h->e[i]);
		i = parent;
	}
}

static void sift_down(struct nm_score_topk *h, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, worst = i;
		if (l < h->n && better(&h->e[worst], &h->e[l]))
			worst = l;
		if (r < h->n && better(&h->e[worst], &h->e[r]))
			worst = r;
		if (worst == i)
			return;
		swap(&h->e[worst], &h->e[i]);
		i = worst;
	}
}

void nm_score_topk_offer(struct nm_score_topk *h, const struct nm_score_topk_entry *x)
{
	if (h->n < h->k) {
		h->e[h->n++] = *x;
		sift_up(h, h->n - 1);
	} else if (h->k && better(x, &h->e[0])) {
		h->e[0] = *x;
		sift_down(h, 0);
	}
}

void nm_score_topk_merge(struct nm_score_topk *into, const struct nm_score_topk *from)
{
	for (size_t i = 0; i < from->n; i++)
		nm_score_topk_offer(into, &from->e[i]);
}

static int cmp_best_first(const void *a, const void *b)
{
	return better(a, b) ? -1 : better(b, a) ? 1 : 0;
}

size_t nm_score_topk_sort(struct nm_score_topk *t)
{
	qsort(t->e, t->n, sizeof *t->e, cmp_best_first);
	return t->n;
}

/* ------------------------------------------------------------------ ranking an array */

static bool excluded(const int64_t *ids, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ids[mid] < id)
			lo = mid + 1;
		else if (ids[mid] > id)
			hi = mid;
		else
			return true;
	}
	return false;
}

struct job {
	const struct nm_score_query *q;
	const struct nm_score_features *f;
	size_t from, to;
	const int64_t *exclude;
	size_t n_exclude;
	struct nm_score_topk heap;
	size_t candidates;
};

static void run_job(struct job *j)
{
	for (size_t i = j->from; i < j->to; i++) {
		const struct nm_score_features *f = &j->f[i];
		if (!nm_score_filter(j->q, f))
			continue;
		if (j->n_exclude && excluded(j->exclude, j->n_exclude, f->id))
			continue;
		j->candidates++;
		/* Once the heap is full most creators cannot enter it: a bound from the two
		 * cheapest components settles that without the other five. */
		double floor = nm_score_topk_floor(&j->heap);
		if (nm_score_upper_bound(j->q, f) < floor)
			continue;
		struct nm_score_topk_entry x = {nm_score_creator(j->q, f, NULL), f->id, (uint32_t)i,
						0, 0};
		/* Cheap reject before the full comparison: most creators lose on score alone. */
		if (x.score >= floor)
			nm_score_topk_offer(&j->heap, &x);
	}
}

static void *thread_main(void *arg)
{
	run_job(arg);
	return NULL;
}

long nm_score_rank(const struct nm_score_query *q, const struct nm_score_features *f, size_t n,
		   const int64_t *exclude, size_t n_exclude, size_t k, int threads,
		   struct nm_score_hit *out, size_t *candidates)
{
	if (k > n)
		k = n;
	int nt = threads >= 2 && n >= 2 * MIN_PER_THREAD ? 2 : 1;
	struct job jobs[2];
	bool ok = true;
	for (int t = 0; t < nt; t++) {
		jobs[t] = (struct job){
			q,   f, n * (size_t)t / nt, n * (size_t)(t + 1) / nt, exclude, n_exclude,
			{0}, 0};
		ok = nm_score_topk_init(&jobs[t].heap, k) && ok;
	}
	long m = -1;
	if (ok) {
		pthread_t tid;
		bool spawned = nt == 2 && pthread_create(&tid, NULL, thread_main, &jobs[1]) == 0;
		run_job(&jobs[0]);
		if (spawned)
			pthread_join(tid, NULL);
		else if (nt == 2)
			run_job(&jobs[1]); /* no thread to be had: same work, same result */
		if (nt == 2)
			nm_score_topk_merge(&jobs[0].heap, &jobs[1].heap);
		m = (long)nm_score_topk_sort(&jobs[0].heap);
		for (long i = 0; i < m; i++)
			out[i] = (struct nm_score_hit){jobs[0].heap.e[i].ref,
						       jobs[0].heap.e[i].score};
		if (candidates)
			*candidates = jobs[0].candidates + (nt == 2 ? jobs[1].candidates : 0);
	}
	for (int t = 0; t < nt; t++)
		nm_score_topk_free(&jobs[t].heap);
	return m;
}
