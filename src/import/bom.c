/* A streamed body's leading UTF-8 BOM (see nm/bom.h). */
#include "nm/bom.h"

#include <string.h>

static const char utf8_bom[3] = {'\xEF', '\xBB', '\xBF'};

size_t nm_bom_skip(struct nm_bom *b, const char *buf, size_t len, const char **replay,
		   size_t *replay_n)
{
	size_t k = 0;
	*replay = utf8_bom;
	*replay_n = 0;
	while (!b->done && k < len) {
		if (buf[k] != utf8_bom[b->n]) {
			*replay_n = nm_bom_end(b, replay);
			break;
		}
		k++;
		if (++b->n == 3)
			b->done = true;
	}
	return k;
}

size_t nm_bom_end(struct nm_bom *b, const char **replay)
{
	*replay = utf8_bom;
	if (b->done)
		return 0;
	b->done = true;
	return b->n;
}

int nm_bom_feed(struct nm_bom *b, const char *buf, size_t len, nm_bom_run_fn run, void *cls)
{
	const char *pre;
	size_t pre_n, k = nm_bom_skip(b, buf, len, &pre, &pre_n);
	int r = pre_n ? run(cls, pre, pre_n) : 0;
	return r ? r : run(cls, buf + k, len - k);
}

int nm_bom_finish(struct nm_bom *b, nm_bom_run_fn run, void *cls)
{
	const char *pre;
	size_t pre_n = nm_bom_end(b, &pre);
	return pre_n ? run(cls, pre, pre_n) : 0;
}

size_t nm_bom_whole(const char *buf, size_t len)
{
	return len >= sizeof utf8_bom && memcmp(buf, utf8_bom, sizeof utf8_bom) == 0
		       ? sizeof utf8_bom
		       : 0;
}
