/* Outbound webhook endpoints (SPEC §6): admin CRUD, the attempt log and manual
 * redelivery. The signing secret is shown once, in the create reply. */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nm/db.h"
#include "nm/handlers.h"
#include "nm/merge_patch.h"
#include "nm/sign.h"
#include "nm/verr.h"
#include "nm/webhooks.h"
#include "nm/workers.h"

#define DESCRIPTION_MAX 500
#define ENDPOINT_COLS                                                                              \
	"id, url, array_to_json(events), description, status, " NM_SQL_TS(                         \
		"created_at") ", " NM_SQL_TS("updated_at")

static struct nm_sql q_insert = {
	"webhooks_insert",
	"INSERT INTO webhook_endpoints (url, events, description, secret) "
	"VALUES ($1, ARRAY(SELECT json_array_elements_text($2::json)), $3, $4) "
	"RETURNING " ENDPOINT_COLS,
	4, 0};
static struct nm_sql q_get = {
	"webhooks_get", "SELECT " ENDPOINT_COLS " FROM webhook_endpoints WHERE id = $1", 1, 0};
static struct nm_sql q_get_for_update = {
	"webhooks_get_for_update",
	"SELECT " ENDPOINT_COLS " FROM webhook_endpoints WHERE id = $1 FOR UPDATE", 1, 0};
static struct nm_sql q_list = {
	"webhooks_list",
	"SELECT " ENDPOINT_COLS " FROM webhook_endpoints WHERE id > $1 ORDER BY id LIMIT $2", 2, 0};
static struct nm_sql q_update = {
	"webhooks_update",
	"UPDATE webhook_endpoints SET url = $2, events = ARRAY(SELECT "
	"json_array_elements_text($3::json)), "
	"description = $4, status = $5, updated_at = now() WHERE id = $1 RETURNING " ENDPOINT_COLS,
	5, 0};
static struct nm_sql q_delete = {"webhooks_delete",
				 "DELETE FROM webhook_endpoints WHERE id = $1 RETURNING id", 1, 0};
static struct nm_sql q_attempts = {
	"webhooks_attempts",
	"SELECT a.id, a.delivery_id, e.msg_id, e.type, a.attempt, a.http_status, a.error, "
	"a.latency_ms, a.response_snippet, " NM_SQL_TS(
		"a.created_at") ", d.state "
				"FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = "
				"a.delivery_id "
				"JOIN events e ON e.id = d.event_id "
				"WHERE a.endpoint_id = $1 AND ($2::bigint = 0 OR a.id < $2) ORDER "
				"BY a.id DESC LIMIT $3",
	3, 0};
/* Due now, same event (same webhook-id); the NOTIFY wakes a worker at commit. */
static struct nm_sql q_retry = {
	"webhooks_retry",
	"WITH d AS (UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = now() "
	"WHERE id = $2 AND endpoint_id = $1 RETURNING id, event_id, attempts, next_attempt_at) "
	"SELECT d.id, e.msg_id, e.type, d.attempts, " NM_SQL_TS(
		"d.next_attempt_at") ", "
				     "pg_notify('" NM_WEBHOOK_CHANNEL
				     "', '') FROM d JOIN events e ON e.id = d.event_id",
	2, 0};

static bool require_unscoped(struct nm_req *r)
{
	return nm_require_unscoped(
		r, "Webhooks are managed with an admin key that is not bound to a brand.");
}

static json_t *row_json(const PGresult *res, int i)
{
	json_t *events = json_loads(PQgetvalue(res, i, 2), 0, NULL);
	return json_pack("{s:I, s:s, s:o, s:s?, s:s, s:s, s:s}", "id",
			 (json_int_t)nm_db_i64(res, i, 0), "url", PQgetvalue(res, i, 1), "events",
			 events ? events : json_array(), "description", nm_db_str(res, i, 3),
			 "status", PQgetvalue(res, i, 4), "created_at", PQgetvalue(res, i, 5),
			 "updated_at", PQgetvalue(res, i, 6));
}

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

/* POST /v1/webhooks {url, events, description?} → 201 with the secret, shown once. */
void nm_h_webhooks_create(struct nm_req *r)
{
	if (!require_unscoped(r))
		return;
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
	char *events = json_dumps(e.events, JSON_COMPACT);
	json_decref(e.events);
	const char *p[] = {e.url, events, e.description, secret};
	PGresult *res = nm_db_exec(pg, &q_insert, p);
	free(events);
	if (!nm_db_ok(res)) {
		nm_reply_db_error(r, res);
		PQclear(res);
		return;
	}
	json_t *row = row_json(res, 0);
	json_object_set_new(row, "secret", json_string(secret));
	OPENSSL_cleanse(secret, sizeof secret);
	PQclear(res);
	nm_reply_secret(r, "secret"); /* an Idempotency-Key record keeps it as null */
	nm_reply_resource(r, 201, "webhooks", row);
}

/* GET /v1/webhooks */
void nm_h_webhooks_list(struct nm_req *r)
{
	if (require_unscoped(r))
		nm_reply_list(r, &q_list, row_json);
}

/* Loads endpoint {id} (path parameter 0) or replies 404. */
static PGresult *load(struct nm_req *r, struct nm_pg *pg, struct nm_sql *q)
{
	char idbuf[24];
	snprintf(idbuf, sizeof idbuf, "%lld", (long long)nm_req_id_param(r, 0));
	const char *p[] = {idbuf};
	PGresult *res = nm_db_exec(pg, q, p);
	if (!nm_db_ok(res)) {
		nm_reply_db_error(r, res);
	} else if (PQntuples(res) == 0) {
		nm_reply_problem(r, NM_P_NOT_FOUND, NULL, "No webhook endpoint %s.", idbuf);
	} else {
		return res;
	}
	PQclear(res);
	return NULL;
}

/* GET /v1/webhooks/{id} */
void nm_h_webhooks_get(struct nm_req *r)
{
	struct nm_pg *pg = require_unscoped(r) ? nm_req_db(r) : NULL;
	PGresult *res = pg ? load(r, pg, &q_get) : NULL;
	if (!res)
		return;
	nm_reply_json(r, 200, row_json(res, 0));
	PQclear(res);
}

static void save_patch(struct nm_req *r, struct nm_pg *pg, const struct endpoint *e)
{
	char idbuf[24];
	snprintf(idbuf, sizeof idbuf, "%lld", (long long)nm_req_id_param(r, 0));
	char *events = json_dumps(e->events, JSON_COMPACT);
	const char *p[] = {idbuf, e->url, events, e->description, e->status};
	PGresult *res = nm_db_exec(pg, &q_update, p);
	free(events);
	if (!nm_db_ok(res) || !nm_db_commit(pg)) {
		if (nm_db_ok(res))
			nm_reply_db_down(r);
		else
			nm_reply_db_error(r, res);
		PQclear(res);
		return;
	}
	nm_reply_json(r, 200, row_json(res, 0));
	PQclear(res);
}

/* PATCH /v1/webhooks/{id} (merge patch of url, events, description, status). Setting
 * status active re-enables a failing or disabled endpoint. */
void nm_h_webhooks_patch(struct nm_req *r)
{
	struct nm_pg *pg = require_unscoped(r) ? nm_req_db(r) : NULL;
	if (!pg)
		return;
	if (!nm_db_begin(pg)) {
		nm_reply_db_down(r);
		return;
	}
	PGresult *res = load(r, pg, &q_get_for_update);
	if (!res) {
		nm_db_rollback(pg);
		return;
	}
	json_t *stored = row_json(res, 0);
	PQclear(res);
	json_t *current = json_pack("{s:O, s:O, s:O, s:O}", "url", json_object_get(stored, "url"),
				    "events", json_object_get(stored, "events"), "description",
				    json_object_get(stored, "description"), "status",
				    json_object_get(stored, "status"));
	json_decref(stored);
	json_t *patch = nm_req_json(r);
	json_t *merged = nm_merge_patch(current, patch);
	json_decref(current);
	json_t *errors = json_array();
	struct endpoint e;
	bool ok = validate(r, merged, true, json_object_get(patch, "url") != NULL, &e, errors);
	if (ok && strcmp(e.status, "failing") == 0 && json_object_get(patch, "status")) {
		nm_verr_add(errors, "status", "must be active or disabled");
		ok = false;
		json_decref(e.events);
	}
	if (!ok) {
		nm_db_rollback(pg);
		nm_reply_problem(r, NM_P_VALIDATION, errors,
				 "The patched endpoint has %zu invalid field(s).",
				 json_array_size(errors));
	} else {
		json_decref(errors);
		save_patch(r, pg, &e);
		json_decref(e.events);
	}
	nm_db_rollback(pg);
	json_decref(merged);
}

/* DELETE /v1/webhooks/{id} → 204; pending deliveries and the log go with it. */
void nm_h_webhooks_delete(struct nm_req *r)
{
	struct nm_pg *pg = require_unscoped(r) ? nm_req_db(r) : NULL;
	PGresult *res = pg ? load(r, pg, &q_delete) : NULL;
	if (!res)
		return;
	PQclear(res);
	nm_reply_empty(r, 204);
}

static json_t *attempt_json(const PGresult *res, int i)
{
	json_t *o = json_pack(
		"{s:I, s:I, s:s, s:s, s:i, s:s?, s:s}", "id", (json_int_t)nm_db_i64(res, i, 0),
		"delivery_id", (json_int_t)nm_db_i64(res, i, 1), "event_id", PQgetvalue(res, i, 2),
		"event_type", PQgetvalue(res, i, 3), "attempt", (int)nm_db_i64(res, i, 4), "error",
		nm_db_str(res, i, 6), "created_at", PQgetvalue(res, i, 9));
	json_object_set_new(o, "http_status",
			    nm_db_isnull(res, i, 5) ? json_null()
						    : json_integer(nm_db_i64(res, i, 5)));
	json_object_set_new(o, "latency_ms",
			    nm_db_isnull(res, i, 7) ? json_null()
						    : json_real(atof(PQgetvalue(res, i, 7))));
	json_object_set_new(o, "response",
			    nm_db_isnull(res, i, 8) ? json_null()
						    : json_string(PQgetvalue(res, i, 8)));
	json_object_set_new(o, "delivery_state", json_string(PQgetvalue(res, i, 10)));
	return o;
}

/* GET /v1/webhooks/{id}/deliveries: one entry per attempt, newest first. */
void nm_h_webhooks_deliveries(struct nm_req *r)
{
	int limit;
	int64_t after;
	if (!require_unscoped(r) || !nm_req_page(r, &limit, &after))
		return;
	struct nm_pg *pg = nm_req_db(r);
	PGresult *res = pg ? load(r, pg, &q_get) : NULL;
	if (!res)
		return;
	PQclear(res);
	char id[24], a[24], l[16];
	snprintf(id, sizeof id, "%lld", (long long)nm_req_id_param(r, 0));
	snprintf(a, sizeof a, "%lld", (long long)after);
	snprintf(l, sizeof l, "%d", limit + 1);
	const char *p[] = {id, a, l};
	res = nm_db_exec(pg, &q_attempts, p);
	if (!nm_db_ok(res)) {
		nm_reply_db_error(r, res);
		PQclear(res);
		return;
	}
	nm_reply_page(r, res, limit, 0, attempt_json);
}

/* POST /v1/webhooks/{id}/deliveries/{delivery_id}/retry → 202: pending and due now,
 * with the same webhook-id. Also redelivers a delivery that succeeded. */
void nm_h_webhooks_retry(struct nm_req *r)
{
	struct nm_pg *pg = require_unscoped(r) ? nm_req_db(r) : NULL;
	if (!pg)
		return;
	char id[24], did[24];
	snprintf(id, sizeof id, "%lld", (long long)nm_req_id_param(r, 0));
	snprintf(did, sizeof did, "%lld", (long long)nm_req_id_param(r, 1));
	const char *p[] = {id, did};
	PGresult *res = nm_db_exec(pg, &q_retry, p);
	if (!nm_db_ok(res)) {
		nm_reply_db_error(r, res);
	} else if (PQntuples(res) == 0) {
		nm_reply_problem(r, NM_P_NOT_FOUND, NULL, "No delivery %s for webhook endpoint %s.",
				 did, id);
	} else {
		nm_reply_json(r, 202,
			      json_pack("{s:I, s:I, s:s, s:s, s:s, s:i, s:s}", "id",
					(json_int_t)nm_db_i64(res, 0, 0), "endpoint_id",
					(json_int_t)nm_req_id_param(r, 0), "event_id",
					PQgetvalue(res, 0, 1), "event_type", PQgetvalue(res, 0, 2),
					"state", "pending", "attempts", (int)nm_db_i64(res, 0, 3),
					"next_attempt_at", PQgetvalue(res, 0, 4)));
	}
	PQclear(res);
}
