/* PostgreSQL one-dimensional text[] literals ({a,"b c",NULL}) parsed in place. Pure C. */
#ifndef NM_PGARRAY_H
#define NM_PGARRAY_H

#include <stddef.h>

/* Splits the literal s (modified in place: quotes and escapes removed, elements
 * NUL-terminated) into at most max elements; unquoted NULL elements are skipped.
 * Returns the element count. */
size_t nm_pgarray_split(char *s, char **out, size_t max);

#endif
