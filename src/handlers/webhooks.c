/* Outbound webhook endpoints (docs/api.md §6): admin CRUD, the attempt log and manual
 * redelivery. The signing secret is shown once, in the create reply. */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nm/handlers.h"
#include "nm/merge_patch.h"
#include "nm/sign.h"
#include "nm/store.h"
#include "nm/store_webhooks.h"
#include "nm/verr.h"
#include "nm/webhook_urlcheck.h"

/* Only keys not bound to a brand reach these handlers: the routes are
 * NM_SCOPE_UNSCOPED (src/http/routes.c) and the dispatcher answers the others. */

#define DESCRIPTION_MAX 500

/* A validated endpoint: borrowed strings, owned events array (de-duplicated). */
struct endpoint {
	const char *url, *description, *status;
	json_t *events;
};

static void check_url(struct nm_req *r, json_t *v, bool resolve, struct endpoint *e, json_t *errors)
{
	char msg[160];
	if (!json_is_string(v) || json_string_length(v) == 0) {
		nm_verr_add(errors, "url", "must be an http or https URL");
		return;
	}
	e->url = json_string_value(v);
	bool allow_private = nm_req_config(r)->webhook_allow_private || !resolve;
	if (!nm_webhook_url_check(e->url, allow_private, msg, sizeof msg))
		nm_verr_add(errors, "url", "%s", msg);
}

static void check_events(json_t *v, struct endpoint *e, json_t *errors)
{
	if (!json_is_array(v) || json_array_size(v) == 0) {
		nm_verr_add(errors, "events", "must be a non-empty array of event types or \"*\"");
		return;
	}
	e->events = json_array();
	size_t i;
	json_t *t;
	json_array_foreach(v, i, t)
	{
		char f[32];
		nm_verr_path(f, sizeof f, "events", (long)i, NULL);
		if (!nm_webhook_event_valid(json_string_value(t))) {
			nm_verr_add(
				errors, f,
				"must be one of brand.created, brand.updated, brand.deleted, "
				"import.completed, match_run.completed, creator.status_changed, *");
			continue;
		}
		bool seen = false;
		size_t j;
		json_t *u;
		json_array_foreach(e->events, j, u)
		{
			seen = seen || json_equal(u, t);
		}
		if (!seen)
			json_array_append(e->events, t);
	}
}

/* Validates a whole endpoint document (a create body, or the stored endpoint with a
 * merge patch applied). The URL is resolved only when `resolve_url` (it was sent). */
static bool validate(struct nm_req *r, const json_t *in, bool is_patch, bool resolve_url,
		     struct endpoint *e, json_t *errors)
{
	memset(e, 0, sizeof *e);
	e->status = "active";
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)in, key, v)
	{
		if (strcmp(key, "url") == 0) {
			check_url(r, v, resolve_url, e, errors);
		} else if (strcmp(key, "events") == 0) {
			check_events(v, e, errors);
		} else if (strcmp(key, "description") == 0) {
			if (json_is_string(v) && json_string_length(v) <= DESCRIPTION_MAX)
				e->description = json_string_value(v);
			else if (!json_is_null(v))
				nm_verr_add(errors, "description",
					    "must be a string of at most %d characters",
					    DESCRIPTION_MAX);
		} else if (is_patch && strcmp(key, "status") == 0) {
			e->status = json_string_value(v);
			if (!e->status ||
			    (strcmp(e->status, "active") && strcmp(e->status, "disabled") &&
			     strcmp(e->status, "failing")))
				nm_verr_add(errors, "status", "must be active or disabled");
		} else if (!strcmp(key, "id") || !strcmp(key, "secret") ||
			   !strcmp(key, "created_at") || !strcmp(key, "updated_at") ||
			   !strcmp(key, "status")) {
			nm_verr_add(errors, key, "read-only field");
		} else {
			nm_verr_add(errors, key, "unknown field");
		}
	}
	if (!json_object_get(in, "url"))
		nm_verr_add(errors, "url", "is required");
	if (!json_object_get(in, "events"))
		nm_verr_add(errors, "events", "is required");
	if (json_array_size(errors) == 0)
		return true;
	json_decref(e->events);
	e->events = NULL;
	return false;
}

static struct nm_webhook_fields fields(const struct endpoint *e)
{
	return (struct nm_webhook_fields){e->url, e->events, e->description, e->status};
}

/* POST /v1/webhooks {url, events, description?} → 201 with the secret, shown once. */
void nm_h_webhooks_create(struct nm_req *r)
{
	struct endpoint e;
	json_t *errors = json_array();
	if (!validate(r, nm_req_json(r), false, true, &e, errors)) {
		nm_reply_problem(r, NM_P_VALIDATION, errors,
				 "The webhook endpoint has %zu invalid field(s).",
				 json_array_size(errors));
		return;
	}
	json_decref(errors);
	char secret[80];
	struct nm_pg *pg = nm_req_db(r);
	if (!pg || !nm_sign_secret_generate(secret, sizeof secret)) {
		if (pg)
			nm_reply_problem(r, NM_P_INTERNAL, NULL, "The random source failed.");
		json_decref(e.events);
		return;
	}
	struct nm_webhook_fields f = fields(&e);
	struct nm_db_err err;
	json_t *row = nm_store_webhook_create(pg, &f, secret, &err);
	json_decref(e.events);
	if (!row) {
		OPENSSL_cleanse(secret, sizeof secret);
		nm_reply_db_err(r, &err);
		return;
	}
	json_object_set_new(row, "secret", json_string(secret));
	OPENSSL_cleanse(secret, sizeof secret);
	nm_reply_secret(r, "secret"); /* an Idempotency-Key record keeps it as null */
	nm_reply_resource(r, 201, "webhooks", row);
}

/* GET /v1/webhooks */
void nm_h_webhooks_list(struct nm_req *r)
{
	nm_reply_store_list(r, nm_store_webhooks_list);
}

/* Replies a failed lookup or write of endpoint id. */
static void reply_failed(struct nm_req *r, int64_t id, const struct nm_db_err *err)
{
	if (err->status == NM_DB_NOT_FOUND)
		nm_reply_problem(r, NM_P_NOT_FOUND, NULL, "No webhook endpoint %lld.",
				 (long long)id);
	else
		nm_reply_db_err(r, err);
}

/* GET /v1/webhooks/{id} */
void nm_h_webhooks_get(struct nm_req *r)
{
	int64_t id = nm_req_id_param(r, 0);
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return;
	struct nm_db_err err;
	json_t *row = nm_store_webhook_get(pg, id, false, &err);
	if (row)
		nm_reply_json(r, 200, row);
	else
		reply_failed(r, id, &err);
}

/* A PATCH: the body of nm_tx_run. */
struct webhook_patch {
	struct nm_req *r; /* for the URL check's configuration */
	int64_t id;
	const json_t *patch;
	json_t *errors; /* 422 field errors, when the patched endpoint is invalid */
	json_t *row;	/* the reply, once written */
};

static bool webhook_patch_tx(struct nm_pg *pg, void *cls, struct nm_db_err *err)
{
	struct webhook_patch *t = cls;
	json_decref(t->errors);
	json_decref(t->row);
	t->errors = t->row = NULL;
	json_t *stored = nm_store_webhook_get(pg, t->id, true, err);
	if (!stored)
		return false;
	json_t *current = json_pack("{s:O, s:O, s:O, s:O}", "url", json_object_get(stored, "url"),
				    "events", json_object_get(stored, "events"), "description",
				    json_object_get(stored, "description"), "status",
				    json_object_get(stored, "status"));
	json_decref(stored);
	json_t *merged = nm_merge_patch(current, t->patch);
	json_decref(current);
	json_t *errors = json_array();
	struct endpoint e;
	bool ok =
		validate(t->r, merged, true, json_object_get(t->patch, "url") != NULL, &e, errors);
	if (ok && strcmp(e.status, "failing") == 0 && json_object_get(t->patch, "status")) {
		nm_verr_add(errors, "status", "must be active or disabled");
		ok = false;
		json_decref(e.events);
	}
	if (ok) {
		json_decref(errors);
		struct nm_webhook_fields f = fields(&e);
		t->row = nm_store_webhook_update(pg, t->id, &f, err);
		json_decref(e.events);
	} else {
		t->errors = errors; /* err stays NM_DB_OK: roll back, reply 422 */
	}
	json_decref(merged);
	return t->row != NULL;
}

/* PATCH /v1/webhooks/{id} (merge patch of url, events, description, status). Setting
 * status active re-enables a failing or disabled endpoint. */
void nm_h_webhooks_patch(struct nm_req *r)
{
	struct webhook_patch t = {r, nm_req_id_param(r, 0), nm_req_json(r), NULL, NULL};
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return;
	struct nm_db_err err;
	if (nm_tx_run(pg, NM_TX_READ_COMMITTED, webhook_patch_tx, &t, &err)) {
		nm_reply_json(r, 200, t.row);
		t.row = NULL;
	} else if (t.errors) {
		nm_reply_problem(r, NM_P_VALIDATION, t.errors,
				 "The patched endpoint has %zu invalid field(s).",
				 json_array_size(t.errors));
		t.errors = NULL;
	} else {
		reply_failed(r, t.id, &err);
	}
	json_decref(t.row);
	json_decref(t.errors);
}

/* DELETE /v1/webhooks/{id} → 204; pending deliveries and the log go with it. */
void nm_h_webhooks_delete(struct nm_req *r)
{
	int64_t id = nm_req_id_param(r, 0);
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return;
	struct nm_db_err err;
	if (nm_store_webhook_delete(pg, id, &err))
		nm_reply_empty(r, 204);
	else
		reply_failed(r, id, &err);
}

/* GET /v1/webhooks/{id}/deliveries: one entry per attempt, newest first. */
void nm_h_webhooks_deliveries(struct nm_req *r)
{
	int64_t id = nm_req_id_param(r, 0);
	struct nm_page_req pr;
	struct nm_pg *pg = nm_list_begin(r, &pr);
	if (!pg)
		return;
	struct nm_db_err err;
	json_t *endpoint = nm_store_webhook_get(pg, id, false, &err);
	if (!endpoint) {
		reply_failed(r, id, &err);
		return;
	}
	json_decref(endpoint);
	struct nm_page page;
	nm_reply_list(r, nm_store_webhook_attempts(pg, id, &pr, &page, &err), &page, &err);
}

/* POST /v1/webhooks/{id}/deliveries/{delivery_id}/retry → 202: pending and due now,
 * with the same webhook-id. Also redelivers a delivery that succeeded. */
void nm_h_webhooks_retry(struct nm_req *r)
{
	int64_t id = nm_req_id_param(r, 0), delivery_id = nm_req_id_param(r, 1);
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return;
	struct nm_db_err err;
	json_t *reply = nm_store_webhook_retry(pg, id, delivery_id, &err);
	if (reply)
		nm_reply_json(r, 202, reply);
	else if (err.status == NM_DB_NOT_FOUND)
		nm_reply_problem(r, NM_P_NOT_FOUND, NULL,
				 "No delivery %lld for webhook endpoint %lld.",
				 (long long)delivery_id, (long long)id);
	else
		nm_reply_db_err(r, &err);
}
