/* Unit tests of nm_score_flags (nm/flags.h): each flag fires exactly when the matching
 * authenticity reason of nm_score_reasons does, over random creators, so that the
 * thresholds flags.c repeats cannot drift from score.c's. */
#include "check.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "nm/flags.h"
#include "nm/score.h"

static uint64_t rng = 0x2545F4914F6CDD1Du;

static double rnd01(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return ((rng * 0x2545F4914F6CDD1Du) >> 11) * (1.0 / 9007199254740992.0);
}

static bool has_reason(const struct nm_score_query *q, const struct nm_score_features *f,
		       const char *needle)
{
	char buf[2048];
	const char *r[16];
	size_t n = nm_score_reasons(q, f, NULL, 0, buf, sizeof buf, r, 16);
	for (size_t i = 0; i < n; i++)
		if (strstr(r[i], needle))
			return true;
	return false;
}

static struct nm_score_features random_creator(void)
{
	struct nm_score_features f;
	memset(&f, 0, sizeof f);
	f.id = 1;
	f.platform = (uint8_t)(rnd01() * NM_PLATFORM_COUNT);
	f.followers = (uint32_t)pow(10.0, 2.0 + 5.0 * rnd01());
	f.following = rnd01() < 0.2 ? -1 : (int32_t)(f.followers * 2.0 * rnd01());
	f.engagement_rate = rnd01() < 0.2 ? -1.0 : 0.08 * rnd01() * rnd01();
	f.price_cents = rnd01() < 0.3 ? -1 : (int32_t)(100000 * rnd01());
	f.follower_growth_30d = rnd01() < 0.2 ? NAN : (float)(rnd01() - 0.2);
	f.audience_female_share = -1.0f;
	f.days_since_post = NM_SCORE_DAYS_UNKNOWN;
	return f;
}

static void test_codes(void)
{
	CHECK_STR(nm_flag_code(NM_FLAG_ENGAGEMENT_FAR_BELOW_TIER), "engagement_far_below_tier");
	CHECK_STR(nm_flag_code(NM_FLAG_FOLLOW_RATIO), "follow_ratio");
	CHECK_STR(nm_flag_code(NM_FLAG_GROWTH_SPIKE), "growth_spike");
	CHECK_STR(nm_flag_code(NM_FLAG_NO_PRICE), "no_price");
	CHECK(nm_flag_code(NM_FLAG_COUNT) == NULL);
}

static void test_examples(void)
{
	struct nm_score_features f;
	memset(&f, 0, sizeof f);
	f.platform = NM_PLATFORM_INSTAGRAM;
	f.followers = 40000; /* micro: median 2.26 % */
	f.following = 100;
	f.engagement_rate = 0.0226 / 5; /* a fifth of the median */
	f.price_cents = 1000;
	f.follower_growth_30d = 0.0f;
	CHECK(nm_score_flags(NULL, &f) == 1u << NM_FLAG_ENGAGEMENT_FAR_BELOW_TIER);
	CHECK_NEAR(nm_score_er_vs_bench(NULL, &f), 0.2, 1e-9);
	f.engagement_rate = 0.0226;
	CHECK(nm_score_flags(NULL, &f) == 0);
	f.following = 30000;
	f.price_cents = -1;
	CHECK(nm_score_flags(NULL, &f) == (1u << NM_FLAG_FOLLOW_RATIO | 1u << NM_FLAG_NO_PRICE));
	f.engagement_rate = -1.0;
	CHECK(nm_score_er_vs_bench(NULL, &f) < 0.0);
	/* A custom benchmark moves the line: 2 % against a 10 % median is a fifth. */
	struct nm_score_bench b;
	nm_score_bench_init(&b);
	CHECK(nm_score_bench_set(&b, "instagram", "micro", 0.10));
	f.engagement_rate = 0.02;
	f.following = 100;
	f.price_cents = 1;
	CHECK(nm_score_flags(&b, &f) == 1u << NM_FLAG_ENGAGEMENT_FAR_BELOW_TIER);
	CHECK(nm_score_flags(NULL, &f) == 0);
}

/* Each flag agrees with score.c's reason sentence for the same signal. */
static void test_agrees_with_reasons(void)
{
	struct nm_score_query q;
	nm_score_query_init(&q, NM_GOAL_ENGAGEMENT);
	for (int i = 0; i < 20000; i++) {
		struct nm_score_features f = random_creator();
		unsigned fl = nm_score_flags(NULL, &f);
		CHECK(!!(fl & 1u << NM_FLAG_ENGAGEMENT_FAR_BELOW_TIER) ==
		      has_reason(&q, &f, "below a quarter"));
		CHECK(!!(fl & 1u << NM_FLAG_FOLLOW_RATIO) ==
		      has_reason(&q, &f, "follow-for-follow"));
		CHECK(!!(fl & 1u << NM_FLAG_GROWTH_SPIKE) ==
		      has_reason(&q, &f, "without matching engagement"));
		CHECK(!!(fl & 1u << NM_FLAG_NO_PRICE) == (f.price_cents < 0));
	}
}

int main(void)
{
	test_codes();
	test_examples();
	test_agrees_with_reasons();
	CHECK_DONE();
}
