/* The ranking of docs/api.md §5: hard filters, seven components in [0,1], goal weights,
 * estimates, reasons and a top-K selection over compact in-memory arrays.
 * Pure C11 + libm + pthreads: no jansson, MHD or libpq. Formulas, thresholds and
 * sources are in docs/scoring.md; this header is the contract.
 *
 * Ownership: nothing here allocates memory that outlives a call. Every pointer
 * argument is borrowed for the duration of the call only; the top-K heap is the
 * caller's (nm_score_topk_init/free). The ranking over the index is match/rank.c. */
#ifndef NM_SCORE_H
#define NM_SCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nm/taxonomy.h"

/* ---- Benchmarks: median engagement rate per platform and tier (docs/api.md §5 rule 4) ---- */

/* The DB table engagement_benchmarks (migrations/0003) loaded into memory. Rates are
 * fractions (0.0226 = 2.26 %). A rate <= 0 means "unknown" and falls back to the
 * compiled-in default for that cell. */
struct nm_score_bench {
	double median_rate[NM_PLATFORM_COUNT][NM_TIER_COUNT];
};

/* The compiled-in table; identical to the seed rows of migrations/0003. Static storage. */
const struct nm_score_bench *nm_score_bench_default(void);
/* Copies the default table into *b, so a loader can then overwrite cells it reads. */
void nm_score_bench_init(struct nm_score_bench *b);
/* Sets one cell from DB text ("instagram", "micro"); false when a name is unknown or the
 * rate is not in (0, 1]. */
bool nm_score_bench_set(struct nm_score_bench *b, const char *platform, const char *tier,
			double median_rate);
/* Median for a cell of b (NULL = default), never <= 0. */
double nm_score_bench_rate(const struct nm_score_bench *b, enum nm_platform p, enum nm_tier t);

/* ---- One creator, compact (64 bytes): built once per creator by the caller ---- */

#define NM_SCORE_AUD_MAX      4	      /* audience countries kept per creator */
#define NM_SCORE_DAYS_UNKNOWN 0xFFFFu /* days_since_post when last_post_at is absent */

/* One audience_countries entry: ISO alpha-2 upper-case, share in 1/10000 (0–10000). */
struct nm_score_aud {
	char cc[2];
	uint16_t share;
};

/* Unknown values are marked as noted; docs/scoring.md "Missing data" says how each one
 * scores. Keep the NM_SCORE_AUD_MAX largest audience countries, largest first.
 *
 * Niche inputs are counts of DISTINCT brand terms (niches ∪ keywords, normalised with
 * nm_term_normalize) found in each source of this creator; the caller computes them for
 * the brand being ranked (see nm_score_overlap() for the interned-id way). The same
 * term may count in several sources. Counts saturate at 255. */
struct nm_score_features {
	int64_t id;		     /* creator id; ties rank by id ascending */
	double engagement_rate;	     /* 0..1, or < 0 when unknown */
	uint32_t followers;	     /* clamped to UINT32_MAX */
	int32_t following;	     /* < 0 when unknown; clamped to INT32_MAX */
	int32_t price_cents;	     /* price_per_post_cents, < 0 when unknown; clamped */
	float audience_female_share; /* 0..1, or < 0 when unknown */
	float follower_growth_30d;   /* fraction (0.45 = +45 %), NaN when unknown */
	uint16_t days_since_post;    /* whole days since last_post_at, or NM_SCORE_DAYS_UNKNOWN */
	uint8_t platform;	     /* enum nm_platform */
	uint8_t n_aud;		     /* entries used in aud[] */
	char country[2];	     /* creator's country, upper-case; "\0\0" when unknown */
	char language[2];	     /* creator's language, lower-case; "\0\0" when unknown */
	struct nm_score_aud aud[NM_SCORE_AUD_MAX];
	uint8_t niche_cat; /* brand terms found among the creator's categories */
	uint8_t niche_tag; /* brand terms found among the creator's hashtags */
	uint8_t niche_bio; /* brand terms found in the bio (whole words/phrases) */
	/* Bits 0-6: sampled posts the rate rests on (1-127, saturating; 0 = not said);
	 * bit 7 (NM_SCORE_COUNTRY_GEOTAG): country[] is where the posts are tagged
	 * (content_country), weaker evidence, because no country was stated. Zero by
	 * default: then nothing here changes a score (docs/scoring.md "Thin samples"). */
	uint8_t sample;
};

#define NM_SCORE_SAMPLE_MASK	0x7fu
#define NM_SCORE_COUNTRY_GEOTAG 0x80u

/* Size of the intersection of two strictly ascending id arrays (interned terms):
 * fills niche_cat/niche_tag/niche_bio when the caller keeps terms as ids. Saturates. */
uint8_t nm_score_overlap(const uint32_t *a, size_t na, const uint32_t *b, size_t nb);

/* ---- The brand side of a run ---- */

enum nm_score_goal { NM_GOAL_ENGAGEMENT, NM_GOAL_AWARENESS, NM_GOAL_CONVERSIONS, NM_GOAL_COUNT };
enum nm_score_gender { NM_GENDER_ANY, NM_GENDER_FEMALE, NM_GENDER_MALE };

/* Build with nm_score_query_init(), then set fields / add countries and languages. */
struct nm_score_query {
	enum nm_score_goal goal;
	int64_t follower_min;	    /* inclusive */
	int64_t follower_max;	    /* inclusive; < 0 = unbounded */
	double min_engagement_rate; /* < 0 = no filter */
	uint32_t platform_mask;	    /* bit (1u << enum nm_platform); 0 = every platform */
	enum nm_score_gender gender;
	int64_t budget_per_post_cents;	    /* < 0 = none */
	unsigned n_terms;		    /* distinct brand niches ∪ keywords (>= 1) */
	const struct nm_score_bench *bench; /* borrowed, may be NULL (= default) */
	/* Target sets as bitsets over the 26×26 two-letter codes; use the add functions. */
	uint64_t countries[11], languages[11];
	bool has_countries, has_languages;
	/* target_countries_mode "require": only creators based in a target country, or
	 * with at least min_audience_share (1/10000) of their audience in them
	 * (nm_score_country_ok); the ranking applies it, nm_score_filter() does not. */
	bool require_countries;
	uint16_t min_audience_share;
};

/* Goal defaults of docs/api.md §3: range 10000–100000 (awareness 10000–unbounded), no other
 * filter, gender any, no budget, n_terms 1, default benchmarks. */
void nm_score_query_init(struct nm_score_query *q, enum nm_score_goal goal);
/* Adds an ISO 3166-1 / ISO 639-1 code (two ASCII letters, any case); false otherwise. */
bool nm_score_query_add_country(struct nm_score_query *q, const char *cc);
bool nm_score_query_add_language(struct nm_score_query *q, const char *lang);
/* Parses "engagement" | "awareness" | "conversions". */
bool nm_score_goal_parse(const char *s, enum nm_score_goal *out);
const char *nm_score_goal_name(enum nm_score_goal g);

/* ---- Components, weights, score ---- */

enum nm_score_comp {
	NM_COMP_NICHE,
	NM_COMP_ENGAGEMENT,
	NM_COMP_TIER_FIT,
	NM_COMP_AUDIENCE,
	NM_COMP_COST_EFFICIENCY,
	NM_COMP_AUTHENTICITY,
	NM_COMP_ACTIVITY,
	NM_COMP_COUNT
};

/* "niche", "engagement", "tier_fit", "audience", "cost_efficiency", "authenticity",
 * "activity": the JSON names of docs/api.md §5. Static storage. */
const char *nm_score_comp_name(enum nm_score_comp c);
/* The goal's weight of a component (the weights of a goal sum to 1); report these as the
 * run's "weights" object. */
double nm_score_weight(enum nm_score_goal g, enum nm_score_comp c);

/* docs/api.md §5 rule 1 except status: platform, follower range, min engagement, niche > 0.
 * Declined/excluded creators are removed by the run's exclusion list (nm_index_rank). */
bool nm_score_passes(const struct nm_score_query *q, const struct nm_score_features *f);

/* Fills comp[NM_COMP_COUNT] (each in [0,1], rounded to 3 decimals) and returns
 * score = 100 × Σ wᵢcᵢ / Σ wᵢ over the rounded components, rounded to 2 decimals:
 * serialise exactly these numbers so that equal displayed scores really are ties.
 * Does not apply the hard filters. comp may be NULL. */
double nm_score_creator(const struct nm_score_query *q, const struct nm_score_features *f,
			double comp[NM_COMP_COUNT]);

/* An upper bound of nm_score_creator(q, f): niche and engagement computed exactly, every
 * other component taken as 1. Ranking loops skip the full score when even the bound
 * cannot beat the worst hit they keep. */
double nm_score_upper_bound(const struct nm_score_query *q, const struct nm_score_features *f);

/* docs/api.md §5 estimates. engagements_per_post = round(followers × engagement_rate), absent
 * when the rate is unknown; cost_per_engagement_cents = price / engagements (2 decimals),
 * absent when there is no price or no engagement. */
struct nm_score_estimates {
	bool has_engagements, has_cpe;
	int64_t engagements_per_post;
	double cost_per_engagement_cents;
};
void nm_score_estimate(const struct nm_score_features *f, struct nm_score_estimates *out);

/* Writes up to max_reasons short sentences (docs/api.md §5 rule 7) into buf, one after another,
 * each NUL-terminated, and points reasons[i] at them; returns how many were written.
 * A sentence that does not fit in the rest of buf is dropped (512 bytes hold all).
 * matched_terms (may be NULL) are the brand terms the creator matched, best first, as
 * the caller found them; when given, the niche reason names up to three of them
 * ("Posts about fitness and nutrition"), else it states the counts. */
size_t nm_score_reasons(const struct nm_score_query *q, const struct nm_score_features *f,
			const char *const *matched_terms, size_t n_matched, char *buf,
			size_t bufsize, const char **reasons, size_t max_reasons);

/* One explanation of a score (docs/scoring.md §7): a machine code (static storage), the
 * component it is about, the number it is about and what that number is compared with
 * (NAN: none), and the sentence (in the caller's buffer) that reasons[] shows. */
struct nm_score_expl {
	const char *code;
	enum nm_score_comp comp;
	double value, benchmark;
	const char *text;
};
#define NM_SCORE_EXPL_MAX 16 /* more than the explanations one creator can get */

/* nm_score_reasons() with the codes and numbers: up to max explanations into out, the
 * sentences into buf as nm_score_reasons() writes them; returns how many. */
size_t nm_score_explain(const struct nm_score_query *q, const struct nm_score_features *f,
			const char *const *matched_terms, size_t n_matched, char *buf,
			size_t bufsize, struct nm_score_expl *out, size_t max);

/* points[c] = weight(goal, c) × comp[c] × 100, to hundredths, distributed so that the
 * points sum to nm_score_creator()'s score exactly (each within 0.01 of its exact value).
 * comp as nm_score_creator() fills it. */
void nm_score_points(enum nm_score_goal goal, const double comp[NM_COMP_COUNT],
		     double points[NM_COMP_COUNT]);

/* The required-countries rule: f's country is a target, or its known audience share in
 * the targets is at least q->min_audience_share. Unknown country and no audience data:
 * false (it cannot be shown to be in a target). */
bool nm_score_country_ok(const struct nm_score_query *q, const struct nm_score_features *f);

/* ---- Top-K ---- */

/* The k best of a stream of scored creators, in a bounded min-heap. Order, best first:
 * score descending, creator id ascending, then ref ascending (a caller's index, so that
 * duplicate ids still order totally). Offering the same entries in any order, or to
 * several heaps that are then merged, keeps the same k: results do not depend on how
 * the work was split. */
struct nm_score_topk_entry {
	double score;
	int64_t id;
	uint32_t ref;	/* the caller's index of the creator */
	uint32_t aux32; /* carried along for the caller */
	uint64_t aux64; /* carried along for the caller */
};
struct nm_score_topk {
	struct nm_score_topk_entry *e; /* e[0] is the worst kept entry */
	size_t n, k;
};
/* Allocates room for k entries (k may be 0). False on OOM. */
bool nm_score_topk_init(struct nm_score_topk *t, size_t k);
void nm_score_topk_free(struct nm_score_topk *t);
/* The score an entry must reach to be kept (ties then go by id), -1 while not full:
 * scores are >= 0, so anything is kept then. */
static inline double nm_score_topk_floor(const struct nm_score_topk *t)
{
	return t->n == t->k ? (t->k ? t->e[0].score : 1e300) : -1.0;
}
void nm_score_topk_offer(struct nm_score_topk *t, const struct nm_score_topk_entry *x);
/* Offers every entry of from to into. */
void nm_score_topk_merge(struct nm_score_topk *into, const struct nm_score_topk *from);
/* Sorts the kept entries best first in place (the heap is spent) and returns how many. */
size_t nm_score_topk_sort(struct nm_score_topk *t);

#endif
