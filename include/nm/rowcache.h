/* A bounded cache of rendered rows: per id, the reply text of one version of the row and a
 * small JSON object of facts the caller derives per request (docs/architecture.md "The row
 * cache"). A list page then costs a probe of each row's version and a copy of its text, not
 * a read of every column and a JSON encoding of it.
 *
 * The version (stamp) is what the database says of the row now (PostgreSQL's xmin: every
 * write of a row gives it a new one), so an entry is used only for the very version it was
 * rendered from; anything that depends on the clock or on other tables is not in the text
 * but computed from the facts on every use. Set-associative with least-recently-used
 * replacement inside a set; thread-safe (one mutex). */
#ifndef NM_ROWCACHE_H
#define NM_ROWCACHE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nm/buf.h"

/* Sets how many rows the cache keeps (rounded up to a whole set; 0 turns it off) and
 * drops every entry. Call before serving, or from tests. */
void nm_rowcache_configure(size_t rows);

bool nm_rowcache_enabled(void);

/* On a hit (id's entry has stamp): appends the text to out and returns a new reference to
 * the facts (the caller decrefs it, and must not change it). NULL on a miss, or when out
 * ran out of memory (then it is also counted a miss). */
json_t *nm_rowcache_get(int64_t id, uint32_t stamp, struct nm_buf *out);

/* Stores a copy of text[0..len) and a reference to facts (which nobody may change from
 * now on) for id at stamp, replacing id's entry or the set's least recently used one.
 * Nothing happens when memory runs out. */
void nm_rowcache_put(int64_t id, uint32_t stamp, const char *text, size_t len, json_t *facts);

/* Frees every entry (process exit; tests). */
void nm_rowcache_free(void);

#endif
