#include "nm/merge_patch.h"

json_t *nm_merge_patch(const json_t *target, const json_t *patch)
{
	if (!json_is_object(patch))
		return json_deep_copy(patch);
	json_t *out = json_is_object(target) ? json_deep_copy(target) : json_object();
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)patch, key, v)
	{
		if (json_is_null(v)) {
			json_object_del(out, key);
		} else {
			json_t *merged = nm_merge_patch(json_object_get(out, key), v);
			json_object_set_new(out, key, merged);
		}
	}
	return out;
}
