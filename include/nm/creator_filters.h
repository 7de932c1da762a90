/* The filters of a creator search (GET /v1/creators, GET /v1/creators.csv) read from a
 * request's query string into a struct nm_creator_search (nm/store_creators.h). */
#ifndef NM_CREATOR_FILTERS_H
#define NM_CREATOR_FILTERS_H

#include <stdbool.h>

#include "nm/buf.h"
#include "nm/store_creators.h"

struct nm_req;

/* Storage the filters' text points into: the caller's, zero-initialised, freed with
 * nm_creator_filter_bufs_free once the search is done. */
struct nm_creator_filter_bufs {
	struct nm_buf lits[5]; /* platform, tier, country, language, category array literals */
	char handle[128];
};

/* Sets s's filter members (not sort, page or facets) from the query. On a bad value it
 * replies 400 naming the parameter and returns false. */
bool nm_creator_filters_parse(struct nm_req *r, struct nm_creator_search *s,
			      struct nm_creator_filter_bufs *b);

void nm_creator_filter_bufs_free(struct nm_creator_filter_bufs *b);

#endif
