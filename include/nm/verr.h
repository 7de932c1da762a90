/* Validation error lists: a JSON array of {"field","message"} objects, the shape
 * RFC 9457 replies carry in "errors" (docs/api.md §2). Pure: jansson only. */
#ifndef NM_VERR_H
#define NM_VERR_H

#include <jansson.h>

/* Appends {"field": field, "message": printf(fmt, ...)} to errors (a JSON array,
 * borrowed). field may be NULL for whole-body errors (then "field" is omitted). */
void nm_verr_add(json_t *errors, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Joins a prefix and a member name the way docs/api.md §2 names nested fields:
 * nm_verr_path(buf, n, "niches", 2, NULL) -> "niches[2]";
 * nm_verr_path(buf, n, "audience_countries", -1, "US") -> "audience_countries.US".
 * Returns buf. */
const char *nm_verr_path(char *buf, size_t n, const char *prefix, long index, const char *member);

#endif
