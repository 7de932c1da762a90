/* Top-K: a bounded min-heap of the best entries so far. A match run (match/rank.c) fills
 * one per half of the index and merges them; because every creator's score is computed
 * the same way in either half and the order is total (score, then id, then ref), the
 * result is independent of the split. */
#include <stdlib.h>

#include "nm/score.h"

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
