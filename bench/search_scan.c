/* The creator search's scan alone, in process (docs/performance.md "Creator search: column
 * scan"): loads the index from DATABASE_URL the way `serve` does, then times
 * nm_index_search() for bench/search.sh's filtered query with a new min_followers on every
 * call (so the search cache never answers), with and without its four facets, single
 * threaded and best of 5 rounds. What a request costs beyond this is the page's rows from
 * PostgreSQL and the JSON reply.
 *
 * usage: DATABASE_URL=... NICHEMATCH_SEARCH_CACHE=0 search_scan [calls per round, 200] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nm/config.h"
#include "nm/db.h"
#include "nm/log.h"
#include "nm/match_index.h"
#include "nm/searchindex.h"
#include "nm/store_creators.h"
#include "nm/taxonomy.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* platform=instagram,tiktok&tier=micro,mid&country=US,GB,DE&min_engagement_rate=0.01
 * &sort=-followers&limit=50, with min_followers and the facets given. */
static void query(struct nm_isearch *q, int64_t min_followers, unsigned facets)
{
	memset(q, 0, sizeof *q);
	q->platforms = 1u << NM_PLATFORM_INSTAGRAM | 1u << NM_PLATFORM_TIKTOK;
	q->tiers = 1u << NM_TIER_MICRO | 1u << NM_TIER_MID;
	memcpy(q->countries[0], "US", 2);
	memcpy(q->countries[1], "GB", 2);
	memcpy(q->countries[2], "DE", 2);
	q->n_countries = 3;
	q->min_followers = min_followers;
	q->max_followers = INT64_MAX;
	q->min_er = 0.01;
	q->max_er = __builtin_nan("");
	q->max_price = INT64_MAX;
	q->has_email = q->has_price = -1;
	q->post_after_us = INT64_MIN;
	q->min_growth = __builtin_nan("");
	q->sort = NM_IS_FOLLOWERS;
	q->desc = true;
	q->limit = 50;
	q->facets = facets;
}

int main(int argc, char **argv)
{
	char err[256];
	struct nm_config cfg;
	nm_log_init();
	if (!nm_config_load(&cfg, err, sizeof err) || !nm_db_init(&cfg)) {
		fprintf(stderr, "search_scan: %s\n", err);
		return 1;
	}
	nm_search_cache_configure(0);
	struct nm_pg *pg = nm_db_acquire();
	if (!pg || !nm_index_sync(pg)) {
		fprintf(stderr, "search_scan: no database or the index did not load\n");
		return 1;
	}
	nm_db_release(pg);
	int calls = argc > 1 ? atoi(argv[1]) : 200;
	unsigned all = 1u << NM_FACET_PLATFORM | 1u << NM_FACET_TIER | 1u << NM_FACET_COUNTRY |
		       1u << NM_FACET_CATEGORY;
	static struct nm_isearch_out out;
	for (int with = 0; with < 2; with++) {
		double best = 1e9;
		int64_t total = 0;
		for (int round = 0; round < 5; round++) {
			double t0 = now_s();
			for (int i = 0; i < calls; i++) {
				struct nm_isearch q;
				query(&q,
				      getenv("SCAN_MIN") ? atoi(getenv("SCAN_MIN")) + i
							 : 100000 + i * 997 % 200000,
				      with ? (getenv("SCAN_FACETS")
						      ? (unsigned)atoi(getenv("SCAN_FACETS"))
						      : all)
					   : 0);
				if (!nm_index_search(&q, &out)) {
					fprintf(stderr, "search_scan: search failed\n");
					return 1;
				}
				total += out.total;
				json_decref(out.facets);
			}
			double t = (now_s() - t0) / calls;
			best = t < best ? t : best;
		}
		printf("scan %s facets: %.3f ms per search (best of 5 rounds of %d; mean total "
		       "%lld)\n",
		       with ? "with" : "without", best * 1e3, calls,
		       (long long)(total / (5 * calls)));
	}
	return 0;
}
