#include "check.h"
#include "nm/pgarray.h"

int main(void)
{
	char a[] = "{fitness,\"home decor\",NULL,\"a\\\"b\",\"c\\\\d\"}";
	char *v[8];
	size_t n = nm_pgarray_split(a, v, 8);
	CHECK(n == 4);
	CHECK_STR(v[0], "fitness");
	CHECK_STR(v[1], "home decor");
	CHECK_STR(v[2], "a\"b");
	CHECK_STR(v[3], "c\\d");
	char e[] = "{}";
	CHECK(nm_pgarray_split(e, v, 8) == 0);
	char one[] = "{x}";
	CHECK(nm_pgarray_split(one, v, 8) == 1);
	CHECK_STR(v[0], "x");
	char many[] = "{a,b,c}";
	CHECK(nm_pgarray_split(many, v, 2) == 2);
	CHECK(nm_pgarray_split(NULL, v, 2) == 0);
	CHECK_DONE();
}
