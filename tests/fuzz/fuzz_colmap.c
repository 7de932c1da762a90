/* libFuzzer target for the column mapping, fed the way the importer feeds it: a CSV
 * body read in chunks (byte 0 seeds the sizes; its bits 5-6 say how many times the rest
 * is repeated to form the body, see expand.h), the first record mapped as the header,
 * every later record turned into an object that must be valid JSON of strings. */
#include "nm/colmap.h"
#include "nm/csv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "expand.h"

/* As many columns as the importer maps (MAX_COLUMNS in src/handlers/imports.c). */
#define MAX_COLS 256

struct state {
	const char *fields[MAX_COLS];
	size_t nf;
	int have_header;
};

static int on_record(void *cls, size_t line, size_t n, const char *const *cells, const size_t *lens)
{
	struct state *s = cls;
	if (!s->have_header) {
		s->have_header = 1;
		s->nf = n < MAX_COLS ? n : MAX_COLS;
		for (size_t i = 0; i < s->nf; i++)
			s->fields[i] = nm_colmap_field(cells[i], lens[i]);
		return 0;
	}
	json_t *o = nm_colmap_row(s->fields, s->nf, n, cells, lens);
	if (!json_is_object(o))
		__builtin_trap();
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v)
	{
		if (!json_is_string(v) || json_string_length(v) == 0)
			__builtin_trap();
	}
	char *dump = json_dumps(o, JSON_COMPACT);
	if (!dump)
		__builtin_trap(); /* every string must be valid UTF-8 */
	free(dump);
	json_decref(o);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned seed = data[0] | 1u;
	size -= 1;
	char *body = fuzz_expand((const char *)data + 1, &size, data[0] >> 5);
	if (!body)
		return 0;

	/* The whole input as one header: a long run of dropped bytes (spaces, BOMs) must
	 * still be scanned without overrun. */
	const char *f = nm_colmap_field(body, size);
	if (f && !*f)
		__builtin_trap();

	struct state s = {{0}, 0, 0};
	/* The importer's record limit (1 MiB), so long and wide records reach the mapper. */
	struct nm_csv *p = nm_csv_new(',', 1 << 20, on_record, &s);
	uint32_t r = seed;
	int rc = 0;
	for (size_t i = 0; i < size && !rc;) {
		r = r * 1103515245u + 12345u;
		size_t span = (1 + seed % 64) * (data[0] & 0x80 ? 1024 : 1);
		size_t k = 1 + (r >> 8) % span;
		if (k > size - i)
			k = size - i;
		rc = nm_csv_feed(p, body + i, k);
		i += k;
	}
	nm_csv_finish(p);
	nm_csv_free(p);
	free(body);
	return 0;
}
