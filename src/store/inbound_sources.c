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
				 "DELETE FROM inbound_sources WHERE id = $1 RETURNING id", 1, 0};
static struct nm_sql q_secret = {"inbound_source_secret",
				 "SELECT id, secret FROM inbound_sources WHERE name = $1", 1, 0};

static json_t *source_row(const PGresult *res, int i)
{
	char path[96];
	snprintf(path, sizeof path, "/v1/inbound/%s", PQgetvalue(res, i, 1));
	return json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)nm_db_i64(res, i, 0), "name",
			 PQgetvalue(res, i, 1), "inbound_path", path, "created_at",
			 PQgetvalue(res, i, 2));
}

static json_t *one_source(struct nm_pg *pg, struct nm_sql *q, const char *const *p,
			  struct nm_db_err *err)
{
	return nm_store_one(pg, q, p, source_row, err);
}

json_t *nm_store_inbound_source_create(struct nm_pg *pg, const char *name, const char *secret,
				       struct nm_db_err *err)
{
	char *stored = nm_secretbox_seal(secret);
	if (!stored) {
		nm_db_err_set(err, NM_DB_ERROR);
		return NULL;
	}
	const char *p[] = {name, stored};
	json_t *row = one_source(pg, &q_insert, p, err);
	nm_secretbox_free(stored);
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
	const char *p[] = {name};
	PGresult *res = nm_store_row(pg, &q_secret, p, err);
	if (!res)
		return false;
	*id = nm_db_i64(res, 0, 0);
	/* NULL when a sealed secret cannot be opened (the key changed): an internal error,
	 * not "unknown source", so that the operator sees it. */
	*secret = nm_secretbox_open(PQgetvalue(res, 0, 1));
	PQclear(res);
	if (!*secret) {
		nm_db_err_set(err, NM_DB_ERROR);
		return false;
	}
	return true;
}

void nm_store_secret_free(char *secret)
{
	if (!secret)
		return;
	OPENSSL_cleanse(secret, strlen(secret));
	free(secret);
}
