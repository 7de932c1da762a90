/* How solid a creator's numbers are (issues 16 and 20; docs/scoring.md "Data confidence"):
 * a level (high, medium, low) with the codes that lowered it, and the data-quality flags
 * that are not about age or sample (engagement_unusually_high, mostly_sponsored).
 * Pure C11: no allocation, no jansson, no clock (the caller passes ages). Confidence is
 * shown beside a score and never changes it; only a brand's own filter may use it. */
#ifndef NM_CONFIDENCE_H
#define NM_CONFIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Thresholds; docs/scoring.md explains each. */
#define NM_CONF_STALE_DAYS	180 /* older data is "stale" */
#define NM_CONF_VERY_STALE_DAYS 365 /* older data is low confidence by itself */
#define NM_CONF_THIN_POSTS	6   /* fewer sampled posts is a "thin_sample" */
/* Credibility constant k of the thin-sample shrinkage (docs/scoring.md §12.2): a rate
 * from n posts gets weight n / (n + k), the benchmark the rest. k = within-creator variance
 * of a one-post rate / between-creator variance, estimated on the dev export at 0.8-2.0;
 * the upper end is taken. NM_CONF_THIN_POSTS is where the weight reaches 3/4. */
#define NM_CONF_SHRINK_K 2.0
/* engagement_unusually_high: above this many times the benchmark, or above this rate. */
#define NM_CONF_UNUSUAL_RATIO 10.0
#define NM_CONF_UNUSUAL_RATE  0.5

/* Audience fit from content_country alone (no stated country, no audience shares): half
 * the distance from neutral (0.5) of a stated country's 0.75 / 0.25. */
#define NM_CONF_GEOTAG_IN  0.625
#define NM_CONF_GEOTAG_OUT 0.375

enum nm_conf_level { NM_CONF_HIGH, NM_CONF_MEDIUM, NM_CONF_LOW };

/* Codes, as bits; nm_confidence_code_name gives the API names, in this order. */
enum {
	NM_CONF_STALE = 1u << 0,       /* data_as_of older than NM_CONF_STALE_DAYS, or unknown */
	NM_CONF_THIN_SAMPLE = 1u << 1, /* sample_posts < NM_CONF_THIN_POSTS */
	NM_CONF_DERIVED_ER = 1u << 2,  /* engagement computed by us from averages */
	NM_CONF_NO_AUDIENCE_DATA = 1u << 3, /* no audience_countries, no audience_female_share */
	NM_CONF_NO_PRICE = 1u << 4,	    /* no price_per_post_cents */
	NM_CONF_CODE_COUNT = 5
};

struct nm_confidence_in {
	int64_t age_days;     /* whole days since data_as_of; < 0 when unknown */
	int64_t sample_posts; /* < 0 when unknown (not said: no code) */
	bool er_derived;      /* engagement_rate was derived, not given */
	bool has_audience;    /* audience_countries or audience_female_share present */
	bool has_price;
};

struct nm_confidence {
	enum nm_conf_level level;
	unsigned codes; /* NM_CONF_* bits */
};

/* The documented rules (docs/scoring.md "Data confidence"):
 *   codes: each NM_CONF_* whose condition holds;
 *   low    when the data is older than NM_CONF_VERY_STALE_DAYS, or rests on at most one
 *          sampled post, or carries both stale and thin_sample;
 *   medium when it carries stale or thin_sample, or two or more of the other codes;
 *   high   otherwise. */
void nm_confidence_eval(const struct nm_confidence_in *in, struct nm_confidence *out);

/* "high" | "medium" | "low". Static storage. */
const char *nm_confidence_level_name(enum nm_conf_level l);
/* Parses a level name; false when unknown. */
bool nm_confidence_level_parse(const char *s, enum nm_conf_level *out);
/* Writes the API names of the codes set in `codes` (documented order) to names[0..max);
 * returns how many. Static strings. */
size_t nm_confidence_code_names(unsigned codes, const char **names, size_t max);

/* ---- The age-independent inputs in a byte (the index keeps one per creator) ----
 * A creator's confidence changes as its data ages, with nothing written: the index keeps
 * the inputs that do not depend on the clock in a byte and evaluates the level with the
 * age of the moment (nm_confidence_packed_eval), by the same nm_confidence_eval. Bits 0-2:
 * sample_posts clamped to 0..NM_CONF_THIN_POSTS, 7 when not said (the rules compare it
 * only with 1 and NM_CONF_THIN_POSTS); bit 3 er_derived; bit 4 has_audience; bit 5
 * has_price. Ages are ignored. */
#define NM_CONF_PACK_SAMPLE_UNKNOWN 7u
uint8_t nm_confidence_pack(const struct nm_confidence_in *in);
/* nm_confidence_eval of the unpacked inputs at age_days (< 0: unknown). */
void nm_confidence_packed_eval(uint8_t packed, int64_t age_days, struct nm_confidence *out);

/* Whole days from as_of_s to now_s (seconds since the epoch), as creator replies count
 * them: (now - as_of) / 86400 rounded down, 0 for a date ahead of now; -1 when as_of_s
 * is NM_CONF_AS_OF_UNKNOWN. */
#define NM_CONF_AS_OF_UNKNOWN INT64_MIN
int64_t nm_confidence_age_days(int64_t as_of_s, int64_t now_s);

/* Thin-sample shrinkage of an engagement rate toward the benchmark (empirical Bayes /
 * Bühlmann credibility): (n·rate + k·bench) / (n + k) with k = NM_CONF_SHRINK_K. A rate
 * with an unknown sample (n < 0) is returned unchanged; n = 0 gives the benchmark.
 * Increasing in rate for every n, so rule 3 (monotone scores) holds. */
double nm_confidence_shrink(double rate, int64_t n, double bench);

/* engagement_unusually_high: rate > NM_CONF_UNUSUAL_RATIO × bench or > NM_CONF_UNUSUAL_RATE
 * (the raw rate, not the shrunk one: the flag is about what the data claims). */
bool nm_engagement_unusually_high(double rate, double bench);
#define NM_CONF_UNUSUAL_TEXT "verify: giveaways or engagement pods can inflate this"

/* mostly_sponsored: more than half of a known, non-empty sample is paid. */
bool nm_mostly_sponsored(int64_t sponsored, int64_t sample_posts);

/* ---- For match results (wired by the match-pages work: flags and explanations) ---- */

struct nm_score_query;
struct nm_score_features;

/* One data-quality note of a scored creator, in the shape of a result's explanation
 * ({code, component, value, benchmark, text}). Codes: "engagement_unusually_high"
 * (value: the rate, benchmark: the median), "thin_sample" (value: sample_posts, benchmark:
 * NM_CONF_THIN_POSTS), "content_country" (audience from geotags only; value and benchmark
 * 0). Texts are full sentences, e.g. "Posts tagged in US". */
struct nm_quality_note {
	const char *code;      /* static */
	const char *component; /* "engagement" | "audience" (nm_score_comp_name) */
	double value, benchmark;
	char text[160];
};

/* Writes up to max notes for f ranked for q; returns how many. Pure; q->bench as the
 * score uses it. */
size_t nm_quality_notes(const struct nm_score_query *q, const struct nm_score_features *f,
			struct nm_quality_note *out, size_t max);

#endif
