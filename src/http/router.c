/* Route matching over the static table in routes.c. Patterns are literal segments
 * plus "{id}" (a positive 64-bit integer) and any other "{name}" (a token). A linear
 * scan is fine: the table has a few dozen entries and matching is a few string
 * compares; it also yields the Allow list for 405 in the same pass. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static bool parse_id(const char *s, size_t n, int64_t *out)
{
	if (n == 0 || n > 19 || s[0] == '0')
		return false;
	int64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (v > (INT64_MAX - (s[i] - '0')) / 10)
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return v > 0;
}

static bool token_ok(const char *s, size_t n)
{
	if (n == 0 || n > 79)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.'))
			return false;
	}
	return true;
}

/* Matches path against pattern; fills params into r (may be NULL). */
static bool match(const char *pattern, const char *path, struct nm_req *r)
{
	int n_ids = 0, n_strs = 0;
	const char *p = pattern, *s = path;
	while (*p && *s) {
		if (*p != '/' || *s != '/')
			return false;
		p++;
		s++;
		const char *pe = strchr(p, '/');
		const char *se = strchr(s, '/');
		size_t pl = pe ? (size_t)(pe - p) : strlen(p);
		size_t sl = se ? (size_t)(se - s) : strlen(s);
		if (pl >= 2 && p[0] == '{') {
			if ((pl == 4 && memcmp(p, "{id}", 4) == 0) ||
			    (pl > 5 && memcmp(p + pl - 4, "_id}", 4) == 0)) {
				int64_t id;
				if (!parse_id(s, sl, &id) || n_ids >= NM_MAX_PARAMS)
					return false;
				if (r)
					r->ids[n_ids] = id;
				n_ids++;
			} else {
				if (!token_ok(s, sl) || n_strs >= NM_MAX_PARAMS)
					return false;
				if (r) {
					memcpy(r->strs[n_strs], s, sl);
					r->strs[n_strs][sl] = '\0';
				}
				n_strs++;
			}
		} else if (pl != sl || memcmp(p, s, pl) != 0) {
			return false;
		}
		p += pl;
		s += sl;
	}
	if (*p || *s)
		return false;
	if (r) {
		r->n_ids = n_ids;
		r->n_strs = n_strs;
	}
	return true;
}

const struct nm_route *nm_router_match(const char *method, const char *path, struct nm_req *r,
				       char *allow, size_t allow_sz, bool *path_known)
{
	const struct nm_route *found = NULL;
	*path_known = false;
	allow[0] = '\0';
	bool head = strcmp(method, "HEAD") == 0;
	for (size_t i = 0; i < nm_routes_count; i++) {
		const struct nm_route *rt = &nm_routes[i];
		if (!match(rt->pattern, path, NULL))
			continue;
		*path_known = true;
		size_t used = strlen(allow);
		snprintf(allow + used, allow_sz - used, "%s%s", used ? ", " : "", rt->method);
		if (!found &&
		    (strcmp(rt->method, method) == 0 || (head && strcmp(rt->method, "GET") == 0)))
			found = rt;
	}
	if (*path_known) {
		size_t used = strlen(allow);
		snprintf(allow + used, allow_sz - used, ", OPTIONS");
	}
	if (found)
		match(found->pattern, path, r);
	return found;
}
