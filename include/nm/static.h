/* The dashboard's built files (web/dist, docs/dashboard.md), read into memory once at
 * startup and served at "/" (index.html) and "/assets/<name>". Only files found at load
 * are ever served: a URL is looked up in that list, never turned into a path, so no
 * traversal is possible. A "<name>.gz" beside a file is its precompressed body. */
#ifndef NM_STATIC_H
#define NM_STATIC_H

#include <stdbool.h>
#include <stddef.h>

struct nm_config;

struct nm_static_file {
	char *url;	   /* "/" or "/assets/<name>" */
	const char *ctype; /* Content-Type */
	const char *cache; /* Cache-Control */
	unsigned char *body;
	size_t len;
	unsigned char *gz; /* NULL when there is no .gz */
	size_t gz_len;
};

/* The directory: NICHEMATCH_WEB_DIR, else <source>/web/dist, ./web/dist or
 * /usr/share/nichematch/web, the first that exists. */
const char *nm_static_dir(const struct nm_config *cfg);

/* Loads the directory's index.html and assets/ (regular files with plain names only,
 * bounded in number and size). Returns the number of files loaded (0: not built);
 * -1 with err on a read error or when the bounds are exceeded. Not thread-safe: call
 * before the server starts. */
int nm_static_load(const char *dir, char *err, size_t errsz);
void nm_static_free(void);

/* True for the URLs the dashboard owns ("/", "/index.html", "/assets/..."). */
bool nm_static_owns(const char *url);

/* The loaded file for url, or NULL. */
const struct nm_static_file *nm_static_find(const char *url);

/* True when an Accept-Encoding value allows gzip (a q=0 refuses it). */
bool nm_static_gzip_ok(const char *accept_encoding);

/* The Content-Security-Policy of every dashboard reply. */
#define NM_STATIC_CSP                                                                              \
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "          \
	"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

#endif
