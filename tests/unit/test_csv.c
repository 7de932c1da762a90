/* CSV/TSV push reader: RFC 4180 cases, line numbers, limits, and independence from
 * how the input is chunked. */
#include "check.h"
#include "nm/csv.h"

#include <stdint.h>
#include <stdlib.h>

/* Records rendered as text, "line:[cell][cell]\n", CR/LF/NUL escaped, so that one
 * string comparison checks cells, lengths and lines. */
struct sink {
	char *s;
	size_t len, cap;
	int stop_at; /* return 7 from the stop_at-th record (1-based); 0 = never */
	int records;
	int bad_nul; /* cells[i][lens[i]] was not NUL */
};

static void put(struct sink *k, const char *s, size_t n)
{
	if (k->len + n + 1 > k->cap) {
		k->cap = (k->len + n + 1) * 2;
		k->s = realloc(k->s, k->cap);
	}
	memcpy(k->s + k->len, s, n);
	k->len += n;
	k->s[k->len] = '\0';
}

static int on_record(void *cls, size_t line, size_t n, const char *const *cells, const size_t *lens)
{
	struct sink *k = cls;
	char num[32];
	put(k, num, (size_t)snprintf(num, sizeof num, "%zu:", line));
	for (size_t i = 0; i < n; i++) {
		if (cells[i][lens[i]] != '\0')
			k->bad_nul++;
		put(k, "[", 1);
		for (size_t j = 0; j < lens[i]; j++) {
			char c = cells[i][j];
			if (c == '\n')
				put(k, "\\n", 2);
			else if (c == '\r')
				put(k, "\\r", 2);
			else if (c == '\0')
				put(k, "\\0", 2);
			else
				put(k, &c, 1);
		}
		put(k, "]", 1);
	}
	put(k, "\n", 1);
	return ++k->records == k->stop_at ? 7 : 0;
}

static uint32_t rng_state;
static uint32_t rnd(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

enum { WHOLE, BYTES, RANDOM };

/* Parses in one of three chunkings; returns the rendering, *rc the first non-zero
 * feed/finish result (or 0). Caller frees. */
static char *parse(const char *in, size_t len, char delim, size_t max, int mode, uint32_t seed,
		   int stop_at, int *rc)
{
	struct sink k = {0};
	k.stop_at = stop_at;
	put(&k, "", 0);
	struct nm_csv *p = nm_csv_new(delim, max, on_record, &k);
	*rc = 0;
	rng_state = seed;
	size_t i = 0;
	while (i < len && !*rc) {
		size_t n = mode == WHOLE ? len : mode == BYTES ? 1 : 1 + rnd() % 17;
		if (n > len - i)
			n = len - i;
		*rc = nm_csv_feed(p, in + i, n);
		i += n;
	}
	int f = nm_csv_finish(p);
	if (!*rc)
		*rc = f;
	else
		CHECK(f == *rc); /* stops are sticky */
	nm_csv_free(p);
	CHECK(k.bad_nul == 0);
	return k.s;
}

/* Checks the expected rendering and return code under every chunking. */
static void expect_n(const char *in, size_t len, char delim, size_t max, int stop_at,
		     const char *want, int want_rc)
{
	for (int mode = WHOLE; mode <= RANDOM; mode++) {
		for (uint32_t seed = 1; seed <= (mode == RANDOM ? 20u : 1u); seed++) {
			int rc;
			char *got = parse(in, len, delim, max, mode, seed, stop_at, &rc);
			CHECK_STR(got, want);
			CHECK(rc == want_rc);
			if (strcmp(got, want) != 0 || rc != want_rc)
				fprintf(stderr, "  mode %d seed %u rc %d input \"%.*s\"\n", mode,
					seed, rc, (int)len, in);
			free(got);
		}
	}
}

static void expect(const char *in, const char *want)
{
	expect_n(in, strlen(in), ',', 0, 0, want, 0);
}

static void test_basics(void)
{
	expect("a,b,c\n1,2,3\n", "1:[a][b][c]\n2:[1][2][3]\n");
	expect("a,b\n1,2", "1:[a][b]\n2:[1][2]\n");	      /* no trailing newline */
	expect("a,b\r\n1,2\r\n", "1:[a][b]\n2:[1][2]\n");     /* CRLF */
	expect("a,b\r\n1,2\r\n\r\n", "1:[a][b]\n2:[1][2]\n"); /* trailing blank line */
	expect("a\rb\r", "1:[a]\n2:[b]\n");		      /* old Mac line ends */
	expect(",a,\n", "1:[][a][]\n");
	expect(",,,\n", "1:[][][][]\n"); /* not blank: the importer decides */
	expect("\"\"\n", "1:[]\n");	 /* one empty quoted cell is not blank */
	expect(" \n", "1:[ ]\n");	 /* spaces are data (no trimming) */
	expect("", "");
	expect("\n\n\r\n", "");
	expect("a\n\n\nb\n\n", "1:[a]\n4:[b]\n");
	expect("\r\n\r\na\r\n", "3:[a]\n");
	expect("a", "1:[a]\n");
	expect_n("a\0b,c\n", 6, ',', 0, 0, "1:[a\\0b][c]\n", 0);
}

static void test_quotes(void)
{
	expect("h1,h2\n\"x, y\",\"say \"\"hi\"\"\"\n", "1:[h1][h2]\n2:[x, y][say \"hi\"]\n");
	expect("\"a\"\"\",\"\"\"\"\n", "1:[a\"][\"]\n");
	expect("\"\",x\n", "1:[][x]\n");
	/* Records that span lines start where they start; the next one after them. */
	expect("h\n\"a\nb\nc\"\nnext\n", "1:[h]\n2:[a\\nb\\nc]\n5:[next]\n");
	expect("h\r\n\"a\r\nb\"\r\nnext\r\n", "1:[h]\n2:[a\\r\\nb]\n4:[next]\n");
	expect("\"a\rb\",c\nd\n", "1:[a\\rb][c]\n3:[d]\n");
	expect("x,\"multi\n\nline\"\n\ny\n", "1:[x][multi\\n\\nline]\n5:[y]\n");
	/* Lenient: quotes inside unquoted cells are data; text after a closing quote is
	 * appended; an unterminated quote at EOF keeps what it has. */
	expect("ab\"c,d\"\"e\n", "1:[ab\"c][d\"\"e]\n");
	expect("\"x\"y,z\n", "1:[xy][z]\n");
	expect("\"x\"y\"z\",1\n", "1:[xy\"z\"][1]\n");
	expect("a,\"unterminated\nstill", "1:[a][unterminated\\nstill]\n");
	expect(" \"x\",y\n", "1:[ \"x\"][y]\n"); /* RFC: a quote must open the cell */
}

static void test_bom_tsv(void)
{
	expect("\xEF\xBB\xBF"
	       "a,b\n1,2",
	       "1:[a][b]\n2:[1][2]\n");
	expect("\xEF\xBB\xBF", "");
	expect("\xEF\xBB\xBF\n\nx\n", "3:[x]\n");
	expect("\xEF\xBBx,y\n", "1:[\xEF\xBBx][y]\n"); /* a partial BOM is data */
	expect("\xEF", "1:[\xEF]\n");
	expect("a,\xEF\xBB\xBF\n", "1:[a][\xEF\xBB\xBF]\n"); /* only at the very start */
	const char *tsv = "Username\tCategory\t#Followers\n\"a\tb\"\tx,y\t12,400\n";
	expect_n(tsv, strlen(tsv), '\t', 0, 0,
		 "1:[Username][Category][#Followers]\n"
		 "2:[a\tb][x,y][12,400]\n",
		 0);
	const char *semi = "a;\"b;c\"\n";
	expect_n(semi, strlen(semi), ';', 0, 0, "1:[a][b;c]\n", 0);
	CHECK(nm_csv_new('"', 0, on_record, NULL) == NULL);
	CHECK(nm_csv_new('\n', 0, on_record, NULL) == NULL);
}

static void test_limits(void)
{
	/* The limit counts cell bytes plus one NUL per cell: "abc,def" needs 8. */
	expect_n("abc,def\n", 8, ',', 8, 0, "1:[abc][def]\n", 0);
	expect_n("abcd,def\n", 9, ',', 8, 0, "", NM_CSV_TOO_LONG);
	expect_n("ok\nabcd,def\nok\n", 15, ',', 8, 0, "1:[ok]\n", NM_CSV_TOO_LONG);

	/* A runaway quote and a line of delimiters are both cut off. */
	char big[4096];
	memcpy(big, "a\n\"", 3);
	memset(big + 3, 'x', sizeof big - 3);
	expect_n(big, sizeof big, ',', 100, 0, "1:[a]\n", NM_CSV_TOO_LONG);
	memset(big, ',', sizeof big);
	expect_n(big, sizeof big, ',', 100, 0, "", NM_CSV_TOO_LONG);

	/* A callback's non-zero return stops the reader and sticks. */
	expect_n("a\nb\nc\n", 6, ',', 0, 2, "1:[a]\n2:[b]\n", 7);
	expect_n("a\nb", 3, ',', 0, 2, "1:[a]\n2:[b]\n", 7);
}

static void test_sniff(void)
{
	CHECK(nm_csv_sniff_delim("a;b;c\n1,2;3;4", 13, ',') == ';');
	CHECK(nm_csv_sniff_delim("a\tb\tc,d\n", 8, ',') == '\t');
	CHECK(nm_csv_sniff_delim("\"a;b;c\",d\n", 10, '\t') == ',');
	CHECK(nm_csv_sniff_delim("handle\nx;y;z\n", 13, ',') == ',');
	CHECK(nm_csv_sniff_delim("handle", 6, '\t') == '\t');
	CHECK(nm_csv_sniff_delim("a,b;c", 5, '\t') == ',');
}

/* Random inputs over the interesting alphabet: every chunking gives the same result. */
static void test_random_chunking(void)
{
	static const char alphabet[] = "ab,\"\n\r\t\xEF";
	char in[200];
	int mismatches = 0;
	for (uint32_t t = 0; t < 3000; t++) {
		rng_state = t * 7919u + 1;
		size_t len = rnd() % sizeof in;
		for (size_t i = 0; i < len; i++)
			in[i] = alphabet[rnd() % (sizeof alphabet - 1)];
		if (t % 3 == 0 && len >= 3)
			memcpy(in, "\xEF\xBB\xBF", 3);
		char delim = t % 2 ? ',' : '\t';
		size_t max = t % 5 == 0 ? 20 : 0;
		int rc0, rc1, rc2;
		char *whole = parse(in, len, delim, max, WHOLE, 0, 0, &rc0);
		char *bytes = parse(in, len, delim, max, BYTES, 0, 0, &rc1);
		char *rand = parse(in, len, delim, max, RANDOM, t, 0, &rc2);
		if (strcmp(whole, bytes) || strcmp(whole, rand) || rc0 != rc1 || rc0 != rc2)
			mismatches++;
		free(whole);
		free(bytes);
		free(rand);
	}
	CHECK(mismatches == 0);
}


/* Repeats c n times after prefix into a new string; caller frees. */
static char *repeat(const char *prefix, size_t plen, char c, size_t n, const char *suffix,
		    size_t *len)
{
	size_t slen = strlen(suffix);
	char *b = malloc(plen + n + slen + 1);
	memcpy(b, prefix, plen);
	memset(b + plen, c, n);
	memcpy(b + plen + n, suffix, slen + 1);
	*len = plen + n + slen;
	return b;
}

/* Expected rendering of one record of ncells cells, the first holding first (or empty). */
static char *cells_rendering(size_t line, const char *first, size_t ncells)
{
	size_t flen = strlen(first);
	char *w = malloc(32 + flen + 2 * ncells + 2);
	int k = snprintf(w, 32 + flen, "%zu:[%s]", line, first);
	size_t o = (size_t)k;
	for (size_t i = 1; i < ncells; i++) {
		w[o++] = '[';
		w[o++] = ']';
	}
	w[o++] = '\n';
	w[o] = '\0';
	return w;
}

/* Records of empty cells need a byte per cell for its NUL, past the reader's first 4 KiB
 * block: a line of thousands of delimiters, or a cell one byte short of the block followed
 * by empty cells, once wrote those NULs past the end of the heap block. */
static void test_many_empty_cells(void)
{
	const char delims[] = {',', '\t', ';'};
	for (size_t d = 0; d < sizeof delims; d++) {
		char c = delims[d];
		size_t len;
		/* 5,000 and 200,000 delimiters with the default limit: one record of n+1 empty cells. */
		size_t counts[] = {5000, 20000, 200000};
		for (size_t k = 0; k < 3; k++) {
			char *in = repeat("", 0, c, counts[k], "\n", &len);
			char *want = cells_rendering(1, "", counts[k] + 1);
			int rc;
			char *got = parse(in, len, c, 0, WHOLE, 0, 0, &rc);
			CHECK(rc == 0);
			CHECK_STR(got, want);
			free(got);
			if (k == 0) {
				got = parse(in, len, c, 0, RANDOM, 3, 0, &rc);
				CHECK(rc == 0);
				CHECK_STR(got, want);
				free(got);
			}
			free(want);
			free(in);
		}
		/* A cell of exactly the first capacity minus one (4,095 bytes), then empty cells. */
		size_t sizes[] = {4094, 4095, 4096, 8191};
		for (size_t k = 0; k < 4; k++) {
			char *cell = repeat("", 0, 'a', sizes[k], "", &len);
			char tail[3] = {c, c, '\0'};
			char *in = repeat("", 0, 'a', sizes[k], tail, &len);
			char *want = cells_rendering(1, cell, 3);
			for (int mode = WHOLE; mode <= RANDOM; mode++) {
				int rc;
				char *got = parse(in, len, c, 0, mode, 5, 0, &rc);
				CHECK(rc == 0);
				CHECK_STR(got, want);
				free(got);
			}
			free(want);
			free(in);
			/* The same long cell followed by 20,000 delimiters (the fuzz reproduction). */
			in = repeat("", 0, 'a', sizes[k], "", &len);
			char *in2 = malloc(len + 20000 + 1);
			memcpy(in2, in, len);
			memset(in2 + len, c, 20000);
			in2[len + 20000] = '\0';
			want = cells_rendering(1, cell, 20001);
			int rc;
			char *got = parse(in2, len + 20000, c, 0, WHOLE, 0, 0, &rc);
			CHECK(rc == 0);
			CHECK_STR(got, want);
			free(got);
			free(want);
			free(in2);
			free(in);
			free(cell);
		}
		/* Past the limit, delimiters alone stop the reader cleanly. */
		char *in = repeat("", 0, c, 100000, "\n", &len);
		int rc;
		char *got = parse(in, len, c, 50000, WHOLE, 0, 0, &rc);
		CHECK(rc == NM_CSV_TOO_LONG);
		CHECK_STR(got, "");
		free(got);
		free(in);
	}
}

int main(void)
{
	test_many_empty_cells();
	test_basics();
	test_quotes();
	test_bom_tsv();
	test_limits();
	test_sniff();
	test_random_chunking();
	CHECK_DONE();
}
