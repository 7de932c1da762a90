/* Authenticity and data flags of one creator (docs/scoring.md §7.2): machine codes a UI
 * can filter and badge by. They depend on the creator and the engagement benchmarks only,
 * never on a brand, so a match result (src/match/results.c) and a creator's own page
 * show the same codes. Pure C11 + libm; nothing allocated. */
#ifndef NM_FLAGS_H
#define NM_FLAGS_H

#include "nm/score.h"

enum nm_flag {
	NM_FLAG_ENGAGEMENT_FAR_BELOW_TIER,  /* rate < 1/4 of the platform×tier median */
	NM_FLAG_ENGAGEMENT_BELOW_HALF_TIER, /* 1/4 ≤ rate / median < 1/2 */
	NM_FLAG_FOLLOW_RATIO,		    /* following / followers > 0.5 */
	NM_FLAG_GROWTH_SPIKE,		    /* follower jump without matching engagement */
	NM_FLAG_INACTIVE,		    /* last post more than 60 days ago */
	NM_FLAG_NO_ENGAGEMENT_RATE,	    /* no engagement rate on file */
	NM_FLAG_NO_PRICE,		    /* no price per post on file */
	NM_FLAG_NO_LAST_POST,		    /* no last post date on file */
	NM_FLAG_ENGAGEMENT_UNUSUALLY_HIGH,  /* raw rate far above the median (nm/confidence.h) */
	NM_FLAG_COUNT
};

/* Bit (1u << enum nm_flag) set for every flag of f; bench may be NULL (the built-in
 * medians). The same conditions state the matching explanation of nm_score_explain(). */
unsigned nm_score_flags(const struct nm_score_bench *bench, const struct nm_score_features *f);

/* The engagement rate relative to the platform×tier median (1.0 = at the median), or -1
 * when the rate is unknown. The rate is the one the score uses: shrunk toward the median
 * when f->sample says it rests on few posts (nm_confidence_shrink), so that a flag fires
 * exactly when the matching penalty does. */
double nm_score_er_vs_bench(const struct nm_score_bench *bench, const struct nm_score_features *f);

/* "engagement_far_below_tier", ...: static storage; "" for an unknown value. */
const char *nm_flag_code(enum nm_flag flag);

#endif
