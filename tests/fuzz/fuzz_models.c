/* libFuzzer: arbitrary bytes through json_loadb, then the brand and creator models in
 * both modes. Besides crashes and leaks it checks the properties the API relies on:
 * a canonical brand normalises to itself, and a creator accepted in either mode comes
 * back through nm_creator_to_json as a body strict mode accepts, unchanged. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "nm/brand.h"
#include "nm/creator.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void brand(const json_t *in)
{
	json_t *errors = json_array();
	json_t *b = nm_brand_normalize(in, errors);
	if (b) {
		json_t *again = nm_brand_normalize(b, errors);
		if (!again || !json_equal(again, b) || json_array_size(errors))
			abort();
		long long lo, hi;
		nm_brand_follower_range(b, &lo, &hi);
		if (lo < 0 || (hi >= 0 && lo > hi))
			abort();
		json_decref(again);
		json_decref(b);
	} else if (json_array_size(errors) == 0) {
		abort(); /* refused without saying why */
	}
	json_decref(errors);
}

static void creator(const json_t *in, enum nm_creator_mode mode)
{
	json_t *errors = json_array(), *unknown = json_object();
	struct nm_creator c;
	if (nm_creator_from_json(in, mode, mode == NM_CREATOR_LENIENT ? "x" : NULL, &c, errors,
				 unknown)) {
		if (json_array_size(errors) || !c.handle ||
		    (c.has_engagement_rate && !(c.engagement_rate >= 0 && c.engagement_rate <= 1)))
			abort();
		json_t *j = nm_creator_to_json(&c);
		json_object_del(j, "tier");
		struct nm_creator c2;
		if (!nm_creator_from_json(j, NM_CREATOR_STRICT, NULL, &c2, errors, NULL))
			abort();
		json_t *j2 = nm_creator_to_json(&c2);
		json_object_del(j2, "tier");
		if (!json_equal(j, j2))
			abort();
		json_decref(j2);
		json_decref(j);
		nm_creator_clear(&c2);
		nm_creator_clear(&c);
	} else if (json_array_size(errors) == 0 || c.handle || c.categories) {
		abort();
	}
	json_decref(unknown);
	json_decref(errors);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t err;
	json_t *in = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
				&err);
	if (!in)
		return 0;
	brand(in);
	creator(in, NM_CREATOR_STRICT);
	creator(in, NM_CREATOR_LENIENT);
	json_decref(in);
	return 0;
}
