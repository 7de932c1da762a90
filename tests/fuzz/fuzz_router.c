/* libFuzzer: the route matcher takes any method and path a client sends. It must never
 * crash or overrun, a match must really fit its pattern (ids positive, tokens short), and
 * the Allow list must be produced whenever the path is known. Input: method, NUL, path. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/http/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t ml = nul ? (size_t)(nul - data) : size / 4;
	if (ml > 16)
		ml = 16;
	char method[17];
	memcpy(method, data, ml);
	method[ml] = '\0';
	size_t off = nul ? ml + 1 : ml;
	size_t pl = size > off ? size - off : 0;
	char *path = malloc(pl + 1);
	if (!path)
		return 0;
	memcpy(path, data + off, pl);
	path[pl] = '\0';

	struct nm_req *r = calloc(1, sizeof *r);
	char allow[256];
	bool known;
	const struct nm_route *rt = nm_router_match(method, path, r, allow, sizeof allow, &known);
	if (rt && !known)
		abort(); /* a matched route implies a known path */
	if (known && !strstr(allow, "OPTIONS"))
		abort();
	for (int i = 0; rt && i < r->n_ids; i++)
		if (r->ids[i] <= 0)
			abort();
	for (int i = 0; rt && i < r->n_strs; i++)
		if (strlen(r->strs[i]) == 0 || strlen(r->strs[i]) >= sizeof r->strs[i])
			abort();
	free(r);
	free(path);
	return 0;
}
