#include "nm/niche.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "nm/taxonomy.h"

void nm_niche_add(struct nm_niche_terms *t, const char *term)
{
	if (t->n >= NM_NICHE_MAX_TERMS)
		return;
	char *s = strdup(term);
	if (!s)
		return;
	size_t n = nm_term_normalize(s, true);
	for (size_t i = 0; i < t->n && n; i++)
		if (strcmp(t->term[i], s) == 0)
			n = 0;
	if (!n) {
		free(s);
		return;
	}
	char *c = malloc(n + 1);
	if (!c) {
		free(s);
		return;
	}
	size_t o = 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ')
			c[o++] = s[i];
	c[o] = '\0';
	t->term[t->n] = s;
	t->compact[t->n] = c;
	t->len[t->n] = n;
	t->n++;
}

void nm_niche_free(struct nm_niche_terms *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->term[i]);
		free(t->compact[i]);
	}
	t->n = 0;
}

static bool word_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c >= 0x80 || c == '_';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* Whole-word, case-insensitive search of term (lower-case) in text. */
static bool contains_word(const char *text, const char *term, size_t tl)
{
	for (const char *p = text; *p; p++) {
		if (lower(*p) != term[0] || (p > text && word_char((unsigned char)p[-1])))
			continue;
		size_t i = 1;
		while (i < tl && p[i] && lower(p[i]) == term[i])
			i++;
		if (i == tl && !word_char((unsigned char)p[tl]))
			return true;
	}
	return false;
}

void nm_niche_match(const struct nm_niche_terms *t, char *const *cats, size_t n_cats,
                    char *const *tags, size_t n_tags, const char *bio, struct nm_niche_hits *out)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < t->n; i++) {
		bool in_cat = false, in_tag = false, in_bio = false;
		for (size_t k = 0; k < n_cats && !in_cat; k++)
			in_cat = strcmp(cats[k], t->term[i]) == 0;
		for (size_t k = 0; k < n_tags && !in_tag; k++)
			in_tag = strcmp(tags[k], t->term[i]) == 0 || strcmp(tags[k], t->compact[i]) == 0;
		if (bio && *bio)
			in_bio = contains_word(bio, t->term[i], t->len[i]);
		out->cat += in_cat;
		out->tag += in_tag;
		out->bio += in_bio;
		if (in_cat || in_tag || in_bio)
			out->matched |= 1ull << i;
	}
}
