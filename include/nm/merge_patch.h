/* JSON Merge Patch (RFC 7396). Pure: jansson only. */
#ifndef NM_MERGE_PATCH_H
#define NM_MERGE_PATCH_H

#include <jansson.h>

/* Returns a new value: target with patch applied. Neither argument is modified;
 * caller owns the result. */
json_t *nm_merge_patch(const json_t *target, const json_t *patch);

#endif
