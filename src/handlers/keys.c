/* API keys over HTTP (admin, unscoped keys only): the key is shown once, on create. */
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "nm/auth.h"
#include "nm/handlers.h"
#include "nm/store.h"
#include "nm/store_keys.h"
#include "nm/verr.h"

/* Only keys not bound to a brand reach these handlers: the routes are
 * NM_SCOPE_UNSCOPED (src/http/routes.c) and the dispatcher answers the others. */

/* POST /v1/keys {"role","brand_id"?,"name"?} → 201 with the key, shown once. */
void nm_h_keys_create(struct nm_req *r)
{
	json_t *in = nm_req_json(r), *errors = json_array();
	const char *key;
	json_t *v;
	enum nm_role role = NM_ROLE_NONE;
	int64_t brand_id = 0;
	const char *name = NULL;
	json_object_foreach(in, key, v)
	{
		if (strcmp(key, "role") == 0) {
			if (!json_is_string(v) || !nm_role_parse(json_string_value(v), &role))
				nm_verr_add(errors, "role", "must be one of read, write, admin");
		} else if (strcmp(key, "brand_id") == 0) {
			if (json_is_integer(v) && json_integer_value(v) > 0)
				brand_id = json_integer_value(v);
			else if (!json_is_null(v))
				nm_verr_add(errors, "brand_id", "must be a positive integer");
		} else if (strcmp(key, "name") == 0) {
			if (json_is_string(v) && json_string_length(v) >= 1 &&
			    json_string_length(v) <= 200)
				name = json_string_value(v);
			else if (!json_is_null(v))
				nm_verr_add(errors, "name",
					    "must be a string of 1 to 200 characters");
		} else {
			nm_verr_add(errors, key, "unknown field");
		}
	}
	if (role == NM_ROLE_NONE && !json_object_get(in, "role"))
		nm_verr_add(errors, "role", "is required");
	if (json_array_size(errors)) {
		nm_reply_problem(r, NM_P_VALIDATION, errors, "The key request has invalid fields.");
		return;
	}
	json_decref(errors);
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return;
	char newkey[64], hash[65], prefix[16];
	if (!nm_auth_new_key(newkey, hash, prefix)) {
		nm_reply_problem(r, NM_P_INTERNAL, NULL, "The random source failed.");
		return;
	}
	struct nm_key_new k = {hash, prefix, name, nm_role_name(role), brand_id};
	struct nm_db_err err;
	json_t *row = nm_store_key_create(pg, &k, &err);
	if (!row) {
		OPENSSL_cleanse(newkey, sizeof newkey);
		if (err.status == NM_DB_MISSING_REF)
			nm_reply_field_error(r, "brand_id", "no such brand");
		else
			nm_reply_db_err(r, &err);
		return;
	}
	json_object_set_new(row, "key", json_string(newkey));
	OPENSSL_cleanse(newkey, sizeof newkey);
	nm_reply_secret(r, "key"); /* an Idempotency-Key record keeps it as null */
	nm_reply_resource(r, 201, "keys", row);
}

/* GET /v1/keys → keys without their secret part. */
void nm_h_keys_list(struct nm_req *r)
{
	nm_reply_store_list(r, nm_store_keys_list);
}

/* DELETE /v1/keys/{id} → 204; the key stops working at once on this instance. */
void nm_h_keys_revoke(struct nm_req *r)
{
	int64_t id = nm_req_id_param(r, 0);
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return;
	struct nm_db_err err;
	if (nm_store_key_revoke(pg, id, &err)) {
		nm_auth_cache_clear();
		nm_reply_empty(r, 204);
	} else if (err.status == NM_DB_NOT_FOUND) {
		nm_reply_problem(r, NM_P_NOT_FOUND, NULL, "No key %lld.", (long long)id);
	} else {
		nm_reply_db_err(r, &err);
	}
}
