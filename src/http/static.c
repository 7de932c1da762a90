/* See nm/static.h. The dashboard is a few hundred kilobytes: holding it in memory makes a
 * request a table lookup and lets the whole set be checked once, at startup. */
#include "nm/static.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nm/config.h"

#define MAX_FILES 512
#define MAX_TOTAL (64u << 20)

static struct nm_static_file files[MAX_FILES];
static size_t n_files;
static size_t total_bytes;

static bool is_dir(const char *p)
{
	struct stat st;
	return p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *nm_static_dir(const struct nm_config *cfg)
{
	if (cfg->web_dir)
		return cfg->web_dir;
#ifdef NM_SOURCE_DIR
	if (is_dir(NM_SOURCE_DIR "/web/dist"))
		return NM_SOURCE_DIR "/web/dist";
#endif
	if (is_dir("web/dist"))
		return "web/dist";
	return "/usr/share/nichematch/web";
}

static const char *ctype_of(const char *name)
{
	static const char *const map[][2] = {
		{".html", "text/html; charset=utf-8"},
		{".js", "text/javascript; charset=utf-8"},
		{".mjs", "text/javascript; charset=utf-8"},
		{".css", "text/css; charset=utf-8"},
		{".svg", "image/svg+xml"},
		{".png", "image/png"},
		{".ico", "image/x-icon"},
		{".woff2", "font/woff2"},
		{".json", "application/json"},
		{".txt", "text/plain; charset=utf-8"},
	};
	const char *dot = strrchr(name, '.');
	for (size_t i = 0; dot && i < sizeof map / sizeof map[0]; i++)
		if (strcmp(dot, map[i][0]) == 0)
			return map[i][1];
	return "application/octet-stream";
}

/* Vite names built assets <name>-<hash>.<ext> (an 8-character base64url hash): such a
 * name changes whenever its content does, so it may be cached for good. */
static bool hashed_name(const char *name)
{
	const char *dot = strrchr(name, '.');
	if (!dot)
		return false;
	const char *dash = dot;
	while (dash > name && dash[-1] != '-')
		dash--;
	if (dash == name || dot - dash < 8)
		return false;
	for (const char *p = dash; p < dot; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			return false;
	return true;
}

/* Plain names only: no dot files, nothing a URL could not spell literally. */
static bool plain_name(const char *name)
{
	if (!name[0] || name[0] == '.' || strlen(name) > 120)
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.'))
			return false;
	return true;
}

/* Reads a regular file (not a symlink) into *out. -1 on error, 0 when not a regular
 * file, 1 when read. */
static int read_file(const char *path, unsigned char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0;
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)MAX_TOTAL) {
		close(fd);
		return 0;
	}
	size_t n = (size_t)st.st_size;
	unsigned char *buf = malloc(n ? n : 1);
	size_t got = 0;
	while (buf && got < n) {
		ssize_t k = read(fd, buf + got, n - got);
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	close(fd);
	if (!buf || got != n) {
		free(buf);
		return -1;
	}
	*out = buf;
	*len = n;
	return 1;
}

static struct nm_static_file *find_exact(const char *url)
{
	for (size_t i = 0; i < n_files; i++)
		if (strcmp(files[i].url, url) == 0)
			return &files[i];
	return NULL;
}

/* Adds dir/name as url (a .gz is attached to its file in a second pass). */
static int add_file(const char *dir, const char *name, const char *url, bool immutable_ok,
		    char *err, size_t errsz)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (n_files >= MAX_FILES) {
		snprintf(err, errsz, "%s: more than %d files", dir, MAX_FILES);
		return -1;
	}
	struct nm_static_file *f = &files[n_files];
	int rc = read_file(path, &f->body, &f->len);
	if (rc < 0)
		snprintf(err, errsz, "cannot read %s", path);
	if (rc <= 0)
		return rc;
	total_bytes += f->len;
	f->url = strdup(url);
	f->ctype = ctype_of(name);
	f->cache = immutable_ok && hashed_name(name) ? "public, max-age=31536000, immutable"
						     : "no-cache";
	n_files++;
	if (!f->url || total_bytes > MAX_TOTAL) {
		snprintf(err, errsz, "%s: more than %u bytes", dir, MAX_TOTAL);
		return -1;
	}
	return 1;
}

static int attach_gz(const char *dir, const char *name, const char *url_prefix, char *err,
		     size_t errsz)
{
	char url[256], path[4096];
	snprintf(url, sizeof url, "%s%.*s", url_prefix, (int)(strlen(name) - 3), name);
	if (strcmp(url, "/index.html") == 0)
		snprintf(url, sizeof url, "/");
	struct nm_static_file *f = find_exact(url);
	if (!f || f->gz)
		return 0;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int rc = read_file(path, &f->gz, &f->gz_len);
	if (rc < 0)
		snprintf(err, errsz, "cannot read %s", path);
	if (rc > 0 && (total_bytes += f->gz_len) > MAX_TOTAL) {
		snprintf(err, errsz, "%s: more than %u bytes", dir, MAX_TOTAL);
		return -1;
	}
	return rc;
}

static bool has_gz_suffix(const char *name)
{
	size_t n = strlen(name);
	return n > 3 && strcmp(name + n - 3, ".gz") == 0;
}

/* Loads assets/ (two passes: files, then their .gz). */
static int load_assets(const char *dir, char *err, size_t errsz)
{
	for (int pass = 0; pass < 2; pass++) {
		DIR *d = opendir(dir);
		if (!d)
			return 0;
		struct dirent *e;
		int rc = 0;
		while (rc >= 0 && (e = readdir(d))) {
			if (!plain_name(e->d_name) || has_gz_suffix(e->d_name) != (pass == 1))
				continue;
			char url[256];
			snprintf(url, sizeof url, "/assets/%s", e->d_name);
			rc = pass == 0 ? add_file(dir, e->d_name, url, true, err, errsz)
				       : attach_gz(dir, e->d_name, "/assets/", err, errsz);
		}
		closedir(d);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int nm_static_load(const char *dir, char *err, size_t errsz)
{
	nm_static_free();
	if (!is_dir(dir))
		return 0;
	if (add_file(dir, "index.html", "/", false, err, errsz) < 0 ||
	    attach_gz(dir, "index.html.gz", "/", err, errsz) < 0)
		goto fail;
	if (!find_exact("/"))
		return 0; /* no index.html: not built */
	char assets[4096];
	snprintf(assets, sizeof assets, "%s/assets", dir);
	if (load_assets(assets, err, errsz) < 0)
		goto fail;
	return (int)n_files;
fail:
	nm_static_free();
	return -1;
}

void nm_static_free(void)
{
	for (size_t i = 0; i < n_files; i++) {
		free(files[i].url);
		free(files[i].body);
		free(files[i].gz);
	}
	memset(files, 0, sizeof files);
	n_files = 0;
	total_bytes = 0;
}

bool nm_static_owns(const char *url)
{
	return strcmp(url, "/") == 0 || strcmp(url, "/index.html") == 0 ||
	       strncmp(url, "/assets/", 8) == 0;
}

const struct nm_static_file *nm_static_find(const char *url)
{
	if (strcmp(url, "/index.html") == 0)
		url = "/";
	return find_exact(url);
}

bool nm_static_gzip_ok(const char *ae)
{
	if (!ae)
		return false;
	bool gzip = false, star = false, gzip_named = false;
	const char *p = ae;
	while (*p) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		const char *name = p;
		while (*p && *p != ';' && *p != ',' && *p != ' ')
			p++;
		size_t nl = (size_t)(p - name);
		bool q0 = false;
		while (*p && *p != ',') {
			/* a parameter: q=0, q=0.0, q=0.000 refuse */
			if ((*p == 'q' || *p == 'Q') && p[1] == '=') {
				const char *v = p + 2;
				q0 = v[0] == '0' &&
				     (v[1] != '.' || strspn(v + 2, "0") == strcspn(v + 2, ", ;"));
			}
			p++;
		}
		if (nl == 4 && strncasecmp(name, "gzip", 4) == 0) {
			gzip_named = true;
			gzip = !q0;
		} else if (nl == 1 && *name == '*') {
			star = !q0;
		}
	}
	return gzip_named ? gzip : star;
}
