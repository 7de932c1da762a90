/* Budget plans (see nm/store_plans.h). */
#include "nm/store_plans.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static struct nm_sql q_prices = {
	"plans_prices",
	"SELECT platform, tier, engagement_band, cents_per_1k_followers FROM price_estimates", 0,
	0};
static struct nm_sql q_posts = {
	"plans_posts",
	"SELECT id, posts_count FROM creators WHERE id = ANY ($1::bigint[]) ORDER BY id", 1, 0};
static struct nm_sql q_exist = {
	"plans_exist", "SELECT id FROM creators WHERE id = ANY ($1::bigint[]) ORDER BY id", 1, 0};
static struct nm_sql q_insert = {
	"plans_insert",
	"INSERT INTO plans (brand_id, created_by_key_id, request, result, budget_cents, "
	"cost_cents) VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6) RETURNING id, " NM_SQL_TS(
		"created_at"),
	6, 0};

#define PLAN_COLS "id, brand_id, " NM_SQL_TS("created_at") ", created_by_key_id, request::text, "
static struct nm_sql q_get = {"plans_get",
			      "SELECT " PLAN_COLS "result::text FROM plans "
			      "WHERE id = $1 AND brand_id = $2",
			      2, 0};
static struct nm_sql q_list = {
	"plans_list",
	"SELECT " PLAN_COLS "(result - 'portfolio')::text FROM plans "
	"WHERE brand_id = $1 AND ($2::bigint = 0 OR id < $2) ORDER BY id DESC LIMIT $3",
	3, 0};

void nm_store_plan_prices(struct nm_pg *pg, struct nm_plan_prices *t)
{
	nm_plan_prices_init(t);
	PGresult *res = nm_db_exec(pg, &q_prices, NULL);
	if (nm_db_ok(res))
		for (int i = 0; i < PQntuples(res); i++)
			nm_plan_prices_set(t, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
					   PQgetvalue(res, i, 2), nm_db_i64(res, i, 3));
	PQclear(res);
}

/* ids as a bigint[] literal "{1,2,3}" (caller frees). */
static char *ids_literal(const int64_t *ids, size_t n)
{
	char *s = malloc(n * 21 + 3), *w = s;
	if (!s)
		return NULL;
	*w++ = '{';
	for (size_t i = 0; i < n; i++)
		w += sprintf(w, i ? ",%lld" : "%lld", (long long)ids[i]);
	*w++ = '}';
	*w = '\0';
	return s;
}

/* Runs q over ids; the rows come back ascending by id. */
static PGresult *by_ids(struct nm_pg *pg, struct nm_sql *q, const int64_t *ids, size_t n,
			struct nm_db_err *err)
{
	nm_db_err_set(err, NM_DB_OK);
	char *lit = ids_literal(ids, n);
	if (!lit)
		return NULL;
	const char *p[] = {lit};
	PGresult *res = nm_db_exec(pg, q, p);
	free(lit);
	nm_db_err_from(err, res);
	if (err->status == NM_DB_OK)
		return res;
	PQclear(res);
	return NULL;
}

/* The row of id in res (ascending ids in column 0), or -1. */
static int find_row(const PGresult *res, int64_t id)
{
	int lo = 0, hi = PQntuples(res) - 1;
	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;
		int64_t v = nm_db_i64(res, mid, 0);
		if (v == id)
			return mid;
		if (v < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

bool nm_store_plan_posts(struct nm_pg *pg, const int64_t *ids, size_t n, int64_t *posts,
			 struct nm_db_err *err)
{
	PGresult *res = by_ids(pg, &q_posts, ids, n, err);
	if (!res)
		return false;
	for (size_t i = 0; i < n; i++) {
		int row = find_row(res, ids[i]);
		posts[i] = row < 0 || PQgetisnull(res, row, 1) ? -1 : nm_db_i64(res, row, 1);
	}
	PQclear(res);
	return true;
}

bool nm_store_plan_creators_exist(struct nm_pg *pg, const int64_t *ids, size_t n, bool *exists,
				  struct nm_db_err *err)
{
	PGresult *res = by_ids(pg, &q_exist, ids, n, err);
	if (!res)
		return false;
	for (size_t i = 0; i < n; i++)
		exists[i] = find_row(res, ids[i]) >= 0;
	PQclear(res);
	return true;
}

bool nm_store_plan_insert(struct nm_pg *pg, const struct nm_plan_rec *rec, int64_t *id,
			  char *created_at, struct nm_db_err *err)
{
	char b[24], k[24], bu[24], co[24];
	const char *p[] = {nm_store_i64(b, rec->brand_id),
			   rec->key_id ? nm_store_i64(k, rec->key_id) : NULL,
			   rec->request,
			   rec->result,
			   nm_store_i64(bu, rec->budget_cents),
			   nm_store_i64(co, rec->cost_cents)};
	PGresult *res = nm_store_row(pg, &q_insert, p, err);
	if (!res)
		return false;
	*id = nm_db_i64(res, 0, 0);
	snprintf(created_at, 40, "%s", PQgetvalue(res, 0, 1));
	PQclear(res);
	return true;
}

/* id, brand_id, created_at, created_by_key_id, request, then result's members. */
static json_t *plan_row(const PGresult *res, int i)
{
	json_t *o =
		json_pack("{s:I, s:I, s:s, s:o, s:o}", "id", (json_int_t)nm_db_i64(res, i, 0),
			  "brand_id", (json_int_t)nm_db_i64(res, i, 1), "created_at",
			  PQgetvalue(res, i, 2), "created_by_key_id",
			  PQgetisnull(res, i, 3) ? json_null() : json_integer(nm_db_i64(res, i, 3)),
			  "request", json_loads(PQgetvalue(res, i, 4), 0, NULL));
	json_t *result = json_loads(PQgetvalue(res, i, 5), 0, NULL);
	if (o && result)
		json_object_update(o, result);
	json_decref(result);
	return o;
}

json_t *nm_store_plan_get(struct nm_pg *pg, int64_t brand_id, int64_t plan_id,
			  struct nm_db_err *err)
{
	char p1[24], b[24];
	const char *p[] = {nm_store_i64(p1, plan_id), nm_store_i64(b, brand_id)};
	return nm_store_one(pg, &q_get, p, plan_row, err);
}

bool nm_store_plans_list(struct nm_pg *pg, int64_t brand_id, const struct nm_page_req *pr,
			 struct nm_page *out, struct nm_db_err *err)
{
	char b[24], a[24], l[24];
	const char *p[] = {nm_store_i64(b, brand_id), nm_store_i64(a, pr->after),
			   nm_store_i64(l, (int64_t)pr->limit + 1)};
	return nm_store_list(pg, &q_list, p, pr->limit, 0, plan_row, out, err);
}
