/* The four inbound event types (see nm/inbound_apply.h). Each validates its data exactly as
 * the REST endpoint of the same resource does, then writes through the same store
 * code, so an event and an API call cannot disagree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nm/brand.h"
#include "nm/creator.h"
#include "nm/handlers.h"
#include "nm/inbound_apply.h"
#include "nm/outbox.h"
#include "nm/store.h"
#include "nm/store_brands.h"
#include "nm/store_creators.h"
#include "nm/store_inbound.h"
#include "nm/store_statuses.h"
#include "nm/taxonomy.h"
#include "nm/verr.h"

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

/* creator.created / creator.updated for a creator written by an event, as for the API. */
static json_t *emitted(struct nm_pg *pg, json_t *row, bool inserted, struct nm_db_err *err)
{
	if (row &&
	    !nm_outbox_emit(pg, inserted ? "creator.created" : "creator.updated", row, err)) {
		json_decref(row);
		return NULL;
	}
	return row ? json_pack("{s:b, s:o}", "inserted", inserted, "creator", row) : NULL;
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
static json_t *apply_creator_upsert(struct nm_pg *pg, const char *source, const json_t *data,
				    json_t *errors, struct nm_db_err *err)
{
	(void)source;
	struct nm_creator c;
	if (!nm_creator_from_json(data, NM_CREATOR_STRICT, NULL, &c, errors, NULL))
		return NULL;
	bool inserted = false;
	json_t *row = nm_store_creator_put(pg, &c, &inserted, err);
	nm_creator_clear(&c);
	return emitted(pg, row, inserted, err);
}

/* creator.delete: {platform, handle}; a creator already gone is not an error. */
static json_t *apply_creator_delete(struct nm_pg *pg, const char *source, const json_t *data,
				    json_t *errors, struct nm_db_err *err)
{
	(void)source;
	static const char *const allowed[] = {"platform", "handle", NULL};
	only_members(data, allowed, errors);
	struct nm_creator c;
	if (!creator_key(data, &c, errors) || json_array_size(errors)) {
		nm_creator_clear(&c);
		return NULL;
	}
	int64_t id;
	bool ok = nm_store_creator_delete_by_key(pg, nm_platform_name(c.platform), c.handle, &id,
						 err);
	json_t *gone = ok && id ? json_pack("{s:I, s:s, s:s, s:n}", "id", (json_int_t)id,
					    "platform", nm_platform_name(c.platform), "handle",
					    c.handle, "external_id")
				: NULL;
	nm_creator_clear(&c);
	if (!ok)
		return NULL;
	if (gone && !nm_outbox_emit(pg, "creator.deleted", gone, err)) {
		json_decref(gone);
		return NULL;
	}
	json_decref(gone);
	return json_pack("{s:b, s:o}", "deleted", id != 0, "id",
			 id ? json_integer(id) : json_null());
}

/* brand.upsert: a brand as POST /v1/brands takes it, external_id required; replaces
 * the brand with that external_id or creates it, with the same events the API emits. */
static json_t *apply_brand_upsert(struct nm_pg *pg, const char *source, const json_t *data,
				  json_t *errors, struct nm_db_err *err)
{
	(void)source;
	json_t *given = json_object_get(data, "external_id");
	if (!given || json_is_null(given))
		nm_verr_add(errors, "external_id", "is required");
	json_t *canonical = nm_brand_normalize(data, errors);
	const char *ext = json_string_value(json_object_get(canonical, "external_id"));
	if (!canonical || !ext || json_array_size(errors)) {
		json_decref(canonical);
		return NULL;
	}
	bool inserted = false;
	json_t *row = nm_store_brand_upsert_external(pg, canonical, &inserted, err);
	json_decref(canonical);
	if (!row)
		return NULL;
	json_t *brand = nm_brand_from_row(row);
	if (!nm_outbox_emit(pg, inserted ? "brand.created" : "brand.updated", brand, err)) {
		json_decref(brand);
		return NULL;
	}
	return json_pack("{s:b, s:o}", "inserted", inserted, "brand", brand);
}

/* creator.status: {brand_external_id, platform, handle, status, note}. */
static json_t *apply_creator_status(struct nm_pg *pg, const char *source, const json_t *data,
				    json_t *errors, struct nm_db_err *err)
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
	int64_t brand_id = nm_store_brand_id_by_external(pg, ext, err);
	int64_t creator_id = brand_id < 0
				     ? -1
				     : nm_store_creator_id_by_key(pg, nm_platform_name(c.platform),
								  c.handle, err);
	nm_creator_clear(&c);
	if (creator_id < 0)
		return NULL;
	nm_db_err_set(err, NM_DB_OK);
	if (brand_id == 0)
		nm_verr_add(errors, "brand_external_id", "no brand has this external_id");
	if (creator_id == 0)
		nm_verr_add(errors, "handle", "no creator with this platform and handle");
	if (brand_id == 0 || creator_id == 0)
		return NULL;
	char who[96];
	snprintf(who, sizeof who, "inbound:%s", source);
	struct nm_status_actor actor = {0, who};
	if (!nm_store_status_lock(pg, brand_id, &creator_id, 1, err))
		return NULL;
	return nm_store_status_write(pg, brand_id, creator_id, status, note, &actor, err);
}
/* The creator a creator.patch names: data.id, else data.external_id (the CRM's contact key),
 * else data.platform + data.handle. 0 after adding an error (none or ambiguous), -1 on a
 * database failure. The addressing members are removed from *rest's copy. */
static int64_t patch_target(struct nm_pg *pg, const json_t *data, json_t *errors,
			    struct nm_db_err *err)
{
	json_t *id = json_object_get(data, "id");
	json_t *ext = json_object_get(data, "external_id");
	if (id) {
		if (!json_is_integer(id) || json_integer_value(id) < 1) {
			nm_verr_add(errors, "id", "must be a creator id");
			return 0;
		}
		return (int64_t)json_integer_value(id);
	}
	if (ext) {
		if (!json_is_string(ext) || !*json_string_value(ext)) {
			nm_verr_add(errors, "external_id", "must be a non-empty string");
			return 0;
		}
		int64_t cid = nm_store_creator_id_by_external_id(pg, json_string_value(ext), err);
		if (cid == 0)
			nm_verr_add(errors, "external_id", "no creator has this external_id");
		else if (cid == -2)
			nm_verr_add(errors, "external_id",
				    "several creators have this external_id; address by id");
		return cid == -2 ? 0 : cid;
	}
	struct nm_creator c;
	if (!creator_key(data, &c, errors)) {
		nm_creator_clear(&c);
		nm_verr_add(errors, "id", "name the creator by id, external_id or platform+handle");
		return 0;
	}
	int64_t cid = nm_store_creator_id_by_key(pg, nm_platform_name(c.platform), c.handle, err);
	nm_creator_clear(&c);
	if (cid == 0)
		nm_verr_add(errors, "handle", "no creator with this platform and handle");
	return cid;
}

/* creator.patch: merge semantics. The members sent replace the stored ones (null clears
 * an optional one); members not sent are untouched. The merged creator is validated as
 * POST /v1/creators validates a body and written through the same store code. */
static json_t *apply_creator_patch(struct nm_pg *pg, const char *source, const json_t *data,
				   json_t *errors, struct nm_db_err *err)
{
	(void)source;
	int64_t id = patch_target(pg, data, errors, err);
	if (id <= 0)
		return NULL;
	json_t *current = nm_store_creator_get(pg, id, err);
	if (!current) {
		if (err->status == NM_DB_NOT_FOUND) {
			nm_db_err_set(err, NM_DB_OK);
			nm_verr_add(errors, "id", "no creator with this id");
		}
		return NULL;
	}
	/* Server-set and derived members of the stored representation (id, tier, flags,
	 * benchmark, ...) are not input: only what a client may write is carried over. */
	const char *key;
	json_t *v;
	void *tmp;
	json_object_foreach_safe(current, tmp, key, v)
	{
		if (!nm_creator_input_field(key))
			json_object_del(current, key);
	}
	json_object_foreach((json_t *)data, key, v)
	{
		if (strcmp(key, "id") != 0)
			json_object_set(current, key, v);
	}
	/* Nulls of the stored representation are absent members. */
	json_object_foreach_safe(current, tmp, key, v)
	{
		if (json_is_null(v))
			json_object_del(current, key);
	}
	struct nm_creator c;
	bool ok = nm_creator_from_json(current, NM_CREATOR_STRICT, NULL, &c, errors, NULL);
	json_decref(current);
	if (!ok)
		return NULL;
	bool inserted = false;
	json_t *row = nm_store_creator_put(pg, &c, &inserted, err);
	nm_creator_clear(&c);
	return emitted(pg, row, inserted, err);
}

nm_inbound_apply_fn nm_inbound_applier(const char *type)
{
	static const struct {
		const char *type;
		nm_inbound_apply_fn fn;
	} table[] = {
		{"creator.upsert", apply_creator_upsert}, {"creator.delete", apply_creator_delete},
		{"brand.upsert", apply_brand_upsert},	  {"creator.status", apply_creator_status},
		{"creator.patch", apply_creator_patch},
	};
	for (size_t i = 0; type && i < sizeof table / sizeof *table; i++)
		if (strcmp(type, table[i].type) == 0)
			return table[i].fn;
	return NULL;
}
