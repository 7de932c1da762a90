/* Brands (SPEC §3). The stored form is the canonical document of nm_brand_normalize
 * (only what the client set); replies add every field's effective value. */
#include <stdio.h>
#include <string.h>

#include "nm/auth.h"
#include "nm/brand.h"
#include "nm/db.h"
#include "nm/handlers.h"
#include "nm/merge_patch.h"
#include "nm/outbox.h"

#define BRAND_COLS "id, doc, " NM_SQL_TS("created_at") ", " NM_SQL_TS("updated_at")

static struct nm_sql q_insert = {"brands_insert",
				 "INSERT INTO brands (doc, name, external_id) VALUES ($1::jsonb, "
				 "$2, $3) RETURNING " BRAND_COLS,
				 3, 0};
static struct nm_sql q_get = {"brands_get", "SELECT " BRAND_COLS " FROM brands WHERE id = $1", 1,
			      0};
static struct nm_sql q_get_for_update = {
	"brands_get_for_update", "SELECT " BRAND_COLS " FROM brands WHERE id = $1 FOR UPDATE", 1,
	0};
static struct nm_sql q_list = {"brands_list",
			       "SELECT " BRAND_COLS
			       " FROM brands WHERE id > $1 AND ($3::bigint IS NULL OR id = $3) "
			       "ORDER BY id LIMIT $2",
			       3, 0};
static struct nm_sql q_update = {
	"brands_update",
	"UPDATE brands SET doc = $2::jsonb, name = $3, external_id = $4, updated_at = now() "
	"WHERE id = $1 RETURNING " BRAND_COLS,
	4, 0};
static struct nm_sql q_delete = {"brands_delete", "DELETE FROM brands WHERE id = $1 RETURNING id",
				 1, 0};

static json_t *array_or_empty(json_t *doc, const char *key)
{
	json_t *v = json_object_get(doc, key);
	return v ? json_incref(v) : json_array();
}

static json_t *or_null(json_t *doc, const char *key)
{
	json_t *v = json_object_get(doc, key);
	return v ? json_incref(v) : json_null();
}

json_t *nm_brand_reply(json_t *doc, int64_t id, const char *created_at, const char *updated_at)
{
	long long fmin, fmax;
	nm_brand_follower_range(doc, &fmin, &fmax);
	json_t *o = json_object();
	json_object_set_new(o, "id", json_integer(id));
	json_object_set_new(o, "name", or_null(doc, "name"));
	json_object_set_new(o, "industry", or_null(doc, "industry"));
	json_object_set_new(o, "niches", array_or_empty(doc, "niches"));
	json_object_set_new(o, "keywords", array_or_empty(doc, "keywords"));
	json_object_set_new(o, "platforms", array_or_empty(doc, "platforms"));
	json_object_set_new(o, "target_countries", array_or_empty(doc, "target_countries"));
	json_object_set_new(o, "target_languages", array_or_empty(doc, "target_languages"));
	json_t *g = json_object_get(doc, "target_gender");
	json_object_set_new(o, "target_gender", g ? json_incref(g) : json_string("any"));
	json_t *goal = json_object_get(doc, "goal");
	json_object_set_new(o, "goal", goal ? json_incref(goal) : json_string("engagement"));
	json_object_set_new(o, "follower_min", json_integer(fmin));
	json_object_set_new(o, "follower_max", fmax < 0 ? json_null() : json_integer(fmax));
	json_object_set_new(o, "min_engagement_rate", or_null(doc, "min_engagement_rate"));
	json_object_set_new(o, "budget_per_post_cents", or_null(doc, "budget_per_post_cents"));
	json_object_set_new(o, "external_id", or_null(doc, "external_id"));
	json_object_set_new(o, "created_at", json_string(created_at));
	json_object_set_new(o, "updated_at", json_string(updated_at));
	json_decref(doc);
	return o;
}

/* Row (id, doc, created_at, updated_at) → reply object. */
static json_t *row_reply(const PGresult *res, int i)
{
	json_t *doc = json_loads(PQgetvalue(res, i, 1), 0, NULL);
	if (!doc)
		doc = json_object();
	return nm_brand_reply(doc, nm_db_i64(res, i, 0), PQgetvalue(res, i, 2),
			      PQgetvalue(res, i, 3));
}

static void reply_conflict_external_id(struct nm_req *r)
{
	json_t *errs = json_pack("[{s:s, s:s}]", "field", "external_id", "message",
				 "another brand already has this external_id");
	nm_reply_problem(r, NM_P_CONFLICT, errs, "another brand already has this external_id");
}

/* Writes the brand (insert when id == 0, else update) and its event in one
 * transaction; replies with the stored brand. */
static void save_brand(struct nm_req *r, struct nm_pg *pg, int64_t id, json_t *canonical,
		       int status)
{
	char *doc = json_dumps(canonical, JSON_COMPACT | JSON_SORT_KEYS);
	const char *name = json_string_value(json_object_get(canonical, "name"));
	const char *ext = json_string_value(json_object_get(canonical, "external_id"));
	char idbuf[24];
	snprintf(idbuf, sizeof idbuf, "%lld", (long long)id);
	PGresult *res;
	if (id == 0) {
		const char *p[] = {doc, name, ext};
		res = nm_db_exec(pg, &q_insert, p);
	} else {
		const char *p[] = {idbuf, doc, name, ext};
		res = nm_db_exec(pg, &q_update, p);
	}
	free(doc);
	if (!nm_db_ok(res)) {
		if (strcmp(nm_db_sqlstate(res), "23505") == 0)
			reply_conflict_external_id(r);
		else
			nm_reply_db_error(r, res);
		PQclear(res);
		nm_db_rollback(pg);
		return;
	}
	json_t *brand = row_reply(res, 0);
	int64_t new_id = nm_db_i64(res, 0, 0);
	PQclear(res);
	if (!nm_outbox_emit(pg, id == 0 ? "brand.created" : "brand.updated", brand) ||
	    !nm_db_commit(pg)) {
		json_decref(brand);
		nm_db_rollback(pg);
		nm_reply_header(r, "Retry-After", "1");
		nm_reply_problem(r, NM_P_DB_UNAVAILABLE, NULL,
				 "The brand could not be saved; retry.");
		return;
	}
	if (status == 201) {
		char loc[48];
		snprintf(loc, sizeof loc, "/v1/brands/%lld", (long long)new_id);
		nm_reply_header(r, "Location", loc);
	}
	nm_reply_json(r, status, brand);
}

/* POST /v1/brands → 201 + Location. */
void nm_h_brands_create(struct nm_req *r)
{
	if (nm_req_auth(r)->brand_id) {
		nm_reply_problem(r, NM_P_FORBIDDEN, NULL,
				 "A key bound to a brand cannot create other brands.");
		return;
	}
	json_t *errors = json_array();
	json_t *canonical = nm_brand_normalize(nm_req_json(r), errors);
	if (!canonical) {
		nm_reply_problem(r, NM_P_VALIDATION, errors, "The brand has %zu invalid field(s).",
				 json_array_size(errors));
		return;
	}
	json_decref(errors);
	struct nm_pg *pg = nm_req_db(r);
	if (pg && nm_db_begin(pg))
		save_brand(r, pg, 0, canonical, 201);
	else if (pg)
		nm_reply_db_down(r);
	json_decref(canonical);
}

/* GET /v1/brands → {"data":[...],"next_cursor"}; a scoped key sees its brand only. */
void nm_h_brands_list(struct nm_req *r)
{
	int limit;
	int64_t after;
	if (!nm_req_page(r, &limit, &after))
		return;
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return;
	char a[24], l[16], scope[24];
	snprintf(a, sizeof a, "%lld", (long long)after);
	snprintf(l, sizeof l, "%d", limit + 1);
	snprintf(scope, sizeof scope, "%lld", (long long)nm_req_auth(r)->brand_id);
	const char *p[] = {a, l, nm_req_auth(r)->brand_id ? scope : NULL};
	PGresult *res = nm_db_exec(pg, &q_list, p);
	if (!nm_db_ok(res)) {
		nm_reply_db_error(r, res);
		PQclear(res);
		return;
	}
	nm_reply_page(r, res, limit, 0, row_reply);
}

/* Loads brand {id} into *res, or replies 404 (also for brands a scoped key may not
 * see, so that their existence does not leak). */
static bool load(struct nm_req *r, struct nm_pg *pg, struct nm_sql *q, PGresult **out)
{
	int64_t id = nm_req_id_param(r, 0);
	*out = NULL;
	if (!nm_brand_visible(r, id)) {
		nm_reply_problem(r, NM_P_NOT_FOUND, NULL, "No brand %lld.", (long long)id);
		return false;
	}
	char idbuf[24];
	snprintf(idbuf, sizeof idbuf, "%lld", (long long)id);
	const char *p[] = {idbuf};
	PGresult *res = nm_db_exec(pg, q, p);
	if (!nm_db_ok(res)) {
		nm_reply_db_error(r, res);
		PQclear(res);
		return false;
	}
	if (PQntuples(res) == 0) {
		nm_reply_problem(r, NM_P_NOT_FOUND, NULL, "No brand %lld.", (long long)id);
		PQclear(res);
		return false;
	}
	*out = res;
	return true;
}

/* GET /v1/brands/{id} */
void nm_h_brands_get(struct nm_req *r)
{
	struct nm_pg *pg = nm_req_db(r);
	PGresult *res;
	if (!pg || !load(r, pg, &q_get, &res))
		return;
	nm_reply_json(r, 200, row_reply(res, 0));
	PQclear(res);
}

/* Whether the patch sets, changes or removes external_id. */
static bool external_id_changed(const json_t *stored, const json_t *canonical)
{
	const char *before = json_string_value(json_object_get(stored, "external_id"));
	const char *after = json_string_value(json_object_get(canonical, "external_id"));
	if (!before || !after)
		return before != after;
	return strcmp(before, after) != 0;
}

/* PATCH /v1/brands/{id} (JSON merge patch) → 200 with the whole brand. external_id
 * names the brand in inbound CRM events (brand.upsert replaces, creator.status writes
 * the brand with that id): a brand-scoped key that could set it to another CRM record's
 * id would receive that record's events, so only unscoped write/admin keys may set or
 * change it (docs/api-decisions.md). A scoped key may send it unchanged. */
void nm_h_brands_patch(struct nm_req *r)
{
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return;
	if (!nm_db_begin(pg)) {
		nm_reply_db_down(r);
		return;
	}
	PGresult *res;
	if (!load(r, pg, &q_get_for_update, &res)) {
		nm_db_rollback(pg);
		return;
	}
	json_t *stored = json_loads(PQgetvalue(res, 0, 1), 0, NULL);
	PQclear(res);
	json_t *merged = nm_merge_patch(stored, nm_req_json(r));
	json_t *errors = json_array();
	json_t *canonical = nm_brand_normalize(merged, errors);
	json_decref(merged);
	if (!canonical) {
		json_decref(stored);
		nm_db_rollback(pg);
		nm_reply_problem(r, NM_P_VALIDATION, errors,
				 "The patched brand has %zu invalid field(s).",
				 json_array_size(errors));
		return;
	}
	json_decref(errors);
	bool ext_changed = external_id_changed(stored, canonical);
	json_decref(stored);
	if (ext_changed && nm_req_auth(r)->brand_id) {
		json_decref(canonical);
		nm_db_rollback(pg);
		nm_reply_problem(r, NM_P_FORBIDDEN,
				 json_pack("[{s:s, s:s}]", "field", "external_id", "message",
					   "only a key not bound to a brand may set or change it"),
				 "A key bound to a brand cannot set or change its external_id "
				 "(it routes inbound CRM events to the brand).");
		return;
	}
	save_brand(r, pg, nm_req_id_param(r, 0), canonical, 200);
	json_decref(canonical);
}

/* DELETE /v1/brands/{id} → 204. */
void nm_h_brands_delete(struct nm_req *r)
{
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return;
	if (!nm_db_begin(pg)) {
		nm_reply_db_down(r);
		return;
	}
	PGresult *res;
	if (!load(r, pg, &q_get_for_update, &res)) {
		nm_db_rollback(pg);
		return;
	}
	json_t *brand = row_reply(res, 0);
	PQclear(res);
	char idbuf[24];
	snprintf(idbuf, sizeof idbuf, "%lld", (long long)nm_req_id_param(r, 0));
	const char *p[] = {idbuf};
	res = nm_db_exec(pg, &q_delete, p);
	bool ok = nm_db_ok(res);
	if (!ok)
		nm_reply_db_error(r, res);
	PQclear(res);
	if (ok && nm_outbox_emit(pg, "brand.deleted", brand) && nm_db_commit(pg)) {
		/* Its brand-bound keys went with it (ON DELETE CASCADE): forget them now,
		 * not when their cache entries expire. */
		nm_auth_cache_clear();
		nm_reply_empty(r, 204);
	} else if (ok) {
		nm_reply_header(r, "Retry-After", "1");
		nm_reply_problem(r, NM_P_DB_UNAVAILABLE, NULL,
				 "The brand could not be deleted; retry.");
	}
	nm_db_rollback(pg);
	json_decref(brand);
}
