/* The leading-BOM matcher shared by the import readers: every split of a body into two
 * chunks gives the same bytes to the reader (replayed partial BOM, then the rest) as
 * the whole body at once. */
#include "check.h"
#include "nm/bom.h"
#include "nm/import_parser.h"

#include <string.h>

/* What the reader sees of body fed as body[0, cut) and body[cut, n), then the end. */
static void through(const char *body, size_t n, size_t cut, char *out)
{
	struct nm_bom b = {0};
	size_t o = 0;
	const char *pre;
	size_t pre_n;
	const char *part[2] = {body, body + cut};
	size_t len[2] = {cut, n - cut};
	for (int i = 0; i < 2; i++) {
		size_t k = nm_bom_skip(&b, part[i], len[i], &pre, &pre_n);
		memcpy(out + o, pre, pre_n);
		o += pre_n;
		memcpy(out + o, part[i] + k, len[i] - k);
		o += len[i] - k;
	}
	pre_n = nm_bom_end(&b, &pre);
	memcpy(out + o, pre, pre_n);
	o += pre_n;
	out[o] = '\0';
}

static void expect(const char *body, const char *seen)
{
	size_t n = strlen(body);
	for (size_t cut = 0; cut <= n; cut++) {
		char out[64];
		through(body, n, cut, out);
		CHECK_STR(out, seen);
	}
}

int main(void)
{
	expect("\xEF\xBB\xBFid\n", "id\n");
	expect("\xEF\xBB\xBF", "");
	expect("\xEF\xBB\xBF\xEF\xBB\xBFx", "\xEF\xBB\xBFx"); /* only the first is skipped */
	expect("\xEF\xBBx", "\xEF\xBBx");		      /* a partial BOM is data */
	expect("\xEF", "\xEF");				      /* ... also at the end */
	expect("\xEF\xBB", "\xEF\xBB");
	expect("x\xEF\xBB\xBF", "x\xEF\xBB\xBF"); /* not at the start: data */
	expect("", "");

	struct nm_bom b = {0};
	const char *pre;
	size_t pre_n;
	CHECK(nm_bom_skip(&b, "\xEF\xBB\xBF[", 4, &pre, &pre_n) == 3 && pre_n == 0);
	CHECK(b.done && b.n == 3);
	CHECK(nm_bom_end(&b, &pre) == 0);

	/* A body's first bytes in one piece (the upload sniffer's): only a whole BOM counts. */
	CHECK(nm_bom_whole("\xEF\xBB\xBF[", 4) == 3);
	CHECK(nm_bom_whole("\xEF\xBB\xBF", 3) == 3);
	CHECK(nm_bom_whole("\xEF\xBB", 2) == 0);
	CHECK(nm_bom_whole("\xEF\xBBx", 3) == 0);
	CHECK(nm_bom_whole("", 0) == 0);
	CHECK(nm_import_sniff("\xEF\xBB\xBF\r\n [", 7) == &nm_import_json);
	CHECK(nm_import_sniff("\xEF\xBB\xBF{\"a\":1}", 10) == &nm_import_ndjson);
	CHECK(nm_import_sniff("\xEF\xBB\xBF"
			      "a\tb\n",
			      7) == &nm_import_tsv);
	CHECK(nm_import_sniff("\xEF[", 2) == &nm_import_csv); /* a partial BOM is data */
	CHECK_DONE();
}
