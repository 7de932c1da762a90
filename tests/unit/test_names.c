/* The bounded set of unknown member names an import keeps (struct nm_names,
 * nm_creator_from_row): issue 10, item 3. */
#include <stdlib.h>

#include "check.h"

#include "nm/creator.h"

static json_t *J(const char *text)
{
	json_t *j = json_loads(text, 0, NULL);
	if (!j) {
		fprintf(stderr, "bad test JSON: %s\n", text);
		exit(2);
	}
	return j;
}

static void test_bounds(void)
{
	struct nm_names s;
	CHECK(nm_names_init(&s, 3, 10));
	nm_names_add(&s, "ab");
	nm_names_add(&s, "ab"); /* present: no byte counted twice, not truncated */
	nm_names_add(&s, "cdef");
	CHECK(json_object_size(s.names) == 2 && s.bytes == 6 && !s.truncated);
	nm_names_add(&s, "ghijk"); /* 6 + 5 > 10 bytes */
	CHECK(s.truncated && json_object_size(s.names) == 2);
	s.truncated = false;
	nm_names_add(&s, "gh");
	nm_names_add(&s, "ab"); /* full, but present: still not truncated */
	CHECK(json_object_size(s.names) == 3 && !s.truncated);
	nm_names_add(&s, "x"); /* a fourth name */
	CHECK(s.truncated && json_object_size(s.names) == 3);
	CHECK(json_object_get(s.names, "x") == NULL);
	nm_names_free(&s);
	CHECK(s.names == NULL);
	nm_names_free(&s); /* twice is safe */
}

/* 100,000 rows of fresh names: the set stays at its bound. */
static void test_rows(void)
{
	struct nm_names s;
	CHECK(nm_names_init(&s, 256, 64 * 1024));
	size_t rejected = 0;
	for (int i = 0; i < 100000; i++) {
		char text[160];
		snprintf(text, sizeof text,
			 "{\"platform\":\"instagram\",\"handle\":\"h%d\",\"fresh_%d\":1%s}", i, i,
			 i % 2 ? ",\"followers\":1" : "");
		json_t *row = J(text), *errors = json_array();
		struct nm_creator c;
		if (nm_creator_from_row(row, NULL, &c, errors, &s))
			nm_creator_clear(&c);
		else
			rejected++; /* rejected rows' names are listed too */
		json_decref(errors);
		json_decref(row);
	}
	CHECK(rejected == 50000);
	CHECK(json_object_size(s.names) == 256);
	CHECK(json_object_get(s.names, "fresh_0") != NULL); /* first seen are kept */
	CHECK(json_object_get(s.names, "fresh_99999") == NULL);
	CHECK(s.truncated);
	nm_names_free(&s);
}

/* A NULL set is allowed (CSV rows: their columns are reported from the header). */
static void test_null_set(void)
{
	json_t *row = J("{\"platform\":\"tiktok\",\"handle\":\"a\",\"followers\":1,\"zz\":1}");
	json_t *errors = json_array();
	struct nm_creator c;
	CHECK(nm_creator_from_row(row, NULL, &c, errors, NULL));
	nm_creator_clear(&c);
	json_decref(errors);
	json_decref(row);
}

int main(void)
{
	test_bounds();
	test_rows();
	test_null_set();
	CHECK_DONE();
}
