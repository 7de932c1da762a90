/* Unit tests of the pure parts of match pages (issue 12): authenticity and data flags
 * (src/score/flags.c), explanations and the reasons made from them, points that sum to the
 * score, and the required-countries rule (src/score/score.c). */
#include "check.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "nm/flags.h"
#include "nm/score.h"

static uint64_t rng_state = 0x2545F4914F6CDD1Du;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545F4914F6CDD1Du;
}

static double rnd01(void)
{
	return (double)(rnd() >> 11) * (1.0 / 9007199254740992.0);
}

/* An on-niche Instagram micro creator at the benchmark with every field known: no flag. */
static struct nm_score_features base(void)
{
	struct nm_score_features f;
	memset(&f, 0, sizeof f);
	f.id = 1;
	f.platform = NM_PLATFORM_INSTAGRAM;
	f.followers = 40000;
	f.following = 800;
	f.engagement_rate = 0.0226;
	f.price_cents = 25000;
	f.audience_female_share = 0.6f;
	f.follower_growth_30d = 0.02f;
	f.days_since_post = 3;
	memcpy(f.country, "US", 2);
	memcpy(f.language, "en", 2);
	f.n_aud = 2;
	f.aud[0] = (struct nm_score_aud){{'U', 'S'}, 5000};
	f.aud[1] = (struct nm_score_aud){{'G', 'B'}, 2000};
	f.niche_cat = 1;
	return f;
}

#define BIT(flag) (1u << (flag))

static double median(const struct nm_score_features *f)
{
	return nm_score_bench_rate(NULL, (enum nm_platform)f->platform, nm_tier_of(f->followers));
}

static void test_flags(void)
{
	struct nm_score_features f = base();
	CHECK(nm_score_flags(NULL, &f) == 0);

	f.engagement_rate = 0.2 * median(&f);
	CHECK(nm_score_flags(NULL, &f) == BIT(NM_FLAG_ENGAGEMENT_FAR_BELOW_TIER));
	f.engagement_rate = 0.4 * median(&f);
	CHECK(nm_score_flags(NULL, &f) == BIT(NM_FLAG_ENGAGEMENT_BELOW_HALF_TIER));
	f.engagement_rate = 0.5 * median(&f);
	CHECK(nm_score_flags(NULL, &f) == 0);
	f.engagement_rate = -1;
	CHECK(nm_score_flags(NULL, &f) == BIT(NM_FLAG_NO_ENGAGEMENT_RATE));

	f = base();
	f.following = 40000; /* ratio 1 */
	CHECK(nm_score_flags(NULL, &f) == BIT(NM_FLAG_FOLLOW_RATIO));
	f.following = 20000; /* exactly 0.5: not yet */
	CHECK(nm_score_flags(NULL, &f) == 0);
	f.following = -1; /* unknown is never evidence */
	CHECK(nm_score_flags(NULL, &f) == 0);

	f = base();
	f.follower_growth_30d = 0.55f;
	f.engagement_rate = 0.3 * median(&f);
	CHECK(nm_score_flags(NULL, &f) ==
	      (BIT(NM_FLAG_GROWTH_SPIKE) | BIT(NM_FLAG_ENGAGEMENT_BELOW_HALF_TIER)));
	f.engagement_rate = median(&f); /* growth matched by engagement */
	CHECK(nm_score_flags(NULL, &f) == 0);
	f.follower_growth_30d = NAN;
	f.engagement_rate = 0.3 * median(&f);
	CHECK(nm_score_flags(NULL, &f) == BIT(NM_FLAG_ENGAGEMENT_BELOW_HALF_TIER));

	f = base();
	f.price_cents = -1;
	f.days_since_post = NM_SCORE_DAYS_UNKNOWN;
	CHECK(nm_score_flags(NULL, &f) == (BIT(NM_FLAG_NO_PRICE) | BIT(NM_FLAG_NO_LAST_POST)));
	f.days_since_post = 60;
	CHECK(nm_score_flags(NULL, &f) == BIT(NM_FLAG_NO_PRICE));
	f.days_since_post = 61;
	CHECK(nm_score_flags(NULL, &f) == (BIT(NM_FLAG_NO_PRICE) | BIT(NM_FLAG_INACTIVE)));

	/* the benchmarks decide: a TikTok creator is judged against TikTok's median */
	struct nm_score_bench b;
	nm_score_bench_init(&b);
	f = base();
	CHECK(nm_score_bench_set(&b, "instagram", "micro", 0.2));
	CHECK(nm_score_flags(&b, &f) == BIT(NM_FLAG_ENGAGEMENT_FAR_BELOW_TIER));

	CHECK_STR(nm_flag_code(NM_FLAG_ENGAGEMENT_FAR_BELOW_TIER), "engagement_far_below_tier");
	CHECK_STR(nm_flag_code(NM_FLAG_FOLLOW_RATIO), "follow_ratio");
	CHECK_STR(nm_flag_code(NM_FLAG_GROWTH_SPIKE), "growth_spike");
	CHECK_STR(nm_flag_code(NM_FLAG_NO_PRICE), "no_price");
	CHECK_STR(nm_flag_code(NM_FLAG_COUNT), "");
	for (int i = 0; i < NM_FLAG_COUNT; i++)
		for (int j = 0; j < i; j++)
			CHECK(strcmp(nm_flag_code((enum nm_flag)i), nm_flag_code((enum nm_flag)j)));
}

static const struct nm_score_expl *find(const struct nm_score_expl *e, size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(e[i].code, code) == 0)
			return &e[i];
	return NULL;
}

static void test_explanations(void)
{
	struct nm_score_query q;
	nm_score_query_init(&q, NM_GOAL_ENGAGEMENT);
	nm_score_query_add_country(&q, "US");
	q.budget_per_post_cents = 20000;
	struct nm_score_features f = base();
	f.following = 60000; /* ratio 1.5 */
	char buf[1024];
	struct nm_score_expl e[NM_SCORE_EXPL_MAX];
	const char *terms[] = {"fitness"};
	size_t n = nm_score_explain(&q, &f, terms, 1, buf, sizeof buf, e, NM_SCORE_EXPL_MAX);
	CHECK(n >= 7);
	CHECK_STR(e[0].code, "niche_match");
	CHECK(e[0].comp == NM_COMP_NICHE);
	CHECK_STR(e[0].text, "Posts about fitness");
	CHECK_NEAR(e[0].value, 1.0, 1e-12);
	CHECK_NEAR(e[0].benchmark, 1.0, 1e-12);
	const struct nm_score_expl *x = find(e, n, "engagement_vs_tier");
	CHECK(x && x->comp == NM_COMP_ENGAGEMENT);
	CHECK(x && x->value == f.engagement_rate && x->benchmark == median(&f));
	x = find(e, n, "follow_ratio");
	CHECK(x && x->comp == NM_COMP_AUTHENTICITY && x->value == 1.5 && x->benchmark == 0.5);
	x = find(e, n, "over_budget");
	CHECK(x && x->value == 25000 && x->benchmark == 20000);
	x = find(e, n, "audience_in_target_countries");
	CHECK(x && x->value == 0.5 && x->benchmark == 0.5);
	x = find(e, n, "tier_size");
	CHECK(x && x->comp == NM_COMP_TIER_FIT && x->value == 40000 && isnan(x->benchmark));
	x = find(e, n, "last_post");
	CHECK(x && x->value == 3 && x->benchmark == 14);

	/* the reasons are the explanations' sentences, in order */
	char buf2[1024];
	const char *r[NM_SCORE_EXPL_MAX];
	size_t nr = nm_score_reasons(&q, &f, terms, 1, buf2, sizeof buf2, r, NM_SCORE_EXPL_MAX);
	CHECK(nr == n);
	for (size_t i = 0; i < n && i < nr; i++)
		CHECK_STR(r[i], e[i].text);

	/* a small max and a small buffer drop explanations whole */
	CHECK(nm_score_explain(&q, &f, terms, 1, buf, sizeof buf, e, 2) == 2);
	n = nm_score_explain(&q, &f, terms, 1, buf, 30, e, NM_SCORE_EXPL_MAX);
	CHECK(n == 1);
	CHECK_STR(e[0].text, "Posts about fitness");
	CHECK(nm_score_explain(&q, &f, terms, 1, buf, 0, e, NM_SCORE_EXPL_MAX) == 0);

	/* every flag of random creators is stated by an explanation with its code */
	for (int k = 0; k < 5000; k++) {
		struct nm_score_features g = base();
		g.engagement_rate = rnd() % 8 ? rnd01() * 0.1 : -1;
		g.following = rnd() % 3 ? (int32_t)(rnd01() * 80000) : -1;
		g.follower_growth_30d = rnd() % 2 ? (float)rnd01() : NAN;
		g.price_cents = rnd() % 4 ? (int32_t)(rnd() % 100000) : -1;
		g.days_since_post = rnd() % 5 ? (uint16_t)(rnd() % 300) : NM_SCORE_DAYS_UNKNOWN;
		g.followers = (uint32_t)(1000 + rnd() % 2000000);
		unsigned fl = nm_score_flags(NULL, &g);
		n = nm_score_explain(&q, &g, NULL, 0, buf, sizeof buf, e, NM_SCORE_EXPL_MAX);
		for (int i = 0; i < NM_FLAG_COUNT; i++)
			if (fl & BIT(i))
				CHECK(find(e, n, nm_flag_code((enum nm_flag)i)) != NULL);
	}
}

static void test_points(void)
{
	for (int i = 0; i < 20000; i++) {
		enum nm_score_goal goal = (enum nm_score_goal)(rnd() % NM_GOAL_COUNT);
		struct nm_score_query q;
		nm_score_query_init(&q, goal);
		struct nm_score_features f = base();
		f.engagement_rate = rnd01() * 0.2;
		f.followers = (uint32_t)(1000 + rnd() % 3000000);
		f.price_cents = (int32_t)(rnd() % 500000);
		f.days_since_post = (uint16_t)(rnd() % 400);
		f.niche_tag = (uint8_t)(rnd() % 3);
		double comp[NM_COMP_COUNT], points[NM_COMP_COUNT];
		double score = nm_score_creator(&q, &f, comp);
		nm_score_points(goal, comp, points);
		double sum = 0;
		for (int c = 0; c < NM_COMP_COUNT; c++) {
			double exact = nm_score_weight(goal, (enum nm_score_comp)c) * comp[c] * 100;
			CHECK(fabs(points[c] - exact) < 0.01 + 1e-9);
			CHECK(fabs(points[c] * 100 - round(points[c] * 100)) < 1e-6);
			sum += points[c];
		}
		CHECK(fabs(sum - score) < 1e-6);
	}
	/* every component full: the points are the weights × 100 */
	double full[NM_COMP_COUNT], points[NM_COMP_COUNT];
	for (int c = 0; c < NM_COMP_COUNT; c++)
		full[c] = 1.0;
	nm_score_points(NM_GOAL_ENGAGEMENT, full, points);
	CHECK_NEAR(points[NM_COMP_ENGAGEMENT], 35.0, 1e-9);
	CHECK_NEAR(points[NM_COMP_NICHE], 20.0, 1e-9);
}

static void test_country_required(void)
{
	struct nm_score_query q;
	nm_score_query_init(&q, NM_GOAL_ENGAGEMENT);
	nm_score_query_add_country(&q, "gb");
	q.require_countries = true;
	q.min_audience_share = 5000;
	struct nm_score_features f = base(); /* US, audience US 50 % GB 20 % */
	CHECK(!nm_score_country_ok(&q, &f));
	q.min_audience_share = 2000;
	CHECK(nm_score_country_ok(&q, &f));
	q.min_audience_share = 2001;
	CHECK(!nm_score_country_ok(&q, &f));
	memcpy(f.country, "GB", 2); /* based in a target: the audience does not matter */
	CHECK(nm_score_country_ok(&q, &f));
	f.n_aud = 0;
	CHECK(nm_score_country_ok(&q, &f));
	memset(f.country, 0, 2); /* nothing known: cannot be shown to be in a target */
	CHECK(!nm_score_country_ok(&q, &f));
	q.min_audience_share = 0; /* even a zero share needs audience data */
	CHECK(!nm_score_country_ok(&q, &f));
	nm_score_query_add_country(&q, "US");
	f = base();
	q.min_audience_share = 7000; /* US 50 % + GB 20 % */
	memcpy(f.country, "FR", 2);
	CHECK(nm_score_country_ok(&q, &f));
}

/* The ratio GET /v1/creators/{id} shows beside the benchmark. */
static void test_er_vs_bench(void)
{
	struct nm_score_features f;
	memset(&f, 0, sizeof f);
	f.platform = NM_PLATFORM_INSTAGRAM;
	f.followers = 40000; /* micro: median 2.26 % */
	f.engagement_rate = 0.0226 / 5;
	CHECK_NEAR(nm_score_er_vs_bench(NULL, &f), 0.2, 1e-9);
	struct nm_score_bench b;
	nm_score_bench_init(&b);
	CHECK(nm_score_bench_set(&b, "instagram", "micro", 0.10));
	f.engagement_rate = 0.02;
	CHECK_NEAR(nm_score_er_vs_bench(&b, &f), 0.2, 1e-9);
	f.engagement_rate = -1.0;
	CHECK(nm_score_er_vs_bench(NULL, &f) < 0.0);
}

int main(void)
{
	test_er_vs_bench();
	test_flags();
	test_explanations();
	test_points();
	test_country_required();
	CHECK_DONE();
}
