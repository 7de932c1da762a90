/* libFuzzer: the text[] literal splitter parses in place. Every element it returns must
 * lie inside the input buffer and end before the buffer's terminator, and it must never
 * return more than max elements. The literal is copied to an exact-size heap buffer
 * (plus its NUL) so ASan sees any access beyond it. Input: byte 0 picks max (0-63), the
 * rest is the literal (cut at the first NUL, as a C string from libpq would be). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nm/pgarray.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t max = data[0] & 63;
	const char *lit = (const char *)data + 1;
	size_t len = strnlen(lit, size - 1);
	char *s = malloc(len + 1);
	char **out = malloc((max ? max : 1) * sizeof *out);
	if (!s || !out)
		abort();
	memcpy(s, lit, len);
	s[len] = '\0';
	size_t n = nm_pgarray_split(s, out, max);
	if (n > max)
		abort();
	for (size_t i = 0; i < n; i++) {
		if (out[i] < s || out[i] > s + len)
			abort();
		/* NUL-terminated inside the buffer; elements do not overlap. */
		size_t el = strnlen(out[i], (size_t)(s + len - out[i]) + 1);
		if (out[i] + el > s + len)
			abort();
		if (i && out[i] <= out[i - 1])
			abort();
	}
	free(out);
	free(s);
	return 0;
}
