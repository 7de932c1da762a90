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

/* POST /v1/inbound-sources {"name"} → 201 with the secret, shown once; 409 on a
 * duplicate name. */
void nm_h_inbound_sources_create(struct nm_req *r)
{
	json_t *in = nm_req_json(r), *errors = json_array(), *v;
	const char *key, *name = NULL;
	json_object_foreach(in, key, v)
	{
		if (strcmp(key, "name") == 0) {
			if (json_is_string(v) &&
			    name_valid(json_string_value(v), json_string_length(v)))
				name = json_string_value(v);
			else
				nm_verr_add(errors, "name",
					    "must be 1 to 64 characters of a-z, 0-9, _ and -");
		} else if (!strcmp(key, "id") || !strcmp(key, "secret") ||
			   !strcmp(key, "created_at")) {
			nm_verr_add(errors, key, "read-only field");
		} else {
			nm_verr_add(errors, key, "unknown field");
		}
	}
	if (!json_object_get(in, "name"))
		nm_verr_add(errors, "name", "is required");
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
	if (!nm_sign_secret_generate(secret, sizeof secret)) {
		nm_reply_problem(r, NM_P_INTERNAL, NULL, "The random source failed.");
		return;
	}
	struct nm_db_err err;
	json_t *row = nm_store_inbound_source_create(pg, name, secret, &err);
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
	json_object_set_new(row, "secret", json_string(secret));
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
