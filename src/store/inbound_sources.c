/* Inbound source rows (see nm/store_inbound_sources.h). */
#include "nm/store_inbound_sources.h"

#include <libpq-fe.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "nm/db.h"
#include "nm/secretbox.h"
#include "nm/store.h"

#define SOURCE_COLS "id, name, " NM_SQL_TS("created_at") ", scheme, field_map::text"

static struct nm_sql q_insert = {"inbound_sources_insert",
				 "INSERT INTO inbound_sources (name, secret, scheme, field_map) "
				 "VALUES ($1, $2, $3, $4::jsonb) RETURNING " SOURCE_COLS,
				 4, 0};
static struct nm_sql q_get = {"inbound_sources_get",
			      "SELECT " SOURCE_COLS " FROM inbound_sources WHERE id = $1", 1, 0};
static struct nm_sql q_list = {
	"inbound_sources_list",
	"SELECT " SOURCE_COLS " FROM inbound_sources WHERE id > $1 ORDER BY id LIMIT $2", 2, 0};
static struct nm_sql q_delete = {"inbound_sources_delete",
				 "DELETE FROM inbound_sources WHERE id = $1 RETURNING id", 1, 0};
static struct nm_sql q_secret = {
	"inbound_source_secret",
	"SELECT id, secret, scheme, field_map::text FROM inbound_sources WHERE name = $1", 1, 0};

static json_t *source_row(const PGresult *res, int i)
{
	char path[96];
	snprintf(path, sizeof path, "/v1/inbound/%s", PQgetvalue(res, i, 1));
	json_t *map =
		nm_db_isnull(res, i, 4) ? json_null() : json_loads(PQgetvalue(res, i, 4), 0, NULL);
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:o}", "id", (json_int_t)nm_db_i64(res, i, 0),
			 "name", PQgetvalue(res, i, 1), "inbound_path", path, "created_at",
			 PQgetvalue(res, i, 2), "scheme", PQgetvalue(res, i, 3), "field_map",
			 map ? map : json_null());
}

static json_t *one_source(struct nm_pg *pg, struct nm_sql *q, const char *const *p,
			  struct nm_db_err *err)
{
	return nm_store_one(pg, q, p, source_row, err);
}

json_t *nm_store_inbound_source_create(struct nm_pg *pg, const char *name, const char *secret,
				       const char *scheme, const json_t *field_map,
				       struct nm_db_err *err)
{
	char *stored = nm_secretbox_seal(secret);
	char *map = field_map ? json_dumps(field_map, JSON_COMPACT) : NULL;
	if (!stored || (field_map && !map)) {
		nm_secretbox_free(stored);
		free(map);
		nm_db_err_set(err, NM_DB_ERROR);
		return NULL;
	}
	const char *p[] = {name, stored, scheme, map};
	json_t *row = one_source(pg, &q_insert, p, err);
	nm_secretbox_free(stored);
	free(map);
	return row;
}

bool nm_store_inbound_sources_list(struct nm_pg *pg, const struct nm_page_req *pr,
				   struct nm_page *out, struct nm_db_err *err)
{
	char a[24], l[24];
	const char *p[] = {nm_store_i64(a, pr->after), nm_store_i64(l, pr->limit + 1)};
	return nm_store_list(pg, &q_list, p, pr->limit, 0, source_row, out, err);
}

json_t *nm_store_inbound_source_get(struct nm_pg *pg, int64_t id, struct nm_db_err *err)
{
	char b[24];
	const char *p[] = {nm_store_i64(b, id)};
	return one_source(pg, &q_get, p, err);
}

bool nm_store_inbound_source_delete(struct nm_pg *pg, int64_t id, struct nm_db_err *err)
{
	return nm_store_found_id(pg, &q_delete, id, err);
}

bool nm_store_inbound_source_secret(struct nm_pg *pg, const char *name, int64_t *id, char **secret,
				    struct nm_db_err *err)
{
	struct nm_inbound_source_auth a;
	bool ok = nm_store_inbound_source_auth(pg, name, &a, err);
	*id = ok ? a.id : 0;
	*secret = ok ? a.secret : NULL;
	if (ok)
		json_decref(a.field_map);
	return ok;
}

bool nm_store_inbound_source_auth(struct nm_pg *pg, const char *name,
				  struct nm_inbound_source_auth *a, struct nm_db_err *err)
{
	memset(a, 0, sizeof *a);
	const char *p[] = {name};
	PGresult *res = nm_store_row(pg, &q_secret, p, err);
	if (!res)
		return false;
	a->id = nm_db_i64(res, 0, 0);
	snprintf(a->scheme, sizeof a->scheme, "%s", PQgetvalue(res, 0, 2));
	a->field_map = nm_db_isnull(res, 0, 3) ? NULL : json_loads(PQgetvalue(res, 0, 3), 0, NULL);
	char **secret = &a->secret;
	/* NULL when a sealed secret cannot be opened (the key changed): an internal error,
	 * not "unknown source", so that the operator sees it. */
	*secret = nm_secretbox_open(PQgetvalue(res, 0, 1));
	PQclear(res);
	if (!*secret) {
		json_decref(a->field_map);
		a->field_map = NULL;
		nm_db_err_set(err, NM_DB_ERROR);
		return false;
	}
	return true;
}

static struct nm_sql q_log = {"inbound_log_insert",
			      "INSERT INTO inbound_log (source_id, msg_id, type, status, errors) "
			      "VALUES ($1, $2, $3, $4, $5::jsonb)",
			      5, 0};

void nm_store_inbound_log(struct nm_pg *pg, int64_t source_id, const char *msg_id, const char *type,
			  const char *status, const json_t *errors)
{
	char b[24];
	char *e = errors ? json_dumps(errors, JSON_COMPACT) : NULL;
	const char *p[] = {nm_store_i64(b, source_id), msg_id, type, status, e};
	PQclear(nm_db_exec(pg, &q_log, p)); /* best effort: the reply already tells the sender */
	free(e);
}

static struct nm_sql q_log_list = {
	"inbound_log_list",
	"SELECT id, msg_id, type, status, errors::text, " NM_SQL_TS(
		"received_at") " FROM inbound_log WHERE source_id = $1 AND ($2::bigint = 0 OR id < "
			       "$2) ORDER BY id DESC LIMIT $3",
	3, 0};

static json_t *log_row(const PGresult *res, int i)
{
	json_t *e =
		nm_db_isnull(res, i, 4) ? json_null() : json_loads(PQgetvalue(res, i, 4), 0, NULL);
	return json_pack("{s:I, s:s, s:s?, s:s, s:o, s:s}", "id", (json_int_t)nm_db_i64(res, i, 0),
			 "msg_id", PQgetvalue(res, i, 1), "type", nm_db_str(res, i, 2), "status",
			 PQgetvalue(res, i, 3), "errors", e ? e : json_null(), "received_at",
			 PQgetvalue(res, i, 5));
}

bool nm_store_inbound_log_list(struct nm_pg *pg, int64_t source_id, const struct nm_page_req *pr,
			       struct nm_page *out, struct nm_db_err *err)
{
	char b[24], a[24], l[24];
	const char *p[] = {nm_store_i64(b, source_id), nm_store_i64(a, pr->after),
			   nm_store_i64(l, pr->limit + 1)};
	return nm_store_list(pg, &q_log_list, p, pr->limit, 0, log_row, out, err);
}

void nm_store_secret_free(char *secret)
{
	if (!secret)
		return;
	OPENSSL_cleanse(secret, strlen(secret));
	free(secret);
}
