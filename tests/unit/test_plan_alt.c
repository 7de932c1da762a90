/* Unit tests for alt_only candidates (include/nm/plan.h): a creator the endpoint ranked
 * only as a possible single-account alternative (above 100k followers, outside the
 * brand's range) is never put in the portfolio, on the small path and on the reduction
 * path (> 256 candidates), yet can be the alternative; as must-include it is in. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "nm/plan.h"

static bool in_portfolio(const struct nm_plan_result *r, size_t idx)
{
	for (size_t i = 0; i < r->n_members; i++)
		if (r->members[i] == idx)
			return true;
	return false;
}

/* n micro creators (value 100 at $100) and, at index 0, a big account that would be the
 * best pick by far: 10,000 engagements for $500. */
static struct nm_plan_candidate *pool(size_t n)
{
	struct nm_plan_candidate *c = calloc(n, sizeof *c);
	for (size_t i = 0; i < n; i++)
		c[i] = (struct nm_plan_candidate){.id = (int64_t)i + 1,
						  .price_cents = 10000,
						  .expected_engagements = 100,
						  .expected_reach = 1000,
						  .score = 100,
						  .followers = 20000};
	c[0] = (struct nm_plan_candidate){.id = 1,
					  .price_cents = 50000,
					  .big = true,
					  .alt_only = true,
					  .expected_engagements = 10000,
					  .expected_reach = 100000,
					  .score = 100,
					  .followers = 500000};
	return c;
}

static void check_case(size_t n)
{
	struct nm_plan_candidate *c = pool(n);
	struct nm_plan_constraints k = {.goal = NM_GOAL_ENGAGEMENT,
					.budget_cents = 100000,
					.max_creators = 20,
					.max_share = 1.0};
	struct nm_plan_result r;
	CHECK(nm_plan_solve(c, n, &k, &r) == NM_PLAN_OK);
	CHECK(!in_portfolio(&r, 0));
	CHECK(r.n_members == 10); /* $1,000 / $100 */
	CHECK(r.totals.cost_cents == 100000);
	CHECK(r.alt_reason == NM_PLAN_ALT_FOUND && r.alternative == 0);
	nm_plan_result_free(&r);

	/* without the flag the big account is in the portfolio: the test can fail */
	c[0].alt_only = false;
	CHECK(nm_plan_solve(c, n, &k, &r) == NM_PLAN_OK);
	CHECK(in_portfolio(&r, 0));
	nm_plan_result_free(&r);

	/* must-include wins over alt_only */
	c[0].alt_only = true;
	c[0].must_include = true;
	CHECK(nm_plan_solve(c, n, &k, &r) == NM_PLAN_OK);
	CHECK(in_portfolio(&r, 0));
	CHECK(r.totals.cost_cents <= k.budget_cents);
	nm_plan_result_free(&r);
	free(c);
}

int main(void)
{
	check_case(12);	  /* the plain path */
	check_case(3000); /* the exact reduction (prefilter) path */
	CHECK_DONE();
}
