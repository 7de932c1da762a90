/* Top-K over a features array: filter, score, keep the K best in a bounded min-heap.
 * With two threads each half of the array fills its own heap and the heaps are merged;
 * because every creator's score is computed the same way on either thread and the
 * order is total (score, then id, then index), the result is independent of threads. */
#include "filter.h"
#include "nm/score.h"

#include <pthread.h>
#include <stdlib.h>

#define MIN_PER_THREAD 65536 /* below this a thread costs more than it saves */

/* The id travels with the hit so that comparisons never touch the features array. */
struct entry {
	double score;
	int64_t id;
	uint32_t index;
};

/* Total order, best first: score descending, id ascending, then index (duplicate ids). */
static bool better(const struct entry *a, const struct entry *b)
{
	if (a->score != b->score)
		return a->score > b->score;
	if (a->id != b->id)
		return a->id < b->id;
	return a->index < b->index;
}

struct heap {
	struct entry *e; /* e[0] is the worst kept entry */
	size_t n, k;
};

static void sift_up(struct heap *h, size_t i)
{
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!better(&h->e[parent], &h->e[i]))
			break;
		struct entry t = h->e[parent];
		h->e[parent] = h->e[i];
		h->e[i] = t;
		i = parent;
	}
}

static void sift_down(struct heap *h, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, worst = i;
		if (l < h->n && better(&h->e[worst], &h->e[l]))
			worst = l;
		if (r < h->n && better(&h->e[worst], &h->e[r]))
			worst = r;
		if (worst == i)
			return;
		struct entry t = h->e[worst];
		h->e[worst] = h->e[i];
		h->e[i] = t;
		i = worst;
	}
}

static void heap_offer(struct heap *h, const struct entry *x)
{
	if (h->n < h->k) {
		h->e[h->n++] = *x;
		sift_up(h, h->n - 1);
	} else if (h->k && better(x, &h->e[0])) {
		h->e[0] = *x;
		sift_down(h, 0);
	}
}

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
	struct heap heap;
	size_t candidates;
};

static void run_job(struct job *j)
{
	for (size_t i = j->from; i < j->to; i++) {
		const struct nm_score_features *f = &j->f[i];
		if (!nm_score__passes(j->q, f))
			continue;
		if (j->n_exclude && excluded(j->exclude, j->n_exclude, f->id))
			continue;
		j->candidates++;
		if (j->heap.k == 0)
			continue;
		/* Once the heap is full most creators cannot enter it: a bound from the two
		 * cheapest components settles that without the other five. */
		if (j->heap.n == j->heap.k && nm_score__upper_bound(j->q, f) < j->heap.e[0].score)
			continue;
		struct entry x = {nm_score_creator(j->q, f, NULL), f->id, (uint32_t)i};
		/* Cheap reject before the full comparison: most creators lose on score alone. */
		if (j->heap.n == j->heap.k && x.score < j->heap.e[0].score)
			continue;
		heap_offer(&j->heap, &x);
	}
}

static void *thread_main(void *arg)
{
	run_job(arg);
	return NULL;
}

static int cmp_best_first(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	return better(x, y) ? -1 : better(y, x) ? 1 : 0;
}

long nm_score_rank(const struct nm_score_query *q, const struct nm_score_features *f, size_t n,
		   const int64_t *exclude, size_t n_exclude, size_t k, int threads,
		   struct nm_score_hit *out, size_t *candidates)
{
	if (k > n)
		k = n;
	int nt = threads >= 2 && n >= 2 * MIN_PER_THREAD ? 2 : 1;
	struct entry *scratch = malloc((k ? k : 1) * (size_t)nt * sizeof *scratch);
	if (!scratch)
		return -1;
	struct job jobs[2];
	for (int t = 0; t < nt; t++) {
		jobs[t] = (struct job){q,
				       f,
				       n * (size_t)t / nt,
				       n * (size_t)(t + 1) / nt,
				       exclude,
				       n_exclude,
				       {scratch + k * (size_t)t, 0, k},
				       0};
	}
	pthread_t tid;
	bool spawned = nt == 2 && pthread_create(&tid, NULL, thread_main, &jobs[1]) == 0;
	run_job(&jobs[0]);
	if (spawned)
		pthread_join(tid, NULL);
	else if (nt == 2)
		run_job(&jobs[1]); /* no thread to be had: same work, same result */

	/* Both heaps sit side by side in scratch; sort them together and keep the best k. */
	size_t total = jobs[0].heap.n + (nt == 2 ? jobs[1].heap.n : 0);
	if (nt == 2 && jobs[0].heap.n < k)
		for (size_t i = 0; i < jobs[1].heap.n; i++)
			scratch[jobs[0].heap.n + i] = jobs[1].heap.e[i];
	qsort(scratch, total, sizeof *scratch, cmp_best_first);
	size_t m = total < k ? total : k;
	for (size_t i = 0; i < m; i++)
		out[i] = (struct nm_score_hit){scratch[i].index, scratch[i].score};
	if (candidates)
		*candidates = jobs[0].candidates + (nt == 2 ? jobs[1].candidates : 0);
	free(scratch);
	return (long)m;
}
