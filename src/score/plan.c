/* The budget planner's solver (issue 14, docs/scoring.md §11.4).
 *
 * A 0-1 knapsack with a cardinality constraint: maximise Σ value under Σ price <= budget and
 * count <= max_creators, each price within the share cap, must-include creators fixed in.
 *
 *  1. Must-include creators are taken first; the rest is solved for the remaining budget B
 *     and count K.
 *  2. Exact reduction for large pools: per price band (8 per octave) the K best values are
 *     kept (set T); a greedy + local search on T gives a feasible value LB, and the
 *     Lagrangian dual (λ for the budget, μ for the count) fitted on T gives, over the whole
 *     pool, UB = λB + μK + Σ max(0, v − λp − μ). A creator with reduced value
 *     r = v − λp − μ < 0 cannot be in any portfolio worth more than UB + r, so every one
 *     with UB + r < LB is dropped: no optimal portfolio contains it.
 *  3. K-dominance (exact): a creator for which K others cost no more and bring no less is
 *     never needed (swap it for one of them that is not in the portfolio).
 *  4. Dynamic programme over (count, price grid) on what is left. The grid is the gcd of
 *     the prices when the table fits in DP_CELLS cells: then the result is exact. Otherwise
 *     prices are rounded down to a coarser grid: the optimum of that table is an upper
 *     bound, its portfolio is repaired to fit the real budget and improved by swaps; the
 *     gap to the bound is reported.
 * Everything is ordered by (value, then id), so the answer depends only on the input set. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nm/plan.h"

#define DP_CELLS       20000000u /* count × grid cells × items: ~20–40 ms, 2.5 MB of bits */
#define DP_MAX_ITEMS   2048	 /* beyond: keep the best by reduced value (inexact) */
#define PREFILTER_AT   256	 /* eligible creators from which the reduction runs */
#define NBANDS	       512	 /* price bands: 8 per octave over 64 bits */
#define GOLDEN_ITERS   48
#define IMPROVE_ROUNDS 64
#define FIT_ROUNDS     4    /* refits of the dual with creators outside T */
#define FIT_ADD	       4096 /* creators added per refit */

struct item {
	double v;
	int64_t p;
	int64_t id;
	size_t idx; /* into the caller's array */
};

/* Best first: value descending, then id ascending. */
static bool better(const struct item *a, const struct item *b)
{
	if (a->v != b->v)
		return a->v > b->v;
	return a->id < b->id;
}

/* Not a creator the solver may pick for the pool: fixed in (must-include), only a
 * candidate for the single-account alternative, or priced out of the per-creator cap. */
static bool out_of_pool(const struct nm_plan_candidate *x, int64_t lim)
{
	return x->must_include || x->alt_only || x->price_cents < 0 || x->price_cents > lim;
}

static int cmp_by_id(const void *x, const void *y)
{
	const struct item *a = x, *b = y;
	return (a->id > b->id) - (a->id < b->id);
}

/* Price ascending, then best first: the sweep order of the K-dominance test. */
static int cmp_by_price(const void *x, const void *y)
{
	const struct item *a = x, *b = y;
	if (a->p != b->p)
		return (a->p > b->p) - (a->p < b->p);
	return better(a, b) ? -1 : better(b, a) ? 1 : 0;
}

/* Density v/p descending (free creators first), then best first. */
static int cmp_by_density(const void *x, const void *y)
{
	const struct item *a = x, *b = y;
	/* compare a.v/a.p with b.v/b.p without dividing by zero */
	double l = a->v * (double)b->p, r = b->v * (double)a->p;
	if (l != r)
		return l > r ? -1 : 1;
	return better(a, b) ? -1 : better(b, a) ? 1 : 0;
}

static bool finite_nonneg(double x)
{
	return isfinite(x) && x >= 0.0;
}

static double cand_value(const struct nm_plan_candidate *c, enum nm_score_goal g)
{
	if (!finite_nonneg(c->expected_engagements) || !finite_nonneg(c->expected_reach) ||
	    !isfinite(c->score))
		return -1.0;
	return nm_plan_value(g, c->expected_engagements, c->expected_reach, c->score);
}

/* ---- min-heap of the K best (worst at the root) ---- */

static void heap_sift_down(struct item *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, w = i;
		if (l < n && better(&h[w], &h[l]))
			w = l;
		if (r < n && better(&h[w], &h[r]))
			w = r;
		if (w == i)
			return;
		struct item t = h[i];
		h[i] = h[w];
		h[w] = t;
		i = w;
	}
}

static void heap_offer(struct item *h, size_t *n, size_t k, const struct item *x)
{
	if (*n < k) {
		size_t i = (*n)++;
		h[i] = *x;
		while (i > 0) {
			size_t p = (i - 1) / 2;
			if (!better(&h[p], &h[i]))
				break;
			struct item t = h[i];
			h[i] = h[p];
			h[p] = t;
			i = p;
		}
		return;
	}
	if (k == 0 || !better(x, &h[0]))
		return;
	h[0] = *x;
	heap_sift_down(h, *n, 0);
}

static unsigned band_of(int64_t p)
{
	if (p < 8)
		return (unsigned)(p < 0 ? 0 : p);
	unsigned msb = 63u - (unsigned)__builtin_clzll((unsigned long long)p);
	return msb * 8u + (unsigned)((p >> (msb - 3)) & 7);
}

/* ---- greedy and local search over a pool ---- */

struct pick {
	const struct item *it; /* pool, n items */
	size_t n;
	bool *in;
	int64_t budget, cost;
	int k, count;
	double value;
};

static void pick_add(struct pick *s, size_t i)
{
	s->in[i] = true;
	s->cost += s->it[i].p;
	s->count++;
	s->value += s->it[i].v;
}

static void pick_remove(struct pick *s, size_t i)
{
	s->in[i] = false;
	s->cost -= s->it[i].p;
	s->count--;
	s->value -= s->it[i].v;
}

/* Adds the best creator that fits, or swaps one in for one out, whichever gains most;
 * repeats until nothing gains. Deterministic: ties go to the better item. */
static void improve(struct pick *s)
{
	for (int round = 0; round < IMPROVE_ROUNDS; round++) {
		double best_gain = 1e-9;
		size_t best_in = SIZE_MAX, best_out = SIZE_MAX;
		if (s->count < s->k) {
			for (size_t j = 0; j < s->n; j++) {
				if (s->in[j] || s->cost + s->it[j].p > s->budget)
					continue;
				if (s->it[j].v > best_gain ||
				    (best_in != SIZE_MAX && s->it[j].v == best_gain &&
				     better(&s->it[j], &s->it[best_in]))) {
					best_gain = s->it[j].v;
					best_in = j;
				}
			}
		}
		for (size_t a = 0; a < s->n; a++) {
			if (!s->in[a])
				continue;
			int64_t room = s->budget - s->cost + s->it[a].p;
			for (size_t j = 0; j < s->n; j++) {
				if (s->in[j] || s->it[j].p > room)
					continue;
				double g = s->it[j].v - s->it[a].v;
				if (g > best_gain) {
					best_gain = g;
					best_in = j;
					best_out = a;
				}
			}
		}
		if (best_in == SIZE_MAX)
			return;
		if (best_out != SIZE_MAX)
			pick_remove(s, best_out);
		pick_add(s, best_in);
	}
}

/* Greedy by density on pool (sorted by density in place), then improve. */
static void greedy(struct item *pool, size_t n, bool *in, int64_t budget, int k, struct pick *s)
{
	qsort(pool, n, sizeof *pool, cmp_by_density);
	*s = (struct pick){.it = pool, .n = n, .in = in, .budget = budget, .k = k};
	memset(in, 0, n * sizeof *in);
	for (size_t i = 0; i < n && s->count < k; i++)
		if (s->cost + pool[i].p <= budget)
			pick_add(s, i);
	improve(s);
}

/* ---- Lagrangian bound ---- */

struct dens {
	double d; /* (v − μ)/p, +inf when p == 0 */
	int64_t p;
};

static int cmp_dens(const void *x, const void *y)
{
	const struct dens *a = x, *b = y;
	return (a->d < b->d) - (a->d > b->d);
}

static double lag_value(const struct item *it, size_t n, int64_t B, int K, double lam, double mu)
{
	double s = lam * (double)B + mu * K;
	for (size_t i = 0; i < n; i++) {
		double r = it[i].v - lam * (double)it[i].p - mu;
		if (r > 0)
			s += r;
	}
	return s;
}

/* For fixed μ the best λ is the critical density of the fractional knapsack on v − μ. */
static double best_lambda(const struct item *it, size_t n, int64_t B, double mu, struct dens *tmp)
{
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		double a = it[i].v - mu;
		if (a <= 0)
			continue;
		tmp[m].p = it[i].p;
		tmp[m].d = it[i].p > 0 ? a / (double)it[i].p : INFINITY;
		m++;
	}
	qsort(tmp, m, sizeof *tmp, cmp_dens);
	int64_t acc = 0;
	for (size_t i = 0; i < m; i++) {
		acc += tmp[i].p;
		if (acc > B)
			return isfinite(tmp[i].d) ? tmp[i].d : 0.0;
	}
	return 0.0;
}

/* Fits (λ, μ) on the pool by golden-section search over μ (the dual is convex in μ once λ
 * is minimised out). Any λ, μ >= 0 give a valid bound; this only makes it tight. */
static bool lag_fit(const struct item *it, size_t n, int64_t B, int K, double *lam, double *mu)
{
	struct dens *tmp = malloc((n ? n : 1) * sizeof *tmp);
	if (!tmp)
		return false;
	double hi = 0;
	for (size_t i = 0; i < n; i++)
		hi = it[i].v > hi ? it[i].v : hi;
	double lo = 0, g = (sqrt(5.0) - 1) / 2;
	double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo);
	double l1 = best_lambda(it, n, B, x1, tmp), l2 = best_lambda(it, n, B, x2, tmp);
	double f1 = lag_value(it, n, B, K, l1, x1), f2 = lag_value(it, n, B, K, l2, x2);
	for (int i = 0; i < GOLDEN_ITERS; i++) {
		if (f1 <= f2) {
			hi = x2;
			x2 = x1, l2 = l1, f2 = f1;
			x1 = hi - g * (hi - lo);
			l1 = best_lambda(it, n, B, x1, tmp);
			f1 = lag_value(it, n, B, K, l1, x1);
		} else {
			lo = x1;
			x1 = x2, l1 = l2, f1 = f2;
			x2 = lo + g * (hi - lo);
			l2 = best_lambda(it, n, B, x2, tmp);
			f2 = lag_value(it, n, B, K, l2, x2);
		}
	}
	double l0 = best_lambda(it, n, B, 0.0, tmp), f0 = lag_value(it, n, B, K, l0, 0.0);
	free(tmp);
	if (f0 <= f1 && f0 <= f2)
		*lam = l0, *mu = 0.0;
	else if (f1 <= f2)
		*lam = l1, *mu = x1;
	else
		*lam = l2, *mu = x2;
	return true;
}

/* ---- dynamic programme ---- */

static int64_t gcd64(int64_t a, int64_t b)
{
	while (b) {
		int64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

struct dp_out {
	bool ok, exact;
	double bound; /* optimum of the (possibly rounded-down) table */
};

/* Solves pool (sorted by id) into in[]; see the file comment, step 4. */
static struct dp_out dp_solve(const struct item *pool, size_t n, int64_t B, int K, bool *in)
{
	struct dp_out o = {0};
	memset(in, 0, n * sizeof *in);
	if (K > (int)n)
		K = (int)n;
	if (n == 0 || K == 0) {
		o.ok = o.exact = true;
		return o;
	}
	int64_t u = 0;
	for (size_t i = 0; i < n; i++)
		u = gcd64(pool[i].p, u);
	if (u <= 0)
		u = 1;
	double per_w = (double)n * (K + 1);
	int64_t W = B / u;
	if (per_w * ((double)W + 1) > DP_CELLS) {
		int64_t wmax = (int64_t)(DP_CELLS / per_w) - 1;
		if (wmax < 1)
			wmax = 1;
		int64_t uc = (B + wmax - 1) / wmax;
		uc = (uc + u - 1) / u * u; /* a multiple of the gcd */
		u = uc;
		W = B / u;
	}
	o.exact = true;
	for (size_t i = 0; i < n; i++)
		if (pool[i].p % u)
			o.exact = false;
	size_t cols = (size_t)W + 1, wpr = (cols + 63) / 64;
	double *dp = malloc((size_t)(K + 1) * cols * sizeof *dp);
	uint64_t *bits = calloc(n * (size_t)(K + 1) * wpr, sizeof *bits);
	if (!dp || !bits) {
		free(dp);
		free(bits);
		return o;
	}
	for (size_t w = 0; w < cols; w++)
		dp[w] = 0.0;
	for (size_t x = cols; x < (size_t)(K + 1) * cols; x++)
		dp[x] = -INFINITY;
	for (size_t i = 0; i < n; i++) {
		size_t c = (size_t)(pool[i].p / u); /* rounded down */
		if (c >= cols)
			continue;
		double v = pool[i].v;
		int top = (int)(i + 1 < (size_t)K ? i + 1 : (size_t)K);
		for (int k = top; k >= 1; k--) {
			const double *prev = dp + (size_t)(k - 1) * cols;
			double *cur = dp + (size_t)k * cols;
			uint64_t *b = bits + (i * (size_t)(K + 1) + (size_t)k) * wpr;
			for (size_t w = cols - 1; w + 1 > c; w--) {
				double cand = prev[w - c] + v;
				if (cand > cur[w]) {
					cur[w] = cand;
					b[w >> 6] |= 1ull << (w & 63);
				}
			}
		}
	}
	int kb = 0;
	double best = 0.0;
	for (int k = 1; k <= K; k++)
		if (dp[(size_t)k * cols + (cols - 1)] > best) {
			best = dp[(size_t)k * cols + (cols - 1)];
			kb = k;
		}
	size_t w = cols - 1;
	for (size_t i = n; i-- > 0 && kb > 0;) {
		const uint64_t *b = bits + (i * (size_t)(K + 1) + (size_t)kb) * wpr;
		if (b[w >> 6] >> (w & 63) & 1) {
			in[i] = true;
			w -= (size_t)(pool[i].p / u);
			kb--;
		}
	}
	free(dp);
	free(bits);
	o.ok = true;
	o.bound = best;
	return o;
}

/* ---- totals, alternative, result ---- */

static void totals_add(struct nm_plan_totals *t, const struct nm_plan_candidate *c, double v)
{
	t->creators++;
	t->cost_cents += c->price_cents;
	t->engagements += c->expected_engagements;
	t->reach += c->expected_reach;
	t->objective += v;
}

static void totals_finish(struct nm_plan_totals *t)
{
	t->cost_per_engagement_cents =
		t->engagements > 0 ? (double)t->cost_cents / t->engagements : -1.0;
}

static enum nm_plan_status fail(struct nm_plan_result *r, enum nm_plan_status st, const char *fmt,
				long long a, long long b)
{
	r->status = st;
	snprintf(r->reason, sizeof r->reason, fmt, a, b);
	return st;
}

static void find_alternative(const struct nm_plan_candidate *c, size_t n,
			     const struct nm_plan_constraints *k, struct nm_plan_result *r)
{
	bool any_big = false;
	struct item best = {.v = -1.0};
	for (size_t i = 0; i < n; i++) {
		if (!c[i].big)
			continue;
		any_big = true;
		double v = cand_value(&c[i], k->goal);
		if (v < 0 || c[i].price_cents < 0 || c[i].price_cents > k->budget_cents)
			continue;
		struct item x = {.v = v, .p = c[i].price_cents, .id = c[i].id, .idx = i};
		if (best.v < 0 || better(&x, &best))
			best = x;
	}
	if (best.v < 0) {
		r->alt_reason = any_big ? NM_PLAN_ALT_NONE_FITS : NM_PLAN_ALT_NO_BIG;
		return;
	}
	r->alt_reason = NM_PLAN_ALT_FOUND;
	r->alternative = best.idx;
	totals_add(&r->alt_totals, &c[best.idx], best.v);
	totals_finish(&r->alt_totals);
	const struct nm_plan_totals *p = &r->totals, *a = &r->alt_totals;
	r->comparison.engagements_ratio = a->engagements > 0 ? p->engagements / a->engagements : 0;
	r->comparison.reach_ratio = a->reach > 0 ? p->reach / a->reach : 0;
	r->comparison.cost_per_engagement_ratio =
		(p->cost_per_engagement_cents > 0 && a->cost_per_engagement_cents > 0)
			? a->cost_per_engagement_cents / p->cost_per_engagement_cents
			: 0;
	r->big_wins_on_reach = k->goal == NM_GOAL_AWARENESS && a->reach > p->reach;
}

static int cmp_members(const void *x, const void *y)
{
	const struct item *a = x, *b = y;
	return better(a, b) ? -1 : better(b, a) ? 1 : 0;
}

static enum nm_plan_status validate(const struct nm_plan_constraints *k, struct nm_plan_result *r)
{
	if ((unsigned)k->goal >= NM_GOAL_COUNT)
		return fail(r, NM_PLAN_EINVAL, "unknown goal %lld%.0lld", (long long)k->goal, 0);
	if (k->budget_cents <= 0)
		return fail(r, NM_PLAN_EINVAL, "budget_cents must be above 0 (got %lld)%.0lld",
			    (long long)k->budget_cents, 0);
	if (k->max_creators < 1 || k->max_creators > NM_PLAN_MAX_CREATORS)
		return fail(r, NM_PLAN_EINVAL, "max_creators must be 1 to %lld (got %lld)",
			    NM_PLAN_MAX_CREATORS, k->max_creators);
	if (!(k->max_share > 0.0 && k->max_share <= 1.0))
		return fail(r, NM_PLAN_EINVAL,
			    "max_share_per_creator must be above 0 and at most 1%.0lld%.0lld", 0,
			    0);
	return NM_PLAN_OK;
}

/* Exact reduction of the eligible pool (file comment, step 2). Two passes over the
 * caller's array: the band heaps, then the creators that beat the K-th best value of all
 * cheaper bands (any other has K creators that cost less and bring no less). The dual is
 * fitted and the survivors chosen on that compact set. Returns the survivors in a new
 * array (*out, *n_out), the bound in *ub and how many creators were eligible. */
static bool prefilter(const struct nm_plan_candidate *c, size_t n, enum nm_score_goal g,
		      int64_t lim, int64_t B, int K, struct item **out, size_t *n_out, double *ub,
		      double *lam_out, double *mu_out, size_t *eligible)
{
	struct item *heaps = malloc((size_t)NBANDS * (size_t)K * sizeof *heaps);
	size_t *hn = calloc(NBANDS, sizeof *hn);
	bool ok = false;
	struct item *t = NULL, *a = NULL, *cum = NULL, *add = NULL;
	bool *in = NULL, *seen = NULL;
	double *thr = NULL;
	size_t ne = 0;
	if (!heaps || !hn)
		goto done;
	for (size_t i = 0; i < n; i++) {
		if (out_of_pool(&c[i], lim))
			continue;
		double v = cand_value(&c[i], g);
		if (!(v > 0))
			continue;
		ne++;
		struct item x = {.v = v, .p = c[i].price_cents, .id = c[i].id, .idx = i};
		unsigned b = band_of(x.p);
		heap_offer(heaps + (size_t)b * (size_t)K, &hn[b], (size_t)K, &x);
	}
	*eligible = ne;
	thr = malloc(NBANDS * sizeof *thr);
	cum = malloc((size_t)K * sizeof *cum);
	if (!thr || !cum)
		goto done;
	size_t ncum = 0, nt = 0;
	for (unsigned b = 0; b < NBANDS; b++) {
		thr[b] = ncum == (size_t)K ? cum[0].v : -INFINITY;
		for (size_t j = 0; j < hn[b]; j++)
			heap_offer(cum, &ncum, (size_t)K, &heaps[(size_t)b * (size_t)K + j]);
		nt += hn[b];
	}
	size_t acap = 4096, na = 0;
	a = malloc(acap * sizeof *a);
	if (!a)
		goto done;
	for (size_t i = 0; i < n; i++) {
		if (out_of_pool(&c[i], lim))
			continue;
		double v = cand_value(&c[i], g);
		if (!(v > 0) || v <= thr[band_of(c[i].price_cents)])
			continue;
		if (na == acap) {
			struct item *bigger = realloc(a, 2 * acap * sizeof *a);
			if (!bigger)
				goto done;
			a = bigger;
			acap *= 2;
		}
		a[na++] = (struct item){.v = v, .p = c[i].price_cents, .id = c[i].id, .idx = i};
	}
	/* T: the band heaps; greedy + local search on T gives LB */
	size_t fcap = nt + (size_t)FIT_ROUNDS * FIT_ADD;
	t = malloc((fcap ? fcap : 1) * sizeof *t);
	in = malloc((nt ? nt : 1) * sizeof *in);
	add = malloc(FIT_ADD * sizeof *add);
	seen = calloc(na ? na : 1, sizeof *seen);
	if (!t || !in || !add || !seen)
		goto done;
	nt = 0;
	for (unsigned b = 0; b < NBANDS; b++)
		for (size_t j = 0; j < hn[b]; j++)
			t[nt++] = heaps[(size_t)b * (size_t)K + j];
	struct pick pk;
	greedy(t, nt, in, B, K, &pk);
	double lb = pk.value, lam = 0, mu = 0, sum = 0;
	double best_sum = INFINITY, best_lam = 0, best_mu = 0;
	/* The dual fitted on T only can be loose over the whole pool: add the creators the
	 * bound still counts (reduced value > 0) and refit, a few times. Any (λ, μ) >= 0 gives
	 * a valid bound; refits only tighten it. (A T entry may be added again: the fit is then
	 * on a multiset, which only affects how tight the bound is, never its validity, as
	 * the bound itself is summed over a.) */
	for (int round = 0;; round++) {
		if (!lag_fit(t, nt, B, K, &lam, &mu))
			goto done;
		sum = lam * (double)B + mu * K;
		size_t nadd = 0;
		for (size_t i = 0; i < na; i++) {
			double r = a[i].v - lam * (double)a[i].p - mu;
			if (r <= 0)
				continue;
			sum += r;
			if (round < FIT_ROUNDS && !seen[i]) {
				struct item x = a[i];
				x.v = r;
				x.idx = i; /* position in a, for the mark */
				heap_offer(add, &nadd, FIT_ADD, &x);
			}
		}
		if (sum < best_sum)
			best_sum = sum, best_lam = lam, best_mu = mu;
		if (round >= FIT_ROUNDS || nadd == 0)
			break;
		for (size_t j = 0; j < nadd; j++) {
			seen[add[j].idx] = true;
			t[nt++] = a[add[j].idx];
		}
	}
	/* Survivors: reduced value r >= LB − UB (with a margin against rounding in the sums);
	 * compacted in place. */
	sum = best_sum, lam = best_lam, mu = best_mu;
	double keep = lb - sum - 1e-9 * (sum > 1 ? sum : 1);
	size_t ns = 0;
	for (size_t i = 0; i < na; i++)
		if (a[i].v - lam * (double)a[i].p - mu >= keep)
			a[ns++] = a[i];
	*out = a;
	*n_out = ns;
	*ub = sum;
	*lam_out = lam;
	*mu_out = mu;
	a = NULL;
	ok = true;
done:
	free(heaps);
	free(hn);
	free(thr);
	free(cum);
	free(t);
	free(in);
	free(add);
	free(seen);
	free(a);
	return ok;
}

/* K-dominance (file comment, step 3), in place; returns the new count. */
static size_t dominance(struct item *s, size_t n, int K)
{
	if (n <= (size_t)K)
		return n;
	qsort(s, n, sizeof *s, cmp_by_price);
	/* min-heap of the K largest values seen so far (all cost no more than the current) */
	struct item *h = malloc((size_t)K * sizeof *h);
	if (!h)
		return n; /* no reduction: still correct */
	size_t hn = 0, m = 0;
	for (size_t i = 0; i < n; i++) {
		if (hn == (size_t)K && h[0].v >= s[i].v)
			continue; /* K earlier creators: price <= and value >= */
		heap_offer(h, &hn, (size_t)K, &s[i]);
		s[m++] = s[i];
	}
	free(h);
	return m;
}

enum nm_plan_status nm_plan_solve(const struct nm_plan_candidate *c, size_t n,
				  const struct nm_plan_constraints *k, struct nm_plan_result *r)
{
	memset(r, 0, sizeof *r);
	r->method = "dp";
	r->alt_reason = NM_PLAN_ALT_NO_BIG;
	if (validate(k, r) != NM_PLAN_OK)
		return r->status;
	int64_t budget = k->budget_cents;
	int64_t cap = (int64_t)floor(k->max_share * (double)budget);
	if (cap > budget)
		cap = budget;

	/* 1. must-include */
	size_t n_must = 0;
	int64_t must_cost = 0;
	double must_value = 0;
	for (size_t i = 0; i < n; i++) {
		if (!c[i].must_include)
			continue;
		double v = cand_value(&c[i], k->goal);
		if (c[i].price_cents < 0 || v < 0)
			return fail(
				r, NM_PLAN_EMUST_INVALID,
				"must-include creator %lld has no usable price or estimates%.0lld",
				(long long)c[i].id, 0);
		if (c[i].price_cents > cap)
			return fail(
				r, NM_PLAN_EMUST_SHARE,
				"must-include creator %lld costs %lld cents, above the share cap "
				"per creator",
				(long long)c[i].id, (long long)c[i].price_cents);
		n_must++;
		must_cost += c[i].price_cents;
		must_value += v;
	}
	if (n_must > (size_t)k->max_creators)
		return fail(r, NM_PLAN_EMUST_COUNT,
			    "%lld must-include creators exceed max_creators (%lld)",
			    (long long)n_must, k->max_creators);
	if (must_cost > budget)
		return fail(r, NM_PLAN_EMUST_BUDGET,
			    "the must-include creators cost %lld cents, above the budget of %lld",
			    (long long)must_cost, (long long)budget);
	int64_t B = budget - must_cost;
	int K = k->max_creators - (int)n_must;
	int64_t lim = cap < B ? cap : B;

	/* 2–3. the pool */
	struct item *pool = NULL;
	size_t np = 0;
	double lag_ub = INFINITY, lam = 0, mu = 0;
	bool have_lag = false;
	size_t eligible = 0;
	if (K > 0 && n > PREFILTER_AT) {
		if (!prefilter(c, n, k->goal, lim, B, K, &pool, &np, &lag_ub, &lam, &mu, &eligible))
			return fail(r, NM_PLAN_ENOMEM, "out of memory%.0lld%.0lld", 0, 0);
		have_lag = true;
		np = dominance(pool, np, K);
	} else if (K > 0) {
		for (size_t i = 0; i < n; i++)
			if (!out_of_pool(&c[i], lim) && cand_value(&c[i], k->goal) > 0)
				eligible++;
		{
			pool = malloc((eligible ? eligible : 1) * sizeof *pool);
			if (!pool)
				return fail(r, NM_PLAN_ENOMEM, "out of memory%.0lld%.0lld", 0, 0);
			for (size_t i = 0; i < n; i++) {
				if (out_of_pool(&c[i], lim))
					continue;
				double v = cand_value(&c[i], k->goal);
				if (v > 0)
					pool[np++] = (struct item){.v = v,
								   .p = c[i].price_cents,
								   .id = c[i].id,
								   .idx = i};
			}
		}
		np = dominance(pool, np, K);
	}
	r->eligible = eligible;
	r->after_prefilter = np;

	/* Too many for the table even after the exact reduction: keep the best by reduced
	 * value (needs the bound, so fit it on the pool if the prefilter did not run). */
	bool reduced = false;
	if (np > DP_MAX_ITEMS) {
		if (!have_lag) {
			if (!lag_fit(pool, np, B, K, &lam, &mu)) {
				free(pool);
				return fail(r, NM_PLAN_ENOMEM, "out of memory%.0lld%.0lld", 0, 0);
			}
			lag_ub = lag_value(pool, np, B, K, lam, mu);
		}
		for (size_t i = 0; i < np; i++) /* rank by reduced value, keep v for the DP */
			pool[i].v -= lam * (double)pool[i].p + mu;
		qsort(pool, np, sizeof *pool, cmp_members);
		np = DP_MAX_ITEMS;
		for (size_t i = 0; i < np; i++)
			pool[i].v += lam * (double)pool[i].p + mu;
		reduced = true;
	}

	/* 4. the table */
	bool *in = calloc(np ? np : 1, sizeof *in);
	if (!in) {
		free(pool);
		return fail(r, NM_PLAN_ENOMEM, "out of memory%.0lld%.0lld", 0, 0);
	}
	if (np)
		qsort(pool, np, sizeof *pool, cmp_by_id);
	struct dp_out d = dp_solve(pool, np, B, K, in);
	if (!d.ok) {
		free(pool);
		free(in);
		return fail(r, NM_PLAN_ENOMEM, "out of memory%.0lld%.0lld", 0, 0);
	}
	struct pick s = {.it = pool, .n = np, .in = in, .budget = B, .k = K};
	for (size_t i = 0; i < np; i++)
		if (in[i]) {
			in[i] = false;
			pick_add(&s, i);
		}
	if (!d.exact || reduced) {
		/* repair: drop the least dense until the real prices fit, then improve */
		while (s.cost > B) {
			size_t worst = SIZE_MAX;
			for (size_t i = 0; i < np; i++)
				if (in[i] && (worst == SIZE_MAX ||
					      cmp_by_density(&pool[i], &pool[worst]) > 0))
					worst = i;
			pick_remove(&s, worst);
		}
		improve(&s);
	}
	/* The table's optimum bounds the reduced-but-lossless pool; after a lossy cut only
	 * the Lagrangian bound over everything is valid. */
	double bound = reduced ? lag_ub : (lag_ub < d.bound ? lag_ub : d.bound);
	r->exact = d.exact && !reduced;
	r->method = np == 0 ? "musts-only" : reduced ? "dp-reduced" : d.exact ? "dp" : "dp-rounded";

	/* members: musts and picks, best first */
	size_t nm = n_must + (size_t)s.count;
	struct item *mem = malloc((nm ? nm : 1) * sizeof *mem);
	r->members = malloc((nm ? nm : 1) * sizeof *r->members);
	if (!mem || !r->members) {
		free(mem);
		free(pool);
		free(in);
		nm_plan_result_free(r);
		return fail(r, NM_PLAN_ENOMEM, "out of memory%.0lld%.0lld", 0, 0);
	}
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (c[i].must_include)
			mem[m++] = (struct item){.v = cand_value(&c[i], k->goal),
						 .p = c[i].price_cents,
						 .id = c[i].id,
						 .idx = i};
	for (size_t i = 0; i < np; i++)
		if (in[i])
			mem[m++] = pool[i];
	qsort(mem, m, sizeof *mem, cmp_members);
	for (size_t i = 0; i < m; i++) {
		r->members[i] = mem[i].idx;
		totals_add(&r->totals, &c[mem[i].idx], mem[i].v);
	}
	r->n_members = m;
	totals_finish(&r->totals);
	free(mem);
	free(pool);
	free(in);

	double obj = r->totals.objective;
	if (r->exact) {
		r->upper_bound = obj;
		r->gap = 0;
	} else {
		r->upper_bound = must_value + bound;
		if (r->upper_bound < obj)
			r->upper_bound = obj;
		r->gap = r->upper_bound > 0 ? (r->upper_bound - obj) / r->upper_bound : 0;
	}
	find_alternative(c, n, k, r);
	r->status = NM_PLAN_OK;
	return NM_PLAN_OK;
}

void nm_plan_result_free(struct nm_plan_result *r)
{
	free(r->members);
	r->members = NULL;
	r->n_members = 0;
}

/* ---- the sentence ---- */

int nm_plan_format_money(int64_t cents, char *buf, size_t size)
{
	char digits[32], grouped[48];
	bool neg = cents < 0;
	uint64_t u = neg ? (uint64_t)0 - (uint64_t)cents : (uint64_t)cents;
	snprintf(digits, sizeof digits, "%llu", (unsigned long long)(u / 100));
	size_t len = strlen(digits), g = 0;
	for (size_t i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			grouped[g++] = ',';
		grouped[g++] = digits[i];
	}
	grouped[g] = '\0';
	if (u % 100)
		return snprintf(buf, size, "%s$%s.%02u", neg ? "-" : "", grouped,
				(unsigned)(u % 100));
	return snprintf(buf, size, "%s$%s", neg ? "-" : "", grouped);
}

static const char *handle_of(const struct nm_plan_candidate *c)
{
	const char *h = c->handle && c->handle[0] ? c->handle : NULL;
	if (h && h[0] == '@')
		h++;
	return h && h[0] ? h : NULL;
}

int nm_plan_summary(const struct nm_plan_candidate *c, const struct nm_plan_constraints *k,
		    const struct nm_plan_result *r, char *buf, size_t size)
{
	if (r->status != NM_PLAN_OK)
		return snprintf(buf, size, "No plan: %s.", r->reason);
	char money[48], who[96], what[64];
	nm_plan_format_money(k->budget_cents, money, sizeof money);
	if (r->n_members == 0)
		return snprintf(buf, size, "No creator fits the %s budget under these constraints.",
				money);
	bool micro = true;
	for (size_t i = 0; i < r->n_members; i++)
		if (c[r->members[i]].followers >= NM_PLAN_BIG_FOLLOWERS)
			micro = false;
	snprintf(what, sizeof what, "%zu %screator%s", r->n_members, micro ? "micro " : "",
		 r->n_members == 1 ? "" : "s");
	if (r->alt_reason != NM_PLAN_ALT_FOUND)
		return snprintf(buf, size,
				"%s for the %s budget; no single account above 100k followers %s "
				"to compare with.",
				what, money,
				r->alt_reason == NM_PLAN_ALT_NONE_FITS ? "fits the budget"
								       : "is on niche");
	const struct nm_plan_candidate *alt = &c[r->alternative];
	const char *h = handle_of(alt);
	if (h)
		snprintf(who, sizeof who, "@%s", h);
	else
		snprintf(who, sizeof who, "the best account above 100k followers");
	const struct nm_plan_comparison *q = &r->comparison;
	if (k->goal == NM_GOAL_AWARENESS) {
		if (r->big_wins_on_reach)
			return snprintf(buf, size,
					"%s%s reaches %.1fx more people than the %s of this plan "
					"for the same %s: for pure awareness the big account wins "
					"on reach.",
					h ? "" : "One account, ", who,
					q->reach_ratio > 0 ? 1.0 / q->reach_ratio : 0.0, what,
					money);
		return snprintf(buf, size,
				"%s: %.1fx the reach of %s for the same %s, %.1fx the "
				"engagements.",
				what, q->reach_ratio, who, money, q->engagements_ratio);
	}
	if (q->engagements_ratio > 0 && q->engagements_ratio < 1.0)
		return snprintf(buf, size,
				"%s brings %.1fx the engagements of the %s in this plan for the "
				"same %s.",
				who, 1.0 / q->engagements_ratio, what, money);
	char cpe[64] = "";
	if (q->cost_per_engagement_ratio >= 1.0)
		snprintf(cpe, sizeof cpe, ", %.1fx cheaper per engagement",
			 q->cost_per_engagement_ratio);
	else if (q->cost_per_engagement_ratio > 0)
		snprintf(cpe, sizeof cpe, ", though %.1fx dearer per engagement",
			 1.0 / q->cost_per_engagement_ratio);
	return snprintf(buf, size, "%s: %.1fx the engagements of %s for the same %s%s.", what,
			q->engagements_ratio, who, money, cpe);
}
