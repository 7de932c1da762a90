/* libFuzzer target for the CSV/TSV reader. Input: byte 0 seeds the chunk sizes, byte 1
 * picks delimiter (bits 0-1), record limit (bits 2-4) and how many times the rest is
 * repeated to form the body (bits 5-6: 1, 64, 1,024 or 16,384; see expand.h). The body is read
 * whole and in chunks; both must give the same records (hashed) and the same return code.
 *
 * The limits straddle the reader's buffer sizes (it starts at 4,096 bytes and doubles):
 * a limit that keeps every record below the first capacity can never exercise growth,
 * which is how an overflow on records of many empty cells went unseen (issue 10). Run
 * with -max_len of 1 MiB or more (scripts/fuzz.sh does) so len can pass 4,096 too. */
#include "nm/csv.h"

#include "expand.h"

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
/* Record limits: the default (1 MiB, what the importer uses), a tiny one, and values at
 * and around the first capacities. */
static const size_t limits[8] = {0, 64, 4095, 4096, 4097, 8192, 65537, (size_t)1 << 20};

/* Chunk size for the next feed: 1-64 bytes, or up to 64 KiB when bit 7 of seed is set,
 * so that big inputs are also fed in big pieces. */
static size_t chunk_len(unsigned seed, uint32_t r)
{
	size_t span = 1 + seed % 64;
	if (seed & 0x80)
		span *= 1024;
	return 1 + (r >> 8) % span;
}

static int run(const char *d, size_t n, char delim, size_t max, unsigned seed, struct acc *a)
{
	struct nm_csv *p = nm_csv_new(delim, max, on_record, a);
	if (!p)
		__builtin_trap();
	uint32_t r = seed;
	int rc = 0;
	for (size_t i = 0; i < n && !rc;) {
		r = r * 1103515245u + 12345u;
		size_t k = seed ? chunk_len(seed, r) : n;
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
	size_t max = limits[(data[1] >> 2) & 7];
	size -= 2;
	char *body = fuzz_expand((const char *)data + 2, &size, data[1] >> 5);
	if (!body)
		return 0;
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
	free(body);
	return 0;
}
