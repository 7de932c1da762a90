#include "field.h"

#include <stdlib.h>
#include <string.h>

#include "nm/taxonomy.h"

size_t nm_utf8_chars(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

static bool ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

void nm_trim(const char **s, size_t *n)
{
	while (*n && ws(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && ws((*s)[*n - 1]))
		(*n)--;
}

/* A raw term longer than this cannot normalise to 100 code points unless it is mostly
 * padding; refusing it bounds the stack copy below. */
#define RAW_TERM_MAX 1024

enum nm_term_res nm_terms_add(struct nm_terms *t, const char *raw, size_t len, bool hashtag,
			      size_t max_items)
{
	char buf[RAW_TERM_MAX + 1];
	if (len > RAW_TERM_MAX)
		return NM_TERM_TOO_LONG;
	memcpy(buf, raw, len);
	buf[len] = '\0';
	size_t n = nm_term_normalize(buf, hashtag);
	if (n == 0)
		return NM_TERM_EMPTY;
	if (nm_utf8_chars(buf, n) > NM_TERM_CHARS_MAX)
		return NM_TERM_TOO_LONG;
	if (hashtag && memchr(buf, ' ', n))
		return NM_TERM_SPACE;
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->items[i], buf) == 0)
			return NM_TERM_DUP;
	if (t->n >= max_items || t->n >= NM_TERMS_CAP)
		return NM_TERM_TOO_MANY;
	char *copy = malloc(n + 1);
	if (!copy)
		abort(); /* like jansson's allocator failing: nothing sensible to report */
	memcpy(copy, buf, n + 1);
	t->items[t->n++] = copy;
	return NM_TERM_ADDED;
}

void nm_terms_free(struct nm_terms *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->items[i]);
	t->n = 0;
}

const char *nm_term_message(enum nm_term_res r)
{
	switch (r) {
	case NM_TERM_EMPTY:
		return "must not be empty";
	case NM_TERM_TOO_LONG:
		return "must be at most 100 characters";
	case NM_TERM_SPACE:
		return "must not contain spaces";
	default:
		return "is invalid";
	}
}
