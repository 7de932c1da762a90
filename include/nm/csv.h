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

/* delim is ',' or '\t' (';' and others work too; '"', CR, LF and NUL give NULL).
 * max_record_bytes bounds one record (a runaway quote must not eat memory): it counts
 * the record's unquoted cell bytes plus one per cell; beyond it nm_csv_feed returns
 * NM_CSV_TOO_LONG. 0 selects NM_CSV_DEFAULT_MAX.
 * A UTF-8 BOM at the very start is skipped; CRLF, LF and a lone CR all end records and
 * lines; blank lines (including a trailing one) are skipped but counted. A line of
 * only delimiters (",,,") or of spaces is not blank: it is emitted.
 * Quoting: a '"' opens a quoted cell only as the cell's first byte; elsewhere it is
 * data. After a closing quote, bytes up to the next delimiter are appended ("ab"c ->
 * abc). Inside quotes CR/LF are kept verbatim. Returns NULL on a bad delim or no
 * memory. Caller owns the result; nm_csv_free. */
struct nm_csv *nm_csv_new(char delim, size_t max_record_bytes, nm_csv_record_cb cb, void *cls);
void nm_csv_free(struct nm_csv *p);

#define NM_CSV_DEFAULT_MAX ((size_t)1 << 20)
#define NM_CSV_TOO_LONG	   (-1000) /* also returned when memory runs out */
#define NM_CSV_BAD_QUOTE   (-1001) /* reserved; the reader is lenient about stray quotes */

/* Feeds len bytes. Returns 0, a callback's non-zero return, or NM_CSV_TOO_LONG.
 * A non-zero return is sticky: the reader is stopped and every later feed/finish
 * returns the same value (there is no way to resynchronise after a runaway quote). */
int nm_csv_feed(struct nm_csv *p, const char *buf, size_t len);
/* Ends input: emits a last record without trailing newline. Returns 0 or as above;
 * an unterminated quoted cell at EOF is emitted as is. */
int nm_csv_finish(struct nm_csv *p);

/* Guesses the delimiter from the first record of buf (quotes respected): the most
 * frequent of ',', '\t', ';' (ties prefer ',' then '\t'), or fallback when none
 * occurs. For exports labelled text/csv that are really ';' (European Excel) or tab
 * separated; pass at least the first line. */
char nm_csv_sniff_delim(const char *buf, size_t len, char fallback);

#endif
