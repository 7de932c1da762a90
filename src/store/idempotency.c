/* Idempotency-Key records (see nm/store_idempotency.h). */
#include "nm/store_idempotency.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "nm/db.h"
#include "nm/store.h"

static struct nm_sql q_claim = {
	"idem_claim",
	"INSERT INTO idempotency_keys (api_key_id, idem_key, method, path, request_hash) "
	"VALUES ($1, $2, $3, $4, $5) ON CONFLICT (api_key_id, idem_key) DO UPDATE "
	"SET method = EXCLUDED.method, path = EXCLUDED.path, request_hash = EXCLUDED.request_hash, "
	"status = 0, content_type = NULL, location = NULL, body = NULL, created_at = now() "
	"WHERE idempotency_keys.created_at < now() - interval '24 hours' "
	"RETURNING 1",
	5, 0};
static struct nm_sql q_get = {
	"idem_get",
	"SELECT request_hash, status, content_type, location, body, method, path "
	"FROM idempotency_keys WHERE api_key_id = $1 AND idem_key = $2",
	2, 0};
static struct nm_sql q_store = {
	"idem_store",
	"UPDATE idempotency_keys SET status = $3, content_type = $4, location = $5, body = $6, "
	"request_hash = $7 WHERE api_key_id = $1 AND idem_key = $2",
	7, 0};
static struct nm_sql q_drop = {
	"idem_drop", "DELETE FROM idempotency_keys WHERE api_key_id = $1 AND idem_key = $2", 2, 0};

/* Runs a statement that returns no rows the caller reads. */
static bool run(struct nm_pg *pg, struct nm_sql *q, const char *const *p, struct nm_db_err *err)
{
	PGresult *res = nm_db_exec(pg, q, p);
	nm_db_err_from(err, res);
	PQclear(res);
	return err->status == NM_DB_OK;
}

bool nm_store_idem_claim(struct nm_pg *pg, int64_t key_id, const char *idem_key, const char *method,
			 const char *path, const char *request_hash, bool *claimed,
			 struct nm_db_err *err)
{
	char k[24];
	const char *p[] = {nm_store_i64(k, key_id), idem_key, method, path, request_hash};
	PGresult *res = nm_db_exec(pg, &q_claim, p);
	nm_db_err_from(err, res);
	*claimed = err->status == NM_DB_OK && PQntuples(res) == 1;
	PQclear(res);
	return err->status == NM_DB_OK;
}

static char *dup_or_null(const PGresult *res, int col)
{
	const char *s = nm_db_str(res, 0, col);
	return s ? strdup(s) : NULL;
}

bool nm_store_idem_get(struct nm_pg *pg, int64_t key_id, const char *idem_key,
		       struct nm_idem_record *out, struct nm_db_err *err)
{
	char k[24];
	const char *p[] = {nm_store_i64(k, key_id), idem_key};
	memset(out, 0, sizeof *out);
	PGresult *res = nm_store_row(pg, &q_get, p, err);
	if (!res)
		return false;
	snprintf(out->request_hash, sizeof out->request_hash, "%s", PQgetvalue(res, 0, 0));
	out->status = atoi(PQgetvalue(res, 0, 1));
	out->content_type = dup_or_null(res, 2);
	out->location = dup_or_null(res, 3);
	out->body = dup_or_null(res, 4);
	out->method = dup_or_null(res, 5);
	out->path = dup_or_null(res, 6);
	PQclear(res);
	return true;
}

void nm_store_idem_record_clear(struct nm_idem_record *rec)
{
	free(rec->content_type);
	free(rec->location);
	free(rec->body);
	free(rec->method);
	free(rec->path);
	memset(rec, 0, sizeof *rec);
}

bool nm_store_idem_store(struct nm_pg *pg, int64_t key_id, const char *idem_key, int status,
			 const char *content_type, const char *location, const char *body,
			 const char *request_hash, struct nm_db_err *err)
{
	char k[24], st[24];
	const char *p[] = {nm_store_i64(k, key_id),
			   idem_key,
			   nm_store_i64(st, status),
			   content_type,
			   location,
			   body,
			   request_hash};
	return run(pg, &q_store, p, err);
}

bool nm_store_idem_drop(struct nm_pg *pg, int64_t key_id, const char *idem_key,
			struct nm_db_err *err)
{
	char k[24];
	const char *p[] = {nm_store_i64(k, key_id), idem_key};
	return run(pg, &q_drop, p, err);
}
