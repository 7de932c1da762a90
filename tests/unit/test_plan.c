/* Unit tests for the budget planner (include/nm/plan.h): the solver against brute force on
 * thousands of random small pools, against a reference table on medium pools (which go
 * through the exact reduction), the acceptance cases (6.7x cheaper per engagement;
 * a 1M account that wins on reach), estimates, the price table against migration 0016.
 * Runs from the source directory. Fixed seeds: every run checks the same cases. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "nm/plan.h"

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double urand(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

static int64_t irand(int64_t lo, int64_t hi) /* inclusive */
{
	return lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1));
}

/* ---- brute force ---- */

struct brute {
	bool feasible;
	double best;
};

static struct brute brute_force(const struct nm_plan_candidate *c, size_t n,
				const struct nm_plan_constraints *k)
{
	int64_t cap = (int64_t)floor(k->max_share * (double)k->budget_cents);
	uint32_t must = 0, banned = 0;
	double v[32];
	for (size_t i = 0; i < n; i++) {
		v[i] = nm_plan_value(k->goal, c[i].expected_engagements, c[i].expected_reach,
				     c[i].score);
		if (c[i].must_include)
			must |= 1u << i;
		if (c[i].price_cents > cap)
			banned |= 1u << i;
	}
	struct brute b = {false, -1};
	if (must & banned)
		return b;
	/* Gray code: one creator in or out per step */
	int64_t cost = 0;
	int count = 0;
	double val = 0;
	uint32_t mask = 0;
	for (uint64_t step = 0; step < (1ull << n); step++) {
		if (step) {
			int bit = __builtin_ctzll(step);
			mask ^= 1u << bit;
			int sgn = (mask >> bit & 1) ? 1 : -1;
			cost += sgn * c[bit].price_cents;
			count += sgn;
			val += sgn * v[bit];
		}
		if ((mask & must) != must || (mask & banned) || cost > k->budget_cents ||
		    count > k->max_creators)
			continue;
		/* recompute the sum exactly for the comparison, not the running one */
		if (!b.feasible || val > b.best - 1e-6) {
			double s = 0;
			for (size_t i = 0; i < n; i++)
				if (mask >> i & 1)
					s += v[i];
			if (!b.feasible || s > b.best)
				b.best = s;
			b.feasible = true;
		}
	}
	return b;
}

static void random_pool(struct nm_plan_candidate *c, size_t n, bool dollars)
{
	for (size_t i = 0; i < n; i++) {
		memset(&c[i], 0, sizeof c[i]);
		c[i].id = irand(1, 1000000);
		c[i].price_cents = dollars ? irand(0, 3000) * 100 : irand(0, 300000);
		if (irand(0, 20) == 0)
			c[i].price_cents = 0;
		c[i].followers = irand(1000, 2000000);
		c[i].expected_engagements = urand() < 0.05 ? 0.0 : urand() * 5000.0;
		c[i].expected_reach = urand() * 200000.0;
		c[i].score = urand() * 100.0;
		c[i].must_include = irand(0, 15) == 0;
		c[i].big = c[i].followers > NM_PLAN_BIG_FOLLOWERS;
	}
	/* unique ids keep "ties by id" meaningful */
	for (size_t i = 0; i < n; i++)
		c[i].id = (int64_t)(i + 1) * 7919 + irand(0, 7000);
}

static void random_constraints(struct nm_plan_constraints *k, size_t n)
{
	static const enum nm_score_goal goals[] = {NM_GOAL_ENGAGEMENT, NM_GOAL_AWARENESS,
						   NM_GOAL_CONVERSIONS};
	k->goal = goals[irand(0, 2)];
	k->budget_cents = irand(1, 800000);
	k->max_creators = (int)irand(1, (int64_t)n + 2);
	if (k->max_creators > NM_PLAN_MAX_CREATORS)
		k->max_creators = NM_PLAN_MAX_CREATORS;
	k->max_share = irand(0, 3) == 0 ? 1.0 : 0.05 + 0.95 * urand();
}

static bool same_members(const struct nm_plan_candidate *a, const struct nm_plan_result *ra,
			 const struct nm_plan_candidate *b, const struct nm_plan_result *rb)
{
	if (ra->n_members != rb->n_members)
		return false;
	int64_t sa = 0, sb = 0, xa = 0, xb = 0; /* order-free fingerprints of the id sets */
	for (size_t i = 0; i < ra->n_members; i++) {
		sa += a[ra->members[i]].id;
		xa ^= a[ra->members[i]].id * 0x9e3779b97f4a7c15ll;
		sb += b[rb->members[i]].id;
		xb ^= b[rb->members[i]].id * 0x9e3779b97f4a7c15ll;
	}
	return sa == sb && xa == xb;
}

static void check_solution(const struct nm_plan_candidate *c, size_t n,
			   const struct nm_plan_constraints *k, const struct nm_plan_result *r,
			   int *bad)
{
	int64_t cap = (int64_t)floor(k->max_share * (double)k->budget_cents);
	int64_t cost = 0;
	double obj = 0;
	bool seen[32] = {0};
	for (size_t i = 0; i < r->n_members; i++) {
		const struct nm_plan_candidate *m = &c[r->members[i]];
		cost += m->price_cents;
		obj += nm_plan_value(k->goal, m->expected_engagements, m->expected_reach, m->score);
		if (m->price_cents > cap)
			(*bad)++;
		if (r->members[i] < 32) {
			if (seen[r->members[i]])
				(*bad)++; /* a creator twice */
			seen[r->members[i]] = true;
		}
	}
	if (cost > k->budget_cents || cost != r->totals.cost_cents)
		(*bad)++;
	if ((int)r->n_members > k->max_creators)
		(*bad)++;
	if (fabs(obj - r->totals.objective) > 1e-6 * (1 + obj))
		(*bad)++;
	for (size_t i = 0; i < n && n <= 32; i++)
		if (c[i].must_include && !seen[i])
			(*bad)++;
}

static void test_against_brute_force(void)
{
	rng_state = 20261127;
	struct nm_plan_candidate c[20], sh[20];
	int cases = 0, over = 0, worse = 0, inexact_wrong = 0, exact_claims = 0, bound_bad = 0,
	    status_bad = 0, nondet = 0, max_n_cases = 0;
	double worst_ratio = 1.0;
	for (int t = 0; t < 4000; t++) {
		size_t n = t < 3700 ? (size_t)irand(0, 14) : (size_t)irand(15, 20);
		bool dollars = irand(0, 1);
		random_pool(c, n, dollars);
		struct nm_plan_constraints k;
		random_constraints(&k, n);
		if (dollars && irand(0, 1))
			k.budget_cents = k.budget_cents / 100 * 100 + 100;
		struct brute b = brute_force(c, n, &k);
		struct nm_plan_result r;
		enum nm_plan_status st = nm_plan_solve(c, n, &k, &r);
		cases++;
		max_n_cases += n == 20;
		if ((st == NM_PLAN_OK) != b.feasible) {
			status_bad++;
			nm_plan_result_free(&r);
			continue;
		}
		if (st != NM_PLAN_OK) {
			CHECK(r.reason[0] != '\0');
			continue;
		}
		check_solution(c, n, &k, &r, &over);
		double obj = r.totals.objective;
		if (obj < 0.99 * b.best - 1e-9)
			worse++;
		if (b.best > 0 && obj / b.best < worst_ratio)
			worst_ratio = obj / b.best;
		if (obj > b.best + 1e-6 * (1 + b.best))
			over++; /* better than the optimum: a constraint was broken */
		if (r.exact) {
			exact_claims++;
			if (fabs(obj - b.best) > 1e-9 * (1 + b.best))
				inexact_wrong++;
		}
		if (r.upper_bound < b.best - 1e-6 * (1 + b.best) || r.gap < 0 ||
		    (b.best > 0 && r.gap + 1e-9 < (r.upper_bound - obj) / r.upper_bound))
			bound_bad++;
		/* the same set in another order: the same portfolio */
		memcpy(sh, c, n * sizeof *c);
		for (size_t i = n; i > 1; i--) {
			size_t j = (size_t)irand(0, (int64_t)i - 1);
			struct nm_plan_candidate x = sh[i - 1];
			sh[i - 1] = sh[j];
			sh[j] = x;
		}
		struct nm_plan_result r2;
		nm_plan_solve(sh, n, &k, &r2);
		if (!same_members(c, &r, sh, &r2) || r2.totals.objective != obj)
			nondet++;
		nm_plan_result_free(&r2);
		nm_plan_result_free(&r);
	}
	fprintf(stderr,
		"brute force: %d cases (%d of 20 creators), %d exact claims, worst ratio %.6f\n",
		cases, max_n_cases, exact_claims, worst_ratio);
	CHECK(status_bad == 0);
	CHECK(over == 0);
	CHECK(worse == 0);
	CHECK(inexact_wrong == 0);
	CHECK(bound_bad == 0);
	CHECK(nondet == 0);
	CHECK(exact_claims > 1000); /* whole-dollar pools are solved exactly */
}

/* ---- medium pools through the exact reduction, against a plain table ---- */

static double reference_dp(const struct nm_plan_candidate *c, size_t n,
			   const struct nm_plan_constraints *k)
{
	/* prices in whole dollars; no musts */
	int64_t cap = (int64_t)floor(k->max_share * (double)k->budget_cents);
	int K = k->max_creators;
	size_t W = (size_t)(k->budget_cents / 100);
	double *dp = malloc((size_t)(K + 1) * (W + 1) * sizeof *dp);
	for (size_t w = 0; w <= W; w++)
		dp[w] = 0;
	for (size_t x = W + 1; x < (size_t)(K + 1) * (W + 1); x++)
		dp[x] = -INFINITY;
	for (size_t i = 0; i < n; i++) {
		if (c[i].price_cents > cap)
			continue;
		size_t p = (size_t)(c[i].price_cents / 100);
		double v = nm_plan_value(k->goal, c[i].expected_engagements, c[i].expected_reach,
					 c[i].score);
		for (int kk = K; kk >= 1; kk--)
			for (size_t w = W; w + 1 > p; w--) {
				double cand = dp[(size_t)(kk - 1) * (W + 1) + w - p] + v;
				if (cand > dp[(size_t)kk * (W + 1) + w])
					dp[(size_t)kk * (W + 1) + w] = cand;
			}
	}
	double best = 0;
	for (int kk = 0; kk <= K; kk++)
		if (dp[(size_t)kk * (W + 1) + W] > best)
			best = dp[(size_t)kk * (W + 1) + W];
	free(dp);
	return best;
}

static void test_reduction_is_lossless(void)
{
	rng_state = 777;
	int bad = 0, wrong = 0, reduced = 0;
	for (int t = 0; t < 40; t++) {
		size_t n = (size_t)irand(300, 1500);
		struct nm_plan_candidate *c = malloc(n * sizeof *c);
		for (size_t i = 0; i < n; i++) {
			memset(&c[i], 0, sizeof c[i]);
			c[i].id = (int64_t)i + 1;
			/* prices correlated with engagements, as in real pools */
			double f = exp(log(1000) + urand() * log(3000));
			c[i].followers = (int64_t)f;
			c[i].expected_engagements = f * 0.02 * exp((urand() - 0.5));
			c[i].expected_reach = f * 0.15;
			c[i].price_cents = (int64_t)(f * 0.01 * exp(urand() - 0.5)) * 100 + 100;
			c[i].score = 20 + 80 * urand();
		}
		struct nm_plan_constraints k = {.goal = t % 3 == 1 ? NM_GOAL_AWARENESS
								   : NM_GOAL_ENGAGEMENT,
						.budget_cents = irand(5, 30) * 10000,
						.max_creators = (int)irand(2, 15),
						.max_share = 0.5};
		struct nm_plan_result r;
		CHECK(nm_plan_solve(c, n, &k, &r) == NM_PLAN_OK);
		check_solution(c, n, &k, &r, &bad);
		double ref = reference_dp(c, n, &k);
		reduced += r.after_prefilter < r.eligible;
		if (r.exact ? fabs(r.totals.objective - ref) > 1e-9 * ref
			    : r.totals.objective < 0.99 * ref || r.upper_bound < ref * (1 - 1e-9))
			wrong++;
		CHECK(r.exact);
		nm_plan_result_free(&r);
		free(c);
	}
	CHECK(bad == 0);
	CHECK(wrong == 0);
	CHECK(reduced == 40);
}

/* ---- acceptance 2 ---- */

static void test_cpe_ratio_6_7(void)
{
	rng_state = 67;
	enum { N_MICRO = 60, N_BIG = 5 };
	struct nm_plan_candidate c[N_MICRO + N_BIG];
	char handles[N_BIG][16];
	memset(c, 0, sizeof c);
	/* micro: about $250 for about 1,000 engagements (25 cents each); big: $5,000 for
	 * 20,000/6.7 engagements (167.5 cents each), both with ±5 % noise */
	for (int i = 0; i < N_MICRO; i++) {
		c[i].id = 100 + i;
		c[i].followers = 30000 + irand(-5000, 5000);
		c[i].price_cents = 25000;
		c[i].expected_engagements = 1000.0 * (0.95 + 0.1 * urand());
		c[i].expected_reach = c[i].followers * 0.18;
		c[i].score = 80;
	}
	for (int i = 0; i < N_BIG; i++) {
		struct nm_plan_candidate *b = &c[N_MICRO + i];
		b->id = 10 + i;
		b->followers = 600000 + 100000 * i;
		b->price_cents = 500000;
		b->expected_engagements = 20000.0 / 6.7 * (0.95 + 0.1 * urand());
		b->expected_reach = b->followers * 0.10;
		b->score = 80;
		b->big = true;
		snprintf(handles[i], sizeof handles[i], "@big%d", i);
		b->handle = handles[i];
	}
	struct nm_plan_constraints k = {.goal = NM_GOAL_ENGAGEMENT,
					.budget_cents = 500000,
					.max_creators = 20,
					.max_share = 0.5};
	struct nm_plan_result r;
	CHECK(nm_plan_solve(c, N_MICRO + N_BIG, &k, &r) == NM_PLAN_OK);
	CHECK(r.n_members == 20);
	CHECK(r.totals.cost_cents == 500000);
	CHECK(r.alt_reason == NM_PLAN_ALT_FOUND);
	CHECK(c[r.alternative].big);
	double q = r.comparison.cost_per_engagement_ratio;
	fprintf(stderr, "cost_per_engagement_ratio %.3f, engagements_ratio %.3f\n", q,
		r.comparison.engagements_ratio);
	CHECK(q >= 6.7 * 0.9 && q <= 6.7 * 1.1);
	char s[256];
	nm_plan_summary(c, &k, &r, s, sizeof s);
	fprintf(stderr, "summary: %s\n", s);
	CHECK(strncmp(s, "20 micro creators: ", 19) == 0);
	CHECK(strstr(s, "the engagements of @big") != NULL);
	CHECK(strstr(s, "for the same $5,000, ") != NULL);
	CHECK(strstr(s, "cheaper per engagement.") != NULL);
	CHECK(!r.big_wins_on_reach);
	nm_plan_result_free(&r);
}

static void estimated(struct nm_plan_candidate *c, int64_t id, int64_t followers, double er,
		      const char *handle)
{
	struct nm_plan_creator_in in = {.platform = NM_PLATFORM_INSTAGRAM,
					.followers = followers,
					.engagement_rate = er,
					.posts_count = 200,
					.price_cents = -1};
	struct nm_plan_estimate e;
	nm_plan_estimate(NULL, NULL, NULL, &in, &e);
	memset(c, 0, sizeof *c);
	c->id = id;
	c->followers = followers;
	c->price_cents = e.price_cents;
	c->price_estimated = true;
	c->expected_engagements = e.expected_engagements;
	c->expected_reach = e.expected_reach;
	c->score = 70;
	c->big = followers > NM_PLAN_BIG_FOLLOWERS;
	c->handle = handle;
}

static void test_awareness_big_wins(void)
{
	/* A thin niche: six tier-typical micro creators and one tier-typical 1M account whose
	 * estimated price ($10,000) fits the budget. */
	struct nm_plan_candidate c[7];
	for (int i = 0; i < 6; i++)
		estimated(&c[i], 100 + i, 30000, 0.0226, NULL);
	estimated(&c[6], 5, 1000000, 0.0121, "megastar");
	CHECK(c[6].price_cents == 1000000);
	struct nm_plan_constraints k = {.goal = NM_GOAL_AWARENESS,
					.budget_cents = 1000000,
					.max_creators = 20,
					.max_share = 0.5};
	struct nm_plan_result r;
	CHECK(nm_plan_solve(c, 7, &k, &r) == NM_PLAN_OK);
	CHECK(r.n_members == 6);
	CHECK(r.alt_reason == NM_PLAN_ALT_FOUND && r.alternative == 6);
	CHECK(r.big_wins_on_reach);
	CHECK(r.comparison.reach_ratio < 1.0);
	char s[256];
	nm_plan_summary(c, &k, &r, s, sizeof s);
	fprintf(stderr, "summary: %s\n", s);
	CHECK(strstr(s, "@megastar reaches") == s);
	CHECK(strstr(s, "the big account wins on reach") != NULL);
	nm_plan_result_free(&r);

	/* With enough micro creators the plan out-reaches it, and says so. */
	struct nm_plan_candidate d[41];
	for (int i = 0; i < 40; i++)
		estimated(&d[i], 100 + i, 30000, 0.0226, NULL);
	estimated(&d[40], 5, 1000000, 0.0121, "megastar");
	CHECK(nm_plan_solve(d, 41, &k, &r) == NM_PLAN_OK);
	CHECK(!r.big_wins_on_reach);
	nm_plan_summary(d, &k, &r, s, sizeof s);
	CHECK(strstr(s, "20 micro creators: ") == s);
	CHECK(strstr(s, "the reach of @megastar") != NULL);
	nm_plan_result_free(&r);
}

/* ---- failures and edges ---- */

static void test_must_include_and_errors(void)
{
	struct nm_plan_candidate c[3];
	memset(c, 0, sizeof c);
	for (int i = 0; i < 3; i++) {
		c[i].id = i + 1;
		c[i].price_cents = 40000;
		c[i].expected_engagements = 100;
		c[i].expected_reach = 1000;
		c[i].score = 50;
	}
	struct nm_plan_constraints k = {NM_GOAL_ENGAGEMENT, 100000, 2, 0.5};
	struct nm_plan_result r;
	c[0].must_include = c[1].must_include = c[2].must_include = true;
	CHECK(nm_plan_solve(c, 3, &k, &r) == NM_PLAN_EMUST_COUNT);
	CHECK(strstr(r.reason, "max_creators") != NULL);
	CHECK(r.members == NULL);
	k.max_creators = 3;
	CHECK(nm_plan_solve(c, 3, &k, &r) == NM_PLAN_EMUST_BUDGET);
	CHECK(strstr(r.reason, "budget") != NULL);
	c[2].must_include = false;
	c[1].price_cents = 60000;
	CHECK(nm_plan_solve(c, 3, &k, &r) == NM_PLAN_EMUST_SHARE);
	CHECK(strstr(r.reason, "creator 2 ") != NULL);
	c[1].price_cents = 40000;
	CHECK(nm_plan_solve(c, 3, &k, &r) == NM_PLAN_OK);
	CHECK(r.n_members == 2 && r.totals.cost_cents == 80000); /* the third does not fit */
	CHECK(strcmp(r.method, "musts-only") == 0);
	nm_plan_result_free(&r);

	struct nm_plan_constraints bad[] = {
		{NM_GOAL_ENGAGEMENT, 0, 5, 0.5},     {NM_GOAL_ENGAGEMENT, 100, 0, 0.5},
		{NM_GOAL_ENGAGEMENT, 100, 101, 0.5}, {NM_GOAL_ENGAGEMENT, 100, 5, 0.0},
		{NM_GOAL_ENGAGEMENT, 100, 5, 1.5},   {NM_GOAL_ENGAGEMENT, 100, 5, NAN},
		{(enum nm_score_goal)7, 100, 5, 0.5}};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK(nm_plan_solve(c, 3, &bad[i], &r) == NM_PLAN_EINVAL);
		CHECK(r.reason[0] != '\0');
	}
	/* empty pool, no alternative */
	CHECK(nm_plan_solve(NULL, 0, &k, &r) == NM_PLAN_OK);
	CHECK(r.n_members == 0 && r.alt_reason == NM_PLAN_ALT_NO_BIG);
	char s[200];
	nm_plan_summary(NULL, &k, &r, s, sizeof s);
	CHECK_STR(s, "No creator fits the $1,000 budget under these constraints.");
	nm_plan_result_free(&r);
	/* a big account above the budget */
	c[0].must_include = c[1].must_include = false;
	c[2].big = true;
	c[2].price_cents = 200000;
	CHECK(nm_plan_solve(c, 3, &k, &r) == NM_PLAN_OK);
	CHECK(r.alt_reason == NM_PLAN_ALT_NONE_FITS);
	nm_plan_summary(c, &k, &r, s, sizeof s);
	CHECK(strstr(s, "fits the budget") != NULL);
	nm_plan_result_free(&r);
	/* NaN figures are never picked */
	c[0].expected_engagements = NAN;
	CHECK(nm_plan_solve(c, 3, &k, &r) == NM_PLAN_OK);
	CHECK(r.n_members == 1 && r.members[0] == 1);
	nm_plan_result_free(&r);
}

static void test_money(void)
{
	char b[32];
	nm_plan_format_money(500000, b, sizeof b);
	CHECK_STR(b, "$5,000");
	nm_plan_format_money(123456789, b, sizeof b);
	CHECK_STR(b, "$1,234,567.89");
	nm_plan_format_money(5, b, sizeof b);
	CHECK_STR(b, "$0.05");
	nm_plan_format_money(100000000, b, sizeof b);
	CHECK_STR(b, "$1,000,000");
}

/* ---- estimates ---- */

static void test_estimates(void)
{
	struct nm_plan_estimate e;
	struct nm_plan_creator_in in = {NM_PLATFORM_INSTAGRAM, 50000, 0.0226, 100, -1};
	nm_plan_estimate(NULL, NULL, NULL, &in, &e);
	CHECK(e.tier == NM_TIER_MICRO && e.band == NM_PLAN_BAND_TYPICAL);
	CHECK(e.price_source == NM_PLAN_PRICE_ESTIMATED);
	CHECK(e.price_cents == 35400); /* 50 × 707 ¢ = $353.50 → $354 */
	CHECK(!e.thin);
	CHECK_NEAR(e.expected_engagements, 1130.0, 1e-9);
	CHECK_NEAR(e.expected_reach, 9000.0, 1e-9);
	/* thin: 10 posts → one third own rate, two thirds the benchmark */
	in.engagement_rate = 0.0826;
	in.posts_count = 10;
	nm_plan_estimate(NULL, NULL, NULL, &in, &e);
	CHECK(e.thin);
	CHECK_NEAR(e.rate_used, 0.0826 / 3 + 0.0226 * 2 / 3, 1e-12);
	CHECK(e.band == NM_PLAN_BAND_HIGH); /* 3.65× the median */
	CHECK(e.price_cents == 44200);	    /* 50 × 884 ¢ */
	/* unknown post count: half and half; unknown rate: the benchmark */
	in.posts_count = -1;
	nm_plan_estimate(NULL, NULL, NULL, &in, &e);
	CHECK_NEAR(e.rate_used, 0.0526, 1e-12);
	in.engagement_rate = -1;
	nm_plan_estimate(NULL, NULL, NULL, &in, &e);
	CHECK_NEAR(e.rate_used, 0.0226, 1e-12);
	CHECK(e.thin && e.band == NM_PLAN_BAND_TYPICAL);
	/* low band */
	in.engagement_rate = 0.005;
	in.posts_count = 50;
	nm_plan_estimate(NULL, NULL, NULL, &in, &e);
	CHECK(e.band == NM_PLAN_BAND_LOW && e.price_cents == 26500); /* 50 × 530 ¢ */
	/* a given price wins over everything; the override over the table */
	int64_t over[NM_TIER_COUNT] = {-1, 30000, -1, -1, -1};
	nm_plan_estimate(NULL, NULL, over, &in, &e);
	CHECK(e.price_source == NM_PLAN_PRICE_OVERRIDE && e.price_cents == 30000);
	in.price_cents = 12345;
	nm_plan_estimate(NULL, NULL, over, &in, &e);
	CHECK(e.price_source == NM_PLAN_PRICE_GIVEN && e.price_cents == 12345);
	/* tiny accounts cost at least $1; a 1M account is tier-typical $10,000 */
	struct nm_plan_creator_in t = {NM_PLATFORM_TIKTOK, 10, 0.1, 100, -1};
	nm_plan_estimate(NULL, NULL, NULL, &t, &e);
	CHECK(e.price_cents == 100);
	struct nm_plan_creator_in m = {NM_PLATFORM_INSTAGRAM, 1000000, 0.0121, 100, -1};
	nm_plan_estimate(NULL, NULL, NULL, &m, &e);
	CHECK(e.price_cents == 1000000 && e.tier == NM_TIER_MEGA);
	CHECK_NEAR(e.expected_reach, 80000.0, 1e-9);
	/* reach fractions fall with the tier */
	for (int i = 1; i < NM_TIER_COUNT; i++)
		CHECK(nm_plan_reach_fraction((enum nm_tier)i) <
		      nm_plan_reach_fraction((enum nm_tier)(i - 1)));
	/* the objective */
	CHECK_NEAR(nm_plan_value(NM_GOAL_ENGAGEMENT, 1000, 5, 100), 1000, 1e-12);
	CHECK_NEAR(nm_plan_value(NM_GOAL_CONVERSIONS, 1000, 5, 0), 500, 1e-12);
	CHECK_NEAR(nm_plan_value(NM_GOAL_AWARENESS, 1000, 5, 0), 5, 1e-12);
	/* a loaded table cell; bad names and values refused */
	struct nm_plan_prices p;
	nm_plan_prices_init(&p);
	CHECK(nm_plan_prices_set(&p, "tiktok", "micro", "typical", 999));
	CHECK(nm_plan_price_rate(&p, NM_PLATFORM_TIKTOK, NM_TIER_MICRO, NM_PLAN_BAND_TYPICAL) ==
	      999);
	CHECK(!nm_plan_prices_set(&p, "tiktok", "micro", "medium", 999));
	CHECK(!nm_plan_prices_set(&p, "tiktok", "micro", "low", 0));
	CHECK(!nm_plan_prices_set(&p, "myspace", "micro", "low", 10));
}

static void test_prices_match_migration(void)
{
	FILE *fp = fopen("migrations/0016_price_estimates.sql", "r");
	CHECK(fp != NULL);
	if (!fp)
		return;
	char line[2048];
	int rows = 0, mismatches = 0;
	while (fgets(line, sizeof line, fp)) {
		char plat[32], tier[32], band[32];
		long long cents;
		if (sscanf(line, " ('%31[a-z]', '%31[a-z]', '%31[a-z]', %lld,", plat, tier, band,
			   &cents) != 4)
			continue;
		enum nm_platform p;
		enum nm_tier t;
		enum nm_plan_band b;
		bool parsed = nm_platform_parse(plat, &p) && nm_tier_parse(tier, &t) &&
			      nm_plan_band_parse(band, &b);
		CHECK(parsed);
		if (!parsed)
			continue;
		rows++;
		if (nm_plan_price_rate(NULL, p, t, b) != cents) {
			mismatches++;
			fprintf(stderr, "price %s/%s/%s: C %d, SQL %lld\n", plat, tier, band,
				nm_plan_price_rate(NULL, p, t, b), cents);
		}
	}
	fclose(fp);
	CHECK(rows == NM_PLATFORM_COUNT * NM_TIER_COUNT * NM_PLAN_BAND_COUNT);
	CHECK(mismatches == 0);
}

int main(void)
{
	test_money();
	test_estimates();
	test_prices_match_migration();
	test_must_include_and_errors();
	test_cpe_ratio_6_7();
	test_awareness_big_wins();
	test_reduction_is_lossless();
	test_against_brute_force();
	CHECK_DONE();
}
