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
