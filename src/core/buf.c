/* Growable byte buffer (see nm/buf.h). */
#include "nm/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool nm_buf_reserve(struct nm_buf *b, size_t more)
{
	if (b->oom)
		return false;
	if (more < b->cap - b->len && b->cap)
		return true;
	if (more > (size_t)-1 / 2 - b->len) {
		b->oom = true;
		return false;
	}
	size_t cap = b->cap ? b->cap : 256;
	while (cap - b->len <= more)
		cap *= 2;
	char *d = realloc(b->data, cap);
	if (!d) {
		b->oom = true;
		return false;
	}
	b->data = d;
	b->cap = cap;
	return true;
}

void nm_buf_truncate(struct nm_buf *b, size_t len)
{
	if (len >= b->len)
		return;
	b->len = len;
	b->data[len] = '\0';
}

void nm_buf_str(struct nm_buf *b, const char *s)
{
	nm_buf_add(b, s, strlen(s));
}

void nm_buf_printf(struct nm_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !nm_buf_reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

int nm_buf_dump_cb(const char *data, size_t n, void *buf)
{
	nm_buf_add(buf, data, n);
	return ((struct nm_buf *)buf)->oom ? -1 : 0;
}

char *nm_buf_steal(struct nm_buf *b, size_t *len)
{
	char *d = b->oom ? NULL : b->data;
	if (b->oom)
		free(b->data);
	if (len)
		*len = d ? b->len : 0;
	*b = (struct nm_buf){0};
	return d;
}

void nm_buf_free(struct nm_buf *b)
{
	free(b->data);
	*b = (struct nm_buf){0};
}
