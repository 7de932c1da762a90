/* A growable byte buffer. It keeps a NUL after its bytes once it holds any, so text can
 * be read as a C string. A failed allocation sets oom and makes every later append a
 * no-op, so a writer appends freely and checks once at the end.
 *
 * Ownership: the buffer owns data; nm_buf_free releases it, nm_buf_steal hands it to
 * the caller (who frees it with free()). A zero-initialised struct is an empty buffer. */
#ifndef NM_BUF_H
#define NM_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct nm_buf {
	char *data;
	size_t len, cap;
	bool oom;
};

/* Makes room for more bytes (and the NUL). False (and oom) when memory ran out. */
bool nm_buf_reserve(struct nm_buf *b, size_t more);

/* Appends n bytes. Inline because match results and imports append in their inner
 * loops: with room left (the common case) it is a compare and a copy. */
static inline void nm_buf_add(struct nm_buf *b, const void *s, size_t n)
{
	if ((b->oom || !b->cap || n >= b->cap - b->len) && !nm_buf_reserve(b, n))
		return;
	if (n)
		memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

/* Drops the bytes from len on (len <= b->len), keeping the memory; oom stays as it is. */
void nm_buf_truncate(struct nm_buf *b, size_t len);
void nm_buf_str(struct nm_buf *b, const char *s);
void nm_buf_printf(struct nm_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* How replies encode JSON (http/server.c), and so every part of a reply assembled from
 * separately encoded parts (a list page from cached rows). */
#define NM_JSON_REPLY_FLAGS (JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15))

/* jansson's json_dump_callback: appends; returns -1 once out of memory. */
int nm_buf_dump_cb(const char *data, size_t n, void *buf);
/* The bytes (NUL-terminated; NULL when empty or after oom) and their length; the buffer
 * is empty afterwards. */
char *nm_buf_steal(struct nm_buf *b, size_t *len);
void nm_buf_free(struct nm_buf *b);

#endif
