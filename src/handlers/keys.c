/* API keys over HTTP (admin, unscoped keys only): the key is shown once, on create. */
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "nm/auth.h"
#include "nm/db.h"
#include "nm/handlers.h"
#include "nm/verr.h"

static bool require_unscoped(struct nm_req *r)
{
	return nm_require_unscoped(
		r, "Keys are managed with an admin key that is not bound to a brand.");
}

/* POST /v1/keys {"role","brand_id"?,"name"?} → 201 with the key, shown once. */
void nm_h_keys_create(struct nm_req *r)
{
	if (!require_unscoped(r))
		return;
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
	char newkey[64];
	PGresult *res;
	json_t *row = nm_auth_create_key(nm_db_conn(pg), role, brand_id, name, newkey, &res);
	if (!row) {
		if (res && strcmp(nm_db_sqlstate(res), "23503") == 0)
			nm_reply_field_error(r, "brand_id", "no such brand");
		else if (res)
			nm_reply_db_error(r, res);
		else
			nm_reply_problem(r, NM_P_INTERNAL, NULL, "The random source failed.");
		PQclear(res);
		return;
	}
	json_object_set_new(row, "key", json_string(newkey));
	OPENSSL_cleanse(newkey, sizeof newkey);
	nm_reply_secret(r, "key"); /* an Idempotency-Key record keeps it as null */
	nm_reply_resource(r, 201, "keys", row);
}

static struct nm_sql q_list = {
	"api_keys_list",
	"SELECT id, prefix, name, role, brand_id, " NM_SQL_TS("created_at") ", " NM_SQL_TS(
		"revoked_at") " FROM api_keys WHERE id > $1 ORDER BY id LIMIT $2",
	2, 0};

static json_t *key_row(const PGresult *res, int i)
{
	return json_pack("{s:I, s:s, s:s?, s:s, s:o, s:s, s:s?}", "id",
			 (json_int_t)nm_db_i64(res, i, 0), "prefix", PQgetvalue(res, i, 1), "name",
			 nm_db_str(res, i, 2), "role", PQgetvalue(res, i, 3), "brand_id",
			 nm_db_isnull(res, i, 4) ? json_null() : json_integer(nm_db_i64(res, i, 4)),
			 "created_at", PQgetvalue(res, i, 5), "revoked_at", nm_db_str(res, i, 6));
}

/* GET /v1/keys → keys without their secret part. */
void nm_h_keys_list(struct nm_req *r)
{
	if (require_unscoped(r))
		nm_reply_list(r, &q_list, key_row);
}

static struct nm_sql q_revoke = {
	"api_keys_revoke",
	"UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING id",
	1, 0};

/* DELETE /v1/keys/{id} → 204; the key stops working at once on this instance. */
void nm_h_keys_revoke(struct nm_req *r)
{
	if (!require_unscoped(r))
		return;
	PGresult *res = nm_fetch_by_id(r, &q_revoke, "key");
	if (res) {
		nm_auth_cache_clear();
		nm_reply_empty(r, 204);
	}
	PQclear(res);
}
