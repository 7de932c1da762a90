/* The hard filter as a static inline, for the ranking loops (src/score/rank.c,
 * src/match/index.c): inlined and branch-free it costs less than the mispredicted
 * branches of a call on random data. nm_score_passes() is the same code out of line. */
#ifndef NM_SCORE_FILTER_H
#define NM_SCORE_FILTER_H

#include "nm/score.h"

/* docs/api.md §5 rule 1 without status. Bitwise & instead of && on purpose: no branches.
 * An unknown engagement rate (< 0) cannot be shown to meet a minimum, so it does not. */
static inline bool nm_score_filter(const struct nm_score_query *q,
				   const struct nm_score_features *f)
{
	unsigned p = f->platform < NM_PLATFORM_COUNT ? f->platform : NM_PLATFORM_OTHER;
	int64_t n = f->followers;
	bool ok = (q->platform_mask == 0) | ((q->platform_mask >> p) & 1u);
	ok &= n >= q->follower_min;
	ok &= (q->follower_max < 0) | (n <= q->follower_max);
	ok &= (q->min_engagement_rate < 0) | (f->engagement_rate >= q->min_engagement_rate);
	ok &= (f->niche_cat | f->niche_tag | f->niche_bio) != 0;
	return ok;
}

#endif
