/* Streaming NDJSON and JSON-array splitters (see nm/ndjson.h).
 *
 * Boundaries are found by a tiny scanner (LF for NDJSON; strings, escapes and bracket
 * depth for arrays) so that jansson only ever sees one element, and so that one bad
 * element costs one error instead of the whole body. */
#include "nm/ndjson.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nm/bom.h"
#include "nm/buf.h"
#include "nm/json_depth.h"

#define DEFAULT_MAX_BYTES ((size_t)1 << 20)
#define DEFAULT_MAX_DEPTH 32
#define LOAD_FLAGS	  (JSON_REJECT_DUPLICATES | JSON_DECODE_ANY)

/* The current line or element: an nm_buf that refuses to grow past max. Past max (or
 * out of memory, reported as too long: the honest outcome) it is emptied and overflow
 * set; later bytes of the same line or element are dropped. */
struct gbuf {
	struct nm_buf b;
	size_t max;
	bool overflow;
};

static void gbuf_append(struct gbuf *g, const char *s, size_t k)
{
	if (g->overflow || k == 0)
		return;
	if (k > g->max - g->b.len) {
		g->overflow = true;
		nm_buf_truncate(&g->b, 0);
		return;
	}
	nm_buf_add(&g->b, s, k);
	if (g->b.oom) {
		g->overflow = true;
		nm_buf_free(&g->b);
	}
}

static void gbuf_reset(struct gbuf *g)
{
	nm_buf_truncate(&g->b, 0);
	g->overflow = false;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool all_ws(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_ws(s[i]))
			return false;
	return true;
}

/* jansson quotes the offending input ("near '\xff'"): keep messages printable ASCII so
 * that they can go into a JSON reply as they are. */
static void ascii_only(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7E)
			*s = '?';
}

/* Parses one delimited element and hands it to the callback. s need not be
 * NUL-terminated. err is scratch space for the message. */
static int deliver(nm_elem_cb cb, void *cls, size_t pos, const char *s, size_t n, int max_depth,
		   char *err, size_t errsz)
{
	if (nm_json_depth(s, n, max_depth) > max_depth) {
		snprintf(err, errsz, "nested deeper than %d levels", max_depth);
		return cb(cls, pos, NULL, err);
	}
	json_error_t e;
	json_t *v = json_loadb(s, n, LOAD_FLAGS, &e);
	if (!v) {
		snprintf(err, errsz, "invalid JSON: %s (at byte %d of the element)", e.text,
			 e.position);
		ascii_only(err);
		return cb(cls, pos, NULL, err);
	}
	int r = cb(cls, pos, v, NULL);
	json_decref(v);
	return r;
}

/* ---- NDJSON ---------------------------------------------------------------------- */

struct nm_ndjson {
	size_t max;
	int max_depth;
	nm_elem_cb cb;
	void *cls;
	size_t line;	 /* line number of the line being read */
	struct gbuf cur; /* the part of the current line seen in earlier chunks */
	struct nm_bom bom;
	int stopped; /* sticky non-zero callback return */
	char err[256];
};

struct nm_ndjson *nm_ndjson_new(size_t max_line_bytes, int max_depth, nm_elem_cb cb, void *cls)
{
	if (!cb)
		return NULL;
	struct nm_ndjson *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->max = max_line_bytes ? max_line_bytes : DEFAULT_MAX_BYTES;
	p->max_depth = max_depth > 0 ? max_depth : DEFAULT_MAX_DEPTH;
	p->cb = cb;
	p->cls = cls;
	p->line = 1;
	p->cur.max = p->max;
	return p;
}

void nm_ndjson_free(struct nm_ndjson *p)
{
	if (!p)
		return;
	nm_buf_free(&p->cur.b);
	free(p);
}

/* One complete line without its LF. */
static int nd_line(struct nm_ndjson *p, const char *s, size_t n, bool overflow)
{
	size_t pos = p->line++;
	if (overflow || n > p->max) {
		snprintf(p->err, sizeof p->err, "line longer than %zu bytes", p->max);
		return p->cb(p->cls, pos, NULL, p->err);
	}
	if (all_ws(s, n))
		return 0;
	return deliver(p->cb, p->cls, pos, s, n, p->max_depth, p->err, sizeof p->err);
}

static int nd_run(void *cls, const char *b, size_t n)
{
	struct nm_ndjson *p = cls;
	size_t i = 0;
	while (i < n) {
		const char *lf = memchr(b + i, '\n', n - i);
		if (!lf) {
			gbuf_append(&p->cur, b + i, n - i);
			return 0;
		}
		size_t j = (size_t)(lf - b);
		int r;
		if (p->cur.b.len == 0 && !p->cur.overflow) {
			r = nd_line(p, b + i, j - i, false); /* whole line in this chunk: no copy */
		} else {
			gbuf_append(&p->cur, b + i, j - i);
			r = nd_line(p, p->cur.b.data, p->cur.b.len, p->cur.overflow);
			gbuf_reset(&p->cur);
		}
		i = j + 1;
		if (r)
			return p->stopped = r;
	}
	return 0;
}

int nm_ndjson_feed(struct nm_ndjson *p, const char *buf, size_t len)
{
	if (p->stopped)
		return p->stopped;
	return nm_bom_feed(&p->bom, buf, len, nd_run, p);
}

int nm_ndjson_finish(struct nm_ndjson *p)
{
	if (p->stopped)
		return p->stopped;
	int r = nm_bom_finish(&p->bom, nd_run, p);
	if (r)
		return r;
	if (p->cur.b.len == 0 && !p->cur.overflow)
		return 0;
	r = nd_line(p, p->cur.b.data, p->cur.b.len, p->cur.overflow);
	gbuf_reset(&p->cur);
	return r ? (p->stopped = r) : 0;
}

/* ---- JSON array ------------------------------------------------------------------ */

enum arr_state {
	A_PRE,	/* before '[' */
	A_ELEM, /* inside the array: scanning an element (possibly still empty) */
	A_POST, /* after the closing ']' */
};

struct nm_jsonarr {
	size_t max;
	int max_depth;
	nm_elem_cb cb;
	void *cls;
	enum arr_state st;
	size_t pos;    /* 1-based position of the element being scanned */
	size_t offset; /* bytes of the body consumed so far (for messages) */
	size_t depth;  /* bracket depth inside the current element */
	size_t deepest;
	bool in_str, esc;
	bool nonempty;	 /* the current element has a non-blank byte */
	struct gbuf cur; /* the current element */
	struct nm_bom bom;
	int stopped;	 /* sticky: a failure code or a callback's non-zero return */
	char error[160]; /* why the body failed; "" when it did not */
	char err[256];	 /* an element's message, valid during the callback */
};

struct nm_jsonarr *nm_jsonarr_new(size_t max_elem_bytes, int max_depth, nm_elem_cb cb, void *cls)
{
	if (!cb)
		return NULL;
	struct nm_jsonarr *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->max = max_elem_bytes ? max_elem_bytes : DEFAULT_MAX_BYTES;
	p->max_depth = max_depth > 0 ? max_depth : DEFAULT_MAX_DEPTH;
	p->cb = cb;
	p->cls = cls;
	p->pos = 1;
	p->cur.max = p->max;
	return p;
}

void nm_jsonarr_free(struct nm_jsonarr *p)
{
	if (!p)
		return;
	nm_buf_free(&p->cur.b);
	free(p);
}

const char *nm_jsonarr_error(const struct nm_jsonarr *p)
{
	return p->error;
}

static int arr_fail(struct nm_jsonarr *p, int code, const char *msg, size_t at)
{
	snprintf(p->error, sizeof p->error, "%s (at byte %zu of the body)", msg, at);
	return p->stopped = code;
}

static void elem_reset(struct nm_jsonarr *p)
{
	gbuf_reset(&p->cur);
	p->depth = 0;
	p->deepest = 0;
	p->in_str = false;
	p->esc = false;
	p->nonempty = false;
}

/* The current element ended at a ',' or at the array's ']' (closing). */
static int arr_element(struct nm_jsonarr *p, bool closing)
{
	int r = 0;
	size_t pos = p->pos++;
	if (!p->nonempty) {
		if (!(closing && pos == 1)) { /* "[]" is fine; "[1,,2]" and "[1,]" are not */
			snprintf(p->err, sizeof p->err, "empty element (stray ',')");
			r = p->cb(p->cls, pos, NULL, p->err);
		}
	} else if (p->cur.overflow) {
		snprintf(p->err, sizeof p->err, "element longer than %zu bytes", p->max);
		r = p->cb(p->cls, pos, NULL, p->err);
	} else if (p->deepest > (size_t)p->max_depth) {
		/* Known too deep from the scan: jansson never sees it. */
		snprintf(p->err, sizeof p->err, "nested deeper than %d levels", p->max_depth);
		r = p->cb(p->cls, pos, NULL, p->err);
	} else {
		r = deliver(p->cb, p->cls, pos, p->cur.b.data, p->cur.b.len, p->max_depth, p->err,
			    sizeof p->err);
	}
	elem_reset(p);
	if (closing)
		p->st = A_POST;
	return r ? (p->stopped = r) : 0;
}

/* Skips the rest of a string; returns the index after the closing quote, or n. */
static size_t scan_string(struct nm_jsonarr *p, const char *b, size_t i, size_t n)
{
	while (i < n) {
		char c = b[i++];
		if (p->esc)
			p->esc = false;
		else if (c == '\\')
			p->esc = true;
		else if (c == '"') {
			p->in_str = false;
			return i;
		}
	}
	return i;
}

/* Scans element bytes from i; stops after a ',' or ']' at depth 0 (returned in *end,
 * else 0) or at n. The element's bytes (without the separator) are buffered. */
static size_t scan_elem(struct nm_jsonarr *p, const char *b, size_t i, size_t n, char *end)
{
	size_t start = i;
	*end = 0;
	while (i < n) {
		if (p->in_str) {
			i = scan_string(p, b, i, n);
			continue;
		}
		char c = b[i];
		switch (c) {
		case '"':
			p->in_str = true;
			p->nonempty = true;
			break;
		case '[':
		case '{':
			p->nonempty = true;
			if (++p->depth > p->deepest)
				p->deepest = p->depth;
			break;
		case ']':
		case '}':
			if (p->depth == 0 && c == ']') {
				*end = c;
				goto done;
			}
			p->nonempty = true;
			if (p->depth > 0)
				p->depth--;
			break;
		case ',':
			if (p->depth == 0) {
				*end = c;
				goto done;
			}
			break;
		case ' ':
		case '\t':
		case '\n':
		case '\r':
			break;
		default:
			p->nonempty = true;
		}
		i++;
	}
done:
	gbuf_append(&p->cur, b + start, i - start);
	return *end ? i + 1 : i;
}

static const char not_object[] = "body is a JSON object, expected an array of objects";

static int arr_run(void *cls, const char *b, size_t n)
{
	struct nm_jsonarr *p = cls;
	if (p->bom.n == 3 && p->offset == 0)
		p->offset = 3; /* a skipped BOM: messages count its bytes */
	size_t i = 0;
	while (i < n && !p->stopped) {
		if (p->st == A_PRE) {
			char c = b[i];
			if (c == '[') {
				p->st = A_ELEM;
			} else if (c == '{') {
				return arr_fail(p, NM_JSONARR_NOT_ARRAY, not_object, p->offset + i);
			} else if (!is_ws(c)) {
				return arr_fail(p, NM_JSONARR_NOT_ARRAY,
						"body is not a JSON array (expected '[')",
						p->offset + i);
			}
			i++;
		} else if (p->st == A_ELEM) {
			char end;
			i = scan_elem(p, b, i, n, &end);
			if (end && arr_element(p, end == ']'))
				break;
		} else {
			if (!is_ws(b[i]))
				return arr_fail(p, NM_JSONARR_SYNTAX,
						"unexpected data after the array's closing ']'",
						p->offset + i);
			i++;
		}
	}
	p->offset += i;
	return p->stopped;
}

int nm_jsonarr_feed(struct nm_jsonarr *p, const char *buf, size_t len)
{
	if (p->stopped)
		return p->stopped;
	return nm_bom_feed(&p->bom, buf, len, arr_run, p);
}

int nm_jsonarr_finish(struct nm_jsonarr *p)
{
	if (p->stopped)
		return p->stopped;
	int r = nm_bom_finish(&p->bom, arr_run, p);
	if (r)
		return r;
	if (p->st == A_PRE)
		return arr_fail(p, NM_JSONARR_NOT_ARRAY, "empty body, expected a JSON array",
				p->offset);
	if (p->st == A_ELEM)
		return arr_fail(p, NM_JSONARR_SYNTAX, "unterminated array (missing ']')",
				p->offset);
	return 0;
}
