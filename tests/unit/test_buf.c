/* The growable buffer: appends across growth, NUL termination, printf, steal, and the
 * sticky out-of-memory state, truncation. */
#include "check.h"
#include "nm/buf.h"

#include <stdlib.h>

int main(void)
{
	struct nm_buf b = {0};
	nm_buf_add(&b, "", 0);
	CHECK(b.len == 0 && !b.oom);
	for (int i = 0; i < 10000; i++)
		nm_buf_printf(&b, "%d,", i % 10);
	CHECK(b.len == 20000);
	CHECK(b.data[b.len] == '\0');
	CHECK(strncmp(b.data, "0,1,2,", 6) == 0);
	nm_buf_str(&b, "end");
	CHECK(strcmp(b.data + 20000, "end") == 0);
	size_t len;
	char *s = nm_buf_steal(&b, &len);
	CHECK(len == 20003 && s && strlen(s) == 20003);
	CHECK(b.data == NULL && b.len == 0);
	free(s);

	/* Exactly at capacity boundaries: each append keeps room for the NUL. */
	for (size_t n = 250; n < 260; n++) {
		struct nm_buf c = {0};
		char chunk[260];
		memset(chunk, 'x', sizeof chunk);
		nm_buf_add(&c, chunk, n);
		nm_buf_add(&c, chunk, 1);
		CHECK(c.len == n + 1 && c.data[c.len] == '\0' && c.cap > c.len);
		nm_buf_free(&c);
	}

	/* Truncation keeps the memory and the NUL; a later append continues from there. */
	struct nm_buf t = {0};
	nm_buf_str(&t, "abc,def");
	char *mem = t.data;
	nm_buf_truncate(&t, 3);
	CHECK(t.len == 3 && strcmp(t.data, "abc") == 0 && t.data == mem);
	nm_buf_truncate(&t, 5); /* longer than it is: nothing changes */
	CHECK(t.len == 3);
	nm_buf_add(&t, "!\0", 2); /* embedded NULs are bytes like any other */
	CHECK(t.len == 5 && t.data[3] == '!' && t.data[4] == '\0' && t.data[5] == '\0');
	nm_buf_truncate(&t, 0);
	CHECK(t.len == 0 && t.data[0] == '\0');
	nm_buf_free(&t);

	/* A request too large to satisfy sets oom, which sticks and empties steal. */
	struct nm_buf d = {0};
	nm_buf_str(&d, "abc");
	CHECK(!nm_buf_reserve(&d, (size_t)-1 / 2));
	CHECK(d.oom);
	nm_buf_str(&d, "more");
	CHECK(d.len == 3);
	CHECK(nm_buf_dump_cb("x", 1, &d) == -1);
	s = nm_buf_steal(&d, &len);
	CHECK(s == NULL && len == 0);
	CHECK_DONE();
}
