/* Outbound webhook endpoints (docs/api.md §6): admin CRUD, the attempt log and manual
 * redelivery. The signing secret is shown once, in the create reply. */
#include <ctype.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nm/handlers.h"
#include "nm/merge_patch.h"
#include "nm/outbox.h"
#include "nm/sign.h"
#include "nm/store.h"
#include "nm/store_webhooks.h"
#include "nm/verr.h"
#include "nm/webhook_urlcheck.h"

/* A key bound to a brand manages only the endpoints pinned to that brand alone
 * (brand_ids [its brand]): it creates only such endpoints, and every other endpoint is a
 * 404 to it, as if it did not exist. An unscoped admin key manages all. */

#define DESCRIPTION_MAX	  500
#define BRAND_IDS_MAX	  100
#define OVERLAP_DEFAULT_S 86400
#define OVERLAP_MAX_S	  (7 * 86400)

/* A validated endpoint: borrowed strings, owned events and brand_ids arrays
 * (de-duplicated; brand_ids NULL for every brand). */
struct endpoint {
	const char *url, *description, *status;
	json_t *events, *brand_ids;
};

static int64_t scope_of(const struct nm_req *r)
{
	return nm_req_auth(r)->brand_id;
}

/* Whether the key may see endpoint row (see above). */
static bool visible(const struct nm_req *r, const json_t *row)
{
	int64_t scope = scope_of(r);
	json_t *b = json_object_get(row, "brand_ids");
	return scope == 0 || (json_array_size(b) == 1 &&
			      json_integer_value(json_array_get(b, 0)) == (json_int_t)scope);
}

/* Appends t to arr unless an equal value is there already (a list sent with repeats
 * is stored once each). */
static void append_unique(json_t *arr, json_t *t)
{
	size_t j;
	json_t *u;
	json_array_foreach(arr, j, u)
	{
		if (json_equal(u, t))
			return;
	}
	json_array_append(arr, t);
}

static void check_brand_ids(struct nm_req *r, json_t *v, struct endpoint *e, json_t *errors)
{
	int64_t scope = scope_of(r);
	if (json_is_null(v)) {
		if (scope)
			nm_verr_add(errors, "brand_ids",
				    "a key bound to a brand manages endpoints of that brand only: "
				    "omit brand_ids or send [%lld]",
				    (long long)scope);
		return;
	}
	if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > BRAND_IDS_MAX) {
		nm_verr_add(errors, "brand_ids",
			    "must be null (every brand) or an array of 1 to %d brand ids",
			    BRAND_IDS_MAX);
		return;
	}
	e->brand_ids = json_array();
	size_t i;
	json_t *t;
	json_array_foreach(v, i, t)
	{
		char f[32];
		nm_verr_path(f, sizeof f, "brand_ids", (long)i, NULL);
		if (!json_is_integer(t) || json_integer_value(t) < 1) {
			nm_verr_add(errors, f, "must be a brand id (a positive integer)");
			continue;
		}
		if (scope && json_integer_value(t) != (json_int_t)scope) {
			nm_verr_add(errors, f,
				    "a key bound to brand %lld cannot subscribe to another "
				    "brand's events",
				    (long long)scope);
			continue;
		}
		append_unique(e->brand_ids, t);
	}
}

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
			nm_verr_add(errors, f,
				    "must be one of brand.created, brand.updated, brand.deleted, "
				    "import.completed, import.failed, match_run.completed, "
				    "creator.status_changed, creator.created, creator.updated, "
				    "creator.deleted, webhook.test, plan.created, "
				    "match.new_candidate, *");
			continue;
		}
		append_unique(e->events, t);
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
		} else if (strcmp(key, "brand_ids") == 0) {
			check_brand_ids(r, v, e, errors);
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
			   !strcmp(key, "status") || !strcmp(key, "previous_secret_expires_at")) {
			nm_verr_add(errors, key, "read-only field");
		} else {
			nm_verr_add(errors, key, "unknown field");
		}
	}
	if (!json_object_get(in, "url"))
		nm_verr_add(errors, "url", "is required");
	if (!json_object_get(in, "events"))
		nm_verr_add(errors, "events", "is required");
	/* A brand-scoped key's endpoint is pinned to its brand. */
	if (!e->brand_ids && scope_of(r) && json_array_size(errors) == 0)
		e->brand_ids = json_pack("[I]", (json_int_t)scope_of(r));
	if (json_array_size(errors) == 0)
		return true;
	json_decref(e->events);
	json_decref(e->brand_ids);
	e->events = e->brand_ids = NULL;
	return false;
}

static struct nm_webhook_fields fields(const struct endpoint *e)
{
	return (struct nm_webhook_fields){e->url, e->events, e->description, e->status,
					  e->brand_ids};
}

static void endpoint_free(struct endpoint *e)
{
	json_decref(e->events);
	json_decref(e->brand_ids);
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
		endpoint_free(&e);
		return;
	}
	struct nm_webhook_fields f = fields(&e);
	struct nm_db_err err;
	json_t *row = nm_store_webhook_create(pg, &f, secret, &err);
	endpoint_free(&e);
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

/* GET /v1/webhooks (a brand-scoped key: its brand's endpoints) */
void nm_h_webhooks_list(struct nm_req *r)
{
	struct nm_page_req pr;
	struct nm_pg *pg = nm_list_begin(r, &pr);
	if (!pg)
		return;
	struct nm_page page;
	struct nm_db_err err;
	nm_reply_list(r, nm_store_webhooks_list(pg, &pr, scope_of(r), &page, &err), &page, &err);
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

/* Endpoint id as the key may see it (caller owns), or NULL after replying 404 (also for
 * another brand's endpoint) or the failure. for_update: see nm_store_webhook_get. */
static json_t *get_visible(struct nm_req *r, struct nm_pg *pg, int64_t id, bool for_update,
			   struct nm_db_err *err)
{
	json_t *row = nm_store_webhook_get(pg, id, for_update, err);
	if (row && !visible(r, row)) {
		json_decref(row);
		row = NULL;
		nm_db_err_set(err, NM_DB_NOT_FOUND);
	}
	return row;
}

/* GET /v1/webhooks/{id} */
void nm_h_webhooks_get(struct nm_req *r)
{
	int64_t id = nm_req_id_param(r, 0);
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return;
	struct nm_db_err err;
	json_t *row = get_visible(r, pg, id, false, &err);
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
	json_t *stored = get_visible(t->r, pg, t->id, true, err);
	if (!stored)
		return false;
	json_t *current = json_pack(
		"{s:O, s:O, s:O, s:O, s:O}", "url", json_object_get(stored, "url"), "events",
		json_object_get(stored, "events"), "description",
		json_object_get(stored, "description"), "status", json_object_get(stored, "status"),
		"brand_ids", json_object_get(stored, "brand_ids"));
	/* Merge patch deletes a member set to null: an absent brand_ids means every brand. */
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
		endpoint_free(&e);
	}
	if (ok) {
		json_decref(errors);
		struct nm_webhook_fields f = fields(&e);
		t->row = nm_store_webhook_update(pg, t->id, &f, err);
		endpoint_free(&e);
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
	json_t *row = get_visible(r, pg, id, false, &err);
	json_decref(row);
	if (row && nm_store_webhook_delete(pg, id, &err))
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
	json_t *endpoint = get_visible(r, pg, id, false, &err);
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
	json_t *endpoint = get_visible(r, pg, id, false, &err);
	if (!endpoint) {
		reply_failed(r, id, &err);
		return;
	}
	json_decref(endpoint);
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

/* The request's endpoint {id}, checked visible; false after replying. */
static bool endpoint_ok(struct nm_req *r, struct nm_pg *pg, int64_t id)
{
	struct nm_db_err err;
	json_t *row = get_visible(r, pg, id, false, &err);
	if (!row)
		reply_failed(r, id, &err);
	json_decref(row);
	return row != NULL;
}

/* POST /v1/webhooks/{id}/rotate-secret {"overlap_seconds"?} → 200 with the new secret,
 * shown once. The old secret signs too (a second signature in webhook-signature) until
 * previous_secret_expires_at: time to deploy the new one at the receiver. */
void nm_h_webhooks_rotate(struct nm_req *r)
{
	int64_t id = nm_req_id_param(r, 0);
	const json_t *in = nm_req_json(r);
	json_t *errors = json_array();
	int overlap = OVERLAP_DEFAULT_S;
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)in, key, v)
	{
		if (strcmp(key, "overlap_seconds") == 0) {
			if (json_is_integer(v) && json_integer_value(v) >= 0 &&
			    json_integer_value(v) <= OVERLAP_MAX_S)
				overlap = (int)json_integer_value(v);
			else
				nm_verr_add(errors, key, "must be an integer from 0 to %d",
					    OVERLAP_MAX_S);
		} else {
			nm_verr_add(errors, key, "unknown field");
		}
	}
	if (json_array_size(errors)) {
		nm_reply_problem(r, NM_P_VALIDATION, errors,
				 "The rotation has %zu invalid field(s).", json_array_size(errors));
		return;
	}
	json_decref(errors);
	struct nm_pg *pg = nm_req_db(r);
	if (!pg || !endpoint_ok(r, pg, id))
		return;
	char secret[80];
	if (!nm_sign_secret_generate(secret, sizeof secret)) {
		nm_reply_problem(r, NM_P_INTERNAL, NULL, "The random source failed.");
		return;
	}
	struct nm_db_err err;
	json_t *row = nm_store_webhook_rotate(pg, id, secret, overlap, &err);
	if (!row) {
		OPENSSL_cleanse(secret, sizeof secret);
		reply_failed(r, id, &err);
		return;
	}
	json_object_set_new(row, "secret", json_string(secret));
	OPENSSL_cleanse(secret, sizeof secret);
	nm_reply_secret(r, "secret");
	nm_reply_json(r, 200, row);
}

/* POST /v1/webhooks/{id}/test → 202: a webhook.test event to this endpoint only, due now,
 * whatever its event and brand filters. 409 when the endpoint is disabled. */
void nm_h_webhooks_test(struct nm_req *r)
{
	int64_t id = nm_req_id_param(r, 0);
	struct nm_pg *pg = nm_req_db(r);
	if (!pg || !endpoint_ok(r, pg, id))
		return;
	int64_t delivery = 0;
	if (!nm_outbox_emit_test(pg, id, &delivery)) {
		nm_reply_db_down(r);
		return;
	}
	if (!delivery) {
		nm_reply_problem(r, NM_P_CONFLICT, NULL,
				 "Webhook endpoint %lld is disabled; set status active first.",
				 (long long)id);
		return;
	}
	nm_reply_json(r, 202,
		      json_pack("{s:I, s:I, s:s, s:s}", "endpoint_id", (json_int_t)id,
				"delivery_id", (json_int_t)delivery, "event_type", "webhook.test",
				"state", "pending"));
}

/* "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)", checked here so that the database
 * only ever sees a well-formed timestamp. */
static bool rfc3339(const char *s)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	size_t i = 0;
	for (; shape[i]; i++)
		if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != shape[i])
			return false;
	if (s[i] == '.') {
		size_t k = ++i;
		while (isdigit((unsigned char)s[i]) && i - k < 9)
			i++;
		if (i == k || isdigit((unsigned char)s[i]))
			return false;
	}
	if (s[i] == 'Z' || s[i] == 'z')
		return s[i + 1] == '\0';
	return (s[i] == '+' || s[i] == '-') && isdigit((unsigned char)s[i + 1]) &&
	       isdigit((unsigned char)s[i + 2]) && s[i + 3] == ':' &&
	       isdigit((unsigned char)s[i + 4]) && isdigit((unsigned char)s[i + 5]) &&
	       s[i + 6] == '\0';
}

/* POST /v1/webhooks/{id}/replay {"since", "status"?} → 202 {"replayed": n}: every
 * delivery of the endpoint whose event is not older than since and whose state is status
 * (failed by default; "all" for any) is sent again, same webhook-id each. */
void nm_h_webhooks_replay(struct nm_req *r)
{
	int64_t id = nm_req_id_param(r, 0);
	const json_t *in = nm_req_json(r);
	json_t *errors = json_array();
	const char *since = NULL, *state = "failed";
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)in, key, v)
	{
		if (strcmp(key, "since") == 0) {
			since = json_string_value(v);
			if (!since || !rfc3339(since))
				nm_verr_add(
					errors, key,
					"must be an RFC 3339 date-time, e.g. 2026-01-31T12:00:00Z");
		} else if (strcmp(key, "status") == 0) {
			state = json_string_value(v);
			if (!state || (strcmp(state, "failed") && strcmp(state, "succeeded") &&
				       strcmp(state, "all")))
				nm_verr_add(errors, key, "must be failed, succeeded or all");
		} else {
			nm_verr_add(errors, key, "unknown field");
		}
	}
	if (!json_object_get(in, "since"))
		nm_verr_add(errors, "since", "is required");
	if (json_array_size(errors)) {
		nm_reply_problem(r, NM_P_VALIDATION, errors, "The replay has %zu invalid field(s).",
				 json_array_size(errors));
		return;
	}
	json_decref(errors);
	struct nm_pg *pg = nm_req_db(r);
	if (!pg || !endpoint_ok(r, pg, id))
		return;
	long long n = 0;
	struct nm_db_err err;
	if (!nm_store_webhook_replay(pg, id, since, strcmp(state, "all") ? state : NULL, &n,
				     &err)) {
		nm_reply_db_err(r, &err);
		return;
	}
	nm_reply_json(r, 202,
		      json_pack("{s:I, s:s, s:s, s:I}", "endpoint_id", (json_int_t)id, "since",
				since, "status", state, "replayed", (json_int_t)n));
}

/* GET /v1/events?after=&type=: the event log, oldest first, for a receiver to reconcile
 * after an outage longer than the retries. A brand-scoped key sees its brand's events. */
void nm_h_events_list(struct nm_req *r)
{
	struct nm_page_req pr;
	struct nm_pg *pg = nm_list_begin(r, &pr);
	if (!pg)
		return;
	const char *after = nm_req_query(r, "after");
	if (after)
		pr.after = strtoll(after, NULL, 10); /* an integer >= 0 (the route's rule) */
	struct nm_page page;
	struct nm_db_err err;
	nm_reply_list(
		r, nm_store_events_list(pg, &pr, scope_of(r), nm_req_query(r, "type"), &page, &err),
		&page, &err);
}
