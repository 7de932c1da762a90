/* Writing CSV (RFC 4180) for the exports (docs/api.md, "CSV exports"): cells separated by
 * ',', records ended by CRLF, a cell quoted when it holds ',', '"', CR or LF, its quotes
 * doubled. Pure: no HTTP, no database.
 *
 * Formula injection (OWASP "CSV Injection"): a spreadsheet runs a cell that begins with
 * '=', '+', '-' or '@' as a formula, and one that begins with TAB or CR may be trimmed
 * into one. A text cell (NM_CSVOUT_TEXT: anything a user or an import wrote) that begins
 * with one of those bytes gets a leading single quote and is quoted, so a spreadsheet
 * shows it as text. Number cells (NM_CSVOUT_NUMBER) are written as they are: the caller
 * passes only what it formatted itself from a numeric column (digits, sign, '.', 'e'),
 * so -5 stays the number -5. */
#ifndef NM_CSVOUT_H
#define NM_CSVOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "nm/buf.h"

/* The UTF-8 byte order mark Excel needs to read a CSV file as UTF-8 (?bom=1). */
#define NM_CSVOUT_BOM "\xEF\xBB\xBF"

enum nm_csvout_kind {
	NM_CSVOUT_TEXT,	  /* user text: neutralised when it would read as a formula */
	NM_CSVOUT_NUMBER, /* our own formatting of a number: written as is */
};

/* True when text s (len bytes) begins with a byte that makes a spreadsheet read it as a
 * formula ('=', '+', '-', '@', TAB, CR). */
bool nm_csvout_is_formula(const char *s, size_t len);

/* Appends one cell to b: a ',' before it unless first, then s (len bytes; NULL is an empty
 * cell, as SQL NULL) quoted and neutralised as the kind says. Memory failures set b->oom
 * (nm/buf.h): check once per batch. */
void nm_csvout_cell(struct nm_buf *b, bool first, const char *s, size_t len,
		    enum nm_csvout_kind kind);

/* Ends a record (CRLF). */
void nm_csvout_row_end(struct nm_buf *b);

#endif
