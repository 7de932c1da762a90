/* The creator search cache (search.c): per query and index generation, the total, the
 * facets and the first hits of the list in its order, so that the next pages of a list,
 * the same list asked again, and a dashboard's repeated requests skip the scan. A write
 * that reaches the index moves the generation on, and every older entry stops matching:
 * what the cache answers is what a scan would answer. Thread-safe. */
#ifndef NM_SEARCH_CACHE_H
#define NM_SEARCH_CACHE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nm/searchindex.h"

/* Hits kept per entry: the first pages of a list (20 pages of 50). */
#define NM_SCACHE_WINDOW 1000

struct search_hit {
	struct nm_isearch_key k;
	int64_t id;
};

/* Up to entries searches (least recently used out first); 0 turns the cache off. */
void nm_scache_configure(size_t entries);
bool nm_scache_enabled(void);

/* The entry for key[0..len) made at generation gen: its hits copied into hits (at most
 * NM_SCACHE_WINDOW), *complete when they are the whole list, its total and a copy of its
 * facets (the caller owns; NULL when the entry has none). False when there is none. */
bool nm_scache_get(const void *key, size_t len, uint64_t gen, struct search_hit *hits, size_t *n,
		   bool *complete, int64_t *total, json_t **facets);

/* Stores (copies) an entry, replacing any for key and dropping entries of older
 * generations. n <= NM_SCACHE_WINDOW. Nothing happens when memory runs out. */
void nm_scache_put(const void *key, size_t len, uint64_t gen, const struct search_hit *hits,
		   size_t n, bool complete, int64_t total, const json_t *facets);

/* Frees every entry (process exit; tests). */
void nm_scache_free(void);

#endif
