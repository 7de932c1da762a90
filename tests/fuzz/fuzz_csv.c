/* libFuzzer target for the CSV/TSV reader. Input: byte 0 seeds the chunk sizes, byte 1
 * picks delimiter (bits 0-1) and record limit (bits 2-4: tiny, around the reader's first
 * 4 KiB block, or the default 1 MiB, so that records grow the buffer), the rest is the
 * body. The body is read whole and in
 * chunks; both must give the same records (hashed) and the same return code. */
#include "nm/csv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct acc {
	uint64_t h;
	size_t last_line;
};

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

static int on_record(void *cls, size_t line, size_t n, const char *const *cells, const size_t *lens)
{
	struct acc *a = cls;
	if (line <= a->last_line || n == 0)
		__builtin_trap(); /* records start on strictly increasing lines */
	a->last_line = line;
	a->h = mix(a->h, &line, sizeof line);
	a->h = mix(a->h, &n, sizeof n);
	for (size_t i = 0; i < n; i++) {
		if (cells[i][lens[i]] != '\0')
			__builtin_trap();
		a->h = mix(a->h, &lens[i], sizeof lens[i]);
		a->h = mix(a->h, cells[i], lens[i]);
	}
	return 0;
}

/* seed 0 feeds everything at once. */
static int run(const char *d, size_t n, char delim, size_t max, unsigned seed, struct acc *a)
{
	struct nm_csv *p = nm_csv_new(delim, max, on_record, a);
	if (!p)
		__builtin_trap();
	uint32_t r = seed;
	int rc = 0;
	for (size_t i = 0; i < n && !rc;) {
		r = r * 1103515245u + 12345u;
		size_t k = seed ? 1 + (r >> 16) % (1 + seed % 64) : n;
		if (k > n - i)
			k = n - i;
		rc = nm_csv_feed(p, d + i, k);
		i += k;
	}
	int f = nm_csv_finish(p);
	if (rc && f != rc)
		__builtin_trap(); /* stops are sticky */
	nm_csv_free(p);
	return rc ? rc : f;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	unsigned seed = data[0] | 1u;
	char delim = data[1] & 1 ? '\t' : data[1] & 2 ? ';' : ',';
	static const size_t maxes[] = {0, 64, 4095, 4096, 4097, 8192, 70000, 0};
	size_t max = maxes[(data[1] >> 2) & 7];
	const char *body = (const char *)data + 2;
	size -= 2;
	struct acc whole = {14695981039346656037ull, 0}, chunked = whole;
	int r1 = run(body, size, delim, max, 0, &whole);
	int r2 = run(body, size, delim, max, seed, &chunked);
	if (r1 != r2 || whole.h != chunked.h)
		__builtin_trap();
	if (r1 != 0 && r1 != NM_CSV_TOO_LONG)
		__builtin_trap();
	char d = nm_csv_sniff_delim(body, size, 'x');
	if (d != ',' && d != ';' && d != '\t' && d != 'x')
		__builtin_trap();
	return 0;
}
