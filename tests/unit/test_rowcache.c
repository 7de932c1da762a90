/* nm/rowcache.h: an entry answers only its id at its stamp; a newer version replaces the
 * older; a full set gives up its least recently used entry; size 0 is off. */
#include "check.h"

#include <stdio.h>
#include <string.h>

#include "nm/rowcache.h"

/* The text for id at stamp from the cache ("" on a miss); its facts' "v" in *v. */
static const char *get(int64_t id, uint32_t stamp, json_int_t *v)
{
	static char text[64];
	struct nm_buf b = {0};
	json_t *facts = nm_rowcache_get(id, stamp, &b);
	snprintf(text, sizeof text, "%s", facts && b.data ? b.data : "");
	*v = facts ? json_integer_value(json_object_get(facts, "v")) : -1;
	json_decref(facts);
	nm_buf_free(&b);
	return text;
}

static void put(int64_t id, uint32_t stamp, const char *text, json_int_t v)
{
	json_t *facts = json_pack("{s:I}", "v", v);
	nm_rowcache_put(id, stamp, text, strlen(text), facts);
	json_decref(facts); /* the cache keeps its own reference */
}

int main(void)
{
	json_int_t v;
	nm_rowcache_configure(0);
	CHECK(!nm_rowcache_enabled());
	put(1, 7, "{\"id\":1", 1);
	CHECK_STR(get(1, 7, &v), ""); /* off: nothing kept */

	nm_rowcache_configure(8); /* one set of 8: every id competes */
	CHECK(nm_rowcache_enabled());
	put(1, 7, "{\"id\":1", 10);
	CHECK_STR(get(1, 7, &v), "{\"id\":1");
	CHECK(v == 10);
	CHECK_STR(get(1, 8, &v), ""); /* another version of the row */
	CHECK_STR(get(2, 7, &v), "");
	put(1, 8, "{\"id\":1,\"x\":2", 11); /* the newer version replaces the older */
	CHECK_STR(get(1, 7, &v), "");
	CHECK_STR(get(1, 8, &v), "{\"id\":1,\"x\":2");
	CHECK(v == 11);

	for (int64_t id = 2; id <= 8; id++) /* fills the set */
		put(id, 1, "row", id);
	CHECK_STR(get(1, 8, &v), "{\"id\":1,\"x\":2"); /* 1 is used again: 2 is the oldest */
	put(9, 1, "nine", 9);
	CHECK_STR(get(2, 1, &v), ""); /* evicted */
	CHECK_STR(get(1, 8, &v), "{\"id\":1,\"x\":2");
	CHECK_STR(get(9, 1, &v), "nine");
	for (int64_t id = 3; id <= 8; id++)
		CHECK_STR(get(id, 1, &v), "row");

	/* appends to what the buffer holds */
	struct nm_buf b = {0};
	nm_buf_str(&b, "[");
	json_t *facts = nm_rowcache_get(9, 1, &b);
	CHECK(facts != NULL);
	CHECK_STR(b.data, "[nine");
	json_decref(facts);
	nm_buf_free(&b);

	nm_rowcache_configure(1000); /* reconfiguring drops every entry */
	CHECK_STR(get(9, 1, &v), "");
	put(123456789012345, 4000000000u, "big", 1);
	CHECK_STR(get(123456789012345, 4000000000u, &v), "big");
	nm_rowcache_free();
	CHECK(!nm_rowcache_enabled());
	CHECK_DONE();
}
