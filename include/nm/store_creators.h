/* Creator rows in PostgreSQL: the one column list shared by single upserts and bulk
 * COPY, encoders for both, and the row → JSON reply. */
#ifndef NM_STORE_CREATORS_H
#define NM_STORE_CREATORS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

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
#define NM_CREATOR_SELECT                                                                          \
	"c.id, c.platform, c.handle, c.display_name, c.profile_url, c.email, c.followers, "        \
	"c.following, c.posts_count, c.avg_likes, c.avg_comments, c.avg_shares, c.avg_views, "     \
	"c.engagement_rate, array_to_json(c.categories), array_to_json(c.hashtags), c.bio, "       \
	"c.country, c.language, c.audience_countries, c.audience_female_share, "                   \
	"c.price_per_post_cents, c.follower_growth_30d, " NM_SQL_TS(                               \
		"c.last_post_at") ", "                                                             \
				  "c.external_id, " NM_SQL_TS("c.created_at") ", " NM_SQL_TS(      \
					  "c.updated_at") ", " NM_SQL_TS("c.data_as_of") ", "      \
											 "c."      \
											 "sample_" \
											 "posts, " \
											 "c."      \
											 "sponsor" \
											 "ed_"     \
											 "posts, " \
											 "c."      \
											 "verifie" \
											 "d, "     \
											 "c."      \
											 "content" \
											 "_countr" \
											 "y, "     \
											 "c."      \
											 "caption" \
											 ", "      \
											 "c."      \
											 "engagem" \
											 "ent_"    \
											 "derived"

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

/* GET /v1/creators filters; NULL members do not filter. Values are canonical (platform
 * name, lower-case handle without '@', ISO country, normalised category) and the
 * follower bounds decimal text. */
struct nm_creator_filter {
	const char *platform, *handle, *country, *category, *q;
	const char *min_followers, *max_followers;
};
struct nm_page_req;
struct nm_page;
bool nm_store_creators_list(struct nm_pg *pg, const struct nm_creator_filter *f,
			    const struct nm_page_req *pr, struct nm_page *out,
			    struct nm_db_err *err);
/* One creator's reply JSON (caller owns), or NULL with err (NM_DB_NOT_FOUND when absent). */
json_t *nm_store_creator_get(struct nm_pg *pg, int64_t id, struct nm_db_err *err);
/* Deletes one creator; false with err NM_DB_NOT_FOUND when there was none. */
bool nm_store_creator_delete(struct nm_pg *pg, int64_t id, struct nm_db_err *err);

/* Reply JSON of row i of a result selected with NM_CREATOR_SELECT. Caller owns. */
json_t *nm_creator_row_json(const struct pg_result *res, int i);

#endif
