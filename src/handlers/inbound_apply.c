/* The four inbound event types (see nm/inbound.h). Each validates its data exactly as
 * the REST endpoint of the same resource does, then writes through the same store
 * code, so an event and an API call cannot disagree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nm/brand.h"
#include "nm/creator.h"
#include "nm/db.h"
#include "nm/handlers.h"
#include "nm/inbound.h"
#include "nm/outbox.h"
#include "nm/store_creators.h"
#include "nm/store_statuses.h"
#include "nm/verr.h"

static struct nm_sql q_creator_delete = {
	"inbound_creator_delete",
	"DELETE FROM creators WHERE platform = $1 AND handle = $2 RETURNING id", 2, 0};
static struct nm_sql q_creator_id = {
	"inbound_creator_id", "SELECT id FROM creators WHERE platform = $1 AND handle = $2", 2, 0};
static struct nm_sql q_brand_id = {"inbound_brand_id",
				   "SELECT id FROM brands WHERE external_id = $1", 1, 0};
/* Replace the brand with this external_id, or insert it; (xmax = 0) tells which. */
static struct nm_sql q_brand_upsert = {
	"inbound_brand_upsert",
	"INSERT INTO brands (doc, name, external_id) VALUES ($1::jsonb, $2, $3) "
	"ON CONFLICT (external_id) DO UPDATE SET doc = EXCLUDED.doc, name = EXCLUDED.name, "
	"updated_at = now() RETURNING id, doc, " NM_SQL_TS("created_at") ", " NM_SQL_TS(
		"updated_at") ", (xmax = 0)",
	3, 0};

/* Platform and handle normalised exactly as the creator model does, by validating a
 * creator made of just those two members. On true the caller clears *c. */
static bool creator_key(const json_t *data, struct nm_creator *c, json_t *errors)
{
	json_t *probe =
		json_pack("{s:O?, s:O?, s:i}", "platform", json_object_get(data, "platform"),
			  "handle", json_object_get(data, "handle"), "followers", 0);
	bool ok = nm_creator_from_json(probe, NM_CREATOR_STRICT, NULL, c, errors, NULL);
	json_decref(probe);
	return ok;
}

/* Unknown members of data (anything not in allowed) are errors. */
static void only_members(const json_t *data, const char *const *allowed, json_t *errors)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)data, key, v)
	{
		bool known = false;
		for (const char *const *a = allowed; *a && !known; a++)
			known = strcmp(*a, key) == 0;
		if (!known)
			nm_verr_add(errors, key, "unknown field");
	}
}

/* creator.upsert: data is a creator as POST /v1/creators takes it. */
static json_t *apply_creator_upsert(struct nm_pg *pg, const json_t *data, json_t *errors,
				    PGresult **db_err)
{
	struct nm_creator c;
	if (!nm_creator_from_json(data, NM_CREATOR_STRICT, NULL, &c, errors, NULL))
		return NULL;
	bool inserted = false;
	json_t *row = nm_store_creator_upsert(pg, &c, &inserted, db_err);
	nm_creator_clear(&c);
	return row ? json_pack("{s:b, s:o}", "inserted", inserted, "creator", row) : NULL;
}

/* creator.delete: {platform, handle}; a creator already gone is not an error. */
static json_t *apply_creator_delete(struct nm_pg *pg, const json_t *data, json_t *errors,
				    PGresult **db_err)
{
	static const char *const allowed[] = {"platform", "handle", NULL};
	only_members(data, allowed, errors);
	struct nm_creator c;
	if (!creator_key(data, &c, errors) || json_array_size(errors)) {
		nm_creator_clear(&c);
		return NULL;
	}
	const char *p[] = {nm_platform_name(c.platform), c.handle};
	PGresult *res = nm_db_exec(pg, &q_creator_delete, p);
	nm_creator_clear(&c);
	if (!nm_db_ok(res)) {
		*db_err = res;
		return NULL;
	}
	json_t *out = json_pack("{s:b, s:o}", "deleted", PQntuples(res) > 0, "id",
				PQntuples(res) ? json_integer(nm_db_i64(res, 0, 0)) : json_null());
	PQclear(res);
	return out;
}

/* brand.upsert: a brand as POST /v1/brands takes it, external_id required; replaces
 * the brand with that external_id or creates it, with the same events the API emits. */
static json_t *apply_brand_upsert(struct nm_pg *pg, const json_t *data, json_t *errors,
				  PGresult **db_err)
{
	json_t *given = json_object_get(data, "external_id");
	if (!given || json_is_null(given))
		nm_verr_add(errors, "external_id", "is required");
	json_t *canonical = nm_brand_normalize(data, errors);
	const char *ext = json_string_value(json_object_get(canonical, "external_id"));
	if (!canonical || !ext || json_array_size(errors)) {
		json_decref(canonical);
		return NULL;
	}
	char *doc = json_dumps(canonical, JSON_COMPACT | JSON_SORT_KEYS);
	const char *p[] = {doc, json_string_value(json_object_get(canonical, "name")), ext};
	PGresult *res = nm_db_exec(pg, &q_brand_upsert, p);
	free(doc);
	json_decref(canonical);
	if (!nm_db_ok(res)) {
		*db_err = res;
		return NULL;
	}
	bool inserted = strcmp(PQgetvalue(res, 0, 4), "t") == 0;
	json_t *stored = json_loads(PQgetvalue(res, 0, 1), 0, NULL);
	json_t *brand = nm_brand_reply(stored ? stored : json_object(), nm_db_i64(res, 0, 0),
				       PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 3));
	PQclear(res);
	if (!nm_outbox_emit(pg, inserted ? "brand.created" : "brand.updated", brand)) {
		json_decref(brand);
		return NULL;
	}
	return json_pack("{s:b, s:o}", "inserted", inserted, "brand", brand);
}

/* First column of a one-row lookup as an id, 0 when no row, -1 on failure. */
static int64_t lookup_id(struct nm_pg *pg, struct nm_sql *q, const char *const *p,
			 PGresult **db_err)
{
	PGresult *res = nm_db_exec(pg, q, p);
	if (!nm_db_ok(res)) {
		*db_err = res;
		return -1;
	}
	int64_t id = PQntuples(res) ? nm_db_i64(res, 0, 0) : 0;
	PQclear(res);
	return id;
}

/* creator.status: {brand_external_id, platform, handle, status, note}. */
static json_t *apply_creator_status(struct nm_pg *pg, const json_t *data, json_t *errors,
				    PGresult **db_err)
{
	const char *status = NULL, *note = NULL, *ext = NULL, *key;
	json_t *v;
	json_object_foreach((json_t *)data, key, v)
	{
		if (strcmp(key, "brand_external_id") == 0) {
			ext = json_string_value(v);
			if (!ext || !*ext)
				nm_verr_add(errors, key, "must be a non-empty string");
		} else if (strcmp(key, "platform") && strcmp(key, "handle") &&
			   !nm_status_member(key, v, &status, &note, errors)) {
			nm_verr_add(errors, key, "unknown field");
		}
	}
	if (!json_object_get(data, "brand_external_id"))
		nm_verr_add(errors, "brand_external_id", "is required");
	if (!json_object_get(data, "status"))
		nm_verr_add(errors, "status", "is required");
	struct nm_creator c;
	if (!creator_key(data, &c, errors) || json_array_size(errors)) {
		nm_creator_clear(&c);
		return NULL;
	}
	const char *pb[] = {ext}, *pc[] = {nm_platform_name(c.platform), c.handle};
	int64_t brand_id = lookup_id(pg, &q_brand_id, pb, db_err);
	int64_t creator_id = brand_id < 0 ? -1 : lookup_id(pg, &q_creator_id, pc, db_err);
	nm_creator_clear(&c);
	if (creator_id < 0)
		return NULL;
	if (brand_id == 0)
		nm_verr_add(errors, "brand_external_id", "no brand has this external_id");
	if (creator_id == 0)
		nm_verr_add(errors, "handle", "no creator with this platform and handle");
	if (brand_id == 0 || creator_id == 0)
		return NULL;
	return nm_store_status_set(pg, brand_id, creator_id, status, note, db_err);
}

nm_inbound_apply_fn nm_inbound_applier(const char *type)
{
	static const struct {
		const char *type;
		nm_inbound_apply_fn fn;
	} table[] = {
		{"creator.upsert", apply_creator_upsert},
		{"creator.delete", apply_creator_delete},
		{"brand.upsert", apply_brand_upsert},
		{"creator.status", apply_creator_status},
	};
	for (size_t i = 0; type && i < sizeof table / sizeof *table; i++)
		if (strcmp(type, table[i].type) == 0)
			return table[i].fn;
	return NULL;
}
