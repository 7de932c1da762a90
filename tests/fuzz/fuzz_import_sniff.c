/* libFuzzer target for the import format sniffer (nm_import_sniff, nm/import_parser.h) and
 * the import parsers behind their ops table, as the import handler drives them for a body
 * whose Content-Type names no format (application/vnd.ms-excel, text/plain, a multipart
 * file part). Input: byte 0 seeds the chunk sizes and bit 0 of byte 1 the repeat (expand.h);
 * the rest is the body. Checks: the sniff of the first NM_IMPORT_SNIFF_BYTES (what the
 * handler sees) is one of the four formats and never reads past its length (ASan); the
 * chosen parser reads the body whole and in chunks alike (same row count and return code). The
 * media-type and file-name pickers get the body's first bytes as a string too. */
#include "nm/import_parser.h"

#include "expand.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct acc {
	size_t rows;
};

static int on_record(void *cls, size_t line, size_t n, const char *const *cells, const size_t *lens)
{
	(void)line;
	for (size_t i = 0; i < n; i++)
		if (cells[i][lens[i]] != '\0')
			__builtin_trap();
	((struct acc *)cls)->rows++;
	return 0;
}

static int on_element(void *cls, size_t pos, json_t *value, const char *err)
{
	(void)pos;
	(void)value;
	(void)err;
	((struct acc *)cls)->rows++;
	return 0;
}

static int run(const struct nm_import_parser_ops *ops, const char *d, size_t n, unsigned seed,
	       struct acc *a)
{
	struct nm_import_sink sink = {a, on_record, on_element};
	struct nm_import_parser *p = ops->create(&sink, 1 << 16);
	if (!p)
		return -1;
	uint32_t r = seed;
	int rc = 0;
	for (size_t i = 0; i < n && !rc;) {
		r = r * 1103515245u + 12345u;
		size_t k = seed ? 1 + (r >> 8) % (1 + seed % 4096) : n;
		if (k > n - i)
			k = n - i;
		rc = ops->feed(p, d + i, k);
		i += k;
	}
	if (!rc)
		rc = ops->finish(p);
	char msg[256];
	if (rc)
		ops->error(p, rc, false, msg, sizeof msg);
	ops->destroy(p);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	unsigned seed = data[0] | 1u;
	unsigned code = data[1] & 1;
	size -= 2;
	char *body = fuzz_expand((const char *)data + 2, &size, code);
	if (!body)
		return 0;
	/* The handler sniffs the first NM_IMPORT_SNIFF_BYTES (fewer when the body is shorter). */
	const struct nm_import_parser_ops *ops =
		nm_import_sniff(body, size < NM_IMPORT_SNIFF_BYTES ? size : NM_IMPORT_SNIFF_BYTES);
	if (ops != &nm_import_csv && ops != &nm_import_tsv && ops != &nm_import_ndjson &&
	    ops != &nm_import_json)
		__builtin_trap();
	if (nm_import_sniff(body, size) == NULL)
		__builtin_trap();
	struct acc whole = {0}, chunked = {0};
	int r1 = run(ops, body, size, 0, &whole);
	int r2 = run(ops, body, size, seed, &chunked);
	if (r1 != r2 || whole.rows != chunked.rows)
		__builtin_trap();
	char s[64];
	size_t n = size < sizeof s - 1 ? size : sizeof s - 1;
	memcpy(s, body, n);
	s[n] = '\0';
	(void)nm_import_by_media(s);
	(void)nm_import_by_filename(s);
	(void)nm_import_sniffable_media(s);
	free(body);
	return 0;
}
