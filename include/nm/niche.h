/* A brand's niche terms (niches ∪ keywords), normalised and de-duplicated, with their
 * space-less forms. Pure C. The ranking index (nm/match_index.h) matches them: a category
 * matches a term when equal; a hashtag when equal to the term or to the term without
 * spaces ("home decor" ~ #homedecor); the bio when it contains every word of the term
 * as a whole word, case-insensitively (ASCII letters). */
#ifndef NM_NICHE_H
#define NM_NICHE_H

#include <stddef.h>
#include <stdint.h>

#define NM_NICHE_MAX_TERMS 64

struct nm_niche_terms {
	size_t n;
	char *term[NM_NICHE_MAX_TERMS];	   /* normalised, owned */
	char *compact[NM_NICHE_MAX_TERMS]; /* without spaces, owned */
	size_t len[NM_NICHE_MAX_TERMS];
};

/* Adds a term (normalised with nm_term_normalize; empty and duplicate terms are
 * ignored; beyond NM_NICHE_MAX_TERMS ignored). */
void nm_niche_add(struct nm_niche_terms *t, const char *term);
void nm_niche_free(struct nm_niche_terms *t);

#endif
