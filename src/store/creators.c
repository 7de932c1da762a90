#include "nm/store_creators.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "creator_search.h"
#include "internal.h"
#include "nm/buf.h"
#include "nm/confidence.h"
#include "nm/db.h"
#include "nm/flags.h"
#include "nm/metrics.h"
#include "nm/pgarray.h"
#include "nm/rowcache.h"
#include "nm/score.h"
#include "nm/store.h"
#include "nm/taxonomy.h"

/* PostgreSQL array literal: {"a","b"} with " and \ escaped. */
static void pg_array_literal(struct nm_buf *b, char *const *v, size_t n)
{
	nm_buf_str(b, "{");
	for (size_t i = 0; i < n; i++) {
		nm_buf_str(b, i ? ",\"" : "\"");
		for (const char *s = v[i]; *s; s++) {
			if (*s == '"' || *s == '\\')
				nm_buf_add(b, "\\", 1);
			nm_buf_add(b, s, 1);
		}
		nm_buf_str(b, "\"");
	}
	nm_buf_str(b, "}");
}

/* Values are appended NUL-terminated to one buffer; offsets become pointers at the end,
 * once the buffer stops moving. */
static void put(struct nm_buf *b, long *off, int *i, const char *s)
{
	if (!s) {
		off[(*i)++] = -1;
		return;
	}
	off[(*i)++] = (long)b->len;
	nm_buf_add(b, s, strlen(s) + 1);
}

static void put_i64(struct nm_buf *b, long *off, int *i, bool has, int64_t v)
{
	char num[32];
	snprintf(num, sizeof num, "%lld", (long long)v);
	put(b, off, i, has ? num : NULL);
}

/* The shortest of %.15g and %.17g that reads back as the same double: exact, and
 * short for the common values (0.041, not 0.041000000000000002). */
static void put_f64(struct nm_buf *b, long *off, int *i, bool has, double v)
{
	char num[40];
	snprintf(num, sizeof num, "%.15g", v);
	if (strtod(num, NULL) != v)
		snprintf(num, sizeof num, "%.17g", v);
	put(b, off, i, has ? num : NULL);
}

static void put_array(struct nm_buf *b, long *off, int *i, char *const *v, size_t n)
{
	off[(*i)++] = (long)b->len;
	pg_array_literal(b, v, n);
	nm_buf_add(b, "", 1);
}

bool nm_creator_encode(const struct nm_creator *c, const char *vals[NM_CREATOR_NCOLS],
		       char **scratch)
{
	struct nm_buf b = {0};
	long off[NM_CREATOR_NCOLS];
	int i = 0;
	put(&b, off, &i, nm_platform_name(c->platform));
	put(&b, off, &i, c->handle);
	put(&b, off, &i, c->display_name);
	put(&b, off, &i, c->profile_url);
	put(&b, off, &i, c->email);
	put_i64(&b, off, &i, true, c->followers);
	put_i64(&b, off, &i, c->has_following, c->following);
	put_i64(&b, off, &i, c->has_posts_count, c->posts_count);
	put_f64(&b, off, &i, c->has_avg_likes, c->avg_likes);
	put_f64(&b, off, &i, c->has_avg_comments, c->avg_comments);
	put_f64(&b, off, &i, c->has_avg_shares, c->avg_shares);
	put_f64(&b, off, &i, c->has_avg_views, c->avg_views);
	put_f64(&b, off, &i, c->has_engagement_rate, c->engagement_rate);
	put(&b, off, &i, c->engagement_derived ? "t" : "f");
	put_array(&b, off, &i, c->categories, c->n_categories);
	put_array(&b, off, &i, c->hashtags, c->n_hashtags);
	put(&b, off, &i, c->bio);
	put(&b, off, &i, c->country[0] ? c->country : NULL);
	put(&b, off, &i, c->language[0] ? c->language : NULL);
	char *aud = c->audience_countries
			    ? json_dumps(c->audience_countries, JSON_COMPACT | JSON_SORT_KEYS)
			    : NULL;
	put(&b, off, &i, aud);
	free(aud);
	put_f64(&b, off, &i, c->has_audience_female_share, c->audience_female_share);
	put_i64(&b, off, &i, c->has_price_per_post_cents, c->price_per_post_cents);
	put_f64(&b, off, &i, c->has_follower_growth_30d, c->follower_growth_30d);
	put(&b, off, &i, c->last_post_at[0] ? c->last_post_at : NULL);
	put(&b, off, &i, c->external_id);
	put(&b, off, &i, c->data_as_of[0] ? c->data_as_of : NULL);
	put_i64(&b, off, &i, c->has_sample_posts, c->sample_posts);
	put_i64(&b, off, &i, c->has_sponsored_posts, c->sponsored_posts);
	put(&b, off, &i, c->has_verified ? (c->verified ? "t" : "f") : NULL);
	put(&b, off, &i, c->content_country[0] ? c->content_country : NULL);
	put(&b, off, &i, c->caption);
	if (b.oom) {
		free(b.data);
		return false;
	}
	for (int k = 0; k < NM_CREATOR_NCOLS; k++)
		vals[k] = off[k] < 0 ? NULL : b.data + off[k];
	*scratch = b.data;
	return true;
}

/* COPY text format escapes: backslash, tab, newline, carriage return. */
static void copy_field(struct nm_buf *b, const char *s)
{
	if (!s) {
		nm_buf_add(b, "\\N", 2);
		return;
	}
	const char *run = s;
	for (; *s; s++) {
		const char *esc = NULL;
		switch (*s) {
		case '\\':
			esc = "\\\\";
			break;
		case '\t':
			esc = "\\t";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		default:
			continue;
		}
		nm_buf_add(b, run, (size_t)(s - run));
		nm_buf_add(b, esc, 2);
		run = s + 1;
	}
	nm_buf_add(b, run, (size_t)(s - run));
}

bool nm_creator_copy_line(const struct nm_creator *c, long long seq, char **buf, size_t *len,
			  size_t *cap)
{
	const char *vals[NM_CREATOR_NCOLS];
	char *scratch;
	if (!nm_creator_encode(c, vals, &scratch))
		return false;
	struct nm_buf b = {*buf, *len, *cap, false};
	char num[32];
	snprintf(num, sizeof num, "%lld", seq);
	nm_buf_str(&b, num);
	for (int k = 0; k < NM_CREATOR_NCOLS; k++) {
		nm_buf_add(&b, "\t", 1);
		copy_field(&b, vals[k]);
	}
	nm_buf_add(&b, "\n", 1);
	free(scratch);
	*buf = b.data;
	*len = b.len;
	*cap = b.cap;
	return !b.oom;
}

static struct nm_sql q_upsert = {
	"creators_upsert",
	"INSERT INTO creators AS c (" NM_CREATOR_COLUMNS
	") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
	"$9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20::jsonb, $21, $22, $23, $24, "
	"$25, coalesce($26::timestamptz, now()), $27, $28, $29, $30, $31) "
	"ON CONFLICT (platform, handle) DO UPDATE SET " NM_CREATOR_UPDATE_SET " "
	"RETURNING " NM_CREATOR_SELECT ", (xmax = 0)",
	31, 0};

json_t *nm_store_creator_upsert(struct nm_pg *pg, const struct nm_creator *c, bool *inserted,
				PGresult **err)
{
	const char *vals[NM_CREATOR_NCOLS];
	char *scratch;
	*err = NULL;
	if (!nm_creator_encode(c, vals, &scratch))
		return NULL;
	PGresult *res = nm_db_exec(pg, &q_upsert, vals);
	free(scratch);
	if (!nm_db_ok(res)) {
		*err = res;
		return NULL;
	}
	json_t *o = nm_creator_row_json(res, 0);
	*inserted = strcmp(PQgetvalue(res, 0, PQnfields(res) - 1), "t") == 0;
	PQclear(res);
	return o;
}

enum coltype { T_ID, T_TEXT, T_INT, T_FLOAT, T_JSON, T_TEXTS, T_TIME, T_BOOL };

static const struct {
	const char *name;
	enum coltype type;
} reply_cols[] = {
	{"id", T_ID},
	{"platform", T_TEXT},
	{"handle", T_TEXT},
	{"display_name", T_TEXT},
	{"profile_url", T_TEXT},
	{"email", T_TEXT},
	{"followers", T_INT},
	{"following", T_INT},
	{"posts_count", T_INT},
	{"avg_likes", T_FLOAT},
	{"avg_comments", T_FLOAT},
	{"avg_shares", T_FLOAT},
	{"avg_views", T_FLOAT},
	{"engagement_rate", T_FLOAT},
	{"categories", T_TEXTS},
	{"hashtags", T_TEXTS},
	{"bio", T_TEXT},
	{"country", T_TEXT},
	{"language", T_TEXT},
	{"audience_countries", T_JSON},
	{"audience_female_share", T_FLOAT},
	{"price_per_post_cents", T_INT},
	{"follower_growth_30d", T_FLOAT},
	{"last_post_at", T_TIME},
	{"external_id", T_TEXT},
	{"created_at", T_TIME},
	{"updated_at", T_TIME},
	{"data_as_of", T_TIME},
	{"sample_posts", T_INT},
	{"sponsored_posts", T_INT},
	{"verified", T_BOOL},
	{"content_country", T_TEXT},
	{"caption", T_TEXT},
	{"engagement_derived", T_BOOL}, /* replaced by er_source below */
};

/* Whole days from an NM_SQL_TS text to now; -1 when absent or unreadable. */
static int64_t age_days(const char *ts, time_t now)
{
	struct tm tm = {0};
	if (!ts || sscanf(ts, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			  &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	time_t t = timegm(&tm);
	return t > now ? 0 : (int64_t)((now - t) / 86400);
}

static int64_t int_or(const json_t *o, const char *k, int64_t absent)
{
	const json_t *v = json_object_get(o, k);
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : absent;
}

/* The derived members of a creator reply (docs/api.md §4, docs/scoring.md "Data
 * confidence"): er_source in place of the stored engagement_derived flag,
 * sponsored_share, confidence with its codes. The flags are add_assessment's. */
static void annotate(json_t *o, time_t now)
{
	const json_t *er = json_object_get(o, "engagement_rate");
	bool derived = json_is_true(json_object_get(o, "engagement_derived"));
	json_object_del(o, "engagement_derived");
	json_object_set_new(o, "er_source",
			    !json_is_number(er) ? json_null()
			    : derived		? json_string("derived")
						: json_string("given"));
	int64_t sample = int_or(o, "sample_posts", -1);
	int64_t sponsored = int_or(o, "sponsored_posts", -1);
	json_object_set_new(o, "sponsored_share",
			    sample > 0 && sponsored >= 0
				    ? json_real((double)sponsored / (double)sample)
				    : json_null());
	struct nm_confidence_in in = {
		.age_days = age_days(json_string_value(json_object_get(o, "data_as_of")), now),
		.sample_posts = sample,
		.er_derived = derived && json_is_number(er),
		.has_audience = !json_is_null(json_object_get(o, "audience_countries")) ||
				!json_is_null(json_object_get(o, "audience_female_share")),
		.has_price = !json_is_null(json_object_get(o, "price_per_post_cents")),
	};
	struct nm_confidence conf;
	nm_confidence_eval(&in, &conf);
	const char *names[NM_CONF_CODE_COUNT];
	size_t n = nm_confidence_code_names(conf.codes, names, NM_CONF_CODE_COUNT);
	json_t *codes = json_array();
	for (size_t k = 0; k < n; k++)
		json_array_append_new(codes, json_string(names[k]));
	json_object_set_new(o, "confidence", json_string(nm_confidence_level_name(conf.level)));
	json_object_set_new(o, "confidence_codes", codes);
}

static double num_or(json_t *o, const char *key, double unknown)
{
	json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : unknown;
}

/* What the scoring says of the creator on its own (no brand): the engagement rate
 * against its platform×tier median and the flags of nm/flags.h, from the reply's own
 * fields so that they always agree with it. has_bench, bench_rate: the NM_CREATOR_BENCH_SQL
 * column (without it, the compiled-in median). */
static void add_assessment(json_t *o, bool has_bench, double bench_rate)
{
	struct nm_score_features f;
	memset(&f, 0, sizeof f);
	enum nm_platform pl = NM_PLATFORM_OTHER;
	json_t *pv = json_object_get(o, "platform");
	if (json_is_string(pv))
		nm_platform_parse(json_string_value(pv), &pl);
	f.platform = (uint8_t)pl;
	double followers = num_or(o, "followers", 0.0);
	f.followers = followers > 4294967295.0 ? UINT32_MAX : (uint32_t)followers;
	double following = num_or(o, "following", -1.0);
	f.following = following > 2147483647.0 ? INT32_MAX : (int32_t)following;
	f.engagement_rate = num_or(o, "engagement_rate", -1.0);
	double price = num_or(o, "price_per_post_cents", -1.0);
	f.price_cents = price > 2147483647.0 ? INT32_MAX : (int32_t)price;
	f.follower_growth_30d = (float)num_or(o, "follower_growth_30d", NAN);
	/* as the ranking index fills it, so that inactive / no_last_post agree with runs */
	int64_t since = age_days(json_string_value(json_object_get(o, "last_post_at")), time(NULL));
	int64_t cap = (int64_t)NM_SCORE_DAYS_UNKNOWN - 1;
	f.days_since_post =
		since < 0 ? NM_SCORE_DAYS_UNKNOWN : (uint16_t)(since > cap ? cap : since);

	struct nm_score_bench bench;
	nm_score_bench_init(&bench);
	enum nm_tier tier = nm_tier_of((int64_t)followers);
	if (has_bench)
		nm_score_bench_set(&bench, nm_platform_name(pl), nm_tier_name(tier), bench_rate);
	double ratio = nm_score_er_vs_bench(&bench, &f);
	json_object_set_new(
		o, "engagement_benchmark",
		json_pack("{s:f, s:o}", "median_rate", nm_score_bench_rate(&bench, pl, tier),
			  "ratio",
			  ratio >= 0.0 ? json_real(round(ratio * 1000.0) / 1000.0) : json_null()));
	int64_t sample = int_or(o, "sample_posts", -1);
	f.sample = (uint8_t)(sample > 0 ? (sample > NM_SCORE_SAMPLE_MASK ? NM_SCORE_SAMPLE_MASK
									 : sample)
					: 0);
	json_t *flags = json_array();
	unsigned bits = nm_score_flags(&bench, &f);
	for (int k = 0; k < NM_FLAG_COUNT; k++)
		if (bits & (1u << k))
			json_array_append_new(flags, json_string(nm_flag_code((enum nm_flag)k)));
	/* creator-only: the sponsored count is not among the score's features */
	if (nm_mostly_sponsored(int_or(o, "sponsored_posts", -1), sample))
		json_array_append_new(flags, json_string("mostly_sponsored"));
	json_object_set_new(o, "flags", flags);
}

/* A text[] literal as a JSON array of strings (a null on OOM). */
static json_t *texts_json(const char *lit)
{
	size_t len = strlen(lit), max = 1;
	for (const char *c = lit; *c; c++)
		max += *c == ',';
	char *copy = malloc(len + 1);
	char **el = malloc(max * sizeof *el);
	json_t *a = copy && el ? json_array() : json_null();
	if (copy && el) {
		memcpy(copy, lit, len + 1); /* split in place, and the result is not ours */
		size_t n = nm_pgarray_split(copy, el, max);
		for (size_t k = 0; k < n; k++)
			json_array_append_new(a, json_string(el[k]));
	}
	free(copy);
	free(el);
	return a;
}

/* The reply columns of row i (engagement_derived among them: add_derived reads and drops it). */
static json_t *row_columns(const PGresult *res, int i)
{
	json_t *o = json_object();
	for (int k = 0; k < (int)(sizeof reply_cols / sizeof reply_cols[0]); k++) {
		json_t *v;
		const char *s = PQgetisnull(res, i, k) ? NULL : PQgetvalue(res, i, k);
		if (!s) {
			v = json_null();
		} else {
			switch (reply_cols[k].type) {
			case T_ID:
			case T_INT:
				v = json_integer(strtoll(s, NULL, 10));
				break;
			case T_FLOAT:
				v = json_real(strtod(s, NULL));
				break;
			case T_BOOL:
				v = json_boolean(s[0] == 't');
				break;
			case T_TEXTS:
				v = texts_json(s);
				break;
			case T_JSON:
				v = json_loads(s, 0, NULL);
				if (!v)
					v = json_null();
				break;
			default:
				v = json_string(s);
				break;
			}
		}
		json_object_set_new(o, reply_cols[k].name, v);
	}
	return o;
}

/* Column col of row i as a median rate: false when NULL or absent. */
static bool row_bench(const PGresult *res, int i, int col, double *rate)
{
	if (col >= PQnfields(res) || PQgetisnull(res, i, col))
		return false;
	*rate = strtod(PQgetvalue(res, i, col), NULL);
	return true;
}

/* The members a reply derives from its columns, appended in this order: tier, er_source,
 * sponsored_share, confidence, confidence_codes (annotate), engagement_benchmark and
 * flags (add_assessment); engagement_derived goes. */
static void add_derived(json_t *o, bool has_bench, double bench_rate, time_t now)
{
	json_int_t followers = json_integer_value(json_object_get(o, "followers"));
	json_object_set_new(o, "tier", json_string(nm_tier_name(nm_tier_of(followers))));
	annotate(o, now);
	add_assessment(o, has_bench, bench_rate);
}

#define REPLY_COLS ((int)(sizeof reply_cols / sizeof reply_cols[0]))

json_t *nm_creator_row_json(const PGresult *res, int i)
{
	json_t *o = row_columns(res, i);
	double bench = 0.0;
	bool has_bench = row_bench(res, i, REPLY_COLS, &bench);
	add_derived(o, has_bench, bench, time(NULL));
	return o;
}

json_t *nm_store_creator_put(struct nm_pg *pg, const struct nm_creator *c, bool *inserted,
			     struct nm_db_err *err)
{
	PGresult *res;
	json_t *row = nm_store_creator_upsert(pg, c, inserted, &res);
	if (row)
		nm_db_err_set(err, NM_DB_OK);
	else if (res)
		nm_db_err_from(err, res);
	else
		nm_db_err_set(err, NM_DB_ERROR); /* out of memory encoding the row */
	PQclear(res);
	return row;
}

/* ---- search (GET /v1/creators) ---- */

/* One page in one sort: the rows with a key, then those without (NULL keys last in both
 * directions), each branch an index walk of (key, id) from the keyset position. */
#define SEARCH_PAGE(K, KTEXT, KCAST, DIR, CMP)                                                     \
	"SELECT * FROM ((SELECT " NM_CREATOR_SELECT ", " KTEXT ", 0 AS nullgrp, " K " AS k "       \
	"FROM creators c WHERE " SEARCH_WHERE " AND " K " IS NOT NULL "                            \
	"AND ($20::boolean IS NULL OR (NOT $20::boolean AND (" K ", c.id) " CMP " (" KCAST         \
	", $22::bigint))) "                                                                        \
	"ORDER BY " K " " DIR ", c.id " DIR " LIMIT $1) UNION ALL (SELECT " NM_CREATOR_SELECT      \
	", NULL, 1, " K " FROM creators c WHERE " SEARCH_WHERE " AND " K " IS NULL "               \
	"AND ($20::boolean IS NULL OR NOT $20::boolean OR c.id " CMP " $22::bigint) "              \
	"ORDER BY c.id " DIR " LIMIT $1)) u ORDER BY nullgrp, k " DIR ", 1 " DIR " LIMIT $1"

#define US(col) "(extract(epoch FROM " col ") * 1000000)::bigint::text"
#define US_CAST "('epoch'::timestamptz + $21::bigint * interval '1 microsecond')"
#define SORT_PAIR(name, K, KTEXT, KCAST)                                                           \
	{"creators_search_" name "_asc", SEARCH_PAGE(K, KTEXT, KCAST, "ASC", ">"), 22, 0},         \
	{                                                                                          \
		"creators_search_" name "_desc", SEARCH_PAGE(K, KTEXT, KCAST, "DESC", "<"), 22, 0  \
	}

static struct nm_sql q_search[NM_SORT_COUNT][2] = {
	[NM_SORT_ID] = {SORT_PAIR("id", "c.id", "c.id::text", "$21::bigint")},
	[NM_SORT_FOLLOWERS] = {SORT_PAIR("followers", "c.followers", "c.followers::text",
					 "$21::bigint")},
	[NM_SORT_ENGAGEMENT_RATE] = {SORT_PAIR("er", "c.engagement_rate", "c.engagement_rate::text",
					       "$21::float8")},
	[NM_SORT_PRICE] = {SORT_PAIR("price", "c.price_per_post_cents",
				     "c.price_per_post_cents::text", "$21::bigint")},
	[NM_SORT_LAST_POST_AT] = {SORT_PAIR("last_post", "c.last_post_at", US("c.last_post_at"),
					    US_CAST)},
	[NM_SORT_UPDATED_AT] = {SORT_PAIR("updated", "c.updated_at", US("c.updated_at"), US_CAST)},
};

/* The count and the facets of the filtered set: rows (facet, value, count), the total
 * first with facet and value NULL; each facet its NM_FACET_TOP most frequent values
 * (ties by value). NULL values (no country, no language) are not counted in a facet. */
#define FACET(name, expr, from)                                                                    \
	" UNION ALL (SELECT '" name "', " expr ", count(*) FROM " from " WHERE '" name             \
	"' = ANY ($1::text[]) AND " expr " IS NOT NULL GROUP BY 2 ORDER BY 3 DESC, " expr          \
	" COLLATE \"C\" "                                                                          \
	"LIMIT 50)"
static struct nm_sql q_count = {
	"creators_search_count",
	"WITH f AS MATERIALIZED (SELECT c.platform, c.followers, c.country, c.language, "
	"c.categories FROM creators c WHERE " SEARCH_WHERE ") "
	"(SELECT NULL::text, NULL::text, count(*) FROM f)" FACET("platform", "platform", "f")
		FACET("tier", "nm_tier(followers)", "f") FACET("country", "country", "f")
			FACET("language", "language", "f")
				FACET("category", "cat", "f, unnest(f.categories) AS cat"),
	1 + NM_CREATOR_SEARCH_NPARAMS, 0};

static const char *const sort_names[NM_SORT_COUNT] = {
	[NM_SORT_ID] = "id",
	[NM_SORT_FOLLOWERS] = "followers",
	[NM_SORT_ENGAGEMENT_RATE] = "engagement_rate",
	[NM_SORT_PRICE] = "price_per_post_cents",
	[NM_SORT_LAST_POST_AT] = "last_post_at",
	[NM_SORT_UPDATED_AT] = "updated_at",
};
static const char *const facet_names[NM_FACET_COUNT] = {
	[NM_FACET_PLATFORM] = "platform", [NM_FACET_TIER] = "tier",
	[NM_FACET_COUNTRY] = "country",	  [NM_FACET_LANGUAGE] = "language",
	[NM_FACET_CATEGORY] = "category",
};

const char *nm_creator_sort_name(enum nm_creator_sort s)
{
	return (unsigned)s < NM_SORT_COUNT ? sort_names[s] : NULL;
}

const char *nm_creator_facet_name(enum nm_creator_facet f)
{
	return (unsigned)f < NM_FACET_COUNT ? facet_names[f] : NULL;
}

struct search_tx {
	const struct nm_creator_search *s;
	struct nm_creator_page *out;
};

static bool search_page(struct nm_pg *pg, const struct nm_creator_search *s,
			struct nm_creator_page *out, struct nm_db_err *err)
{
	char lim[24], aid[24];
	const char *p[NM_CREATOR_SEARCH_NPARAMS + 4];
	p[0] = nm_store_i64(lim, s->limit + 1);
	nm_creator_search_params(s, p + 1);
	const char **k = p + 1 + NM_CREATOR_SEARCH_NPARAMS; /* the keyset position */
	k[0] = s->after ? (s->after_null ? "true" : "false") : NULL;
	k[1] = s->after && !s->after_null ? s->after_key : NULL;
	k[2] = s->after ? nm_store_i64(aid, s->after_id) : NULL;
	PGresult *res = nm_db_exec(pg, &q_search[s->sort][s->desc ? 1 : 0], p);
	nm_db_err_from(err, res);
	if (err->status != NM_DB_OK) {
		PQclear(res);
		return false;
	}
	int n = PQntuples(res), key_col = PQnfields(res) - 3;
	out->more = n > s->limit;
	if (out->more)
		n = s->limit;
	for (int i = 0; i < n; i++)
		json_array_append_new(out->data, nm_creator_row_json(res, i));
	if (out->more && n > 0) {
		out->last_null = PQgetisnull(res, n - 1, key_col);
		snprintf(out->last_key, sizeof out->last_key, "%s",
			 PQgetvalue(res, n - 1, key_col));
		out->last_id = strtoll(PQgetvalue(res, n - 1, 0), NULL, 10);
	}
	PQclear(res);
	return true;
}

static bool search_count(struct nm_pg *pg, const struct nm_creator_search *s,
			 struct nm_creator_page *out, struct nm_db_err *err)
{
	struct nm_buf names = {0};
	nm_buf_str(&names, "{");
	for (int f = 0; f < NM_FACET_COUNT; f++)
		if (s->facets & (1u << f)) {
			nm_buf_str(&names, names.len > 1 ? "," : "");
			nm_buf_str(&names, facet_names[f]);
		}
	nm_buf_add(&names, "}", 2);
	if (names.oom) {
		free(names.data);
		nm_db_err_set(err, NM_DB_ERROR);
		return false;
	}
	const char *p[1 + NM_CREATOR_SEARCH_NPARAMS];
	p[0] = names.data;
	nm_creator_search_params(s, p + 1);
	PGresult *res = nm_db_exec(pg, &q_count, p);
	free(names.data);
	nm_db_err_from(err, res);
	if (err->status != NM_DB_OK) {
		PQclear(res);
		return false;
	}
	if (s->facets) {
		out->facets = json_object();
		for (int f = 0; f < NM_FACET_COUNT; f++)
			if (s->facets & (1u << f))
				json_object_set_new(out->facets, facet_names[f], json_array());
	}
	for (int i = 0; i < PQntuples(res); i++) {
		int64_t count = strtoll(PQgetvalue(res, i, 2), NULL, 10);
		if (PQgetisnull(res, i, 0)) {
			out->total = count;
			continue;
		}
		json_t *a =
			out->facets ? json_object_get(out->facets, PQgetvalue(res, i, 0)) : NULL;
		if (a)
			json_array_append_new(a, json_pack("{s:s, s:I}", "value",
							   PQgetvalue(res, i, 1), "count",
							   (json_int_t)count));
	}
	PQclear(res);
	return true;
}

static bool search_body(struct nm_pg *pg, void *cls, struct nm_db_err *err)
{
	struct search_tx *t = cls;
	json_decref(t->out->data);
	json_decref(t->out->facets);
	memset(t->out, 0, sizeof *t->out);
	t->out->data = json_array();
	/* One plan per set of values: a generic plan of "$n IS NULL OR ..." cannot use an
	 * index for the filters given, and PostgreSQL may switch to one after five runs. */
	PGresult *res = nm_db_exec_simple(pg, "SET LOCAL plan_cache_mode = force_custom_plan");
	nm_db_err_from(err, res);
	PQclear(res);
	return err->status == NM_DB_OK && search_page(pg, t->s, t->out, err) &&
	       search_count(pg, t->s, t->out, err);
}

bool nm_store_creators_search(struct nm_pg *pg, const struct nm_creator_search *s,
			      struct nm_creator_page *out, struct nm_db_err *err)
{
	memset(out, 0, sizeof *out);
	struct search_tx t = {s, out};
	if (nm_tx_run(pg, NM_TX_REPEATABLE_READ, search_body, &t, err))
		return true;
	json_decref(out->data);
	json_decref(out->facets);
	memset(out, 0, sizeof *out);
	return false;
}

/* Rows by id, with each row's version (xmin) after the reply columns and the benchmark:
 * nm_creator_row_json reads past neither, the row cache keys on it. */
static struct nm_sql q_by_ids = {"creators_by_ids",
				 "SELECT " NM_CREATOR_SELECT ", c.xmin::text FROM creators c "
				 "WHERE c.id = ANY ($1::bigint[])",
				 1, 0};

struct id_row {
	int64_t id;
	int row;
};

static int cmp_id_row(const void *a, const void *b)
{
	int64_t x = ((const struct id_row *)a)->id, y = ((const struct id_row *)b)->id;
	return (x > y) - (x < y);
}

/* The rows of a sorted id index: a row of ids[i] is at rows[hit->row]. */
static struct id_row *index_rows(const PGresult *res)
{
	int rows = PQntuples(res);
	struct id_row *by_id = malloc(((size_t)rows + 1) * sizeof *by_id);
	if (!by_id)
		return NULL;
	for (int k = 0; k < rows; k++)
		by_id[k] = (struct id_row){strtoll(PQgetvalue(res, k, 0), NULL, 10), k};
	qsort(by_id, (size_t)rows, sizeof *by_id, cmp_id_row);
	return by_id;
}

static const struct id_row *find_row(const struct id_row *by_id, int rows, int64_t id)
{
	struct id_row key = {id, 0};
	return bsearch(&key, by_id, (size_t)rows, sizeof *by_id, cmp_id_row);
}

bool nm_store_creators_by_ids(struct nm_pg *pg, const int64_t *ids, size_t n, json_t *out,
			      struct nm_db_err *err)
{
	char *lit = nm_store_id_array(ids, n, err);
	if (!lit)
		return false;
	const char *p[] = {lit};
	PGresult *res = nm_db_exec(pg, &q_by_ids, p);
	free(lit);
	nm_db_err_from(err, res);
	if (err->status != NM_DB_OK) {
		PQclear(res);
		return false;
	}
	/* in the caller's order; a row deleted meanwhile is skipped */
	struct id_row *by_id = index_rows(res);
	if (!by_id) {
		PQclear(res);
		nm_db_err_set(err, NM_DB_ERROR);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		const struct id_row *hit = find_row(by_id, PQntuples(res), ids[i]);
		if (hit)
			json_array_append_new(out, nm_creator_row_json(res, hit->row));
	}
	free(by_id);
	PQclear(res);
	return true;
}

/* ---- a page's rows as reply text, through the row cache (nm/rowcache.h) ---- */

/* Each row's version and benchmark now: what a cached row is checked against, and what its
 * derived members are computed from. */
static struct nm_sql q_versions = {"creators_versions",
				   "SELECT c.id, c.xmin::text, " NM_CREATOR_BENCH_SQL
				   " FROM creators c WHERE c.id = ANY ($1::bigint[])",
				   1, 0};

/* The members add_derived reads: what the row cache keeps beside a row's text. */
static const char *const fact_keys[] = {"engagement_rate",
					"engagement_derived",
					"sample_posts",
					"sponsored_posts",
					"data_as_of",
					"audience_countries",
					"audience_female_share",
					"price_per_post_cents",
					"followers",
					"platform",
					"following",
					"follower_growth_30d",
					"last_post_at"};
static const char *const derived_keys[] = {"tier",	 "er_source",	     "sponsored_share",
					   "confidence", "confidence_codes", "engagement_benchmark",
					   "flags"};

static json_t *facts_of(json_t *o)
{
	json_t *f = json_object();
	for (size_t k = 0; k < sizeof fact_keys / sizeof fact_keys[0]; k++)
		json_object_set(f, fact_keys[k], json_object_get(o, fact_keys[k]));
	return f;
}

/* Appends ",<the derived members>}" of a reply with facts: the end of its text. */
static void append_derived(json_t *facts, bool has_bench, double bench, time_t now,
			   struct nm_buf *out)
{
	json_t *d = json_copy(facts); /* shallow: the shared facts stay as they are */
	json_t *only = json_object();
	if (d) {
		add_derived(d, has_bench, bench, now);
		for (size_t k = 0; k < sizeof derived_keys / sizeof derived_keys[0]; k++)
			json_object_set(only, derived_keys[k], json_object_get(d, derived_keys[k]));
	}
	size_t at = out->len;
	json_dump_callback(only, nm_buf_dump_cb, out, NM_JSON_REPLY_FLAGS);
	if (!d || out->oom || out->len <= at + 2)
		out->oom = true; /* never a reply without its derived members */
	else
		out->data[at] = ','; /* "{...}" continues the columns' "{...," */
	json_decref(d);
	json_decref(only);
}

/* Renders row i of a q_by_ids result into out, and keeps its columns' text in the row
 * cache when it is on. */
static void render_row(const PGresult *res, int i, bool cache, time_t now, struct nm_buf *out)
{
	json_t *o = row_columns(res, i);
	json_t *facts = facts_of(o);
	json_object_del(o, "engagement_derived");
	size_t at = out->len;
	json_dump_callback(o, nm_buf_dump_cb, out, NM_JSON_REPLY_FLAGS);
	json_decref(o);
	if (out->oom || out->len < at + 2) {
		out->oom = true;
		json_decref(facts);
		return;
	}
	nm_buf_truncate(out, out->len - 1); /* the columns' "{...", without the "}" */
	if (cache)
		nm_rowcache_put(strtoll(PQgetvalue(res, i, 0), NULL, 10),
				(uint32_t)strtoul(PQgetvalue(res, i, REPLY_COLS + 1), NULL, 10),
				out->data + at, out->len - at, facts);
	double bench = 0.0;
	bool has_bench = row_bench(res, i, REPLY_COLS, &bench);
	append_derived(facts, has_bench, bench, now, out);
	json_decref(facts);
}

static void count_rows(const char *result, size_t n)
{
	if (n)
		nm_metrics_add("nichematch_row_cache_total",
			       "Creator rows of list pages served from the row cache (hit) or "
			       "read and encoded (miss).",
			       result, (double)n);
}

/* Reads the rows of ids[0..n) (those of parts[] without text yet) and renders each into
 * its part. */
static bool render_missing(struct nm_pg *pg, const int64_t *ids, size_t n, struct nm_buf *parts,
			   bool cache, time_t now, struct nm_db_err *err)
{
	int64_t *want = malloc((n + 1) * sizeof *want);
	size_t n_want = 0;
	for (size_t i = 0; want && i < n; i++)
		if (!parts[i].len)
			want[n_want++] = ids[i];
	char *lit = want ? nm_store_id_array(want, n_want, err) : NULL;
	free(want);
	if (!lit) {
		nm_db_err_set(err, NM_DB_ERROR);
		return false;
	}
	const char *p[] = {lit};
	PGresult *res = nm_db_exec(pg, &q_by_ids, p);
	free(lit);
	nm_db_err_from(err, res);
	struct id_row *by_id = err->status == NM_DB_OK ? index_rows(res) : NULL;
	if (err->status == NM_DB_OK && !by_id)
		nm_db_err_set(err, NM_DB_ERROR);
	size_t rendered = 0;
	for (size_t i = 0; by_id && i < n; i++) {
		if (parts[i].len)
			continue;
		const struct id_row *hit = find_row(by_id, PQntuples(res), ids[i]);
		if (hit) { /* else deleted meanwhile: skipped */
			render_row(res, hit->row, cache, now, &parts[i]);
			rendered++;
		}
	}
	count_rows("result=\"miss\"", cache ? rendered : 0);
	free(by_id);
	PQclear(res);
	return err->status == NM_DB_OK;
}

bool nm_store_creators_page(struct nm_pg *pg, const int64_t *ids, size_t n, struct nm_buf *out,
			    struct nm_db_err *err)
{
	nm_db_err_set(err, NM_DB_OK);
	time_t now = time(NULL);
	struct nm_buf *parts = calloc(n + 1, sizeof *parts);
	bool cache = nm_rowcache_enabled(), ok = parts != NULL;
	if (!ok)
		nm_db_err_set(err, NM_DB_ERROR);
	size_t hits = 0;
	if (ok && cache && n) { /* the rows whose version the cache holds */
		char *lit = nm_store_id_array(ids, n, err);
		const char *p[] = {lit};
		PGresult *res = lit ? nm_db_exec(pg, &q_versions, p) : NULL;
		free(lit);
		if (res)
			nm_db_err_from(err, res);
		ok = res && err->status == NM_DB_OK;
		struct id_row *by_id = ok ? index_rows(res) : NULL;
		for (size_t i = 0; by_id && i < n; i++) {
			const struct id_row *v = find_row(by_id, PQntuples(res), ids[i]);
			if (!v)
				continue;
			uint32_t stamp = (uint32_t)strtoul(PQgetvalue(res, v->row, 1), NULL, 10);
			json_t *facts = nm_rowcache_get(ids[i], stamp, &parts[i]);
			if (!facts)
				continue;
			double bench = 0.0;
			bool has_bench = row_bench(res, v->row, 2, &bench);
			append_derived(facts, has_bench, bench, now, &parts[i]);
			json_decref(facts);
			hits++;
		}
		if (ok && !by_id)
			nm_db_err_set(err, NM_DB_ERROR);
		ok = ok && by_id;
		free(by_id);
		PQclear(res);
	}
	count_rows("result=\"hit\"", hits);
	if (ok && hits < n)
		ok = render_missing(pg, ids, n, parts, cache, now, err);
	nm_buf_add(out, "[", 1);
	bool first = true;
	for (size_t i = 0; ok && i < n; i++) {
		if (!parts[i].len)
			continue;
		if (!first)
			nm_buf_add(out, ",", 1);
		first = false;
		nm_buf_add(out, parts[i].data, parts[i].len);
		ok = !parts[i].oom;
	}
	nm_buf_add(out, "]", 1);
	for (size_t i = 0; parts && i < n; i++)
		nm_buf_free(&parts[i]);
	free(parts);
	if (ok && out->oom)
		nm_db_err_set(err, NM_DB_ERROR);
	return ok && !out->oom;
}

static struct nm_sql q_ids_q = {"creators_ids_q",
				"SELECT c.id FROM creators c WHERE c.id = ANY ($2::bigint[]) AND "
				"nm_search_hit(c.language, " NM_SEARCH_DOC ", $1::text)",
				2, 0};

bool nm_store_creator_ids_q(struct nm_pg *pg, const char *q, const int64_t *among, size_t n_among,
			    int64_t **ids, size_t *n, struct nm_db_err *err)
{
	*ids = NULL;
	*n = 0;
	char *lit = nm_store_id_array(among, n_among, err);
	if (!lit)
		return false;
	const char *p[] = {q, lit};
	PGresult *res = nm_db_exec(pg, &q_ids_q, p);
	free(lit);
	nm_db_err_from(err, res);
	if (err->status != NM_DB_OK) {
		PQclear(res);
		return false;
	}
	int rows = PQntuples(res);
	*ids = malloc(((size_t)rows + 1) * sizeof **ids);
	if (!*ids) {
		PQclear(res);
		nm_db_err_set(err, NM_DB_ERROR);
		return false;
	}
	for (int i = 0; i < rows; i++)
		(*ids)[i] = strtoll(PQgetvalue(res, i, 0), NULL, 10);
	*n = (size_t)rows;
	PQclear(res);
	return true;
}

static struct nm_sql q_get = {"creators_get",
			      "SELECT " NM_CREATOR_SELECT " FROM creators c WHERE c.id = $1", 1, 0};

json_t *nm_store_creator_get(struct nm_pg *pg, int64_t id, struct nm_db_err *err)
{
	char b[24];
	const char *p[] = {nm_store_i64(b, id)};
	PGresult *res = nm_store_row(pg, &q_get, p, err);
	json_t *row = res ? nm_creator_row_json(res, 0) : NULL;
	PQclear(res);
	return row;
}

static struct nm_sql q_delete = {"creators_delete",
				 "DELETE FROM creators WHERE id = $1 RETURNING id", 1, 0};

bool nm_store_creator_delete(struct nm_pg *pg, int64_t id, struct nm_db_err *err)
{
	char b[24];
	const char *p[] = {nm_store_i64(b, id)};
	return nm_store_found(pg, &q_delete, p, err);
}
