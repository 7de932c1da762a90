/* Streaming splitters for NDJSON and JSON-array bodies. Pure C plus jansson.
 * They find element boundaries incrementally (tracking strings and escapes), enforce a
 * nesting limit and an element size limit, and hand each element to jansson
 * (json_loadb with JSON_REJECT_DUPLICATES), so the body is never held whole. */
#ifndef NM_NDJSON_H
#define NM_NDJSON_H

#include <jansson.h>
#include <stddef.h>

/* One element. value is NULL when the element is not valid JSON (or too deep, or too
 * long); then err is a short message (borrowed, valid during the callback). pos is the
 * 1-based line (NDJSON) or the 1-based position in the array (JSON). value is borrowed:
 * incref to keep it. Elements are parsed with JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
 * so a scalar element (`3`, `"x"`) arrives as a value and the caller can say "expected
 * an object". Return 0 to go on, non-zero to stop (the feed function then returns that
 * value, and every later feed/finish returns it again: stops are sticky).
 * Sizes: a max_*_bytes of 0 selects 1 MiB; a max_depth <= 0 selects 32. The depth is
 * that of the element itself (`{}` is 1): the enclosing array is not counted. */
typedef int (*nm_elem_cb)(void *cls, size_t pos, json_t *value, const char *err);

struct nm_ndjson;
/* Blank lines (only blanks/tabs/CR) are skipped (still counted as lines); CRLF
 * accepted; BOM skipped. A line longer than max_line_bytes is reported with value NULL
 * and skipped up to its LF (memory stays bounded); reading goes on. */
struct nm_ndjson *nm_ndjson_new(size_t max_line_bytes, int max_depth, nm_elem_cb cb, void *cls);
int nm_ndjson_feed(struct nm_ndjson *p, const char *buf, size_t len);
int nm_ndjson_finish(struct nm_ndjson *p);
void nm_ndjson_free(struct nm_ndjson *p);

struct nm_jsonarr;
/* Expects optional whitespace/BOM, '[', elements separated by ',', ']', whitespace.
 * A body that is not an array fails: the feed/finish function returns NM_JSONARR_NOT_ARRAY
 * or NM_JSONARR_SYNTAX and nm_jsonarr_error() tells why. Elements that are individually
 * malformed but delimitable are reported through the callback with value NULL: the
 * splitter only tracks strings, escapes and bracket depth (not bracket kinds), so
 * `[{"a":1,}, 2]` reports element 1 as invalid and element 2 as 2. An empty element
 * (`[1,,2]`, `[1,]`) is reported as an error; `[]` has no elements. Elements longer
 * than max_elem_bytes (counting the whitespace before them) are scanned to their end
 * without buffering and reported. */
#define NM_JSONARR_NOT_ARRAY (-2000)
#define NM_JSONARR_SYNTAX    (-2001)
struct nm_jsonarr *nm_jsonarr_new(size_t max_elem_bytes, int max_depth, nm_elem_cb cb, void *cls);
int nm_jsonarr_feed(struct nm_jsonarr *p, const char *buf, size_t len);
int nm_jsonarr_finish(struct nm_jsonarr *p);
/* Why the body failed, with the byte offset; "" when it has not. Owned by p. */
const char *nm_jsonarr_error(const struct nm_jsonarr *p);
void nm_jsonarr_free(struct nm_jsonarr *p);

#endif
