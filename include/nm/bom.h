/* The leading UTF-8 byte order mark of a streamed body (src/import/bom.c), shared by the
 * CSV/TSV, NDJSON and JSON-array readers. A body arrives in chunks, so a BOM may be split
 * across them; a partial BOM followed by another byte turns out to be data, and those
 * bytes must reach the reader before the rest. */
#ifndef NM_BOM_H
#define NM_BOM_H

#include <stdbool.h>
#include <stddef.h>

/* A zero-initialised struct has seen nothing. */
struct nm_bom {
	unsigned char n; /* BOM bytes matched so far (3: a whole BOM was skipped) */
	bool done;	 /* the question is settled */
};

/* Looks at the next chunk. Returns how many leading bytes of buf are BOM bytes, to be
 * skipped. When a byte departs from the BOM, the bytes matched before it are data: *replay
 * and *replay_n (0 to 2) name them, to be read before buf + the returned count. */
size_t nm_bom_skip(struct nm_bom *b, const char *buf, size_t len, const char **replay,
		   size_t *replay_n);

/* A reader's scanner: reads len bytes of the body into the reader cls; 0, or a non-zero
 * code that stops the body. */
typedef int (*nm_bom_run_fn)(void *cls, const char *buf, size_t len);

/* Feeds the next chunk to run: a skipped BOM never reaches it, a partial BOM that turned
 * out to be data reaches it first. Returns run's first non-zero code, else 0. */
int nm_bom_feed(struct nm_bom *b, const char *buf, size_t len, nm_bom_run_fn run, void *cls);
/* At the end of the body: runs the bytes of a partial BOM, which are data. */
int nm_bom_finish(struct nm_bom *b, nm_bom_run_fn run, void *cls);

/* For a body's first bytes held in one piece (the format sniffer's): 3 when they start
 * with a whole BOM, else 0. */
size_t nm_bom_whole(const char *buf, size_t len);

/* The steps under nm_bom_feed and nm_bom_finish. At the end of the body: settles the question;
 * *replay and the returned count (0 to 2) name the bytes of a partial BOM, which are data. */
size_t nm_bom_end(struct nm_bom *b, const char **replay);

#endif
