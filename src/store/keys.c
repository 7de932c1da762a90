/* API key rows (see nm/store_keys.h). */
#include "nm/store_keys.h"

#include <libpq-fe.h>
#include <stdio.h>

#include "internal.h"
#include "nm/db.h"
#include "nm/store.h"

#define KEY_INSERT                                                                                 \
	"INSERT INTO api_keys (key_hash, prefix, name, role, brand_id) VALUES ($1,$2,$3,$4,$5) "   \
	"RETURNING id, prefix, name, role, brand_id, " NM_SQL_TS("created_at")
/* NOTIFY in the same statement, so every instance forgets its cached check of the key
 * when (and only if) the revocation commits (nm/db_listener.h). */
#define KEY_REVOKE                                                                                 \
	"WITH k AS (UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 "   \
	"RETURNING id) SELECT k.id, pg_notify('nm_invalidate', 'key') FROM k"

static struct nm_sql q_revoke = {"api_keys_revoke", KEY_REVOKE, 1, 0};
static struct nm_sql q_list = {
	"api_keys_list",
	"SELECT id, prefix, name, role, brand_id, " NM_SQL_TS("created_at") ", " NM_SQL_TS(
		"revoked_at") " FROM api_keys WHERE id > $1 ORDER BY id LIMIT $2",
	2, 0};
static struct nm_sql q_lookup = {
	"api_keys_lookup",
	"SELECT id, role, brand_id FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL", 1, 0};

/* Runs one unnamed statement on a standalone connection; NULL with err unless it
 * returned at least one row (NM_DB_NOT_FOUND when none). */
static PGresult *conn_row(PGconn *conn, const char *sql, int n, const char *const *p,
			  struct nm_db_err *err)
{
	return nm_store_expect_row(PQexecParams(conn, sql, n, NULL, p, NULL, NULL, 0), err);
}

json_t *nm_store_key_create_conn(struct pg_conn *conn, const struct nm_key_new *k,
				 struct nm_db_err *err)
{
	char b[24];
	const char *p[] = {k->hash, k->prefix, k->name, k->role,
			   k->brand_id ? nm_store_i64(b, k->brand_id) : NULL};
	PGresult *res = conn_row(conn, KEY_INSERT, 5, p, err);
	if (!res)
		return NULL;
	json_t *o = json_pack(
		"{s:I, s:s, s:s?, s:s, s:o, s:s}", "id", (json_int_t)nm_db_i64(res, 0, 0), "prefix",
		PQgetvalue(res, 0, 1), "name", nm_db_str(res, 0, 2), "role", PQgetvalue(res, 0, 3),
		"brand_id",
		nm_db_isnull(res, 0, 4) ? json_null() : json_integer(nm_db_i64(res, 0, 4)),
		"created_at", PQgetvalue(res, 0, 5));
	PQclear(res);
	return o;
}

json_t *nm_store_key_create(struct nm_pg *pg, const struct nm_key_new *k, struct nm_db_err *err)
{
	return nm_store_key_create_conn(nm_db_conn(pg), k, err);
}

static json_t *key_row(const PGresult *res, int i)
{
	return json_pack("{s:I, s:s, s:s?, s:s, s:o, s:s, s:s?}", "id",
			 (json_int_t)nm_db_i64(res, i, 0), "prefix", PQgetvalue(res, i, 1), "name",
			 nm_db_str(res, i, 2), "role", PQgetvalue(res, i, 3), "brand_id",
			 nm_db_isnull(res, i, 4) ? json_null() : json_integer(nm_db_i64(res, i, 4)),
			 "created_at", PQgetvalue(res, i, 5), "revoked_at", nm_db_str(res, i, 6));
}

bool nm_store_keys_list(struct nm_pg *pg, const struct nm_page_req *pr, struct nm_page *out,
			struct nm_db_err *err)
{
	char a[24], l[24];
	const char *p[] = {nm_store_i64(a, pr->after), nm_store_i64(l, pr->limit + 1)};
	return nm_store_list(pg, &q_list, p, pr->limit, 0, key_row, out, err);
}

json_t *nm_store_keys_table_conn(struct pg_conn *conn, struct nm_db_err *err)
{
	PGresult *res = nm_store_expect_ok(
		PQexec(conn, "SELECT id, prefix, role, coalesce(brand_id::text, '-'), "
			     "coalesce(name, ''), created_at, coalesce(revoked_at::text, '') "
			     "FROM api_keys ORDER BY id"),
		err);
	if (!res)
		return NULL;
	json_t *rows = json_array();
	for (int i = 0; i < PQntuples(res); i++) {
		json_t *row = json_array();
		for (int c = 0; c < 7; c++)
			json_array_append_new(row, json_string(PQgetvalue(res, i, c)));
		json_array_append_new(rows, row);
	}
	PQclear(res);
	return rows;
}

bool nm_store_key_revoke(struct nm_pg *pg, int64_t id, struct nm_db_err *err)
{
	return nm_store_found_id(pg, &q_revoke, id, err);
}

bool nm_store_key_revoke_conn(struct pg_conn *conn, int64_t id, struct nm_db_err *err)
{
	char b[24];
	const char *p[] = {nm_store_i64(b, id)};
	PGresult *res = conn_row(conn, KEY_REVOKE, 1, p, err);
	bool found = res != NULL;
	PQclear(res);
	return found;
}

bool nm_store_key_lookup(struct nm_pg *pg, const char *hash, struct nm_key_found *out,
			 struct nm_db_err *err)
{
	const char *p[] = {hash};
	PGresult *res = nm_store_row(pg, &q_lookup, p, err);
	if (!res)
		return false;
	out->id = nm_db_i64(res, 0, 0);
	snprintf(out->role, sizeof out->role, "%s", PQgetvalue(res, 0, 1));
	out->brand_id = nm_db_i64(res, 0, 2);
	PQclear(res);
	return true;
}
