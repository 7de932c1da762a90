#include "nm/pgarray.h"

#include <stdbool.h>
#include <string.h>

size_t nm_pgarray_split(char *s, char **out, size_t max)
{
	size_t n = 0;
	if (!s || *s != '{')
		return 0;
	char *r = s + 1, *w = s + 1;
	while (*r && *r != '}') {
		char *start = w;
		bool quoted = *r == '"';
		if (quoted) {
			r++;
			while (*r && *r != '"') {
				if (*r == '\\' && r[1])
					r++;
				*w++ = *r++;
			}
			if (*r == '"')
				r++;
		} else {
			while (*r && *r != ',' && *r != '}')
				*w++ = *r++;
		}
		char sep = *r;
		*w = '\0';
		bool is_null = !quoted && strcmp(start, "NULL") == 0;
		if (!is_null && n < max)
			out[n++] = start;
		w++;
		if (sep == ',')
			r++;
		else
			break;
	}
	return n;
}
