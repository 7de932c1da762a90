/* GET /v1/stats counts (docs/api.md "Stats"): creators per platform, tier, data age bucket
 * and confidence level, filled by SQL (store/stats.c) or by the in-memory index
 * (match/stats.c), and the reply made from them. Pure. */
#ifndef NM_STATS_GRID_H
#define NM_STATS_GRID_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "nm/confidence.h"
#include "nm/taxonomy.h"

/* 0_30d, 31_90d, 91_180d, 181_365d, over_365d, unknown: whole days since data_as_of as the
 * creator reply counts them. Their edges are the confidence thresholds (180 and 365
 * days), so a bucket decides the age rules exactly. */
#define NM_STATS_AGE_BUCKETS 6

struct nm_stats_grid {
	int64_t n[NM_PLATFORM_COUNT][NM_TIER_COUNT][NM_STATS_AGE_BUCKETS][3]; /* [..][level] */
};

/* The bucket of an age in whole days (nm_confidence_age_days; -1: unknown). */
size_t nm_stats_age_bucket(int64_t age_days);

/* An age inside bucket b, for the confidence rules (-1 for unknown). */
int64_t nm_stats_age_in(size_t b);

/* The reply of GET /v1/stats: totals and by_platform_tier (cells with creators only).
 * Caller owns. */
json_t *nm_stats_grid_json(const struct nm_stats_grid *g);

#endif
