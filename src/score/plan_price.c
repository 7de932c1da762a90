/* Price, engagement and reach estimates for the budget planner (issue 14). The compiled-in
 * price table MUST match the seed rows of migrations/0016_price_estimates.sql (test_plan
 * reads the file and checks every row); docs/scoring.md §11 gives each figure's source. */
#include <math.h>
#include <string.h>
#include <strings.h>

#include "nm/plan.h"

/* Typical-band rates in cents per 1,000 followers: the geometric middle of the tier's
 * published price range divided by the geometric middle of its follower range
 * (wordontheblock.com 2023 pricing guide; mega = the range's floor at 1M followers). The
 * 100k–1M band of that guide covers our mid and macro tiers alike. The low and high bands
 * are ×0.75 and ×1.25 (docs §11.1: a deliberately modest engagement premium). */
#define LOW(c)	(((c)*3 + 2) / 4)
#define HIGH(c) (((c)*5 + 2) / 4)
#define CELL(c)                                                                                    \
	{                                                                                          \
		LOW(c), (c), HIGH(c)                                                               \
	}
#define ROW(a, b, c, d, e)                                                                         \
	{                                                                                          \
		CELL(a), CELL(b), CELL(c), CELL(d), CELL(e)                                        \
	}
#define IG_ROW ROW(1000, 707, 707, 707, 1000)

static const struct nm_plan_prices default_prices = {{
	[NM_PLATFORM_INSTAGRAM] = IG_ROW,
	[NM_PLATFORM_TIKTOK] = ROW(354, 177, 177, 177, 250),
	[NM_PLATFORM_YOUTUBE] = ROW(2000, 1414, 1414, 1414, 2000),
	[NM_PLATFORM_TWITTER] = IG_ROW,
	[NM_PLATFORM_FACEBOOK] = IG_ROW,
	[NM_PLATFORM_TWITCH] = IG_ROW,
	[NM_PLATFORM_LINKEDIN] = IG_ROW,
	[NM_PLATFORM_PINTEREST] = IG_ROW,
	[NM_PLATFORM_OTHER] = IG_ROW,
}};

/* Share of followers one post reaches, per tier (docs §11.3). */
static const double reach_fraction[NM_TIER_COUNT] = {0.30, 0.18, 0.12, 0.10, 0.08};

static const char *const band_names[NM_PLAN_BAND_COUNT] = {"low", "typical", "high"};

const struct nm_plan_prices *nm_plan_prices_default(void)
{
	return &default_prices;
}

void nm_plan_prices_init(struct nm_plan_prices *t)
{
	*t = default_prices;
}

const char *nm_plan_band_name(enum nm_plan_band b)
{
	return (unsigned)b < NM_PLAN_BAND_COUNT ? band_names[b] : "typical";
}

bool nm_plan_band_parse(const char *s, enum nm_plan_band *out)
{
	for (int b = 0; s && b < NM_PLAN_BAND_COUNT; b++) {
		if (strcasecmp(s, band_names[b]) == 0) {
			*out = (enum nm_plan_band)b;
			return true;
		}
	}
	return false;
}

bool nm_plan_prices_set(struct nm_plan_prices *t, const char *platform, const char *tier,
			const char *band, int64_t cents_per_k)
{
	enum nm_platform p;
	enum nm_tier tr;
	enum nm_plan_band b;
	if (!nm_platform_parse(platform, &p) || !nm_tier_parse(tier, &tr) ||
	    !nm_plan_band_parse(band, &b))
		return false;
	if (cents_per_k <= 0 || cents_per_k > 100000000)
		return false;
	t->cents_per_k[p][tr][b] = (int32_t)cents_per_k;
	return true;
}

int32_t nm_plan_price_rate(const struct nm_plan_prices *t, enum nm_platform p, enum nm_tier tier,
			   enum nm_plan_band b)
{
	if ((unsigned)p >= NM_PLATFORM_COUNT)
		p = NM_PLATFORM_OTHER;
	if ((unsigned)tier >= NM_TIER_COUNT)
		tier = NM_TIER_NANO;
	if ((unsigned)b >= NM_PLAN_BAND_COUNT)
		b = NM_PLAN_BAND_TYPICAL;
	if (t && t->cents_per_k[p][tier][b] > 0)
		return t->cents_per_k[p][tier][b];
	return default_prices.cents_per_k[p][tier][b];
}

enum nm_plan_band nm_plan_band_of(double engagement_rate, double median_rate)
{
	if (!(engagement_rate >= 0.0) || !(median_rate > 0.0))
		return NM_PLAN_BAND_TYPICAL;
	double r = engagement_rate / median_rate;
	if (r < NM_PLAN_BAND_LOW_BELOW)
		return NM_PLAN_BAND_LOW;
	if (r >= NM_PLAN_BAND_HIGH_FROM)
		return NM_PLAN_BAND_HIGH;
	return NM_PLAN_BAND_TYPICAL;
}

double nm_plan_reach_fraction(enum nm_tier t)
{
	return (unsigned)t < NM_TIER_COUNT ? reach_fraction[t] : reach_fraction[NM_TIER_NANO];
}

/* Weight of the creator's own rate against the benchmark: full from NM_PLAN_THIN_POSTS
 * posts, linear below, one half when the post count is unknown (the rate exists but we
 * cannot tell how many posts it rests on). */
static double own_weight(int64_t posts)
{
	if (posts < 0)
		return 0.5;
	if (posts >= NM_PLAN_THIN_POSTS)
		return 1.0;
	return (double)posts / NM_PLAN_THIN_POSTS;
}

#define MAX_FOLLOWERS 10000000000LL /* 10^10 × a rate <= 10^8: below 2^63 */

void nm_plan_estimate(const struct nm_plan_prices *prices, const struct nm_score_bench *bench,
		      const int64_t *tier_override_cents, const struct nm_plan_creator_in *in,
		      struct nm_plan_estimate *out)
{
	int64_t n = in->followers < 0 ? 0 : in->followers;
	if (n > MAX_FOLLOWERS)
		n = MAX_FOLLOWERS;
	memset(out, 0, sizeof *out);
	out->tier = nm_tier_of(n);
	double median = nm_score_bench_rate(bench, in->platform, out->tier);
	bool known = in->engagement_rate >= 0.0 && in->engagement_rate <= 1.0;
	double w = known ? own_weight(in->posts_count) : 0.0;
	out->thin = w < 1.0;
	out->rate_used = known ? w * in->engagement_rate + (1.0 - w) * median : median;
	out->band = nm_plan_band_of(known ? in->engagement_rate : -1.0, median);
	out->expected_engagements = (double)n * out->rate_used;
	out->expected_reach = (double)n * nm_plan_reach_fraction(out->tier);

	if (in->price_cents >= 0) {
		out->price_source = NM_PLAN_PRICE_GIVEN;
		out->price_cents = in->price_cents;
		return;
	}
	int64_t cents;
	if (tier_override_cents && tier_override_cents[out->tier] >= 0) {
		out->price_source = NM_PLAN_PRICE_OVERRIDE;
		cents = tier_override_cents[out->tier];
	} else {
		out->price_source = NM_PLAN_PRICE_ESTIMATED;
		int64_t rate = nm_plan_price_rate(prices, in->platform, out->tier, out->band);
		/* followers/1000 × rate, rounded to whole dollars (half up), at least $1:
		 * an estimate more precise than a dollar would pretend to knowledge we lack. */
		cents = (n * rate + 50000) / 100000 * 100;
		if (cents < 100)
			cents = 100;
	}
	out->price_cents = cents;
}

double nm_plan_value(enum nm_score_goal goal, double expected_engagements, double expected_reach,
		     double score)
{
	if (goal == NM_GOAL_AWARENESS)
		return expected_reach;
	double s = score < 0.0 ? 0.0 : score > 100.0 ? 100.0 : score;
	return expected_engagements * (0.5 + 0.5 * s / 100.0);
}
