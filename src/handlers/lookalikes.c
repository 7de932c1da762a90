/* Lookalikes (docs/api.md "Lookalikes", docs/matching.md "Lookalikes"):
 *   GET  /v1/creators/{id}/lookalikes   creators like one creator (filters in the query);
 *   POST /v1/brands/{id}/lookalikes     creators like the brand's seeds: the body's
 *        seed_creator_ids, else the brand's accepted and shortlisted creators; the
 *        brand's declined and excluded creators never come back (filters in the body).
 * The seeds' rows come from PostgreSQL (their terms and the reply), the ranking from the
 * in-memory index (nm/lookalike_index.h), the results' rows from PostgreSQL by id. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nm/handlers.h"
#include "nm/lookalike.h"
#include "nm/lookalike_index.h"
#include "nm/match_index.h"
#include "nm/match_pool.h"
#include "nm/store.h"
#include "nm/store_creators.h"
#include "nm/store_matches.h"
#include "nm/taxonomy.h"
#include "nm/verr.h"

#define SHARED_NAMED 3 /* terms a shared_terms explanation names */

struct lk_req {
	struct nm_lk_filter flt;
	size_t limit;
	int64_t seeds[NM_LK_SEEDS_MAX];
	size_t n_seeds;
	bool has_seeds;
};

static void lk_req_init(struct lk_req *q)
{
	memset(q, 0, sizeof *q);
	q->flt.max_followers = INT64_MAX;
	q->limit = NM_LK_LIMIT_DEFAULT;
}

/* ------------------------------------------------------------------ the seeds' terms */

static void add_list(struct nm_lk_profile *p, enum nm_lk_src src, json_t *arr)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		const char *s = json_string_value(v);
		if (s)
			nm_lk_profile_add(p, src, s, strlen(s));
	}
}

/* The profile of the seeds' rows (Creator replies). */
static void profile_of(json_t *rows, struct nm_lk_profile *p)
{
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row)
	{
		add_list(p, NM_LK_CAT, json_object_get(row, "categories"));
		add_list(p, NM_LK_TAG, json_object_get(row, "hashtags"));
		nm_lk_profile_add_bio(p, json_string_value(json_object_get(row, "bio")));
		nm_lk_profile_next_seed(p);
	}
}

/* ------------------------------------------------------------------ explanations */

struct named {
	const struct nm_lk_term *t;
};

static int cmp_named(const void *a, const void *b)
{
	const struct nm_lk_term *x = ((const struct named *)a)->t,
				*y = ((const struct named *)b)->t;
	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	if (x->src != y->src)
		return x->src < y->src ? -1 : 1;
	return strcmp(x->text, y->text);
}

/* The weighted seed terms (categories and hashtags) the candidate's row really has. */
static size_t shared_terms(const struct nm_lk_profile *p, json_t *row, struct named *out,
			   size_t max)
{
	size_t n = 0;
	static const char *const fields[] = {"categories", "hashtags"};
	for (int f = 0; f < 2; f++) {
		size_t i;
		json_t *v;
		json_array_foreach(json_object_get(row, fields[f]), i, v)
		{
			const char *s = json_string_value(v);
			if (!s || n == max)
				continue;
			long k = nm_lk_profile_find(p, f ? NM_LK_TAG : NM_LK_CAT, s, strlen(s));
			if (k >= 0 && p->t[k].weight > 0) {
				bool dup = false;
				for (size_t d = 0; d < n && !dup; d++)
					dup = out[d].t == &p->t[k];
				if (!dup)
					out[n++].t = &p->t[k];
			}
		}
	}
	qsort(out, n, sizeof *out, cmp_named);
	return n;
}

static json_t *lk_expl(const char *code, const char *text)
{
	return json_pack("{s:s, s:s}", "code", code, "text", text);
}

static json_t *explanations(const struct nm_lk_profile *p, const struct nm_lk_hit *h, json_t *row,
			    bool one_seed)
{
	json_t *a = json_array();
	struct named sh[128];
	size_t n = shared_terms(p, row, sh, sizeof sh / sizeof *sh);
	if (n) {
		char text[512];
		size_t len = (size_t)snprintf(text, sizeof text, "Shares ");
		for (size_t i = 0; i < n && i < SHARED_NAMED && len < sizeof text; i++)
			len += (size_t)snprintf(text + len, sizeof text - len, "%s%s%s",
						i ? ", " : "", sh[i].t->src == NM_LK_TAG ? "#" : "",
						sh[i].t->text);
		json_array_append_new(a, lk_expl("shared_terms", text));
	}
	if (h->facts & NM_LK_SAME_TIER_COUNTRY)
		json_array_append_new(a, lk_expl("same_tier_country",
						 one_seed ? "Same tier and country"
							  : "Same tier and country as a seed"));
	if (h->facts & NM_LK_ENGAGEMENT_CLOSE)
		json_array_append_new(a, lk_expl("engagement_close",
						 one_seed ? "Engagement within 10% of the seed's"
							  : "Engagement within 10% of a seed's"));
	return a;
}

/* ------------------------------------------------------------------ the run */

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Sorted, de-duplicated union of a and b (caller frees), NULL when out of memory. */
static int64_t *id_union(const int64_t *a, size_t na, const int64_t *b, size_t nb, size_t *n)
{
	int64_t *v = malloc((na + nb + 1) * sizeof *v);
	if (!v)
		return NULL;
	memcpy(v, a, na * sizeof *v);
	if (nb)
		memcpy(v + na, b, nb * sizeof *v);
	qsort(v, na + nb, sizeof *v, cmp_i64);
	size_t k = 0;
	for (size_t i = 0; i < na + nb; i++)
		if (!k || v[k - 1] != v[i])
			v[k++] = v[i];
	*n = k;
	return v;
}

static json_t *row_by_id(json_t *rows, int64_t id)
{
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row)
	{
		if (json_integer_value(json_object_get(row, "id")) == id)
			return row;
	}
	return NULL;
}

/* Ranks and replies: seed_rows are the seeds' Creator replies (borrowed), extra_ex the
 * brand's declined and excluded creators (ascending, may be empty). */
static void run(struct nm_req *r, struct nm_pg *pg, const struct lk_req *q, json_t *seed_rows,
		const int64_t *extra_ex, size_t n_extra, int64_t brand_id)
{
	struct nm_lk_profile prof = {0};
	profile_of(seed_rows, &prof);
	int64_t seeds[NM_LK_SEEDS_MAX];
	size_t n_seeds = 0;
	size_t i;
	json_t *row;
	json_array_foreach(seed_rows, i, row)
	{
		if (n_seeds < NM_LK_SEEDS_MAX)
			seeds[n_seeds++] = json_integer_value(json_object_get(row, "id"));
	}
	size_t n_ex = 0;
	int64_t *ex = id_union(seeds, n_seeds, extra_ex, n_extra, &n_ex);
	struct nm_lk_hit *hits = malloc(q->limit * sizeof *hits);
	if (prof.oom || !ex || !hits) {
		nm_reply_problem(r, NM_P_INTERNAL, NULL, "Out of memory while ranking lookalikes.");
		goto out;
	}
	struct nm_score_bench bench;
	nm_store_match_bench(pg, &bench);
	long nh = nm_index_lookalikes(&prof, seeds, n_seeds, &q->flt, ex, n_ex, &bench, q->limit,
				      hits);
	if (nh < 0) {
		nm_reply_problem(r, NM_P_INTERNAL, NULL, "Out of memory while ranking lookalikes.");
		goto out;
	}
	int64_t ids[NM_LK_LIMIT_MAX];
	for (long h = 0; h < nh; h++)
		ids[h] = hits[h].id;
	json_t *rows = json_array();
	struct nm_db_err err;
	if (!nm_store_creators_by_ids(pg, ids, (size_t)nh, rows, &err)) {
		json_decref(rows);
		nm_reply_db_err(r, &err);
		goto out;
	}
	json_t *data = json_array();
	for (long h = 0; h < nh; h++) {
		json_t *c = row_by_id(rows, hits[h].id);
		if (!c)
			continue; /* deleted since the sync */
		json_array_append_new(data,
				      json_pack("{s:O, s:f, s:o}", "creator", c, "similarity",
						hits[h].similarity, "explanations",
						explanations(&prof, &hits[h], c, n_seeds == 1)));
	}
	json_decref(rows);
	json_t *seed_ids = json_array();
	for (size_t s = 0; s < n_seeds; s++)
		json_array_append_new(seed_ids, json_integer(seeds[s]));
	json_t *body = json_pack("{s:o, s:o}", "seed_creator_ids", seed_ids, "data", data);
	if (brand_id)
		json_object_set_new(body, "brand_id", json_integer(brand_id));
	nm_reply_json(r, 200, body);
out:
	nm_lk_profile_free(&prof);
	free(ex);
	free(hits);
}

/* ------------------------------------------------------------------ filters */

/* The filters' values: from the query (GET; the route table checked types and bounds)
 * or the body (POST), each reported under its name. */
static void set_country(struct lk_req *q, const char *v, json_t *errors)
{
	char cc[3];
	if (!v || !nm_country_valid(v, cc))
		nm_verr_add(errors, "country", "must be an ISO 3166-1 alpha-2 country code");
	else
		memcpy(q->flt.country, cc, 2);
}

static void set_platform(struct lk_req *q, const char *v, json_t *errors)
{
	enum nm_platform p;
	if (!v || !nm_platform_parse(v, &p))
		nm_verr_add(errors, "platform",
			    "must be one of instagram, tiktok, youtube, twitter, x, facebook, "
			    "twitch, linkedin, pinterest, other");
	else
		q->flt.platforms = 1u << p;
}

static void check_range(const struct lk_req *q, json_t *errors)
{
	if (q->flt.min_followers > q->flt.max_followers)
		nm_verr_add(errors, "max_followers", "must be at least min_followers");
}

/* GET /v1/creators/{id}/lookalikes */
void nm_h_creator_lookalikes(struct nm_req *r)
{
	struct lk_req q;
	lk_req_init(&q);
	json_t *errors = json_array();
	const char *v;
	if ((v = nm_req_query(r, "platform")))
		set_platform(&q, v, errors);
	if ((v = nm_req_query(r, "country")))
		set_country(&q, v, errors);
	if ((v = nm_req_query(r, "min_followers")))
		q.flt.min_followers = strtoll(v, NULL, 10);
	if ((v = nm_req_query(r, "max_followers")))
		q.flt.max_followers = strtoll(v, NULL, 10);
	if ((v = nm_req_query(r, "limit")))
		q.limit = (size_t)strtoll(v, NULL, 10);
	check_range(&q, errors);
	if (json_array_size(errors)) {
		json_t *e = json_array_get(errors, 0);
		nm_reply_bad_query(r, json_string_value(json_object_get(e, "field")),
				   json_string_value(json_object_get(e, "message")));
		json_decref(errors);
		return;
	}
	json_decref(errors);
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return;
	int64_t id = nm_req_id_param(r, 0);
	if (!nm_index_sync(pg)) {
		nm_reply_db_down(r);
		return;
	}
	json_t *seed = json_array();
	struct nm_db_err err;
	if (!nm_store_creators_by_ids(pg, &id, 1, seed, &err))
		nm_reply_db_err(r, &err);
	else if (!json_array_size(seed))
		nm_reply_problem(r, NM_P_NOT_FOUND, NULL, "No creator %lld.", (long long)id);
	else
		run(r, pg, &q, seed, NULL, 0, 0);
	json_decref(seed);
}

/* One body member into q; unknown members are errors (docs/api.md §7). */
static void parse_member(const char *key, json_t *v, struct lk_req *q, json_t *errors)
{
	if (strcmp(key, "seed_creator_ids") == 0) {
		if (!json_is_array(v) || !json_array_size(v) ||
		    json_array_size(v) > NM_LK_SEEDS_MAX) {
			nm_verr_add(errors, key, "must be an array of 1 to %d creator ids",
				    NM_LK_SEEDS_MAX);
			return;
		}
		q->has_seeds = true;
		size_t i;
		json_t *e;
		char path[64];
		json_array_foreach(v, i, e)
		{
			if (!json_is_integer(e) || json_integer_value(e) < 1) {
				nm_verr_add(errors,
					    nm_verr_path(path, sizeof path, key, (long)i, NULL),
					    "must be a creator id (a positive integer)");
				continue;
			}
			int64_t id = json_integer_value(e);
			bool dup = false;
			for (size_t k = 0; k < q->n_seeds && !dup; k++)
				dup = q->seeds[k] == id;
			if (!dup)
				q->seeds[q->n_seeds++] = id;
		}
	} else if (strcmp(key, "platform") == 0) {
		set_platform(q, json_string_value(v), errors);
	} else if (strcmp(key, "country") == 0) {
		set_country(q, json_string_value(v), errors);
	} else if (strcmp(key, "min_followers") == 0 || strcmp(key, "max_followers") == 0) {
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			nm_verr_add(errors, key, "must be a non-negative integer");
		else if (key[1] == 'i')
			q->flt.min_followers = json_integer_value(v);
		else
			q->flt.max_followers = json_integer_value(v);
	} else if (strcmp(key, "limit") == 0) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > NM_LK_LIMIT_MAX)
			nm_verr_add(errors, key, "must be an integer from 1 to %d",
				    NM_LK_LIMIT_MAX);
		else
			q->limit = (size_t)json_integer_value(v);
	} else {
		nm_verr_add(errors, key,
			    "unknown field (lookalikes accept seed_creator_ids, platform, country, "
			    "min_followers, max_followers, limit)");
	}
}

static void parse_body(json_t *body, struct lk_req *q, json_t *errors)
{
	if (!body)
		return; /* no body: every default */
	if (!json_is_object(body)) {
		nm_verr_add(errors, NULL, "body must be a JSON object");
		return;
	}
	const char *key;
	json_t *v;
	json_object_foreach(body, key, v)
	{
		if (!json_is_null(v))
			parse_member(key, v, q, errors);
	}
	check_range(q, errors);
}

/* The brand's accepted and shortlisted creators, ascending by id, at most
 * NM_LK_SEEDS_MAX (the lowest ids). */
static void default_seeds(const struct nm_match_statuses *st, struct lk_req *q)
{
	for (size_t i = 0; i < st->n && q->n_seeds < NM_LK_SEEDS_MAX; i++)
		if (strcmp(st->status[i], "accepted") == 0 ||
		    strcmp(st->status[i], "shortlisted") == 0)
			q->seeds[q->n_seeds++] = st->id[i];
}

/* POST /v1/brands/{id}/lookalikes */
void nm_h_brand_lookalikes(struct nm_req *r)
{
	struct lk_req q;
	lk_req_init(&q);
	json_t *errors = json_array();
	parse_body(nm_req_json(r), &q, errors);
	if (json_array_size(errors)) {
		nm_reply_problem(r, NM_P_VALIDATION, errors,
				 "The lookalikes request has %zu invalid field(s).",
				 json_array_size(errors));
		return;
	}
	json_decref(errors);
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return;
	int64_t brand_id = nm_req_id_param(r, 0);
	json_t *doc = nm_match_pool_brand(r, pg, brand_id);
	if (!doc)
		return;
	json_decref(doc);
	struct nm_match_statuses st;
	struct nm_db_err err;
	if (!nm_store_match_statuses(pg, brand_id, &st, &err)) {
		if (err.status == NM_DB_OK)
			nm_reply_problem(r, NM_P_INTERNAL, NULL, "Out of memory.");
		else
			nm_reply_db_err(r, &err);
		return;
	}
	json_t *seeds = NULL;
	if (!q.has_seeds)
		default_seeds(&st, &q);
	if (!q.n_seeds) {
		json_t *e = json_array();
		nm_verr_add(e, "seed_creator_ids",
			    "is required: the brand has no accepted or shortlisted creators to "
			    "take as seeds");
		nm_reply_problem(r, NM_P_VALIDATION, e,
				 "Brand %lld has no accepted or shortlisted creators; send "
				 "seed_creator_ids.",
				 (long long)brand_id);
		goto out;
	}
	if (!nm_index_sync(pg)) {
		nm_reply_db_down(r);
		goto out;
	}
	seeds = json_array();
	if (!nm_store_creators_by_ids(pg, q.seeds, q.n_seeds, seeds, &err)) {
		nm_reply_db_err(r, &err);
		goto out;
	}
	if (json_array_size(seeds) < q.n_seeds) {
		json_t *e = json_array();
		char path[64];
		for (size_t i = 0; i < q.n_seeds; i++)
			if (!row_by_id(seeds, q.seeds[i]))
				nm_verr_add(e,
					    q.has_seeds ? nm_verr_path(path, sizeof path,
								       "seed_creator_ids", (long)i,
								       NULL)
							: "seed_creator_ids",
					    "names no creator (%lld)", (long long)q.seeds[i]);
		if (!q.has_seeds && json_array_size(seeds)) {
			json_decref(e); /* a default seed deleted meanwhile: the others serve */
		} else {
			nm_reply_problem(r, NM_P_VALIDATION, e,
					 "seed_creator_ids names %zu unknown creator(s).",
					 json_array_size(e));
			goto out;
		}
	}
	run(r, pg, &q, seeds, st.excluded, st.n_excluded, brand_id);
out:
	json_decref(seeds);
	nm_match_statuses_free(&st);
}
