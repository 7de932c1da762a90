/* Creator rows in PostgreSQL: the one column list shared by single upserts and bulk
 * COPY, encoders for both, and the row → JSON reply. */
#ifndef NM_STORE_CREATORS_H
#define NM_STORE_CREATORS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "nm/buf.h"
#include "nm/creator.h"

struct nm_pg;
struct pg_result; /* libpq's PGresult, for the store and imports */
/* The macros below use NM_SQL_TS (nm/db.h) where they are expanded. */

/* The writable columns, in COPY/parameter order. */
#define NM_CREATOR_COLUMNS                                                                         \
	"platform, handle, display_name, profile_url, email, followers, following, posts_count, "  \
	"avg_likes, avg_comments, avg_shares, avg_views, engagement_rate, engagement_derived, "    \
	"categories, hashtags, bio, country, language, audience_countries, "                       \
	"audience_female_share, price_per_post_cents, follower_growth_30d, last_post_at, "         \
	"external_id, data_as_of, sample_posts, sponsored_posts, verified, content_country, "      \
	"caption"
#define NM_CREATOR_NCOLS 31
/* data_as_of NULL is never stored: a single upsert writes now() (the request's time), an
 * import the import's time (src/store/imports.c). */

/* "col = EXCLUDED.col, ..." for every writable column except the key. */
#define NM_CREATOR_UPDATE_SET                                                                      \
	"display_name = EXCLUDED.display_name, profile_url = EXCLUDED.profile_url, "               \
	"email = EXCLUDED.email, followers = EXCLUDED.followers, following = EXCLUDED.following, " \
	"posts_count = EXCLUDED.posts_count, avg_likes = EXCLUDED.avg_likes, "                     \
	"avg_comments = EXCLUDED.avg_comments, avg_shares = EXCLUDED.avg_shares, "                 \
	"avg_views = EXCLUDED.avg_views, engagement_rate = EXCLUDED.engagement_rate, "             \
	"engagement_derived = EXCLUDED.engagement_derived, categories = EXCLUDED.categories, "     \
	"hashtags = EXCLUDED.hashtags, bio = EXCLUDED.bio, country = EXCLUDED.country, "           \
	"language = EXCLUDED.language, audience_countries = EXCLUDED.audience_countries, "         \
	"audience_female_share = EXCLUDED.audience_female_share, "                                 \
	"price_per_post_cents = EXCLUDED.price_per_post_cents, "                                   \
	"follower_growth_30d = EXCLUDED.follower_growth_30d, last_post_at = "                      \
	"EXCLUDED.last_post_at, "                                                                  \
	"external_id = EXCLUDED.external_id, data_as_of = EXCLUDED.data_as_of, "                   \
	"sample_posts = EXCLUDED.sample_posts, sponsored_posts = EXCLUDED.sponsored_posts, "       \
	"verified = EXCLUDED.verified, content_country = EXCLUDED.content_country, "               \
	"caption = EXCLUDED.caption, updated_at = now(), txid = pg_current_xact_id()"

/* True when an upsert would change the stored row (the import skips no-op updates,
 * which would otherwise rewrite every index entry of an unchanged creator). */
#define NM_CREATOR_CHANGED                                                                         \
	"(c.display_name, c.profile_url, c.email, c.followers, c.following, c.posts_count, "       \
	"c.avg_likes, c.avg_comments, c.avg_shares, c.avg_views, c.engagement_rate, "              \
	"c.engagement_derived, c.categories, c.hashtags, c.bio, c.country, c.language, "           \
	"c.audience_countries, c.audience_female_share, c.price_per_post_cents, "                  \
	"c.follower_growth_30d, c.last_post_at, c.external_id, c.data_as_of, c.sample_posts, "     \
	"c.sponsored_posts, c.verified, c.content_country, c.caption) IS DISTINCT FROM "           \
	"(EXCLUDED.display_name, EXCLUDED.profile_url, EXCLUDED.email, EXCLUDED.followers, "       \
	"EXCLUDED.following, EXCLUDED.posts_count, EXCLUDED.avg_likes, EXCLUDED.avg_comments, "    \
	"EXCLUDED.avg_shares, EXCLUDED.avg_views, EXCLUDED.engagement_rate, "                      \
	"EXCLUDED.engagement_derived, EXCLUDED.categories, EXCLUDED.hashtags, EXCLUDED.bio, "      \
	"EXCLUDED.country, EXCLUDED.language, EXCLUDED.audience_countries, "                       \
	"EXCLUDED.audience_female_share, EXCLUDED.price_per_post_cents, "                          \
	"EXCLUDED.follower_growth_30d, EXCLUDED.last_post_at, EXCLUDED.external_id, "              \
	"EXCLUDED.data_as_of, EXCLUDED.sample_posts, EXCLUDED.sponsored_posts, "                   \
	"EXCLUDED.verified, EXCLUDED.content_country, EXCLUDED.caption)"

/* The SELECT list that nm_creator_row_json reads (prefix with the table alias c). */
/* clang-format off */
#define NM_CREATOR_SELECT                                                                          \
	"c.id, c.platform, c.handle, c.display_name, c.profile_url, c.email, c.followers, "        \
	"c.following, c.posts_count, c.avg_likes, c.avg_comments, c.avg_shares, c.avg_views, "     \
	"c.engagement_rate, c.categories, c.hashtags, c.bio, "                                     \
	"c.country, c.language, c.audience_countries, c.audience_female_share, "                   \
	"c.price_per_post_cents, c.follower_growth_30d, " NM_SQL_TS("c.last_post_at") ", "         \
	"c.external_id, " NM_SQL_TS("c.created_at") ", " NM_SQL_TS("c.updated_at") ", "            \
	NM_SQL_TS("c.data_as_of") ", c.sample_posts, c.sponsored_posts, c.verified, "              \
	"c.content_country, c.caption, c.engagement_derived, " NM_CREATOR_BENCH_SQL
/* clang-format on */

/* The platform×tier median engagement rate of the creator (engagement_benchmarks;
 * NULL when the table has no such row, and the reply then uses the compiled-in one).
 * Last in NM_CREATOR_SELECT: nm_creator_row_json reads it after the reply columns. */
#define NM_CREATOR_BENCH_SQL                                                                       \
	"(SELECT b.median_rate FROM engagement_benchmarks b "                                      \
	"WHERE b.platform = c.platform AND b.tier = nm_tier(c.followers))"

/* Encodes the NM_CREATOR_NCOLS columns of c as text values. vals[i] is NULL for SQL NULL. The
 * strings live in scratch, which the caller frees with free(). Returns false on OOM. */
bool nm_creator_encode(const struct nm_creator *c, const char *vals[NM_CREATOR_NCOLS],
		       char **scratch);

/* Appends one COPY text-format line (prefixed by `seq` as the first column) to
 * the growable buffer (buf, len, cap). Returns false on OOM. */
bool nm_creator_copy_line(const struct nm_creator *c, long long seq, char **buf, size_t *len,
			  size_t *cap);

/* Inserts or updates one creator. On success returns the row's reply JSON (caller
 * owns) and sets *inserted; on failure returns NULL and *err (caller PQclears). */
json_t *nm_store_creator_upsert(struct nm_pg *pg, const struct nm_creator *c, bool *inserted,
				struct pg_result **err);

/* The same with a classified failure (nm/tx.h). */
struct nm_db_err;
json_t *nm_store_creator_put(struct nm_pg *pg, const struct nm_creator *c, bool *inserted,
			     struct nm_db_err *err);

/* GET /v1/creators search (docs/api.md §4). NULL members do not filter. Values are
 * canonical and already validated by the handler: the list members are PostgreSQL array
 * literals ({"instagram","tiktok"}) of canonical values (platform names, tiers, upper-case
 * ISO countries, lower-case ISO languages, normalised categories), handle lower-case
 * without '@', numbers and booleans ("true"/"false") decimal text. */
enum nm_creator_sort {
	NM_SORT_ID,
	NM_SORT_FOLLOWERS,
	NM_SORT_ENGAGEMENT_RATE,
	NM_SORT_PRICE,
	NM_SORT_LAST_POST_AT,
	NM_SORT_UPDATED_AT,
	NM_SORT_COUNT
};
/* Facets: bit (1u << enum nm_creator_facet). */
enum nm_creator_facet {
	NM_FACET_PLATFORM,
	NM_FACET_TIER,
	NM_FACET_COUNTRY,
	NM_FACET_LANGUAGE,
	NM_FACET_CATEGORY,
	NM_FACET_COUNT
};
#define NM_FACET_TOP 50 /* values per facet, most frequent first */

struct nm_creator_search {
	const char *platforms, *tiers, *countries, *languages, *categories; /* array literals */
	const char *handle;
	const char *min_followers, *max_followers, *min_engagement_rate, *max_engagement_rate;
	const char *max_price, *has_email, *has_price, *active_within_days, *min_growth;
	const char *q;
	/* Data freshness (issue 16): whole days (decimal text), and the lowest confidence
	 * level accepted as enum nm_conf_level's number ("0" high, "1" medium, "2" low). */
	const char *max_data_age_days, *max_conf_level;
	enum nm_creator_sort sort;
	bool desc;
	int limit; /* 1..200 */
	/* Keyset position: after the row whose sort key was key (decimal text: the integer,
	 * the float8's shortest exact text, or microseconds since the epoch for times;
	 * NULL when key_null) and whose id was id. */
	bool after, after_null;
	const char *after_key;
	int64_t after_id;
	unsigned facets;
};

/* One page of a search. data: creator replies in order (caller owns). When more rows
 * follow, more is true and the last row's key (NULL when its key is SQL NULL; points
 * into key_buf) and id make the next position. total counts every match; facets (NULL
 * unless asked) is {"platform": [{"value", "count"}...], ...}; caller owns both. */
struct nm_creator_page {
	json_t *data;		 /* the rows, or NULL when they are data_text */
	struct nm_buf data_text; /* the rows' JSON array as reply text (an index search) */
	bool more;
	bool last_null;
	char last_key[48];
	int64_t last_id;
	int64_t total;
	json_t *facets;
};
const char *nm_creator_sort_name(enum nm_creator_sort s); /* "followers", ... */
const char *nm_creator_facet_name(enum nm_creator_facet f);
/* Runs the page and the count (and facets) in one REPEATABLE READ READ ONLY snapshot. */
bool nm_store_creators_search(struct nm_pg *pg, const struct nm_creator_search *s,
			      struct nm_creator_page *out, struct nm_db_err *err);
/* Appends to the array out the reply JSON of each creator of ids that exists, in the
 * order of ids (the page of an index search). */
bool nm_store_creators_by_ids(struct nm_pg *pg, const int64_t *ids, size_t n, json_t *out,
			      struct nm_db_err *err);
/* Appends to out the reply text of a JSON array of the creators of ids that exist, in the
 * order of ids: what nm_store_creators_by_ids and a dump with NM_JSON_REPLY_FLAGS give,
 * byte for byte, with each row's columns from the row cache (nm/rowcache.h) when it holds
 * the row's current version. False with err (out may then hold part of the text). */
bool nm_store_creators_page(struct nm_pg *pg, const int64_t *ids, size_t n, struct nm_buf *out,
			    struct nm_db_err *err);
/* The ids among `among` of the creators whose text matches q (nm_search_hit of
 * migrations/0030: the phrases of q, which the index cannot check), for an index search
 * to count, facet and sort; *ids is the caller's to free(). */
bool nm_store_creator_ids_q(struct nm_pg *pg, const char *q, const int64_t *among, size_t n_among,
			    int64_t **ids, size_t *n, struct nm_db_err *err);
/* One creator's reply JSON (caller owns), or NULL with err (NM_DB_NOT_FOUND when absent). */
json_t *nm_store_creator_get(struct nm_pg *pg, int64_t id, struct nm_db_err *err);
/* Deletes one creator; false with err NM_DB_NOT_FOUND when there was none. */
bool nm_store_creator_delete(struct nm_pg *pg, int64_t id, struct nm_db_err *err);

/* Reply JSON of row i of a result selected with NM_CREATOR_SELECT. Caller owns. Beside
 * the columns: tier, engagement_benchmark {median_rate, ratio} and flags (nm/flags.h). */
json_t *nm_creator_row_json(const struct pg_result *res, int i);

#endif
