/* CSV writer of the exports (see nm/csvout.h). */
#include "nm/csvout.h"

#include <string.h>

bool nm_csvout_is_formula(const char *s, size_t len)
{
	if (!s || len == 0)
		return false;
	switch (s[0]) {
	case '=':
	case '+':
	case '-':
	case '@':
	case '\t':
	case '\r':
		return true;
	default:
		return false;
	}
}

/* True when the cell must be quoted (RFC 4180 section 2, rule 6). */
static bool needs_quotes(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == ',' || c == '"' || c == '\n' || c == '\r')
			return true;
	}
	return false;
}

/* s between quotes, each '"' doubled (rule 7); guard: a leading single quote. */
static void put_quoted(struct nm_buf *b, const char *s, size_t len, bool guard)
{
	nm_buf_add(b, guard ? "\"'" : "\"", guard ? 2 : 1);
	const char *run = s, *end = s + len, *q;
	while ((q = memchr(run, '"', (size_t)(end - run))) != NULL) {
		nm_buf_add(b, run, (size_t)(q - run) + 1);
		nm_buf_add(b, "\"", 1); /* the quote once more */
		run = q + 1;
	}
	nm_buf_add(b, run, (size_t)(end - run));
	nm_buf_add(b, "\"", 1);
}

void nm_csvout_cell(struct nm_buf *b, bool first, const char *s, size_t len,
		    enum nm_csvout_kind kind)
{
	if (!first)
		nm_buf_add(b, ",", 1);
	if (!s || len == 0)
		return;
	/* A guarded cell is always quoted: a reader that drops the quote still sees text. */
	bool guard = kind == NM_CSVOUT_TEXT && nm_csvout_is_formula(s, len);
	if (guard || needs_quotes(s, len))
		put_quoted(b, s, len, guard);
	else
		nm_buf_add(b, s, len);
}

void nm_csvout_row_end(struct nm_buf *b)
{
	nm_buf_add(b, "\r\n", 2);
}
