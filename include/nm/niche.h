/* Niche relevance evidence (SPEC §5): which of a brand's terms (niches ∪ keywords) a
 * creator's categories, hashtags and bio contain. Pure C. The counts feed
 * struct nm_score_features (niche_cat, niche_tag, niche_bio).
 *
 * Matching: a category matches a term when equal (both normalised); a hashtag when equal
 * to the term or to the term without spaces ("home decor" ~ #homedecor); the bio when it
 * contains the term as a whole word or phrase, case-insensitively (ASCII letters). */
#ifndef NM_NICHE_H
#define NM_NICHE_H

#include <stddef.h>
#include <stdint.h>

#define NM_NICHE_MAX_TERMS 64

struct nm_niche_terms {
	size_t n;
	char *term[NM_NICHE_MAX_TERMS];    /* normalised, owned */
	char *compact[NM_NICHE_MAX_TERMS]; /* without spaces, owned */
	size_t len[NM_NICHE_MAX_TERMS];
};

/* Adds a term (normalised with nm_term_normalize; empty and duplicate terms are
 * ignored; beyond NM_NICHE_MAX_TERMS ignored). */
void nm_niche_add(struct nm_niche_terms *t, const char *term);
void nm_niche_free(struct nm_niche_terms *t);

struct nm_niche_hits {
	uint8_t cat, tag, bio; /* distinct terms found per source */
	uint64_t matched;      /* bit i: term i found anywhere */
};

/* Counts the terms found in one creator. cats/tags are normalised strings. */
void nm_niche_match(const struct nm_niche_terms *t, char *const *cats, size_t n_cats,
                    char *const *tags, size_t n_tags, const char *bio, struct nm_niche_hits *out);

#endif
