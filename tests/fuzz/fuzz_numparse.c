/* libFuzzer: the number-cell parsers must never read past len, crash, or return a value
 * outside their contract. The input is copied to an exact-size heap buffer so ASan sees
 * any read beyond len. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nm/numparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size ? size : 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	int64_t n;
	if (nm_num_parse_count(s, size, &n) && (n < 0 || n > INT64_MAX / 2))
		abort();
	double d;
	if (nm_num_parse_decimal(s, size, false, &d) && (!isfinite(d) || d < 0))
		abort();
	if (nm_num_parse_decimal(s, size, true, &d) && !isfinite(d))
		abort();
	if (nm_num_parse_rate(s, size, false, &d) && (!isfinite(d) || d < 0))
		abort();
	if (nm_num_parse_rate(s, size, true, &d) && !isfinite(d))
		abort();
	free(s);
	return 0;
}
