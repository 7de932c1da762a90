/* Private to src/score: the hard filter as a static inline, so that the top-K loop in
 * rank.c gets it inlined and branch-free (on random data the branches mispredict and
 * cost more than the scoring). nm_score_passes() is the public face of the same code. */
#ifndef NM_SCORE_FILTER_H
#define NM_SCORE_FILTER_H

#include "nm/score.h"

/* SPEC §5 rule 1 without status. Bitwise & instead of && on purpose: no branches.
 * An unknown engagement rate (< 0) cannot be shown to meet a minimum, so it does not. */
static inline bool nm_score__passes(const struct nm_score_query *q,
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

/* An upper bound of nm_score_creator(q, f): niche and engagement computed exactly, every
 * other component taken as 1. The top-K loop skips the full score when even the bound
 * cannot beat the worst kept hit (defined in score.c). */
double nm_score__upper_bound(const struct nm_score_query *q, const struct nm_score_features *f);

#endif
