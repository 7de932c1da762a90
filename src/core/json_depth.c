/* Nesting depth of JSON text without parsing it (see nm/json_depth.h). */
#include "nm/json_depth.h"

#include <limits.h>
#include <stdbool.h>

int nm_json_depth(const char *buf, size_t len, int limit)
{
	if (limit < 0)
		limit = 0;
	if (limit > INT_MAX - 1)
		limit = INT_MAX - 1;
	int depth = 0, deepest = 0;
	bool in_str = false, esc = false;
	for (size_t i = 0; i < len; i++) {
		char c = buf[i];
		if (in_str) {
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == '[' || c == '{') {
			if (++depth > deepest) {
				deepest = depth;
				if (deepest > limit)
					return limit + 1;
			}
		} else if ((c == ']' || c == '}') && depth > 0) {
			depth--;
		}
	}
	return deepest;
}
