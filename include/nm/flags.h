/* Authenticity and data flags of one creator, as machine codes: the same codes in a
 * creator's reply (GET /v1/creators/{id}) and in match results. docs/scoring.md lists
 * every code. Pure C11: no allocation, no I/O.
 *
 * The thresholds are those of the authenticity component and its reasons (score.c):
 *   engagement_far_below_tier  engagement rate known and below a quarter of the
 *                              platform×tier benchmark median
 *   follow_ratio               following/followers above 0.5 (follow-for-follow)
 *   growth_spike               followers up more than 20 % in 30 days without matching
 *                              engagement (the growth penalty is at least 0.05)
 *   no_price                   no price_per_post_cents
 * tests/unit/test_flags.c checks each flag fires exactly when its reason sentence does. */
#ifndef NM_FLAGS_H
#define NM_FLAGS_H

#include <stddef.h>

#include "nm/score.h"

enum nm_flag {
	NM_FLAG_ENGAGEMENT_FAR_BELOW_TIER,
	NM_FLAG_FOLLOW_RATIO,
	NM_FLAG_GROWTH_SPIKE,
	NM_FLAG_NO_PRICE,
	NM_FLAG_COUNT
};

/* "engagement_far_below_tier", ...; static storage. NULL for an unknown value. */
const char *nm_flag_code(enum nm_flag flag);

/* Bit (1u << enum nm_flag) set for each flag that applies to f; bench NULL = default
 * medians. Reads engagement_rate, followers, following, price_cents, platform and
 * follower_growth_30d of f (nothing brand-specific). */
unsigned nm_score_flags(const struct nm_score_bench *bench, const struct nm_score_features *f);

/* The engagement rate relative to the platform×tier median (1.0 = at the median), or -1
 * when the rate is unknown. */
double nm_score_er_vs_bench(const struct nm_score_bench *bench, const struct nm_score_features *f);

#endif
