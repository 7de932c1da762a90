/* Creator flags (nm/flags.h). The thresholds repeat those of score.c's authenticity
 * component, which keeps them private; test_flags checks that both agree. */
#include "nm/flags.h"

#include <math.h>

#define LOW_ER_RATIO	   0.25 /* score.c: below a quarter of the median */
#define FF_RATIO_START	   0.5	/* score.c: following/followers above this costs */
#define GROWTH_START	   0.2	/* score.c: +20 % in 30 days starts to look like a jump */
#define GROWTH_FULL	   0.6
#define GROWTH_MAX_PENALTY 0.6
#define GROWTH_SHORT_FULL  0.75
#define REASON_MIN_PENALTY 0.05 /* score.c: smaller growth penalties get no sentence */

static const char *const codes[NM_FLAG_COUNT] = {
	[NM_FLAG_ENGAGEMENT_FAR_BELOW_TIER] = "engagement_far_below_tier",
	[NM_FLAG_FOLLOW_RATIO] = "follow_ratio",
	[NM_FLAG_GROWTH_SPIKE] = "growth_spike",
	[NM_FLAG_NO_PRICE] = "no_price",
};

const char *nm_flag_code(enum nm_flag flag)
{
	return (unsigned)flag < NM_FLAG_COUNT ? codes[flag] : NULL;
}

static double clamp01(double x)
{
	return x < 0.0 ? 0.0 : x > 1.0 ? 1.0 : x;
}

double nm_score_er_vs_bench(const struct nm_score_bench *bench, const struct nm_score_features *f)
{
	if (!(f->engagement_rate >= 0.0))
		return -1.0;
	double median =
		nm_score_bench_rate(bench, (enum nm_platform)f->platform, nm_tier_of(f->followers));
	return f->engagement_rate / median;
}

/* score.c's growth_penalty: the jump's size times the engagement shortfall. */
static double growth_penalty(const struct nm_score_features *f, double r)
{
	double g = f->follower_growth_30d;
	if (!(g > GROWTH_START) || r < 0.0)
		return 0.0;
	double size = clamp01((g - GROWTH_START) / (GROWTH_FULL - GROWTH_START));
	double shortfall = clamp01((1.0 - r) / GROWTH_SHORT_FULL);
	return GROWTH_MAX_PENALTY * size * shortfall;
}

unsigned nm_score_flags(const struct nm_score_bench *bench, const struct nm_score_features *f)
{
	unsigned out = 0;
	double r = nm_score_er_vs_bench(bench, f);
	if (r >= 0.0 && r < LOW_ER_RATIO)
		out |= 1u << NM_FLAG_ENGAGEMENT_FAR_BELOW_TIER;
	if (f->following >= 0 &&
	    (double)f->following / (f->followers ? (double)f->followers : 1.0) > FF_RATIO_START)
		out |= 1u << NM_FLAG_FOLLOW_RATIO;
	if (growth_penalty(f, r) >= REASON_MIN_PENALTY)
		out |= 1u << NM_FLAG_GROWTH_SPIKE;
	if (f->price_cents < 0)
		out |= 1u << NM_FLAG_NO_PRICE;
	return out;
}
