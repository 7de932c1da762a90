/* Lookalike similarity (docs/matching.md "Lookalikes"): the pure math shared by the
 * index walk (src/match/lookalike.c) and its unit tests. Pure C11 + libm: no jansson,
 * MHD or libpq.
 *
 * similarity = 0.60 content + 0.15 tier + 0.10 engagement + 0.10 country + 0.05 language,
 * rounded to 4 decimals, in [0, 1]. content is a cosine over the terms (categories,
 * hashtags, bio words) weighted by rarity; the other four parts compare the candidate
 * with each seed and take the mean over the seeds.
 *
 * Ownership: a profile owns its term texts (nm_lk_profile_free); everything else is
 * borrowed for the duration of a call. */
#ifndef NM_LOOKALIKE_H
#define NM_LOOKALIKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nm/score.h"

#define NM_LK_SEEDS_MAX	    50	/* seeds of one request */
#define NM_LK_LIMIT_MAX	    200 /* results of one request */
#define NM_LK_LIMIT_DEFAULT 20
#define NM_LK_RESCORE	    2000 /* best candidates by content that get the full score */
#define NM_LK_BIO_STOP	    0.05 /* bio words on more than this share of creators: ignored */

#define NM_LK_W_CONTENT	   0.60
#define NM_LK_W_TIER	   0.15
#define NM_LK_W_ENGAGEMENT 0.10
#define NM_LK_W_COUNTRY	   0.10
#define NM_LK_W_LANGUAGE   0.05

/* Term sources, in the order of the index's posting lists. */
enum nm_lk_src { NM_LK_CAT, NM_LK_TAG, NM_LK_BIO, NM_LK_SRC_COUNT };

/* Weight of one source's terms relative to the others: bio words are noisier. */
double nm_lk_src_weight(enum nm_lk_src src);

/* Rarity weight of a term carried by df of n creators: ln(1 + n / df); 0 when df is 0. */
double nm_lk_idf(size_t n, size_t df);

/* The bio's words as the index posts them: runs of [A-Za-z0-9_] and bytes >= 0x80,
 * ASCII lower-cased, 2 to 127 bytes, at most 96 words (repeats counted, as the index
 * counts them). fn is called with each word (not NUL-terminated). Returns the count. */
size_t nm_lk_bio_words(const char *bio, void (*fn)(void *cls, const char *w, size_t n), void *cls);

/* One distinct term of the seeds: its source, text (owned), how many seeds carry it, and
 * what the index walk fills in: df (live creators carrying it) and weight
 * (src_weight × idf; 0 when ignored). */
struct nm_lk_term {
	enum nm_lk_src src;
	char *text;
	uint32_t len;
	uint32_t seeds;
	size_t df;
	double weight;
};

/* The seeds' terms, de-duplicated by (source, text), sorted by (source, text) once
 * nm_lk_profile_finish has run. Zero-initialise. */
struct nm_lk_profile {
	struct nm_lk_term *t;
	size_t n, cap;
	size_t n_seeds;
	bool oom;
};

/* Adds a term of the current seed (the seed count of the profile is bumped by
 * nm_lk_profile_next_seed). A term repeated within one seed counts once. */
void nm_lk_profile_add(struct nm_lk_profile *p, enum nm_lk_src src, const char *text, size_t len);
/* Closes the current seed: its terms count one seed each. */
void nm_lk_profile_next_seed(struct nm_lk_profile *p);
/* Adds a bio's words (nm_lk_bio_words) as NM_LK_BIO terms. */
void nm_lk_profile_add_bio(struct nm_lk_profile *p, const char *bio);
void nm_lk_profile_free(struct nm_lk_profile *p);
/* Index of (src, text) in a finished profile, or -1. */
long nm_lk_profile_find(const struct nm_lk_profile *p, enum nm_lk_src src, const char *text,
			size_t len);

/* Content similarity: the cosine of the seeds' centroid x (x_t = sqrt(w_t) × a_t, a_t the
 * share of the seeds carrying t) and the candidate y (y_t = sqrt(w_t) for its terms):
 *   dot   = Σ shared w_t a_t           (accumulated by the walk)
 *   seed2 = Σ w_t a_t²                 (the centroid's squared norm)
 *   |y|²  = shared_w + (cand_terms − shared_n) × mean_w
 * where shared_w, shared_n are the weight and count of the candidate's shared terms,
 * cand_terms every term the candidate carries (the index keeps the count, not the
 * terms) and mean_w the mean weight of the profile's terms, the estimate of a term the
 * candidate does not share. In [0, 1]; 0 when nothing is shared. */
double nm_lk_content(double dot, double seed2, double shared_w, unsigned shared_n,
		     unsigned cand_terms, double mean_w);

/* What the attribute parts compare: tier, engagement against the platform × tier
 * benchmark, country, language. */
struct nm_lk_attr {
	int tier;		      /* enum nm_tier */
	double er_rel;		      /* engagement_rate / benchmark median, < 0 unknown */
	char country[2], language[2]; /* "\0\0": unknown */
};
void nm_lk_attr_of(const struct nm_score_features *f, const struct nm_score_bench *bench,
		   struct nm_lk_attr *out);

/* Each in [0, 1]. tier: 1 same, 0.5 adjacent, 0 further. engagement: min/max of the two
 * relative rates, 0.5 when either is unknown. country, language: 1 equal, 0 different,
 * 0.5 when either is unknown. */
double nm_lk_tier_close(const struct nm_lk_attr *s, const struct nm_lk_attr *c);
double nm_lk_engagement_close(const struct nm_lk_attr *s, const struct nm_lk_attr *c);
double nm_lk_code_close(const char s[2], const char c[2]);

/* Σ of the weighted attribute parts for one seed (at most 1 − NM_LK_W_CONTENT). */
double nm_lk_attr_score(const struct nm_lk_attr *s, const struct nm_lk_attr *c);

/* Explanation facts for one seed and a candidate. */
#define NM_LK_SAME_TIER_COUNTRY 1u /* same tier, same known country */
#define NM_LK_ENGAGEMENT_CLOSE	2u /* both rates known, within 10 % of the seed's */
unsigned nm_lk_facts(const struct nm_lk_attr *s, const struct nm_lk_attr *c);

/* NM_LK_W_CONTENT × content + attr (the mean over seeds of nm_lk_attr_score), clamped
 * to [0, 1] and rounded to 4 decimals: equal shown values are equal numbers, and ties
 * go by creator id ascending. */
double nm_lk_similarity(double content, double attr);

#endif
