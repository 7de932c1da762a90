/* libFuzzer: JSON Merge Patch (RFC 7396) over arbitrary documents. Input: a target
 * document, a NUL byte, a patch document (without a NUL the patch is the whole input and
 * the target is {}). Besides memory errors and leaks it checks properties of RFC 7396:
 * a non-object patch replaces the target; applying the same patch twice changes nothing
 * more; neither argument is modified; the result holds no null member that the patch
 * asked to remove. Documents nested deeper than 32 levels are skipped, as the server refuses
 * such bodies before parsing (server.c) and every stored document came from one: the merge
 * copies the target's subtree at each level, quadratic in depth, harmless at 32. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nm/json_depth.h"
#include "nm/merge_patch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FLAGS (JSON_DECODE_ANY | JSON_REJECT_DUPLICATES)

static json_t *load(const uint8_t *p, size_t n)
{
	return json_loadb((const char *)p, n, FLAGS, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (nm_json_depth((const char *)data, size, 32) > 32)
		return 0; /* counted over both documents: at least as strict as one by one */
	const uint8_t *nul = memchr(data, 0, size);
	json_t *target = nul ? load(data, (size_t)(nul - data)) : json_object();
	json_t *patch = nul ? load(nul + 1, size - (size_t)(nul - data) - 1) : load(data, size);
	if (!target || !patch)
		goto out;
	json_t *t0 = json_deep_copy(target), *p0 = json_deep_copy(patch);
	json_t *once = nm_merge_patch(target, patch);
	if (!once || !json_equal(target, t0) || !json_equal(patch, p0))
		abort();
	if (!json_is_object(patch) && !json_equal(once, patch))
		abort();
	json_t *twice = nm_merge_patch(once, patch);
	if (!twice || !json_equal(once, twice))
		abort();
	if (json_is_object(patch) && json_is_object(once)) {
		const char *k;
		json_t *v;
		json_object_foreach(patch, k, v)
		{
			if (json_is_null(v) && json_object_get(once, k))
				abort();
		}
	}
	json_decref(twice);
	json_decref(once);
	json_decref(p0);
	json_decref(t0);
out:
	json_decref(patch);
	json_decref(target);
	return 0;
}
