#include "nm/store_creators.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "nm/buf.h"
#include "nm/confidence.h"
#include "nm/db.h"
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

enum coltype { T_ID, T_TEXT, T_INT, T_FLOAT, T_JSON, T_TIME, T_BOOL };

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
	{"categories", T_JSON},
	{"hashtags", T_JSON},
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
 * sponsored_share, confidence with its codes, and the data-quality flags. The benchmark
 * is the compiled-in default: an operator's edited table only changes runs. */
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
	json_t *flags = json_array();
	enum nm_platform p = NM_PLATFORM_OTHER;
	nm_platform_parse(json_string_value(json_object_get(o, "platform")), &p);
	json_int_t followers = json_integer_value(json_object_get(o, "followers"));
	if (json_is_number(er) &&
	    nm_engagement_unusually_high(json_number_value(er),
					 nm_score_bench_rate(NULL, p, nm_tier_of(followers))))
		json_array_append_new(flags, json_string("engagement_unusually_high"));
	if (nm_mostly_sponsored(sponsored, sample))
		json_array_append_new(flags, json_string("mostly_sponsored"));
	json_object_set_new(o, "flags", flags);
}

json_t *nm_creator_row_json(const PGresult *res, int i)
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
	json_int_t followers = json_integer_value(json_object_get(o, "followers"));
	json_object_set_new(o, "tier", json_string(nm_tier_name(nm_tier_of(followers))));
	annotate(o, time(NULL));
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

static struct nm_sql q_list = {
	"creators_list",
	"SELECT " NM_CREATOR_SELECT " FROM creators c WHERE c.id > $1 "
	"AND ($3::text IS NULL OR c.platform = $3) "
	"AND ($4::text IS NULL OR c.handle = $4) "
	"AND ($5::text IS NULL OR c.country = $5) "
	"AND ($6::bigint IS NULL OR c.followers >= $6) "
	"AND ($7::bigint IS NULL OR c.followers <= $7) "
	"AND ($8::text IS NULL OR c.categories @> ARRAY[$8::text]) "
	"AND ($9::text IS NULL OR c.search @@ websearch_to_tsquery('simple', $9)) "
	"ORDER BY c.id LIMIT $2",
	9, 0};

bool nm_store_creators_list(struct nm_pg *pg, const struct nm_creator_filter *f,
			    const struct nm_page_req *pr, struct nm_page *out,
			    struct nm_db_err *err)
{
	char a[24], l[24];
	const char *p[] = {nm_store_i64(a, pr->after),
			   nm_store_i64(l, pr->limit + 1),
			   f->platform,
			   f->handle,
			   f->country,
			   f->min_followers,
			   f->max_followers,
			   f->category,
			   f->q};
	return nm_store_list(pg, &q_list, p, pr->limit, 0, nm_creator_row_json, out, err);
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
