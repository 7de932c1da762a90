/* Streaming (push) CSV/TSV reader for bulk imports, RFC 4180 quoting. Pure C.
 * Fed arbitrary chunks; emits one record at a time through a callback, with the
 * 1-based physical line where the record starts. Never holds more than one record. */
#ifndef NM_CSV_H
#define NM_CSV_H

#include <stdbool.h>
#include <stddef.h>

struct nm_csv;

/* One record: n cells, each cells[i] (NUL-terminated, unquoted, len lens[i]).
 * Borrowed: valid only during the callback. Return 0 to continue, non-zero to stop
 * (nm_csv_feed then returns that value). */
typedef int (*nm_csv_record_cb)(void *cls, size_t line, size_t n, const char *const *cells,
                                const size_t *lens);

/* delim is ',' or '\t'. max_record_bytes bounds one record (a runaway quote must not
 * eat memory): beyond it nm_csv_feed returns NM_CSV_TOO_LONG.
 * A UTF-8 BOM at the very start is skipped; CRLF and LF both end records; blank lines
 * (including a trailing one) are skipped. Caller owns the result; nm_csv_free. */
struct nm_csv *nm_csv_new(char delim, size_t max_record_bytes, nm_csv_record_cb cb, void *cls);
void nm_csv_free(struct nm_csv *p);

#define NM_CSV_TOO_LONG (-1000)
#define NM_CSV_BAD_QUOTE (-1001) /* reserved; the reader is lenient about stray quotes */

/* Feeds len bytes. Returns 0, a callback's non-zero return, or NM_CSV_TOO_LONG. */
int nm_csv_feed(struct nm_csv *p, const char *buf, size_t len);
/* Ends input: emits a last record without trailing newline. Returns 0 or as above;
 * an unterminated quoted cell at EOF is emitted as is. */
int nm_csv_finish(struct nm_csv *p);

#endif
