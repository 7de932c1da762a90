/* The creator search cache (search_cache.h): a fixed table searched linearly (it holds
 * tens of entries; a probe is a few memcmp against one scan of a million slots). */
#include "search_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	void *key; /* NULL: free */
	size_t len;
	uint64_t gen, used;
	struct search_hit *hits;
	size_t n;
	bool complete;
	int64_t total;
	json_t *facets;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct entry *table;
static size_t cap;
static uint64_t tick;

static void entry_clear(struct entry *e)
{
	free(e->key);
	free(e->hits);
	json_decref(e->facets);
	memset(e, 0, sizeof *e);
}

void nm_scache_configure(size_t entries)
{
	pthread_mutex_lock(&mu);
	for (size_t i = 0; i < cap; i++)
		entry_clear(&table[i]);
	free(table);
	table = entries ? calloc(entries, sizeof *table) : NULL;
	cap = table ? entries : 0;
	pthread_mutex_unlock(&mu);
}

bool nm_scache_enabled(void)
{
	pthread_mutex_lock(&mu);
	bool on = cap > 0;
	pthread_mutex_unlock(&mu);
	return on;
}

void nm_scache_free(void)
{
	nm_scache_configure(0);
}

static struct entry *find(const void *key, size_t len)
{
	for (size_t i = 0; i < cap; i++)
		if (table[i].key && table[i].len == len && memcmp(table[i].key, key, len) == 0)
			return &table[i];
	return NULL;
}

bool nm_scache_get(const void *key, size_t len, uint64_t gen, struct search_hit *hits, size_t *n,
		   bool *complete, int64_t *total, json_t **facets)
{
	pthread_mutex_lock(&mu);
	struct entry *e = find(key, len);
	bool ok = e && e->gen == gen;
	if (ok) {
		e->used = ++tick;
		memcpy(hits, e->hits, e->n * sizeof *hits);
		*n = e->n;
		*complete = e->complete;
		*total = e->total;
		/* a copy: replies are dumped on other threads while the entry lives on */
		*facets = e->facets ? json_deep_copy(e->facets) : NULL;
		ok = !e->facets || *facets;
	}
	pthread_mutex_unlock(&mu);
	return ok;
}

void nm_scache_put(const void *key, size_t len, uint64_t gen, const struct search_hit *hits,
		   size_t n, bool complete, int64_t total, const json_t *facets)
{
	struct entry fresh = {.len = len, .gen = gen, .n = n, .complete = complete, .total = total};
	fresh.key = malloc(len ? len : 1);
	fresh.hits = malloc((n ? n : 1) * sizeof *hits);
	fresh.facets = facets ? json_deep_copy(facets) : NULL;
	if (!fresh.key || !fresh.hits || (facets && !fresh.facets)) {
		entry_clear(&fresh);
		return;
	}
	memcpy(fresh.key, key, len);
	memcpy(fresh.hits, hits, n * sizeof *hits);
	pthread_mutex_lock(&mu);
	struct entry *slot = NULL;
	for (size_t i = 0; i < cap; i++) {
		struct entry *e = &table[i];
		if (e->key && (e->gen != gen || (e->len == len && !memcmp(e->key, key, len))))
			entry_clear(e); /* older data, or the entry this one replaces */
	}
	for (size_t i = 0; i < cap && (!slot || slot->key); i++) /* free, else least used */
		if (!slot || !table[i].key || table[i].used < slot->used)
			slot = &table[i];
	if (slot) {
		entry_clear(slot);
		fresh.used = ++tick;
		*slot = fresh;
	} else {
		entry_clear(&fresh);
	}
	pthread_mutex_unlock(&mu);
}
