/* Shared by the parser fuzz targets: lets a small input stand for a long or wide one.
 *
 * libFuzzer grows inputs a few bytes at a time, and random bytes are full of line ends, so
 * it seldom builds a record of thousands of cells by itself; yet that is where buffer
 * growth happens (the CSV reader's first buffer is 4,096 bytes). With this, "," and a
 * repeat code of 16,384 is a record of 16,384 empty cells, found in seconds. */
#ifndef NM_FUZZ_EXPAND_H
#define NM_FUZZ_EXPAND_H

#include <stdlib.h>
#include <string.h>

/* Largest expanded body: past the parsers' 1 MiB record limit, so TOO_LONG paths run too. */
#define FUZZ_EXPAND_MAX ((size_t)2 << 20)

/* Returns body repeated 1, 64, 1,024 or 16,384 times (code & 3) but at most
 * FUZZ_EXPAND_MAX bytes (whole copies, at least one), in an exact-size heap block so
 * that ASan sees reads past it; *n is updated. The caller frees it. NULL on OOM. */
static inline char *fuzz_expand(const char *body, size_t *n, unsigned code)
{
	static const size_t times[4] = {1, 64, 1024, 16384};
	size_t len = *n, t = times[code & 3];
	if (len && t > FUZZ_EXPAND_MAX / len)
		t = FUZZ_EXPAND_MAX / len ? FUZZ_EXPAND_MAX / len : 1;
	char *out = malloc(len * t ? len * t : 1);
	if (!out)
		return NULL;
	for (size_t i = 0; i < t; i++)
		memcpy(out + i * len, body, len);
	*n = len * t;
	return out;
}

#endif
