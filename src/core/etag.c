/* Entity tags and If-Match / If-None-Match (see nm/etag.h). */
#include "nm/etag.h"

#include <string.h>

#include "nm/crypto.h"

void nm_etag_of(const void *data, size_t len, char out[NM_ETAG_SIZE])
{
	char hex[65];
	nm_sha256_hex(data, len, hex);
	/* 128 bits: collisions between two versions of one resource are out of reach,
	 * and the header stays short. */
	out[0] = '"';
	memcpy(out + 1, hex, 32);
	out[33] = '"';
	out[34] = '\0';
}

static bool ows(char c)
{
	return c == ' ' || c == '\t';
}

bool nm_etag_list_match(const char *header, const char *tag, bool weak)
{
	if (!header || !tag)
		return false;
	size_t tag_len = strlen(tag);
	const char *p = header;
	for (;;) {
		while (ows(*p) || *p == ',')
			p++;
		if (!*p)
			return false;
		if (*p == '*')
			return true;
		bool is_weak = p[0] == 'W' && p[1] == '/';
		if (is_weak)
			p += 2;
		/* opaque-tag = DQUOTE *etagc DQUOTE; etagc may be a comma, never a quote. */
		const char *close = *p == '"' ? strchr(p + 1, '"') : NULL;
		if (close) {
			size_t n = (size_t)(close - p + 1);
			if ((weak || !is_weak) && n == tag_len && memcmp(p, tag, n) == 0)
				return true;
			p = close + 1;
		}
		/* Whatever follows up to the next comma is not part of a tag (a malformed
		 * member matches nothing; the rest of the list still counts). */
		while (*p && *p != ',')
			p++;
	}
}

bool nm_etag_if_match(const char *header, const char *current)
{
	if (!header)
		return true;
	return current && nm_etag_list_match(header, current, false);
}

bool nm_etag_if_none_match(const char *header, const char *current)
{
	return header && current && nm_etag_list_match(header, current, true);
}
