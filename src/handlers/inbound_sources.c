/* Inbound event sources (SPEC §6): a CRM workflow posts signed events to
 * /v1/inbound/{name}. The secret is generated here and shown once, at creation. */
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "nm/db.h"
#include "nm/handlers.h"
#include "nm/sign.h"
#include "nm/verr.h"

#define SOURCE_COLS "id, name, " NM_SQL_TS("created_at")

static struct nm_sql q_insert = {
	"inbound_sources_insert",
	"INSERT INTO inbound_sources (name, secret) VALUES ($1, $2) RETURNING " SOURCE_COLS, 2, 0};
static struct nm_sql q_get = {"inbound_sources_get",
			      "SELECT " SOURCE_COLS " FROM inbound_sources WHERE id = $1", 1, 0};
static struct nm_sql q_list = {
	"inbound_sources_list",
	"SELECT " SOURCE_COLS " FROM inbound_sources WHERE id > $1 ORDER BY id LIMIT $2", 2, 0};
static struct nm_sql q_delete = {"inbound_sources_delete",
				 "DELETE FROM inbound_sources WHERE id = $1 RETURNING " SOURCE_COLS,
				 1, 0};

static bool require_unscoped(struct nm_req *r)
{
	return nm_require_unscoped(
		r, "Inbound sources are managed with an admin key not bound to a brand.");
}

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

static json_t *row_json(const PGresult *res, int i)
{
	char path[96];
	snprintf(path, sizeof path, "/v1/inbound/%s", PQgetvalue(res, i, 1));
	return json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)nm_db_i64(res, i, 0), "name",
			 PQgetvalue(res, i, 1), "inbound_path", path, "created_at",
			 PQgetvalue(res, i, 2));
}

/* POST /v1/inbound-sources {"name"} → 201 with the secret, shown once; 409 on a
 * duplicate name. */
void nm_h_inbound_sources_create(struct nm_req *r)
{
	if (!require_unscoped(r))
		return;
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
	const char *p[] = {name, secret};
	PGresult *res = nm_db_exec(pg, &q_insert, p);
	if (!nm_db_ok(res)) {
		if (strcmp(nm_db_sqlstate(res), "23505") == 0)
			nm_reply_problem(r, NM_P_CONFLICT,
					 json_pack("[{s:s, s:s}]", "field", "name", "message",
						   "an inbound source already has this name"),
					 "An inbound source named %s already exists.", name);
		else
			nm_reply_db_error(r, res);
		PQclear(res);
		return;
	}
	json_t *row = row_json(res, 0);
	json_object_set_new(row, "secret", json_string(secret));
	OPENSSL_cleanse(secret, sizeof secret);
	PQclear(res);
	nm_reply_secret(r, "secret"); /* an Idempotency-Key record keeps it as null */
	nm_reply_resource(r, 201, "inbound-sources", row);
}

/* GET /v1/inbound-sources */
void nm_h_inbound_sources_list(struct nm_req *r)
{
	if (require_unscoped(r))
		nm_reply_list(r, &q_list, row_json);
}

/* Runs q on {id} and replies 404 when no row came back. */
static PGresult *by_id(struct nm_req *r, struct nm_sql *q)
{
	return require_unscoped(r) ? nm_fetch_by_id(r, q, "inbound source") : NULL;
}

/* GET /v1/inbound-sources/{id} */
void nm_h_inbound_sources_get(struct nm_req *r)
{
	PGresult *res = by_id(r, &q_get);
	if (!res)
		return;
	nm_reply_json(r, 200, row_json(res, 0));
	PQclear(res);
}

/* DELETE /v1/inbound-sources/{id} → 204; its dedupe records go with it. */
void nm_h_inbound_sources_delete(struct nm_req *r)
{
	PGresult *res = by_id(r, &q_delete);
	if (!res)
		return;
	PQclear(res);
	nm_reply_empty(r, 204);
}
