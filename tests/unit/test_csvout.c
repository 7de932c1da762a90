/* The CSV writer of the exports: RFC 4180 quoting, CRLF records, empty cells for NULL,
 * and the formula-injection guard on text cells only (nm/csvout.h). A small RFC 4180
 * reader checks that every written row reads back as its cells (with the guard's quote). */
#include "check.h"
#include "nm/csvout.h"

#include <stdlib.h>

static char *row(const char *const *cells, const enum nm_csvout_kind *kinds, size_t n)
{
	struct nm_buf b = {0};
	for (size_t i = 0; i < n; i++)
		nm_csvout_cell(&b, i == 0, cells[i], cells[i] ? strlen(cells[i]) : 0, kinds[i]);
	nm_csvout_row_end(&b);
	size_t len;
	return nm_buf_steal(&b, &len);
}

/* Reads one RFC 4180 record from s into out[] (each malloc'd); returns the cell count, or
 * -1 when the text is not one well-formed CRLF-terminated record. */
static int read_record(const char *s, char **out, int max)
{
	int n = 0;
	const char *p = s;
	for (;;) {
		struct nm_buf c = {0};
		nm_buf_add(&c, "", 0);
		if (*p == '"') {
			p++;
			for (;;) {
				if (!*p)
					return -1;
				if (*p == '"' && p[1] == '"') {
					nm_buf_add(&c, "\"", 1);
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else {
					nm_buf_add(&c, p++, 1);
				}
			}
		} else {
			while (*p && *p != ',' && *p != '\r' && *p != '"' && *p != '\n')
				nm_buf_add(&c, p++, 1);
			if (*p == '"' || *p == '\n')
				return -1;
		}
		if (n >= max)
			return -1;
		size_t len;
		out[n] = nm_buf_steal(&c, &len);
		if (!out[n])
			out[n] = strdup("");
		n++;
		if (*p == ',') {
			p++;
			continue;
		}
		return p[0] == '\r' && p[1] == '\n' && p[2] == '\0' ? n : -1;
	}
}

static void check_round_trip(const char *const *cells, const enum nm_csvout_kind *kinds, size_t n)
{
	char *text = row(cells, kinds, n);
	char *back[16];
	int got = read_record(text, back, 16);
	CHECK(got == (int)n);
	for (int i = 0; i < got; i++) {
		const char *want = cells[i] ? cells[i] : "";
		if (kinds[i] == NM_CSVOUT_TEXT && nm_csvout_is_formula(want, strlen(want))) {
			CHECK(back[i][0] == '\'');
			CHECK_STR(back[i] + 1, want);
		} else {
			CHECK_STR(back[i], want);
		}
		free(back[i]);
	}
	free(text);
}

int main(void)
{
	const enum nm_csvout_kind T = NM_CSVOUT_TEXT, N = NM_CSVOUT_NUMBER;

	/* Plain cells are written bare; NULL and "" are empty cells. */
	{
		const char *c[] = {"a", NULL, "", "b c"};
		enum nm_csvout_kind k[] = {T, T, N, T};
		char *s = row(c, k, 4);
		CHECK_STR(s, "a,,,b c\r\n");
		free(s);
	}
	/* Separators, quotes and line breaks are quoted, quotes doubled. */
	{
		const char *c[] = {"x,y", "say \"hi\"", "two\nlines", "cr\rhere", "\""};
		enum nm_csvout_kind k[] = {T, T, T, T, T};
		char *s = row(c, k, 5);
		CHECK_STR(s, "\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\rhere\",\"\"\"\"\r\n");
		free(s);
	}
	/* Formula starters in text cells get a leading quote and are quoted. */
	{
		const char *c[] = {"=HYPERLINK(\"x\")", "+1", "-5", "@SUM(A1)", "\tx", "\rx"};
		enum nm_csvout_kind k[] = {T, T, T, T, T, T};
		char *s = row(c, k, 6);
		CHECK_STR(s, "\"'=HYPERLINK(\"\"x\"\")\",\"'+1\",\"'-5\",\"'@SUM(A1)\",\"'\tx\","
			     "\"'\rx\"\r\n");
		free(s);
	}
	/* Number cells are ours: -5 and 1e-05 stay numbers. */
	{
		const char *c[] = {"-5", "1e-05", "0.5"};
		enum nm_csvout_kind k[] = {N, N, N};
		char *s = row(c, k, 3);
		CHECK_STR(s, "-5,1e-05,0.5\r\n");
		free(s);
	}
	/* Only the first byte counts: a formula character later is plain text. */
	CHECK(!nm_csvout_is_formula("a=b", 3));
	CHECK(!nm_csvout_is_formula(" =1", 3));
	CHECK(!nm_csvout_is_formula("", 0));
	CHECK(!nm_csvout_is_formula(NULL, 0));
	CHECK(nm_csvout_is_formula("=", 1));
	/* Non-ASCII text passes through byte for byte. */
	{
		const char *c[] = {"Zoë Ω 東京", "😀,😀"};
		enum nm_csvout_kind k[] = {T, T};
		char *s = row(c, k, 2);
		CHECK_STR(s, "Zoë Ω 東京,\"😀,😀\"\r\n");
		free(s);
	}
	/* Round trips through an RFC 4180 reader. */
	{
		const char *c[] = {"", "\"\"", ",", "=1,2", "a\"b", "-", "@", "x\r\ny", "plain"};
		enum nm_csvout_kind k[] = {T, T, T, T, T, T, N, T, T};
		check_round_trip(c, k, 9);
	}
	/* The BOM is the three bytes of U+FEFF in UTF-8. */
	CHECK(strlen(NM_CSVOUT_BOM) == 3 && (unsigned char)NM_CSVOUT_BOM[0] == 0xEF);
	/* A cell after a failed allocation leaves the buffer in its sticky oom state. */
	{
		struct nm_buf b = {0};
		nm_buf_str(&b, "x"); /* as in test_buf: refused without asking the allocator */
		CHECK(!nm_buf_reserve(&b, (size_t)-1 / 2));
		nm_csvout_cell(&b, true, "=x", 2, T);
		CHECK(b.oom);
		nm_buf_free(&b);
	}
	CHECK_DONE();
}
