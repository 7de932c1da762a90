/* Creator search over the in-memory ranking index (docs/architecture.md "Creator search"):
 * one pass over the live creators (split over the cores on a large index, merged in a
 * fixed order) applies the filters and `q` (text postings, nm/textsearch.h), counts the
 * total and the facets exactly, and keeps the first limit + 1 creators after a keyset
 * position in a sort order. The caller then reads those creators' rows from PostgreSQL by
 * id. The filters, `q` and the order are those of the SQL search in store/creators.c
 * (docs/api.md §4), so either serves the same request with the same answer.
 *
 * The pass reads the index's search columns a block of 64 slots at a time (nm/colscan.h),
 * only those the filters name (platform, tier, country, language, followers, engagement
 * rate, flags), and a slot's cold record (price, times, growth, exact followers) only where a
 * filter or the sort key needs it (match/index_internal.h; where a new filter goes: the
 * head of match/search.c).
 *
 * Thread-safe (the index's read lock). Call nm_index_sync first so the index holds every
 * committed change. */
#ifndef NM_SEARCHINDEX_H
#define NM_SEARCHINDEX_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nm/confidence.h"
#include "nm/textsearch.h"

#define NM_ISEARCH_LIST_MAX 64
#define NM_ISEARCH_PAGE_MAX 201

/* The sort keys, in the order of enum nm_creator_sort (nm/store_creators.h). */
enum nm_isearch_sort {
	NM_IS_ID,
	NM_IS_FOLLOWERS,
	NM_IS_ENGAGEMENT_RATE,
	NM_IS_PRICE,
	NM_IS_LAST_POST_AT,
	NM_IS_UPDATED_AT
};

/* A sort key: null, or i (integers, µs times, ids) or d (the engagement rate). */
struct nm_isearch_key {
	bool null;
	int64_t i;
	double d;
};

struct nm_isearch {
	uint32_t platforms; /* bit per enum nm_platform; 0: any */
	unsigned tiers;	    /* bit per enum nm_tier; 0: any */
	char countries[NM_ISEARCH_LIST_MAX][2], languages[NM_ISEARCH_LIST_MAX][2];
	size_t n_countries, n_languages;	     /* 0: any */
	const char *categories[NM_ISEARCH_LIST_MAX]; /* normalised; borrowed */
	size_t n_categories;			     /* 0: any */
	int64_t min_followers, max_followers;	     /* INT64_MIN / INT64_MAX: none */
	double min_er, max_er;			     /* NaN: none */
	int64_t max_price;			     /* INT64_MAX: none */
	int has_email, has_price;		     /* -1: any, else 0/1 */
	int64_t post_after_us;			     /* INT64_MIN: none */
	double min_growth;			     /* NaN: none */
	/* Data freshness (issue 16, docs/scoring.md §12): with by_age only creators whose data is
	 * at most max_age_days whole days old at now_s (an unknown date fails); with by_conf
	 * only those whose confidence at now_s is min_conf or better. */
	bool by_age, by_conf;
	int64_t max_age_days, now_s;
	enum nm_conf_level min_conf;
	enum nm_isearch_sort sort;
	bool desc;
	bool after; /* keyset position: strictly after (after_key, after_id) */
	struct nm_isearch_key after_key;
	int64_t after_id;
	/* With by_ids: only these creators (what SQL kept of nm_index_text_ids for a q with
	 * a phrase), any order; borrowed. */
	bool by_ids;
	const int64_t *ids;
	size_t n_ids;
	/* With text (and not by_ids): only the creators whose text matches it, matched in
	 * the index's text postings (nm/textsearch.h); a query with a phrase goes through
	 * nm_index_text_ids and by_ids instead. Borrowed. */
	const struct nm_ts_query *text;
	size_t limit;	 /* 1..200 */
	unsigned facets; /* bit per enum nm_creator_facet */
};

struct nm_isearch_out {
	size_t n; /* up to limit + 1 rows, in order */
	int64_t ids[NM_ISEARCH_PAGE_MAX];
	struct nm_isearch_key keys[NM_ISEARCH_PAGE_MAX];
	int64_t total;
	json_t *facets; /* NULL unless asked; caller owns */
};

/* Sets how many searches the search cache keeps (NICHEMATCH_SEARCH_CACHE; 0: none).
 * Call before serving. */
void nm_search_cache_configure(size_t entries);

/* Fills out. False when the index is not loaded or memory ran out (the caller then
 * searches in SQL). */
bool nm_index_search(const struct nm_isearch *q, struct nm_isearch_out *out);

/* The ids of the creators that may match tq: every term matched in the index's text
 * postings except that a phrase is only its words, anywhere (the index holds no
 * positions), and a negated phrase excludes nothing. A superset of the answer, for SQL
 * to check the phrases of (nm_store_creator_ids_q). *ids is the caller's to free().
 * False when the index is not loaded or memory ran out. */
bool nm_index_text_ids(const struct nm_ts_query *tq, int64_t **ids, size_t *n);

#endif
