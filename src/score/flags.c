/* Authenticity and data flags (see nm/flags.h). The thresholds are those of the
 * authenticity component (internal.h), so a flag fires exactly when its penalty or its
 * neutral score does. */
#include "nm/flags.h"

#include "internal.h"
#include "nm/confidence.h"

static const char *const codes[NM_FLAG_COUNT] = {
	[NM_FLAG_ENGAGEMENT_FAR_BELOW_TIER] = "engagement_far_below_tier",
	[NM_FLAG_ENGAGEMENT_BELOW_HALF_TIER] = "engagement_below_half_tier",
	[NM_FLAG_FOLLOW_RATIO] = "follow_ratio",
	[NM_FLAG_GROWTH_SPIKE] = "growth_spike",
	[NM_FLAG_INACTIVE] = "inactive",
	[NM_FLAG_NO_ENGAGEMENT_RATE] = "no_engagement_rate",
	[NM_FLAG_NO_PRICE] = "no_price",
	[NM_FLAG_NO_LAST_POST] = "no_last_post",
	[NM_FLAG_ENGAGEMENT_UNUSUALLY_HIGH] = "engagement_unusually_high",
};

const char *nm_flag_code(enum nm_flag flag)
{
	return (unsigned)flag < NM_FLAG_COUNT ? codes[flag] : "";
}

double nm_score_er_vs_bench(const struct nm_score_bench *bench, const struct nm_score_features *f)
{
	if (!(f->engagement_rate >= 0.0))
		return -1.0;
	enum nm_platform p =
		f->platform < NM_PLATFORM_COUNT ? (enum nm_platform)f->platform : NM_PLATFORM_OTHER;
	double median = nm_score_bench_rate(bench, p, nm_tier_of(f->followers));
	unsigned n = f->sample & NM_SCORE_SAMPLE_MASK;
	return nm_confidence_shrink(f->engagement_rate, n ? (int64_t)n : -1, median) / median;
}

unsigned nm_score_flags(const struct nm_score_bench *bench, const struct nm_score_features *f)
{
	unsigned m = 0;
	double r = nm_score_er_vs_bench(bench, f);
	if (r >= 0.0) {
		if (r < LOW_ER_RATIO)
			m |= 1u << NM_FLAG_ENGAGEMENT_FAR_BELOW_TIER;
		else if (r < LOW_ER_SOFT)
			m |= 1u << NM_FLAG_ENGAGEMENT_BELOW_HALF_TIER;
		/* the raw rate, not the shrunk one: the flag is about what the data claims */
		enum nm_platform p = f->platform < NM_PLATFORM_COUNT ? (enum nm_platform)f->platform
								     : NM_PLATFORM_OTHER;
		if (nm_engagement_unusually_high(
			    f->engagement_rate,
			    nm_score_bench_rate(bench, p, nm_tier_of(f->followers))))
			m |= 1u << NM_FLAG_ENGAGEMENT_UNUSUALLY_HIGH;
	} else {
		m |= 1u << NM_FLAG_NO_ENGAGEMENT_RATE;
	}
	if (f->following >= 0 &&
	    (double)f->following / (f->followers ? (double)f->followers : 1.0) > FF_RATIO_START)
		m |= 1u << NM_FLAG_FOLLOW_RATIO;
	if (nm_score_growth_penalty(f, r) >= REASON_MIN_PENALTY)
		m |= 1u << NM_FLAG_GROWTH_SPIKE;
	if (f->price_cents < 0)
		m |= 1u << NM_FLAG_NO_PRICE;
	if (f->days_since_post == NM_SCORE_DAYS_UNKNOWN)
		m |= 1u << NM_FLAG_NO_LAST_POST;
	else if (f->days_since_post > HALF_DAYS)
		m |= 1u << NM_FLAG_INACTIVE;
	return m;
}
