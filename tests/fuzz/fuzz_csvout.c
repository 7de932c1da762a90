/* libFuzzer: the export CSV writer (nm/csvout.h). Input: byte 0's bits say which cells
 * are numbers (bit i for cell i mod 8), the rest is the cells separated by NUL bytes.
 * The written record must read back, with a strict RFC 4180 reader, as exactly those
 * cells, a text cell that begins like a formula with one leading quote added; and no
 * unquoted cell may begin like a formula. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nm/csvout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads the cell at *p (a strict reader: quotes only around a whole cell) into c; false
 * when malformed. *guarded: the cell was quoted and began with a quote mark. */
static bool read_cell(const char **p, const char *end, struct nm_buf *c, bool *quoted)
{
	const char *s = *p;
	*quoted = s < end && *s == '"';
	if (*quoted) {
		for (s++;; s++) {
			if (s >= end)
				return false;
			if (*s == '"') {
				if (s + 1 < end && s[1] == '"') {
					nm_buf_add(c, "\"", 1);
					s++;
					continue;
				}
				s++;
				break;
			}
			nm_buf_add(c, s, 1);
		}
	} else {
		for (; s < end && *s != ',' && *s != '\r'; s++) {
			if (*s == '"' || *s == '\n')
				return false;
			nm_buf_add(c, s, 1);
		}
	}
	*p = s;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned numbers = data[0];
	const char *in = (const char *)data + 1, *in_end = (const char *)data + size;
	struct nm_buf out = {0};
	size_t n = 0;
	for (const char *c = in;; n++) {
		const char *z = memchr(c, '\0', (size_t)(in_end - c));
		size_t len = (size_t)((z ? z : in_end) - c);
		nm_csvout_cell(&out, n == 0, c, len,
			       numbers >> (n % 8) & 1 ? NM_CSVOUT_NUMBER : NM_CSVOUT_TEXT);
		if (!z)
			break;
		c = z + 1;
	}
	nm_csvout_row_end(&out);
	if (out.oom)
		abort();
	n++;

	const char *p = out.data, *end = out.data + out.len, *c = in;
	for (size_t i = 0; i < n; i++) {
		const char *z = memchr(c, '\0', (size_t)(in_end - c));
		size_t len = (size_t)((z ? z : in_end) - c);
		bool number = numbers >> (i % 8) & 1, quoted;
		struct nm_buf cell = {0};
		if (!read_cell(&p, end, &cell, &quoted))
			__builtin_trap();
		bool guard = !number && nm_csvout_is_formula(c, len);
		if (!quoted && !number && nm_csvout_is_formula(cell.data, cell.len))
			__builtin_trap(); /* a formula reached the spreadsheet */
		if (cell.len != len + guard || (guard && cell.data[0] != '\'') ||
		    (len && memcmp(cell.data + guard, c, len) != 0))
			__builtin_trap();
		nm_buf_free(&cell);
		if (i + 1 < n) {
			if (p >= end || *p != ',')
				__builtin_trap();
			p++;
			c = z + 1;
		}
	}
	if (end - p != 2 || p[0] != '\r' || p[1] != '\n')
		__builtin_trap();
	nm_buf_free(&out);
	return 0;
}
