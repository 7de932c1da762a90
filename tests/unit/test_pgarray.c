#include "check.h"
#include "nm/pgarray.h"

#include <stdlib.h>

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

	/* Issue 10 audit: a wide literal and a long quoted element, in exact-size heap blocks
	 * (ASan). The splitter writes behind its read position only. */
	size_t nw = 5000;
	char *wide = malloc(2 * nw + 2);
	wide[0] = '{';
	for (size_t i = 0; i < nw; i++) {
		wide[1 + 2 * i] = 'a';
		wide[2 + 2 * i] = ',';
	}
	wide[2 * nw] = '}';
	wide[2 * nw + 1] = '\0';
	char *w[64];
	CHECK(nm_pgarray_split(wide, w, 64) == 64);
	CHECK_STR(w[63], "a");
	free(wide);

	size_t q = 70000; /* {"x\"x\"...",NULL,b} */
	char *lit = malloc(3 * q + 16);
	size_t k = 0;
	lit[k++] = '{';
	lit[k++] = '"';
	for (size_t i = 0; i < q; i++) {
		lit[k++] = 'x';
		lit[k++] = '\\';
		lit[k++] = '"';
	}
	memcpy(lit + k, "\",NULL,b}", 10);
	CHECK(nm_pgarray_split(lit, w, 8) == 2);
	CHECK(strlen(w[0]) == 2 * q && w[0][0] == 'x' && w[0][1] == '"');
	CHECK_STR(w[1], "b");
	free(lit);

	char open[] = "{\"unterminated";
	CHECK(nm_pgarray_split(open, w, 8) == 1);
	CHECK_STR(w[0], "unterminated");
	CHECK_DONE();
}
