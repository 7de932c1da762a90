/* Brands (docs/api.md §3). The stored form is the canonical document of nm_brand_normalize
 * (only what the client set); replies add every field's effective value. */
#include <stdio.h>
#include <string.h>

#include "nm/auth.h"
#include "nm/brand.h"
#include "nm/etag.h"
#include "nm/handlers.h"
#include "nm/merge_patch.h"
#include "nm/outbox.h"
#include "nm/store.h"
#include "nm/store_brands.h"

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
	json_t *po = json_object_get(doc, "price_overrides");
	json_object_set_new(o, "price_overrides", po ? json_incref(po) : json_object());
	json_object_set_new(o, "external_id", or_null(doc, "external_id"));
	json_t *mode = json_object_get(doc, "target_countries_mode");
	json_object_set_new(o, "target_countries_mode",
			    mode ? json_incref(mode) : json_string("prefer"));
	json_t *share = json_object_get(doc, "min_audience_share");
	json_object_set_new(o, "min_audience_share",
			    share ? json_incref(share) : json_real(NM_BRAND_MIN_AUDIENCE_SHARE));
	json_object_set_new(o, "exclude_keywords", array_or_empty(doc, "exclude_keywords"));
	json_object_set_new(o, "exclude_handles", array_or_empty(doc, "exclude_handles"));
	json_object_set_new(o, "max_data_age_days", or_null(doc, "max_data_age_days"));
	json_object_set_new(o, "min_confidence", or_null(doc, "min_confidence"));
	json_object_set_new(o, "alerts", or_null(doc, "alerts"));
	json_object_set_new(o, "created_at", json_string(created_at));
	json_object_set_new(o, "updated_at", json_string(updated_at));
	json_decref(doc);
	return o;
}

json_t *nm_brand_from_row(json_t *row)
{
	json_t *doc = json_incref(json_object_get(row, "doc"));
	json_t *o = nm_brand_reply(doc ? doc : json_object(),
				   json_integer_value(json_object_get(row, "id")),
				   json_string_value(json_object_get(row, "created_at")),
				   json_string_value(json_object_get(row, "updated_at")));
	json_decref(row);
	return o;
}

static void reply_conflict_external_id(struct nm_req *r)
{
	json_t *errs = json_pack("[{s:s, s:s}]", "field", "external_id", "message",
				 "another brand already has this external_id");
	nm_reply_problem(r, NM_P_CONFLICT, errs, "another brand already has this external_id");
}

/* A brand write: the body of nm_tx_run for create, patch and delete. */
struct brand_tx {
	int64_t id;	      /* 0: create */
	const json_t *patch;  /* PATCH: the merge patch */
	int64_t scope_brand;  /* the key's brand (0: unscoped) */
	json_t *canonical;    /* create: the brand to insert; patch: the result */
	json_t *errors;	      /* patch: 422 field errors, when the result is invalid */
	bool ext_forbidden;   /* patch: a scoped key tried to change external_id */
	bool written;	      /* the row was written: a later failure is the event's */
	json_t *brand;	      /* the reply, once written */
	const char *if_match; /* PATCH, DELETE: If-Match, or NULL */
	bool stale;	      /* If-Match named none of the current brand: 412 */
};

static void brand_tx_reset(struct brand_tx *t)
{
	json_decref(t->brand);
	json_decref(t->errors);
	t->brand = t->errors = NULL;
	t->ext_forbidden = t->written = t->stale = false;
}

/* If-Match against the brand as GET /v1/brands/{id} shows it now; row is the stored brand
 * read FOR UPDATE in the write's transaction, so no other write can come between this
 * compare and the write (docs/api-decisions.md, "Caching and conditional requests").
 * False (with t->stale and err "roll back, nothing failed") when it does not match. */
static bool brand_precondition(struct brand_tx *t, json_t *row, struct nm_db_err *err)
{
	if (!t->if_match)
		return true;
	json_t *current = nm_brand_from_row(json_incref(row));
	char tag[NM_ETAG_SIZE];
	nm_json_etag(current, tag);
	json_decref(current);
	if (nm_etag_if_match(t->if_match, tag))
		return true;
	t->stale = true;
	nm_db_err_set(err, NM_DB_OK);
	return false;
}

/* Writes canonical and its event on the open transaction. */
static bool save_brand(struct nm_pg *pg, struct brand_tx *t, const json_t *canonical,
		       struct nm_db_err *err)
{
	json_t *row = nm_store_brand_save(pg, t->id, canonical, err);
	if (!row)
		return false;
	t->written = true;
	t->brand = nm_brand_from_row(row);
	if (!nm_outbox_emit(pg, t->id == 0 ? "brand.created" : "brand.updated", t->brand, err))
		return false;
	return true;
}

static bool brand_create_tx(struct nm_pg *pg, void *cls, struct nm_db_err *err)
{
	struct brand_tx *t = cls;
	brand_tx_reset(t);
	return save_brand(pg, t, t->canonical, err);
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

static bool brand_patch_tx(struct nm_pg *pg, void *cls, struct nm_db_err *err)
{
	struct brand_tx *t = cls;
	brand_tx_reset(t);
	json_t *row = nm_store_brand_get(pg, t->id, true, err);
	if (!row)
		return false;
	if (!brand_precondition(t, row, err)) {
		json_decref(row);
		return false;
	}
	json_t *stored = json_object_get(row, "doc");
	json_t *merged = nm_merge_patch(stored, t->patch);
	t->errors = json_array();
	json_t *canonical = nm_brand_normalize(merged, t->errors);
	json_decref(merged);
	if (!canonical) {
		json_decref(row);
		return false; /* err stays NM_DB_OK: roll back, reply 422 */
	}
	json_decref(t->errors);
	t->errors = NULL;
	t->ext_forbidden = t->scope_brand && external_id_changed(stored, canonical);
	json_decref(row);
	bool ok = !t->ext_forbidden && save_brand(pg, t, canonical, err);
	json_decref(canonical);
	return ok;
}

static bool brand_delete_tx(struct nm_pg *pg, void *cls, struct nm_db_err *err)
{
	struct brand_tx *t = cls;
	brand_tx_reset(t);
	json_t *row = nm_store_brand_get(pg, t->id, true, err);
	if (!row)
		return false;
	if (!brand_precondition(t, row, err)) {
		json_decref(row);
		return false;
	}
	t->brand = nm_brand_from_row(row);
	if (!nm_store_brand_delete(pg, t->id, err))
		return false;
	t->written = true;
	if (!nm_outbox_emit(pg, "brand.deleted", t->brand, err))
		return false;
	return true;
}

/* Replies a failed brand write. what: "saved" or "deleted". */
static void reply_write_failed(struct nm_req *r, const struct brand_tx *t,
			       const struct nm_db_err *err, const char *what)
{
	if (err->status == NM_DB_CONFLICT && strcmp(what, "saved") == 0) {
		reply_conflict_external_id(r);
	} else if (err->status == NM_DB_NOT_FOUND) {
		nm_reply_problem(r, NM_P_NOT_FOUND, NULL, "No brand %lld.", (long long)t->id);
	} else if (t->written) {
		/* The row was written but its event or the commit failed. */
		nm_reply_header(r, "Retry-After", "1");
		nm_reply_problem(r, NM_P_DB_UNAVAILABLE, NULL, "The brand could not be %s; retry.",
				 what);
	} else {
		nm_reply_db_err(r, err);
	}
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
	struct brand_tx t = {.canonical = canonical};
	struct nm_db_err err;
	if (pg && nm_tx_run(pg, NM_TX_READ_COMMITTED, brand_create_tx, &t, &err)) {
		nm_reply_resource(r, 201, "brands", t.brand);
		t.brand = NULL;
	} else if (pg) {
		reply_write_failed(r, &t, &err, "saved");
	}
	brand_tx_reset(&t);
	json_decref(canonical);
}

static bool page_to_replies(struct nm_page *page)
{
	size_t i;
	json_t *row;
	json_array_foreach(page->data, i, row)
	{
		json_array_set_new(page->data, i, nm_brand_from_row(json_incref(row)));
	}
	return true;
}

/* GET /v1/brands → {"data":[...],"next_cursor"}; a scoped key sees its brand only. */
void nm_h_brands_list(struct nm_req *r)
{
	struct nm_page_req pr;
	struct nm_pg *pg = nm_list_begin(r, &pr);
	if (!pg)
		return;
	struct nm_page page;
	struct nm_db_err err;
	bool ok = nm_store_brands_list(pg, nm_req_auth(r)->brand_id, &pr, &page, &err) &&
		  page_to_replies(&page);
	nm_reply_list(r, ok, &page, &err);
}

/* True when the key may see brand {id}; else replies 404 (so that the existence of
 * brands a scoped key may not see does not leak). */
static bool visible(struct nm_req *r, int64_t id)
{
	if (nm_brand_visible(r, id))
		return true;
	nm_reply_problem(r, NM_P_NOT_FOUND, NULL, "No brand %lld.", (long long)id);
	return false;
}

/* GET /v1/brands/{id} */
void nm_h_brands_get(struct nm_req *r)
{
	int64_t id = nm_req_id_param(r, 0);
	if (!visible(r, id))
		return;
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return;
	struct nm_db_err err;
	json_t *row = nm_store_brand_get(pg, id, false, &err);
	if (row)
		nm_reply_json(r, 200, nm_brand_from_row(row));
	else if (err.status == NM_DB_NOT_FOUND)
		nm_reply_problem(r, NM_P_NOT_FOUND, NULL, "No brand %lld.", (long long)id);
	else
		nm_reply_db_err(r, &err);
}

/* PATCH /v1/brands/{id} (JSON merge patch) → 200 with the whole brand. external_id
 * names the brand in inbound CRM events (brand.upsert replaces, creator.status writes
 * the brand with that id): a brand-scoped key that could set it to another CRM record's
 * id would receive that record's events, so only unscoped write/admin keys may set or
 * change it (docs/api-decisions.md). A scoped key may send it unchanged. */
void nm_h_brands_patch(struct nm_req *r)
{
	struct brand_tx t = {.id = nm_req_id_param(r, 0),
			     .patch = nm_req_json(r),
			     .scope_brand = nm_req_auth(r)->brand_id,
			     .if_match = nm_req_header(r, "If-Match")};
	if (!visible(r, t.id))
		return;
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return;
	struct nm_db_err err;
	if (nm_tx_run(pg, NM_TX_READ_COMMITTED, brand_patch_tx, &t, &err)) {
		nm_reply_json(r, 200, t.brand);
		t.brand = NULL;
	} else if (t.errors) {
		nm_reply_problem(r, NM_P_VALIDATION, t.errors,
				 "The patched brand has %zu invalid field(s).",
				 json_array_size(t.errors));
		t.errors = NULL;
	} else if (t.stale) {
		nm_reply_precondition_failed(r, "The brand");
	} else if (t.ext_forbidden) {
		nm_reply_problem(r, NM_P_FORBIDDEN,
				 json_pack("[{s:s, s:s}]", "field", "external_id", "message",
					   "only a key not bound to a brand may set or change it"),
				 "A key bound to a brand cannot set or change its external_id "
				 "(it routes inbound CRM events to the brand).");
	} else {
		reply_write_failed(r, &t, &err, "saved");
	}
	brand_tx_reset(&t);
}

/* DELETE /v1/brands/{id} → 204. */
void nm_h_brands_delete(struct nm_req *r)
{
	struct brand_tx t = {.id = nm_req_id_param(r, 0), .if_match = nm_req_header(r, "If-Match")};
	if (!visible(r, t.id))
		return;
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return;
	struct nm_db_err err;
	if (nm_tx_run(pg, NM_TX_READ_COMMITTED, brand_delete_tx, &t, &err)) {
		/* Its brand-bound keys went with it (ON DELETE CASCADE): forget them now,
		 * not when their cache entries expire. */
		nm_auth_cache_clear();
		nm_reply_empty(r, 204);
	} else if (t.stale) {
		nm_reply_precondition_failed(r, "The brand");
	} else {
		reply_write_failed(r, &t, &err, "deleted");
	}
	brand_tx_reset(&t);
}
