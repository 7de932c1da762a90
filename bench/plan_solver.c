/* Micro-benchmark of the budget planner's solver (issue 14, acceptance 4): a $50,000 plan
 * over 1,000,000 candidate creators, 20 creators at most, share cap 0.5, engagement goal.
 * Candidates are synthetic but shaped like the real pool: followers log-uniform 1k–5M over
 * Instagram/TikTok/YouTube, engagement rates log-normal around the tier benchmark, 30 %
 * with a given price (the table estimate ±50 %, in cents), the rest estimated (whole
 * dollars), scores 20–95. Building the candidates is not timed; each run is
 * nm_plan_solve() alone (the pure part of POST /v1/brands/{id}/plans).
 *
 * usage: plan_solver [N [RUNS]]   (defaults 1000000 and 11)
 * Wall and process CPU time are both reported: on a loaded machine the CPU figure is
 * the stable one.
 * Prints: plan_solver: n=N runs=R p50_ms=A cpu_p50_ms=P min_ms=B max_ms=C exact=E gap=G eligible=..
 *         after_prefilter=.. method=.. creators=.. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nm/plan.h"

static uint64_t state = 42;

static double urand(void)
{
	uint64_t z = (state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (double)((z ^ (z >> 31)) >> 11) / 9007199254740992.0;
}

static double now_ms(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1000000;
	int runs = argc > 2 ? atoi(argv[2]) : 11;
	if (runs < 1)
		runs = 1;
	struct nm_plan_candidate *c = calloc(n ? n : 1, sizeof *c);
	double *t = calloc((size_t)runs, sizeof *t), *cpu = calloc((size_t)runs, sizeof *cpu);
	if (!c || !t || !cpu)
		return 1;
	static const enum nm_platform plats[] = {NM_PLATFORM_INSTAGRAM, NM_PLATFORM_TIKTOK,
						 NM_PLATFORM_YOUTUBE};
	for (size_t i = 0; i < n; i++) {
		struct nm_plan_creator_in in;
		in.platform = plats[(size_t)(urand() * 3) % 3];
		in.followers = (int64_t)exp(log(1000.0) + urand() * log(5000.0));
		double med = nm_score_bench_rate(NULL, in.platform, nm_tier_of(in.followers));
		/* log-normal, sigma ~0.6, via the sum of uniforms */
		double z = (urand() + urand() + urand() + urand() - 2.0) * 1.73;
		in.engagement_rate = fmin(1.0, med * exp(0.6 * z));
		in.posts_count = (int64_t)(urand() * 200);
		in.price_cents = -1;
		struct nm_plan_estimate e;
		nm_plan_estimate(NULL, NULL, NULL, &in, &e);
		bool given = urand() < 0.3;
		c[i].id = (int64_t)i + 1;
		c[i].price_cents =
			given ? (int64_t)((double)e.price_cents * (0.5 + urand())) : e.price_cents;
		c[i].price_estimated = !given;
		c[i].expected_engagements = e.expected_engagements;
		c[i].expected_reach = e.expected_reach;
		c[i].score = 20 + 75 * urand();
		c[i].followers = in.followers;
		c[i].big = in.followers > NM_PLAN_BIG_FOLLOWERS;
	}
	struct nm_plan_constraints k = {NM_GOAL_ENGAGEMENT, 5000000, 20, 0.5};
	struct nm_plan_result r = {0};
	for (int i = 0; i < runs; i++) {
		nm_plan_result_free(&r);
		double t0 = now_ms(CLOCK_MONOTONIC), c0 = now_ms(CLOCK_PROCESS_CPUTIME_ID);
		nm_plan_solve(c, n, &k, &r);
		t[i] = now_ms(CLOCK_MONOTONIC) - t0;
		cpu[i] = now_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
	}
	qsort(t, (size_t)runs, sizeof *t, cmp_d);
	qsort(cpu, (size_t)runs, sizeof *cpu, cmp_d);
	char s[300];
	nm_plan_summary(c, &k, &r, s, sizeof s);
	printf("plan_solver: n=%zu runs=%d p50_ms=%.1f cpu_p50_ms=%.1f min_ms=%.1f max_ms=%.1f "
	       "exact=%d gap=%.5f "
	       "eligible=%zu after_prefilter=%zu method=%s creators=%zu objective=%.1f "
	       "bound=%.1f\n",
	       n, runs, t[runs / 2], cpu[runs / 2], t[0], t[runs - 1], r.exact, r.gap, r.eligible,
	       r.after_prefilter, r.method, r.n_members, r.totals.objective, r.upper_bound);
	printf("plan_solver: %s\n", s);
	nm_plan_result_free(&r);
	free(c);
	free(t);
	free(cpu);
	return 0;
}
