/* Push CSV/TSV reader (see nm/csv.h).
 *
 * Own state machine rather than Debian's libcsv: libcsv cannot tell where a record
 * starts (we need the physical line for import errors), trims blanks and tabs from
 * unquoted cells by default, and calls back per cell through pointers; this scanner
 * copies whole runs with memcpy into one reused buffer and is small enough to audit. */
#include "nm/csv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nm/bom.h"

enum csv_state {
	ST_FIELD_START,	 /* nothing of the current cell seen yet */
	ST_UNQUOTED,	 /* inside an unquoted cell (or after a closing quote, leniently) */
	ST_QUOTED,	 /* inside "..." */
	ST_QUOTE_QUOTED, /* saw '"' inside "...": either "" or the closing quote */
};

struct nm_csv {
	char delim;
	size_t max;
	nm_csv_record_cb cb;
	void *cls;

	enum csv_state st;
	int stopped;	   /* sticky: NM_CSV_TOO_LONG or a callback's non-zero return */
	bool cr_pending;   /* the last byte was a CR, so a following LF ends no extra line */
	bool in_record;	   /* a byte of the current record has been consumed */
	bool nonblank;	   /* the current record has a delimiter, quote or content byte */
	struct nm_bom bom; /* a leading BOM */
	size_t line;	   /* physical line of the next byte */
	size_t rec_line;   /* physical line where the current record started */

	/* The current record: cells stored back to back, each NUL-terminated. Offsets,
	 * not pointers, because data may move when it grows. */
	char *data;
	size_t len, cap;
	size_t cell_start;
	size_t *offs, *lens;
	const char **ptrs;
	size_t n, ncap;
};

struct nm_csv *nm_csv_new(char delim, size_t max_record_bytes, nm_csv_record_cb cb, void *cls)
{
	if (delim == '"' || delim == '\r' || delim == '\n' || delim == '\0' || !cb)
		return NULL;
	struct nm_csv *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->delim = delim;
	p->max = max_record_bytes ? max_record_bytes : NM_CSV_DEFAULT_MAX;
	p->cb = cb;
	p->cls = cls;
	p->line = 1;
	p->cap = 4096;
	p->ncap = 32;
	p->data = malloc(p->cap);
	p->offs = malloc(p->ncap * sizeof *p->offs);
	p->lens = malloc(p->ncap * sizeof *p->lens);
	p->ptrs = malloc(p->ncap * sizeof *p->ptrs);
	if (!p->data || !p->offs || !p->lens || !p->ptrs) {
		nm_csv_free(p);
		return NULL;
	}
	return p;
}

void nm_csv_free(struct nm_csv *p)
{
	if (!p)
		return;
	free(p->data);
	free(p->offs);
	free(p->lens);
	free(p->ptrs);
	free(p);
}

/* Makes room for extra more bytes of the record. Both the cell bytes and each cell's NUL
 * go through here: the NUL of an empty cell needs a byte as much as content does, and a
 * line of many empty cells is nothing but NULs. */
static int reserve(struct nm_csv *p, size_t extra)
{
	if (extra > p->max || p->len + extra > p->max)
		return p->stopped = NM_CSV_TOO_LONG;
	if (p->len + extra > p->cap) {
		size_t cap = p->cap;
		while (p->len + extra > cap)
			cap *= 2;
		char *d = realloc(p->data, cap);
		if (!d)
			return p->stopped = NM_CSV_TOO_LONG;
		p->data = d;
		p->cap = cap;
	}
	return 0;
}

/* Appends k bytes to the current cell. The limit counts the record's bytes plus one per
 * cell, so neither a runaway quote nor a line of a million delimiters can grow memory
 * past max. */
static int append(struct nm_csv *p, const char *s, size_t k)
{
	/* One byte more than k: the cell's NUL must still fit under max. */
	if (k >= p->max || reserve(p, k + 1))
		return p->stopped = NM_CSV_TOO_LONG;
	memcpy(p->data + p->len, s, k);
	p->len += k;
	return 0;
}

static int grow_cells(struct nm_csv *p)
{
	size_t ncap = p->ncap * 2;
	size_t *o = realloc(p->offs, ncap * sizeof *o);
	if (o)
		p->offs = o;
	size_t *l = realloc(p->lens, ncap * sizeof *l);
	if (l)
		p->lens = l;
	const char **q = realloc(p->ptrs, ncap * sizeof *q);
	if (q)
		p->ptrs = q;
	if (!o || !l || !q)
		return p->stopped = NM_CSV_TOO_LONG;
	p->ncap = ncap;
	return 0;
}

static int end_cell(struct nm_csv *p)
{
	if (reserve(p, 1))
		return p->stopped;
	if (p->n == p->ncap && grow_cells(p))
		return p->stopped;
	p->data[p->len] = '\0';
	p->offs[p->n] = p->cell_start;
	p->lens[p->n] = p->len - p->cell_start;
	p->n++;
	p->len++;
	p->cell_start = p->len;
	p->st = ST_FIELD_START;
	return 0;
}

/* Ends the record (and its last cell), emits it unless the line was blank, resets. */
static int end_record(struct nm_csv *p)
{
	int r = 0;
	if (p->nonblank) {
		r = end_cell(p);
		if (!r) {
			for (size_t i = 0; i < p->n; i++)
				p->ptrs[i] = p->data + p->offs[i];
			r = p->cb(p->cls, p->rec_line, p->n, p->ptrs, p->lens);
			if (r)
				p->stopped = r;
		}
	}
	p->st = ST_FIELD_START;
	p->n = 0;
	p->len = 0;
	p->cell_start = 0;
	p->in_record = false;
	p->nonblank = false;
	return r;
}

/* A line end outside quotes: c is the CR or LF just consumed. */
static int line_end(struct nm_csv *p, char c)
{
	p->line++;
	p->cr_pending = (c == '\r');
	return end_record(p);
}

#define ONES  UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* Non-zero when some byte of w may equal the byte repeated in pat (exact for "none"). */
static inline uint64_t has_byte(uint64_t w, uint64_t pat)
{
	uint64_t x = w ^ pat;
	return (x - ONES) & ~x & HIGHS;
}

/* Scans an unquoted run; returns the index of the byte that stopped it. Cells are
 * mostly short plain text, so test eight bytes at a time for delim/CR/LF first. */
static size_t scan_unquoted(const char *b, size_t i, size_t n, char delim)
{
	const uint64_t d = ONES * (unsigned char)delim, lf = ONES * '\n', cr = ONES * '\r';
	while (n - i >= 8) {
		uint64_t w;
		memcpy(&w, b + i, 8);
		if (has_byte(w, d) | has_byte(w, lf) | has_byte(w, cr))
			break;
		i += 8;
	}
	while (i < n) {
		char c = b[i];
		if (c == delim || c == '\n' || c == '\r')
			break;
		i++;
	}
	return i;
}

/* Scans a quoted run up to '"' or CR, counting LFs as lines. Quoted cells are the
 * long ones (bios, captions), so skip eight plain bytes at a time. */
static size_t scan_quoted(struct nm_csv *p, const char *b, size_t i, size_t n)
{
	const uint64_t q = ONES * '"', lf = ONES * '\n', cr = ONES * '\r';
	while (n - i >= 8) {
		uint64_t w;
		memcpy(&w, b + i, 8);
		if (has_byte(w, q) | has_byte(w, lf) | has_byte(w, cr))
			break;
		i += 8;
	}
	while (i < n) {
		char c = b[i];
		if (c == '"' || c == '\r')
			break;
		if (c == '\n')
			p->line++;
		i++;
	}
	return i;
}

static int run(void *cls, const char *b, size_t n)
{
	struct nm_csv *p = cls;
	size_t i = 0;
	int r = 0;
	while (i < n && !r) {
		char c = b[i];
		if (p->cr_pending) {
			p->cr_pending = false;
			if (c == '\n') {
				/* The LF of a CRLF: the line was already counted at the CR. */
				if (p->st == ST_QUOTED)
					r = append(p, "\n", 1);
				i++;
				continue;
			}
		}
		if (!p->in_record) {
			p->in_record = true;
			p->rec_line = p->line;
		}
		switch (p->st) {
		case ST_FIELD_START:
			if (c == '"') {
				p->nonblank = true;
				p->st = ST_QUOTED;
				i++;
			} else if (c == p->delim) {
				p->nonblank = true;
				r = end_cell(p);
				i++;
			} else if (c == '\n' || c == '\r') {
				i++;
				r = line_end(p, c);
			} else {
				p->nonblank = true;
				p->st = ST_UNQUOTED;
			}
			break;
		case ST_UNQUOTED: {
			size_t j = scan_unquoted(b, i, n, p->delim);
			r = append(p, b + i, j - i);
			i = j;
			if (r || i == n)
				break;
			i++;
			if (b[j] == p->delim)
				r = end_cell(p);
			else
				r = line_end(p, b[j]);
			break;
		}
		case ST_QUOTED: {
			size_t j = scan_quoted(p, b, i, n);
			r = append(p, b + i, j - i);
			i = j;
			if (r || i == n)
				break;
			i++;
			if (b[j] == '"') {
				p->st = ST_QUOTE_QUOTED;
			} else {
				/* A CR inside quotes is data and a line end; an LF after it is
				 * data too but no extra line. */
				r = append(p, "\r", 1);
				p->line++;
				p->cr_pending = true;
			}
			break;
		}
		case ST_QUOTE_QUOTED:
			if (c == '"') {
				r = append(p, "\"", 1);
				p->st = ST_QUOTED;
				i++;
			} else if (c == p->delim) {
				r = end_cell(p);
				i++;
			} else if (c == '\n' || c == '\r') {
				i++;
				r = line_end(p, c);
			} else {
				/* "abc"def: keep going as an unquoted cell, as most readers do. */
				p->st = ST_UNQUOTED;
			}
			break;
		}
	}
	return r;
}

int nm_csv_feed(struct nm_csv *p, const char *buf, size_t len)
{
	if (p->stopped)
		return p->stopped;
	return nm_bom_feed(&p->bom, buf, len, run, p);
}

int nm_csv_finish(struct nm_csv *p)
{
	if (p->stopped)
		return p->stopped;
	int r = nm_bom_finish(&p->bom, run, p);
	if (r)
		return r;
	p->cr_pending = false;
	return p->in_record ? end_record(p) : 0;
}

char nm_csv_sniff_delim(const char *buf, size_t len, char fallback)
{
	size_t comma = 0, semi = 0, tab = 0;
	bool quoted = false;
	for (size_t i = 0; i < len; i++) {
		char c = buf[i];
		if (c == '"')
			quoted = !quoted;
		else if (quoted)
			continue;
		else if (c == '\n' || c == '\r')
			break;
		else if (c == ',')
			comma++;
		else if (c == ';')
			semi++;
		else if (c == '\t')
			tab++;
	}
	if (!comma && !semi && !tab)
		return fallback;
	if (comma >= tab && comma >= semi)
		return ',';
	return tab >= semi ? '\t' : ';';
}
