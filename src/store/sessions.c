/* Dashboard session rows (see nm/store_sessions.h). */
#include "nm/store_sessions.h"

#include <libpq-fe.h>
#include <stdio.h>

#include "internal.h"
#include "nm/db.h"
#include "nm/store.h"

/* What a sign-in reply says: the session's expiry and the key's public fields. */
#define SESSION_VIEW NM_SQL_TS("s.expires_at") ", k.id, k.prefix, k.name, k.role, k.brand_id"
#define LIVE	     "s.revoked_at IS NULL AND s.expires_at > now() AND k.revoked_at IS NULL"

static struct nm_sql q_create = {
	"sessions_create",
	"WITH gone AS (DELETE FROM sessions WHERE api_key_id = $2 "
	"  AND coalesce(revoked_at, expires_at) < now() - interval '1 day'), "
	"s AS (INSERT INTO sessions (token_hash, api_key_id, expires_at) "
	"  SELECT $1, id, now() + make_interval(secs => $3::int) FROM api_keys "
	"  WHERE id = $2 AND revoked_at IS NULL RETURNING *) "
	"SELECT " SESSION_VIEW " FROM s JOIN api_keys k ON k.id = s.api_key_id",
	3, 0};
static struct nm_sql q_lookup = {
	"sessions_lookup",
	"SELECT s.id, k.id, k.role, k.brand_id FROM sessions s "
	"JOIN api_keys k ON k.id = s.api_key_id WHERE s.token_hash = $1 AND " LIVE,
	1, 0};
static struct nm_sql q_get = {"sessions_get",
			      "SELECT " SESSION_VIEW " FROM sessions s "
			      "JOIN api_keys k ON k.id = s.api_key_id WHERE s.id = $1 AND " LIVE,
			      1, 0};
static struct nm_sql q_revoke = {
	"sessions_revoke",
	"UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id",
	1, 0};

static json_t *view_row(const PGresult *res, int i)
{
	return json_pack(
		"{s:s, s:{s:I, s:s, s:s?, s:s, s:o}}", "expires_at", PQgetvalue(res, i, 0), "key",
		"id", (json_int_t)nm_db_i64(res, i, 1), "prefix", PQgetvalue(res, i, 2), "name",
		nm_db_str(res, i, 3), "role", PQgetvalue(res, i, 4), "brand_id",
		nm_db_isnull(res, i, 5) ? json_null() : json_integer(nm_db_i64(res, i, 5)));
}

json_t *nm_store_session_create(struct nm_pg *pg, const char *token_hash, int64_t key_id, int ttl_s,
				struct nm_db_err *err)
{
	char k[24], t[24];
	const char *p[] = {token_hash, nm_store_i64(k, key_id), nm_store_i64(t, ttl_s)};
	return nm_store_one(pg, &q_create, p, view_row, err);
}

bool nm_store_session_lookup(struct nm_pg *pg, const char *token_hash, struct nm_session_found *out,
			     struct nm_db_err *err)
{
	const char *p[] = {token_hash};
	PGresult *res = nm_store_row(pg, &q_lookup, p, err);
	if (!res)
		return false;
	out->id = nm_db_i64(res, 0, 0);
	out->key_id = nm_db_i64(res, 0, 1);
	snprintf(out->role, sizeof out->role, "%s", PQgetvalue(res, 0, 2));
	out->brand_id = nm_db_isnull(res, 0, 3) ? 0 : nm_db_i64(res, 0, 3);
	PQclear(res);
	return true;
}

json_t *nm_store_session_get(struct nm_pg *pg, int64_t id, struct nm_db_err *err)
{
	char b[24];
	const char *p[] = {nm_store_i64(b, id)};
	return nm_store_one(pg, &q_get, p, view_row, err);
}

bool nm_store_session_revoke(struct nm_pg *pg, int64_t id, struct nm_db_err *err)
{
	return nm_store_found_id(pg, &q_revoke, id, err);
}
