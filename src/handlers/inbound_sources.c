/* Inbound event sources (docs/api.md §6): a CRM workflow posts signed events to
 * /v1/inbound/{name}. The secret is generated here and shown once, at creation. */
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "nm/handlers.h"
#include "nm/sign.h"
#include "nm/store.h"
#include "nm/store_inbound_sources.h"
#include "nm/verr.h"

/* Only keys not bound to a brand reach these handlers: the routes are
 * NM_SCOPE_UNSCOPED (src/http/routes.c) and the dispatcher answers the others. */

static bool name_valid(const char *s, size_t n)
{
	if (n < 1 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      s[i] == '-'))
			return false;
	return true;
}

#define FIELD_MAP_MAX	  100
#define CLIENT_SECRET_MIN 8
#define CLIENT_SECRET_MAX 256

/* {"their_name":"our_name", ...}: at most 100 string pairs of 1 to 64 characters. */
static void check_field_map(json_t *v, json_t *errors)
{
	if (json_is_null(v))
		return;
	if (!json_is_object(v) || json_object_size(v) > FIELD_MAP_MAX) {
		nm_verr_add(errors, "field_map",
			    "must be an object of at most %d \"their_name\":\"our_name\" pairs",
			    FIELD_MAP_MAX);
		return;
	}
	const char *key;
	json_t *to;
	json_object_foreach(v, key, to)
	{
		size_t kl = strlen(key);
		if (kl < 1 || kl > 64 || !json_is_string(to) || json_string_length(to) < 1 ||
		    json_string_length(to) > 64)
			nm_verr_add(errors, "field_map",
				    "%.64s: names must be strings of 1 to 64 characters", key);
	}
}

/* POST /v1/inbound-sources {"name","scheme"?,"secret"?,"field_map"?} → 201 with the
 * secret, shown once; 409 on a duplicate name. scheme hubspot_v3 takes the HubSpot app's
 * client secret in "secret" (HubSpot signs with it); the others get a generated one. */
void nm_h_inbound_sources_create(struct nm_req *r)
{
	json_t *in = nm_req_json(r), *errors = json_array(), *v;
	const char *key, *name = NULL, *scheme = "standard", *given = NULL;
	const json_t *field_map = NULL;
	json_object_foreach(in, key, v)
	{
		if (strcmp(key, "scheme") == 0) {
			scheme = json_string_value(v);
			if (!scheme || (strcmp(scheme, "standard") &&
					strcmp(scheme, "hubspot_v3") && strcmp(scheme, "bearer"))) {
				nm_verr_add(errors, key, "must be standard, hubspot_v3 or bearer");
				scheme = "standard";
			}
		} else if (strcmp(key, "field_map") == 0) {
			check_field_map(v, errors);
			field_map = json_is_object(v) ? v : NULL;
		} else if (strcmp(key, "secret") == 0) {
			given = json_string_value(v);
			if (!given || json_string_length(v) < CLIENT_SECRET_MIN ||
			    json_string_length(v) > CLIENT_SECRET_MAX)
				nm_verr_add(errors, key, "must be a string of %d to %d characters",
					    CLIENT_SECRET_MIN, CLIENT_SECRET_MAX);
		} else if (strcmp(key, "name") == 0) {
			if (json_is_string(v) &&
			    name_valid(json_string_value(v), json_string_length(v)))
				name = json_string_value(v);
			else
				nm_verr_add(errors, "name",
					    "must be 1 to 64 characters of a-z, 0-9, _ and -");
		} else if (!strcmp(key, "id") || !strcmp(key, "created_at") ||
			   !strcmp(key, "inbound_path")) {
			nm_verr_add(errors, key, "read-only field");
		} else {
			nm_verr_add(errors, key, "unknown field");
		}
	}
	if (!json_object_get(in, "name"))
		nm_verr_add(errors, "name", "is required");
	bool hubspot = strcmp(scheme, "hubspot_v3") == 0;
	if (hubspot && !json_object_get(in, "secret"))
		nm_verr_add(errors, "secret",
			    "is required for hubspot_v3: the app's client secret");
	else if (!hubspot && json_object_get(in, "secret"))
		nm_verr_add(errors, "secret", "is generated for %s sources", scheme);
	if (json_array_size(errors)) {
		nm_reply_problem(r, NM_P_VALIDATION, errors,
				 "The inbound source has invalid fields.");
		return;
	}
	json_decref(errors);
	char secret[80];
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return;
	if (hubspot) {
		snprintf(secret, sizeof secret, "%s", "");
	} else if (!nm_sign_secret_generate(secret, sizeof secret)) {
		nm_reply_problem(r, NM_P_INTERNAL, NULL, "The random source failed.");
		return;
	}
	struct nm_db_err err;
	json_t *row = nm_store_inbound_source_create(pg, name, hubspot ? given : secret, scheme,
						     field_map, &err);
	if (!row) {
		OPENSSL_cleanse(secret, sizeof secret);
		if (err.status == NM_DB_CONFLICT)
			nm_reply_problem(r, NM_P_CONFLICT,
					 json_pack("[{s:s, s:s}]", "field", "name", "message",
						   "an inbound source already has this name"),
					 "An inbound source named %s already exists.", name);
		else
			nm_reply_db_err(r, &err);
		return;
	}
	/* A HubSpot client secret is the sender's own: not echoed. */
	json_object_set_new(row, "secret", hubspot ? json_null() : json_string(secret));
	OPENSSL_cleanse(secret, sizeof secret);
	nm_reply_secret(r, "secret"); /* an Idempotency-Key record keeps it as null */
	nm_reply_resource(r, 201, "inbound-sources", row);
}

/* GET /v1/inbound-sources */
void nm_h_inbound_sources_list(struct nm_req *r)
{
	nm_reply_store_list(r, nm_store_inbound_sources_list);
}

static void reply_failed(struct nm_req *r, int64_t id, const struct nm_db_err *err)
{
	if (err->status == NM_DB_NOT_FOUND)
		nm_reply_problem(r, NM_P_NOT_FOUND, NULL, "No inbound source %lld.", (long long)id);
	else
		nm_reply_db_err(r, err);
}

/* GET /v1/inbound-sources/{id} */
void nm_h_inbound_sources_get(struct nm_req *r)
{
	int64_t id = nm_req_id_param(r, 0);
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return;
	struct nm_db_err err;
	json_t *row = nm_store_inbound_source_get(pg, id, &err);
	if (row)
		nm_reply_json(r, 200, row);
	else
		reply_failed(r, id, &err);
}

/* DELETE /v1/inbound-sources/{id} → 204; its dedupe records go with it. */
void nm_h_inbound_sources_delete(struct nm_req *r)
{
	int64_t id = nm_req_id_param(r, 0);
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return;
	struct nm_db_err err;
	if (nm_store_inbound_source_delete(pg, id, &err))
		nm_reply_empty(r, 204);
	else
		reply_failed(r, id, &err);
}

/* GET /v1/inbound-sources/{id}/events: its authenticated events, newest first, with the
 * outcome (applied, duplicate, rejected with the errors). */
void nm_h_inbound_sources_events(struct nm_req *r)
{
	struct nm_page_req pr;
	struct nm_pg *pg = nm_list_begin(r, &pr);
	if (!pg)
		return;
	int64_t id = nm_req_id_param(r, 0);
	struct nm_db_err err;
	json_t *src = nm_store_inbound_source_get(pg, id, &err);
	if (!src) {
		reply_failed(r, id, &err);
		return;
	}
	json_decref(src);
	struct nm_page page;
	nm_reply_list(r, nm_store_inbound_log_list(pg, id, &pr, &page, &err), &page, &err);
}
