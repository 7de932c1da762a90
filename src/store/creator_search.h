/* Private to src/store: the filters of a creator search (GET /v1/creators and its CSV
 * export, nm/store_creators.h struct nm_creator_search) as one SQL condition, so both
 * routes select exactly the same creators. */
#ifndef NM_STORE_CREATOR_SEARCH_H
#define NM_STORE_CREATOR_SEARCH_H

#include <string.h>

#include "nm/confidence.h"
#include "nm/store_creators.h"

/* A creator's searchable text (nm/textsearch.h), read at query time: with the search
 * index on, only a q with a phrase reaches it, for the few candidates the index found;
 * with it off, every q does (a scan: correct, slower; docs/performance.md). */
#define NM_SEARCH_DOC                                                                              \
	"concat_ws(' ', array_to_string(c.categories, ' '), "                                      \
	"array_to_string(c.hashtags, ' '), c.bio, c.caption)"

/* The filters of a search, over parameters $2..$19 (the page statements take the limit
 * as $1 and the keyset position as $20..$22; the count statement the facet names as $1).
 * Each is written "$n IS NULL OR ..." so that one prepared statement serves every
 * combination; PostgreSQL plans the first executions with the values (custom plans). */
#define SEARCH_WHERE                                                                               \
	"($2::text[] IS NULL OR c.platform = ANY ($2::text[])) "                                   \
	"AND ($3::text IS NULL OR c.handle = $3::text) "                                           \
	"AND ($4::text[] IS NULL OR c.country = ANY ($4::text[])) "                                \
	"AND ($5::text[] IS NULL OR c.language = ANY ($5::text[])) "                               \
	"AND ($6::text[] IS NULL OR c.categories && $6::text[]) "                                  \
	"AND ($7::text[] IS NULL OR nm_tier(c.followers) = ANY ($7::text[])) "                     \
	"AND ($8::bigint IS NULL OR c.followers >= $8::bigint) "                                   \
	"AND ($9::bigint IS NULL OR c.followers <= $9::bigint) "                                   \
	"AND ($10::float8 IS NULL OR c.engagement_rate >= $10::float8) "                           \
	"AND ($11::float8 IS NULL OR c.engagement_rate <= $11::float8) "                           \
	"AND ($12::bigint IS NULL OR c.price_per_post_cents <= $12::bigint) "                      \
	"AND ($13::boolean IS NULL OR (coalesce(c.email, '') <> '') = $13::boolean) "              \
	"AND ($14::boolean IS NULL OR (c.price_per_post_cents IS NOT NULL) = $14::boolean) "       \
	"AND ($15::int IS NULL OR c.last_post_at >= now() - $15::int * interval '1 day') "         \
	"AND ($16::float8 IS NULL OR c.follower_growth_30d >= $16::float8) "                       \
	"AND ($17::text IS NULL OR nm_search_hit(c.language, " NM_SEARCH_DOC ", $17::text)) "      \
	"AND ($18::int IS NULL OR c.data_as_of > now() - ($18::int + 1) * interval '1 day') "      \
	"AND ($19::int IS NULL OR " NM_CONF_LEVEL_SQL " <= $19::int)"

#define NM_CS_STR_(x) #x
#define NM_CS_STR(x)  NM_CS_STR_(x)
/* Older than n whole days (n + 1 days or more), as nm_confidence_age_days counts. */
#define NM_CS_OLDER(n) "c.data_as_of <= now() - interval '" NM_CS_STR(n) " days' - interval '1 day'"
/* The confidence level of c (0 high, 1 medium, 2 low): nm_confidence_eval's rules
 * (nm/confidence.h) in SQL, for the search's min_confidence; test_freshness_filters checks
 * that it selects what the replies' confidence says. */
#define NM_CONF_LEVEL_SQL                                                                                                                                                                                         \
	"(CASE WHEN c.data_as_of IS NULL OR " NM_CS_OLDER(                                                                                                                                                        \
		NM_CONF_VERY_STALE_DAYS) " "                                                                                                                                                                      \
					 "OR c.sample_posts <= 1 "                                                                                                                                                \
					 "OR (" NM_CS_OLDER(                                                                                                                                                      \
						 NM_CONF_STALE_DAYS) " AND c.sample_posts "                                                                                                                       \
								     "< " NM_CS_STR(                                                                                                                              \
									     NM_CONF_THIN_POSTS) ") THEN 2 "                                                                                                      \
												 "WHEN " NM_CS_OLDER(NM_CONF_STALE_DAYS) " OR c.sample_posts < " NM_CS_STR(                                       \
													 NM_CONF_THIN_POSTS) " "                                                                                  \
															     "OR (coalesce(c.engagement_derived AND c.engagement_rate IS NOT NULL, false))::int " \
															     "+ (c.audience_countries IS NULL AND c.audience_female_share IS NULL)::int "         \
															     "+ (c.price_per_post_cents IS NULL)::int >= 2 THEN 1 ELSE 0 END)"

/* The filter parameters $2..$19 in order (NM_CREATOR_SEARCH_NPARAMS of them). */
#define NM_CREATOR_SEARCH_NPARAMS 18
static inline void nm_creator_search_params(const struct nm_creator_search *s, const char **p)
{
	const char *v[] = {s->platforms,	   s->handle,
			   s->countries,	   s->languages,
			   s->categories,	   s->tiers,
			   s->min_followers,	   s->max_followers,
			   s->min_engagement_rate, s->max_engagement_rate,
			   s->max_price,	   s->has_email,
			   s->has_price,	   s->active_within_days,
			   s->min_growth,	   s->q,
			   s->max_data_age_days,   s->max_conf_level};
	memcpy(p, v, sizeof v);
}

#endif
