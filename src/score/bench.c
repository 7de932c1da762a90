/* Engagement benchmarks per platform and tier. The compiled-in table MUST match the
 * seed rows of migrations/0003_engagement_benchmarks.sql (same numbers, same order);
 * test_score checks a few cells, docs/scoring.md gives the source of each. */
#include "nm/score.h"

/* Percent, per follower. Instagram: Statista 2023 (nano), Statista UK 2021 5K–20K
 * (micro), HypeAuditor 36k-influencer study 1.54–1.62 % (mid, macro), Archive.com 2025
 * compilation (mega). TikTok: Archive.com 2025 (nano, micro), IQFluence 2025 10M+ (mega),
 * mid/macro geometric interpolation. YouTube: CreatorIQ/Tribe mega 1.6 % with the
 * Instagram shape. Platforms with no tiered figure use the Instagram row as a stand-in. */
#define IG_ROW                                                                                     \
	{                                                                                          \
		P(2.19), P(2.26), P(1.62), P(1.54), P(1.21)                                        \
	}
#define P(pct) ((pct) / 100.0)

static const struct nm_score_bench default_bench = {{
	[NM_PLATFORM_INSTAGRAM] = IG_ROW,
	[NM_PLATFORM_TIKTOK] = {P(10.30), P(8.70), P(6.02), P(4.16), P(2.88)},
	[NM_PLATFORM_YOUTUBE] = {P(2.90), P(2.99), P(2.14), P(2.04), P(1.60)},
	[NM_PLATFORM_TWITTER] = IG_ROW,
	[NM_PLATFORM_FACEBOOK] = IG_ROW,
	[NM_PLATFORM_TWITCH] = IG_ROW,
	[NM_PLATFORM_LINKEDIN] = IG_ROW,
	[NM_PLATFORM_PINTEREST] = IG_ROW,
	[NM_PLATFORM_OTHER] = IG_ROW,
}};

const struct nm_score_bench *nm_score_bench_default(void)
{
	return &default_bench;
}

void nm_score_bench_init(struct nm_score_bench *b)
{
	*b = default_bench;
}

bool nm_score_bench_set(struct nm_score_bench *b, const char *platform, const char *tier,
			double median_rate)
{
	enum nm_platform p;
	enum nm_tier t;
	if (!nm_platform_parse(platform, &p) || !nm_tier_parse(tier, &t))
		return false;
	if (!(median_rate > 0.0 && median_rate <= 1.0))
		return false;
	b->median_rate[p][t] = median_rate;
	return true;
}

double nm_score_bench_rate(const struct nm_score_bench *b, enum nm_platform p, enum nm_tier t)
{
	if ((unsigned)p >= NM_PLATFORM_COUNT)
		p = NM_PLATFORM_OTHER;
	if ((unsigned)t >= NM_TIER_COUNT)
		t = NM_TIER_NANO;
	if (b && b->median_rate[p][t] > 0.0)
		return b->median_rate[p][t];
	return default_bench.median_rate[p][t];
}
