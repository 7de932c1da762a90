/* Entity tags and the conditional request headers that carry them (RFC 9110 §8.8.3,
 * §13.1.1, §13.1.2). Pure: no HTTP server, no database.
 *
 * nichematch's tags are strong and derived from the representation alone: the first 128
 * bits of the SHA-256 of the reply's bytes, in hex, quoted. Equal bytes give equal tags
 * on every instance and after restarts; any changed byte gives another tag
 * (docs/api-decisions.md, "Caching and conditional requests"). */
#ifndef NM_ETAG_H
#define NM_ETAG_H

#include <stdbool.h>
#include <stddef.h>

/* A tag with its quotes and the NUL: "\"" + 32 hex digits + "\"". */
#define NM_ETAG_SIZE 35

/* The strong entity tag of a representation's bytes, into out. */
void nm_etag_of(const void *data, size_t len, char out[NM_ETAG_SIZE]);

/* Whether header (an If-Match or If-None-Match value: "*" or a comma-separated list of
 * entity-tags, W/ marking weak ones) names tag (a strong tag of nm_etag_of). weak
 * selects the weak comparison (If-None-Match: W/ is ignored on both sides); the strong
 * one (If-Match) never matches a weak tag. "*" matches any tag. A member that is not
 * an entity-tag (no quotes, say) matches nothing. */
bool nm_etag_list_match(const char *header, const char *tag, bool weak);

/* If-Match: true when the request may go on. header NULL (no If-Match): always.
 * current NULL (no current representation): never, not even for "*". */
bool nm_etag_if_match(const char *header, const char *current);

/* If-None-Match on GET/HEAD: true when the reply is to be 304 Not Modified. */
bool nm_etag_if_none_match(const char *header, const char *current);

#endif
