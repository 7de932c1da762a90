/* The budget planner of issue 14: which creators to book for a budget, what they are
 * expected to bring, and how that compares with one big account. Pure C11 + libm: no
 * jansson, MHD or libpq. Formulas, figures and their sources: docs/scoring.md §11.
 *
 * Two parts:
 *  - estimates (price per post, expected engagements and reach per post) from a creator's
 *    figures and the platform × tier × engagement-band price table (migration 0016), and
 *  - the solver: the portfolio maximising the goal's objective under budget, count, share
 *    cap and must-include, plus the best single big account and the comparison.
 *
 * Ownership: nm_plan_solve() allocates result->members; release it with
 * nm_plan_result_free(). Every other pointer argument is borrowed for the call only. */
#ifndef NM_PLAN_H
#define NM_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nm/score.h"
#include "nm/taxonomy.h"

/* ---- Price table: cents per 1,000 followers, per platform × tier × engagement band ---- */

/* The creator's engagement rate against the platform×tier benchmark median (score.h):
 * low below 0.5× the median, high at 2× or more, typical in between or when unknown. */
enum nm_plan_band { NM_PLAN_BAND_LOW, NM_PLAN_BAND_TYPICAL, NM_PLAN_BAND_HIGH, NM_PLAN_BAND_COUNT };

#define NM_PLAN_BAND_LOW_BELOW 0.5 /* rate / median below this: low */
#define NM_PLAN_BAND_HIGH_FROM 2.0 /* rate / median at or above this: high */

/* The DB table price_estimates (migrations/0016) loaded into memory. A cell <= 0 means
 * "unknown" and falls back to the compiled-in default. */
struct nm_plan_prices {
	int32_t cents_per_k[NM_PLATFORM_COUNT][NM_TIER_COUNT][NM_PLAN_BAND_COUNT];
};

/* The compiled-in table; identical to the seed rows of migrations/0016 (test_plan checks). */
const struct nm_plan_prices *nm_plan_prices_default(void);
void nm_plan_prices_init(struct nm_plan_prices *t);
/* Sets one cell from DB text ("instagram", "micro", "typical"); false when a name is
 * unknown or cents_per_k is not in (0, 10^8]. */
bool nm_plan_prices_set(struct nm_plan_prices *t, const char *platform, const char *tier,
			const char *band, int64_t cents_per_k);
/* Cell of t (NULL = default), never <= 0. Out-of-range enums are clamped like score.h. */
int32_t nm_plan_price_rate(const struct nm_plan_prices *t, enum nm_platform p, enum nm_tier tier,
			   enum nm_plan_band b);
const char *nm_plan_band_name(enum nm_plan_band b); /* "low" | "typical" | "high" */
bool nm_plan_band_parse(const char *s, enum nm_plan_band *out);
/* engagement_rate < 0 = unknown (typical). */
enum nm_plan_band nm_plan_band_of(double engagement_rate, double median_rate);

/* ---- Estimates for one creator ---- */

#define NM_PLAN_THIN_POSTS 30 /* fewer posts (or unknown): the rate is shrunk (docs §11.2) */

/* Fraction of followers one post reaches, per tier (docs §11.3). */
double nm_plan_reach_fraction(enum nm_tier t);

struct nm_plan_creator_in {
	enum nm_platform platform;
	int64_t followers;	/* >= 0 */
	double engagement_rate; /* 0..1, < 0 when unknown */
	int64_t posts_count;	/* < 0 when unknown */
	int64_t price_cents;	/* price_per_post_cents, < 0 when unknown */
};

enum nm_plan_price_source {
	NM_PLAN_PRICE_GIVEN,	 /* the creator's price_per_post_cents */
	NM_PLAN_PRICE_ESTIMATED, /* the price table */
	NM_PLAN_PRICE_OVERRIDE	 /* the brand's per-tier override (still an estimate) */
};

struct nm_plan_estimate {
	enum nm_tier tier;
	enum nm_plan_band band;
	enum nm_plan_price_source price_source;
	int64_t price_cents;	     /* estimates are whole dollars, at least $1 */
	double rate_used;	     /* the shrunk engagement rate */
	bool thin;		     /* the rate was shrunk toward the benchmark */
	double expected_engagements; /* per post: followers × rate_used */
	double expected_reach;	     /* per post: followers × reach fraction of the tier */
};

/* Fills *out. prices and bench may be NULL (defaults). tier_override_cents may be NULL;
 * otherwise NM_TIER_COUNT per-post prices, < 0 meaning "no override for this tier"; an
 * override replaces the table (never a given price). */
void nm_plan_estimate(const struct nm_plan_prices *prices, const struct nm_score_bench *bench,
		      const int64_t *tier_override_cents, const struct nm_plan_creator_in *in,
		      struct nm_plan_estimate *out);

/* The per-candidate objective (docs §11.1): engagement and conversions:
 * expected_engagements × (0.5 + 0.5 × score/100); awareness: expected_reach. */
double nm_plan_value(enum nm_score_goal goal, double expected_engagements, double expected_reach,
		     double score);

/* ---- The solver ---- */

#define NM_PLAN_MAX_CREATORS  100
#define NM_PLAN_BIG_FOLLOWERS 100000 /* "above 100k": the caller sets big for > this */

struct nm_plan_candidate {
	int64_t id; /* ties are broken by id ascending; ids should be unique */
	int64_t price_cents;
	bool price_estimated;
	bool must_include;
	bool big;      /* may be the single-account alternative (on-niche, followers > 100k) */
	bool alt_only; /* only the alternative, never in the portfolio (outside the brand's
			* follower range); ignored with must_include */
	double expected_engagements;
	double expected_reach;
	double score;	    /* the match score 0..100 */
	int64_t followers;  /* for the summary ("micro creators") */
	const char *handle; /* borrowed, may be NULL; a leading '@' is ignored */
};

struct nm_plan_constraints {
	enum nm_score_goal goal;
	int64_t budget_cents; /* > 0 */
	int max_creators;     /* 1..NM_PLAN_MAX_CREATORS */
	double max_share;     /* (0, 1]: each price <= floor(max_share × budget) */
};

struct nm_plan_totals {
	int creators;
	int64_t cost_cents;
	double engagements;		  /* Σ expected engagements */
	double reach;			  /* Σ expected reach */
	double objective;		  /* Σ nm_plan_value */
	double cost_per_engagement_cents; /* cost / engagements, < 0 when engagements is 0 */
};

enum nm_plan_status {
	NM_PLAN_OK,
	NM_PLAN_EINVAL,	       /* constraints out of range (reason says which) */
	NM_PLAN_EMUST_SHARE,   /* a must-include creator's price is above the share cap */
	NM_PLAN_EMUST_BUDGET,  /* the must-include creators alone cost more than the budget */
	NM_PLAN_EMUST_COUNT,   /* more must-include creators than max_creators */
	NM_PLAN_EMUST_INVALID, /* a must-include creator has a negative price or bad figures */
	NM_PLAN_ENOMEM
};

enum nm_plan_alt_reason {
	NM_PLAN_ALT_FOUND,
	NM_PLAN_ALT_NO_BIG,   /* no candidate flagged big */
	NM_PLAN_ALT_NONE_FITS /* big candidates exist, none priced within the budget */
};

struct nm_plan_comparison {
	/* plan ÷ alternative; > 1 means the plan brings more. 0 when the divisor is 0. */
	double engagements_ratio;
	double reach_ratio;
	/* alternative's CPE ÷ plan's CPE: > 1 means the plan is that many times cheaper per
	 * engagement. 0 when either CPE is undefined. */
	double cost_per_engagement_ratio;
};

struct nm_plan_result {
	enum nm_plan_status status;
	char reason[192]; /* a sentence when status != OK, else "" */

	size_t *members; /* indices into the candidate array, best objective first (ties id) */
	size_t n_members;
	struct nm_plan_totals totals;

	/* How it was solved. exact: the portfolio is proven optimal. gap: (upper_bound −
	 * objective) / upper_bound, a proven bound on the loss (0 when exact). */
	bool exact;
	double gap;
	double upper_bound;
	const char *method;	/* "dp" | "dp-rounded" | "dp-reduced" | "musts-only"; static */
	size_t eligible;	/* candidates that could enter (value > 0, price within cap) */
	size_t after_prefilter; /* what the exact reduction left for the dynamic programme */

	enum nm_plan_alt_reason alt_reason;
	size_t alternative; /* index, when alt_reason == NM_PLAN_ALT_FOUND */
	struct nm_plan_totals alt_totals;
	struct nm_plan_comparison comparison; /* zeros without an alternative */
	/* awareness only: the alternative reaches more than the plan (the plan must say so) */
	bool big_wins_on_reach;
};

/* Solves for c[0..n). Returns result->status (also when not OK, result->reason says why
 * and members is NULL). The result depends only on the input set, not its order. */
enum nm_plan_status nm_plan_solve(const struct nm_plan_candidate *c, size_t n,
				  const struct nm_plan_constraints *k,
				  struct nm_plan_result *result);
void nm_plan_result_free(struct nm_plan_result *r);

/* The one-sentence summary ("14 micro creators: 3.8x the engagements of @bigaccount for the
 * same $5,000, 4.1x cheaper per engagement"), NUL-terminated, truncated to size. Returns
 * the length it needed (as snprintf). c and r as given to / returned by nm_plan_solve. */
int nm_plan_summary(const struct nm_plan_candidate *c, const struct nm_plan_constraints *k,
		    const struct nm_plan_result *r, char *buf, size_t size);

/* "$5,000" or "$5,000.50": whole dollars when the cents are 0. As snprintf. */
int nm_plan_format_money(int64_t cents, char *buf, size_t size);

#endif
