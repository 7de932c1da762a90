/* Private to src/score: the thresholds of docs/scoring.md (each explained there) and the
 * helpers that score.c (components, explanations) and flags.c (authenticity and data
 * flags) share, so that a flag and the explanation that states it fire together. */
#ifndef NM_SCORE_INTERNAL_H
#define NM_SCORE_INTERNAL_H

#include "nm/score.h"

/* ---- Thresholds (docs/scoring.md explains each) ---- */

#define NEUTRAL		   0.5	/* a component whose input is missing */
#define TAG_WEIGHT	   0.6	/* a hashtag hit counts 0.6 of a category hit */
#define BIO_WEIGHT	   0.4	/* a bio hit counts 0.4 of a category hit */
#define NICHE_FULL_TERMS   2	/* two category-grade hits make a full niche match */
#define GEO_FULL_SHARE	   0.5	/* half the audience in target countries = full fit */
#define GENDER_FULL_SHARE  0.75 /* 75 % of the target gender = full fit */
#define COUNTRY_ONLY_IN	   0.75 /* no audience data, creator based in a target country */
#define COUNTRY_ONLY_OUT   0.25 /* no audience data, creator based elsewhere */
#define CPE_LOG_BEST	   0.0	/* log10 of 1 cent: full cost efficiency */
#define CPE_LOG_WORST	   3.0	/* log10 of 1000 cents ($10): zero */
#define LOW_ER_RATIO	   0.25 /* docs/api.md §5 rule 5: below a quarter of the median */
#define LOW_ER_SOFT	   0.5	/* penalty fades out at half the median */
#define FF_RATIO_START	   0.5	/* following/followers above this starts to cost */
#define FF_RATIO_FULL	   1.5	/* ...and costs the full amount from here */
#define FF_FLOOR	   0.4	/* authenticity factor at and beyond FF_RATIO_FULL */
#define GROWTH_START	   0.2	/* +20 % in 30 days starts to look like a jump */
#define GROWTH_FULL	   0.6	/* +60 % is a full jump */
#define GROWTH_MAX_PENALTY 0.6	/* a full jump with no engagement: authenticity × 0.4 */
#define GROWTH_SHORT_FULL  0.75 /* engagement at a quarter of the median: full shortfall */
#define REASON_MIN_PENALTY 0.05 /* smaller growth penalties are not worth a sentence */
#define ACTIVE_DAYS	   14	/* posted within two weeks: fully active */
#define HALF_DAYS	   60	/* two months: half */
#define DEAD_DAYS	   180	/* six months: zero */

/* The follower-jump penalty of docs/scoring.md §5 for engagement ratio r (r < 0: rate
 * unknown, no penalty). */
double nm_score_growth_penalty(const struct nm_score_features *f, double r);

#endif
