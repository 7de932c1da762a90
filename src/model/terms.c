/* Term normalisation shared by brand niches/keywords and creator categories/hashtags:
 * both sides must normalise identically or niche matching silently misses. */
#include "nm/taxonomy.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

size_t nm_term_normalize(char *s, bool strip_hash)
{
	const char *r = s;
	char *w = s;
	/* Leading spaces and '#' marks interleave in real cells ("# fitness", " #gym"). */
	while (is_space(*r) || (strip_hash && *r == '#'))
		r++;
	bool pending_space = false;
	for (; *r; r++) {
		char c = *r;
		if (is_space(c)) {
			pending_space = true;
			continue;
		}
		if (pending_space)
			*w++ = ' ';
		pending_space = false;
		*w++ = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	*w = '\0';
	return (size_t)(w - s);
}
