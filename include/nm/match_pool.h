/* The ranked creator pool of a brand, as a match run (handlers/matches.c) and a budget
 * plan (handlers/plans.c) both get it (src/handlers/match_pool.c): the brand's stored
 * doc, the query built from the effective brand (target_countries_mode require,
 * min_audience_share), the brand's exclusions (declined and excluded creators,
 * exclude_keywords, exclude_handles never take part) and the ranking over the in-memory
 * index, synced with every commit before the request, with the funnel of what each
 * hard rule removed.
 *
 * Functions taking a request reply themselves when they fail (404, 503, 500) and return
 * false/NULL; the caller then only frees. */
#ifndef NM_MATCH_POOL_H
#define NM_MATCH_POOL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nm/match_index.h"
#include "nm/match_results.h"
#include "nm/niche.h"
#include "nm/score.h"

struct nm_req;
struct nm_pg;

/* The brand's stored doc (caller owns), after the visibility check; NULL once a 404 or
 * database problem has been replied. */
json_t *nm_match_pool_brand(struct nm_req *r, struct nm_pg *pg, int64_t brand_id);

/* The scoring query of an effective (canonical) brand: goal, follower range, filters,
 * targets (target_countries_mode, min_audience_share), niches and keywords into terms,
 * exclude_keywords into ban. bench is borrowed by q. */
void nm_match_query_build(const json_t *eff, const struct nm_score_bench *bench,
			  struct nm_score_query *q, struct nm_niche_terms *terms,
			  struct nm_niche_terms *ban);

/* The effective brand's max_data_age_days and min_confidence (canonical: checked by
 * nm_brand_normalize) as the index's filter, at the current time. */
void nm_match_fresh_filter_build(const json_t *eff, struct nm_fresh_filter *fr);

struct nm_match_pool {
	struct nm_score_bench bench;
	struct nm_score_query q;
	struct nm_niche_terms terms;
	struct nm_niche_terms ban; /* exclude_keywords */
	int64_t *handle_ids;	   /* creators with an excluded handle, ascending */
	size_t n_handle_ids;
	struct nm_match_statuses statuses; /* every status of the brand */
	struct nm_fresh_filter fresh;	   /* max_data_age_days, min_confidence */
	struct nm_index_hit *hits;	   /* nm_match_pool_rank: best first */
	long nh;
	size_t candidates;	 /* creators that passed every rule */
	struct nm_funnel funnel; /* nm_match_pool_rank: what each rule removed */
	double sync_ms;		 /* time the index sync took */
};

/* Syncs the index, reads the benchmarks, the brand's statuses and the creators of its
 * exclude_handles, and builds p->q, p->terms and p->ban from eff (borrowed). p must be
 * zeroed first; free it with nm_match_pool_free whatever the outcome. */
bool nm_match_pool_prepare(struct nm_req *r, struct nm_pg *pg, int64_t brand_id, const json_t *eff,
			   struct nm_match_pool *p);

/* What leaves the pool besides the filters of p->q: p->statuses.excluded (a caller may
 * rewrite that list between prepare and rank), the excluded handles' creators and the
 * exclude_keywords. Borrows from p. */
struct nm_index_exclusions nm_match_pool_exclusions(const struct nm_match_pool *p);

/* Ranks p->q into p->hits (up to k) without nm_match_pool_exclusions, counting p->funnel. */
bool nm_match_pool_rank(struct nm_req *r, struct nm_match_pool *p, size_t k);

void nm_match_pool_free(struct nm_match_pool *p);

#endif
