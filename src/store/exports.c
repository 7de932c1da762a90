/* CSV exports read through a cursor (see nm/store_exports.h). FETCH returns a batch of
 * rows as one result; the CSV writer turns each batch into text before the next is read.
 * Dates are RFC 3339 (NM_SQL_TS), lists are joined with '|' here in SQL. */
#include "nm/store_exports.h"

#include <stdlib.h>
#include <string.h>

#include "creator_search.h"
#include "internal.h"
#include "nm/confidence.h"
#include "nm/store_creators.h"
#include "nm/taxonomy.h"

/* Rows per FETCH: large enough that the round trips cost little next to the rows (a
 * creator row is ~0.5 KB, so a batch is ~0.5 MB at most), small enough to keep memory
 * flat. */
#define BATCH_FETCH "FETCH 1000 FROM nm_export"
#define DECLARE	    "DECLARE nm_export NO SCROLL CURSOR FOR "

struct nm_export {
	struct nm_pg *pg;
	const struct nm_export_column *cols;
	size_t ncols;
	int tier_col; /* this column is the tier of followers_col's value; -1: none */
	int followers_col;
	/* this column is the data confidence of the creator reply (nm_confidence_eval), from
	 * the five hidden columns after the ncols visible ones; -1: none */
	int conf_col;
	PGresult *batch;
	bool done;
};

/* ---- GET /v1/creators.csv ---- */

static const struct nm_export_column creator_cols[] = {
	{"id", true},
	{"platform", false},
	{"handle", false},
	{"display_name", false},
	{"profile_url", false},
	{"email", false},
	{"followers", true},
	{"tier", false},
	{"following", true},
	{"posts_count", true},
	{"avg_likes", true},
	{"avg_comments", true},
	{"avg_shares", true},
	{"avg_views", true},
	{"engagement_rate", true},
	{"categories", false},
	{"hashtags", false},
	{"bio", false},
	{"country", false},
	{"language", false},
	{"audience_countries", false},
	{"audience_female_share", true},
	{"price_per_post_cents", true},
	{"follower_growth_30d", true},
	{"last_post_at", false},
	{"external_id", false},
	{"created_at", false},
	{"updated_at", false},
	{"data_as_of", false},
	{"confidence", false},
};

/* The inputs of nm_confidence_eval as the creator reply takes them (store/creators.c
 * annotate): whole days since data_as_of (-1 unknown; a future one counts 0), sample_posts
 * (-1 not said), er derived, audience known, price known. Not exported themselves. */
#define CONF_INPUT_COLS                                                                            \
	"coalesce(greatest(floor(extract(epoch FROM now() - c.data_as_of) / 86400), 0), "          \
	"-1)::bigint, coalesce(c.sample_posts, -1), "                                              \
	"(c.engagement_derived AND c.engagement_rate IS NOT NULL), "                               \
	"(c.audience_countries IS NOT NULL OR c.audience_female_share IS NOT NULL), "              \
	"(c.price_per_post_cents IS NOT NULL)"

/* creator_cols in order, then CONF_INPUT_COLS; the tier and the confidence (NULL here)
 * are derived when read. */
#define CREATOR_EXPORT_COLS                                                                        \
	"c.id, c.platform, c.handle, c.display_name, c.profile_url, c.email, c.followers, NULL, "  \
	"c.following, c.posts_count, c.avg_likes, c.avg_comments, c.avg_shares, c.avg_views, "     \
	"c.engagement_rate, array_to_string(c.categories, '|'), "                                  \
	"array_to_string(c.hashtags, '|'), c.bio, c.country, c.language, "                         \
	"c.audience_countries::text, c.audience_female_share, c.price_per_post_cents, "            \
	"c.follower_growth_30d, " NM_SQL_TS("c.last_post_at") ", c.external_id, " NM_SQL_TS(       \
		"c.created_at") ", " NM_SQL_TS("c.updated_at") ", " NM_SQL_TS("c.data_as_of") ", " \
											      "NU" \
											      "LL" \
											      ","  \
											      " " CONF_INPUT_COLS

/* The filters of GET /v1/creators (creators_list in store/creators.c); the API tests
 * check that both give the same creators. */
/* The filters of GET /v1/creators (creator_search.h) over $2..$19; $1 is the page
 * statements' limit, NULL here (LIMIT NULL: every row); $20 the ids q matched in the
 * index, or NULL. */
static struct nm_sql q_creators = {
	"exports_creators",
	DECLARE "SELECT " CREATOR_EXPORT_COLS " FROM creators c WHERE " SEARCH_WHERE
		" AND ($20::bigint[] IS NULL OR c.id = ANY ($20::bigint[]))"
		" ORDER BY c.id LIMIT $1::bigint",
	2 + NM_CREATOR_SEARCH_NPARAMS, 0};

/* ---- GET /v1/brands/{id}/creators.csv ---- */

static const struct nm_export_column pipeline_cols[] = {
	{"creator_id", true},  {"status", false},	{"note", false},
	{"created_at", false}, {"updated_at", false},	{"platform", false},
	{"handle", false},     {"display_name", false}, {"profile_url", false},
	{"email", false},      {"followers", true},	{"tier", false},
	{"country", false},    {"external_id", false},
};

#define STATUS_TIMES NM_SQL_TS("s.created_at") ", " NM_SQL_TS("s.updated_at")
static struct nm_sql q_pipeline = {
	"exports_pipeline",
	DECLARE "SELECT s.creator_id, s.status, s.note, " STATUS_TIMES
		", c.platform, c.handle, c.display_name, c.profile_url, c.email, c.followers, "
		"NULL, c.country, c.external_id "
		"FROM creator_statuses s JOIN creators c ON c.id = s.creator_id "
		"WHERE s.brand_id = $1 AND ($2::text[] IS NULL OR s.status = ANY ($2)) "
		"ORDER BY s.creator_id",
	2, 0};

/* ---- GET /v1/brands/{id}/matches.csv ---- */

static const struct nm_export_column match_cols[] = {
	{"rank", true},
	{"score", true},
	{"niche", true},
	{"engagement", true},
	{"tier_fit", true},
	{"audience", true},
	{"cost_efficiency", true},
	{"authenticity", true},
	{"activity", true},
	{"creator_id", true},
	{"platform", false},
	{"handle", false},
	{"display_name", false},
	{"profile_url", false},
	{"email", false},
	{"followers", true},
	{"tier", false},
	{"engagement_rate", true},
	{"country", false},
	{"categories", false},
	{"price_per_post_cents", true},
	{"cost_per_engagement_cents", true},
	{"status", false},
	{"note", false},
	{"reasons", false},
	{"brand_external_id", false},
};

/* The stored document as replied by the match page (its creator snapshot, components,
 * estimates and reasons), the live status and note, and what the document does not hold
 * (profile URL and email) from the live creator: empty when it was deleted since. The
 * reasons are the document's "reasons", or the "text" of each of its "explanations" in
 * documents that keep their reasons only there (the match page splices them the same way).
 * The filters are the match page's (status "none": no status yet). */
static struct nm_sql q_matches = {
	"exports_matches",
	DECLARE
	"SELECT r.rank, d.j->>'score', d.j->'components'->>'niche', "
	"d.j->'components'->>'engagement', d.j->'components'->>'tier_fit', "
	"d.j->'components'->>'audience', d.j->'components'->>'cost_efficiency', "
	"d.j->'components'->>'authenticity', d.j->'components'->>'activity', r.creator_id, "
	"d.j->'creator'->>'platform', d.j->'creator'->>'handle', "
	"d.j->'creator'->>'display_name', c.profile_url, c.email, "
	"d.j->'creator'->>'followers', d.j->'creator'->>'tier', "
	"d.j->'creator'->>'engagement_rate', d.j->'creator'->>'country', "
	"(SELECT string_agg(e, '|' ORDER BY n) "
	"FROM json_array_elements_text(d.j->'creator'->'categories') WITH ORDINALITY t(e, n)), "
	"d.j->'creator'->>'price_per_post_cents', "
	"d.j->'estimates'->>'cost_per_engagement_cents', s.status, s.note, "
	"coalesce((SELECT string_agg(e, '|' ORDER BY n) "
	"FROM json_array_elements_text(d.j->'reasons') WITH ORDINALITY t(e, n)), "
	"(SELECT string_agg(x->>'text', '|' ORDER BY n) "
	"FROM json_array_elements(d.j->'explanations') WITH ORDINALITY t(x, n))), b.external_id "
	"FROM match_results r CROSS JOIN LATERAL (SELECT r.doc::json AS j) d "
	"JOIN brands b ON b.id = $1 "
	"LEFT JOIN creator_statuses s ON s.brand_id = $1 AND s.creator_id = r.creator_id "
	"LEFT JOIN creators c ON c.id = r.creator_id "
	"WHERE r.run_id = $2 AND ($3::text[] IS NULL OR coalesce(s.status, 'none') = ANY ($3)) "
	"AND ($4::text[] IS NULL OR d.j->'creator'->>'tier' = ANY ($4)) "
	"AND ($5::text[] IS NULL OR d.j->'creator'->>'platform' = ANY ($5)) "
	"AND ($6::text[] IS NULL OR d.j->'creator'->>'country' = ANY ($6)) "
	"AND ($7::float8 IS NULL OR r.score >= $7) ORDER BY r.rank",
	7, 0};

/* ---- the cursor ---- */

static struct nm_export *open_export(struct nm_pg *pg, struct nm_sql *q, const char *const *p,
				     const struct nm_export_column *cols, size_t ncols,
				     int tier_col, int followers_col, struct nm_db_err *err)
{
	struct nm_export *x = calloc(1, sizeof *x);
	if (!x) {
		nm_db_err_set(err, NM_DB_ERROR);
		return NULL;
	}
	*x = (struct nm_export){pg, cols, ncols, tier_col, followers_col, -1, NULL, false};
	if (!nm_db_begin(pg)) {
		nm_db_err_set(err, NM_DB_UNAVAILABLE);
		free(x);
		return NULL;
	}
	PGresult *res = nm_db_exec(pg, q, p);
	nm_db_err_from(err, res);
	PQclear(res);
	if (err->status != NM_DB_OK) {
		nm_db_rollback(pg);
		free(x);
		return NULL;
	}
	return x;
}

struct nm_export *nm_store_export_creators(struct nm_pg *pg, const struct nm_creator_search *f,
					   const int64_t *ids, size_t n_ids, struct nm_db_err *err)
{
	const char *p[2 + NM_CREATOR_SEARCH_NPARAMS] = {NULL};
	nm_creator_search_params(f, p + 1);
	char *lit = ids ? nm_store_id_array(ids, n_ids, err) : NULL;
	if (ids && !lit)
		return NULL;
	p[1 + NM_CREATOR_SEARCH_NPARAMS] = lit;
	struct nm_export *x = open_export(pg, &q_creators, p, creator_cols,
					  sizeof creator_cols / sizeof *creator_cols, 7, 6, err);
	free(lit);
	if (x)
		x->conf_col = (int)(sizeof creator_cols / sizeof *creator_cols) - 1;
	return x;
}

struct nm_export *nm_store_export_pipeline(struct nm_pg *pg, int64_t brand_id, const char *statuses,
					   struct nm_db_err *err)
{
	char b[24];
	const char *p[] = {nm_store_i64(b, brand_id), statuses};
	return open_export(pg, &q_pipeline, p, pipeline_cols,
			   sizeof pipeline_cols / sizeof *pipeline_cols, 11, 10, err);
}

struct nm_export *nm_store_export_matches(struct nm_pg *pg, int64_t brand_id, int64_t run_id,
					  const struct nm_match_export_filter *f,
					  struct nm_db_err *err)
{
	char b[24], ru[24];
	const char *p[] = {nm_store_i64(b, brand_id),
			   nm_store_i64(ru, run_id),
			   f->statuses,
			   f->tiers,
			   f->platforms,
			   f->countries,
			   f->min_score};
	return open_export(pg, &q_matches, p, match_cols, sizeof match_cols / sizeof *match_cols,
			   -1, -1, err);
}

size_t nm_export_columns(const struct nm_export *x, const struct nm_export_column **cols)
{
	*cols = x->cols;
	return x->ncols;
}

int nm_store_export_next(struct nm_export *x, struct nm_db_err *err)
{
	PQclear(x->batch);
	x->batch = NULL;
	nm_db_err_set(err, NM_DB_OK);
	if (x->done)
		return 0;
	PGresult *res = nm_store_expect_ok(nm_db_exec_simple(x->pg, BATCH_FETCH), err);
	if (!res)
		return -1;
	int n = PQntuples(res);
	if (n > 0) {
		x->batch = res;
		return n;
	}
	PQclear(res);
	x->done = true;
	if (!nm_db_commit(x->pg)) {
		nm_db_err_set(err, NM_DB_UNAVAILABLE);
		return -1;
	}
	return 0;
}

const char *nm_export_cell(const struct nm_export *x, int i, int col, size_t *len)
{
	if (col == x->tier_col) {
		const char *t = nm_tier_name(
			nm_tier_of(strtoll(PQgetvalue(x->batch, i, x->followers_col), NULL, 10)));
		*len = strlen(t);
		return t;
	}
	if (col == x->conf_col) {
		int h = (int)x->ncols; /* the first hidden column */
		struct nm_confidence_in in = {
			.age_days = nm_db_i64(x->batch, i, h),
			.sample_posts = nm_db_i64(x->batch, i, h + 1),
			.er_derived = PQgetvalue(x->batch, i, h + 2)[0] == 't',
			.has_audience = PQgetvalue(x->batch, i, h + 3)[0] == 't',
			.has_price = PQgetvalue(x->batch, i, h + 4)[0] == 't',
		};
		struct nm_confidence conf;
		nm_confidence_eval(&in, &conf);
		const char *l = nm_confidence_level_name(conf.level);
		*len = strlen(l);
		return l;
	}
	if (PQgetisnull(x->batch, i, col)) {
		*len = 0;
		return NULL;
	}
	*len = (size_t)PQgetlength(x->batch, i, col);
	return PQgetvalue(x->batch, i, col);
}

void nm_store_export_free(struct nm_export *x)
{
	if (!x)
		return;
	PQclear(x->batch);
	free(x);
}
