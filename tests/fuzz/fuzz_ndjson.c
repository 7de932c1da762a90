/* libFuzzer target for the NDJSON and JSON-array splitters. Input: byte 0 seeds the
 * chunk sizes, byte 1 picks the limits (bit 1 the depth, bits 2-4 the element size) and
 * how many times the rest is repeated to form the body (bits 5-6, see expand.h). Run with -max_len
 * of 1 MiB or more (scripts/fuzz.sh does) so that elements can outgrow the 4,096-byte first buffer
 * and the limits. Each splitter reads the body whole and in chunks and must report the same
 * elements; and when jansson accepts the whole body as an array, the array splitter must yield
 * exactly its elements. */
#include "nm/json_depth.h"
#include "nm/ndjson.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "expand.h"

struct acc {
	uint64_t h;
	size_t last_pos;
	json_t *collect; /* when set, elements are appended here */
};

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

static int on_elem(void *cls, size_t pos, json_t *value, const char *err)
{
	struct acc *a = cls;
	if (pos <= a->last_pos || (!value && (!err || !*err)) || (value && err))
		__builtin_trap();
	a->last_pos = pos;
	a->h = mix(a->h, &pos, sizeof pos);
	if (a->collect)
		json_array_append(a->collect, value ? value : json_null());
	if (value) {
		char *s = json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
		if (!s)
			__builtin_trap();
		a->h = mix(a->h, s, strlen(s));
		free(s);
	} else {
		a->h = mix(a->h, err, strlen(err));
	}
	return 0;
}

struct cfg {
	size_t max;
	int depth;
};

/* Element limits: the default (1 MiB), a tiny one, and values around the line buffer's
 * first capacity (4,096) and its doublings. */
static const size_t limits[8] = {0, 24, 4095, 4096, 4097, 8192, 65537, (size_t)1 << 20};

/* Chunk size for the next feed: 1-64 bytes, or up to 64 KiB when bit 7 of seed is set. */
static size_t chunk_len(unsigned seed, uint32_t r)
{
	size_t span = 1 + seed % 64;
	if (seed & 0x80)
		span *= 1024;
	return 1 + (r >> 8) % span;
}

static int run(int arr, const char *d, size_t n, struct cfg c, unsigned seed, struct acc *a)
{
	struct nm_ndjson *nd = arr ? NULL : nm_ndjson_new(c.max, c.depth, on_elem, a);
	struct nm_jsonarr *ja = arr ? nm_jsonarr_new(c.max, c.depth, on_elem, a) : NULL;
	if (!nd && !ja)
		__builtin_trap();
	uint32_t r = seed;
	int rc = 0;
	for (size_t i = 0; i < n && !rc;) {
		r = r * 1103515245u + 12345u;
		size_t k = seed ? chunk_len(seed, r) : n;
		if (k > n - i)
			k = n - i;
		rc = nd ? nm_ndjson_feed(nd, d + i, k) : nm_jsonarr_feed(ja, d + i, k);
		i += k;
	}
	int f = nd ? nm_ndjson_finish(nd) : nm_jsonarr_finish(ja);
	if (rc && f != rc)
		__builtin_trap();
	rc = rc ? rc : f;
	if (ja) {
		const char *e = nm_jsonarr_error(ja);
		if ((rc != 0) != (*e != '\0'))
			__builtin_trap();
		a->h = mix(a->h, e, strlen(e));
		nm_jsonarr_free(ja);
	}
	nm_ndjson_free(nd);
	return rc;
}

static void both_ways(int arr, const char *body, size_t size, struct cfg c, unsigned seed)
{
	struct acc whole = {14695981039346656037ull, 0, NULL}, chunked = whole;
	int r1 = run(arr, body, size, c, 0, &whole);
	int r2 = run(arr, body, size, c, seed, &chunked);
	if (r1 != r2 || whole.h != chunked.h)
		__builtin_trap();
	if (!arr && r1 != 0)
		__builtin_trap();
	if (arr && r1 != 0 && r1 != NM_JSONARR_NOT_ARRAY && r1 != NM_JSONARR_SYNTAX)
		__builtin_trap();
}

static void against_jansson(const char *body, size_t size)
{
	json_t *ref = json_loadb(body, size, JSON_REJECT_DUPLICATES, NULL);
	/* Elements at most 32 deep, so the array at most 33. */
	if (ref && json_is_array(ref) && nm_json_depth(body, size, 40) <= 33) {
		struct acc a = {0, 0, json_array()};
		struct cfg c = {size + 1, 32};
		if (run(1, body, size, c, 0, &a) != 0 || !json_equal(ref, a.collect))
			__builtin_trap();
		json_decref(a.collect);
	}
	json_decref(ref);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	unsigned seed = data[0] | 1u;
	struct cfg c = {limits[(data[1] >> 2) & 7], data[1] & 2 ? 3 : 0};
	size -= 2;
	char *body = fuzz_expand((const char *)data + 2, &size, data[1] >> 5);
	if (!body)
		return 0;
	both_ways(0, body, size, c, seed);
	both_ways(1, body, size, c, seed);
	against_jansson(body, size);
	int d = nm_json_depth(body, size, 32);
	if (d < 0 || d > 33)
		__builtin_trap();
	free(body);
	return 0;
}
