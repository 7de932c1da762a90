/* Inbound event rows (see nm/store_inbound.h). */
#include "nm/store_inbound.h"

#include <libpq-fe.h>

#include "internal.h"
#include "nm/db.h"
#include "nm/store.h"

static struct nm_sql q_dedupe = {
	"inbound_dedupe",
	"INSERT INTO inbound_events (source_id, msg_id, type) VALUES ($1, $2, $3) "
	"ON CONFLICT DO NOTHING RETURNING 1",
	3, 0};
static struct nm_sql q_creator_delete = {
	"inbound_creator_delete",
	"DELETE FROM creators WHERE platform = $1 AND handle = $2 RETURNING id", 2, 0};
static struct nm_sql q_creator_id = {
	"inbound_creator_id", "SELECT id FROM creators WHERE platform = $1 AND handle = $2", 2, 0};

bool nm_store_inbound_dedupe(struct nm_pg *pg, int64_t source_id, const char *msg_id,
			     const char *type, bool *fresh, struct nm_db_err *err)
{
	char b[24];
	const char *p[] = {nm_store_i64(b, source_id), msg_id, type};
	PGresult *res = nm_store_row(pg, &q_dedupe, p, err);
	*fresh = res != NULL;
	PQclear(res);
	if (!res && err->status == NM_DB_NOT_FOUND)
		nm_db_err_set(err, NM_DB_OK); /* no row: recorded before */
	return err->status == NM_DB_OK;
}

bool nm_store_creator_delete_by_key(struct nm_pg *pg, const char *platform, const char *handle,
				    int64_t *deleted_id, struct nm_db_err *err)
{
	const char *p[] = {platform, handle};
	PGresult *res = nm_store_row(pg, &q_creator_delete, p, err);
	*deleted_id = res ? nm_db_i64(res, 0, 0) : 0;
	PQclear(res);
	if (!res && err->status == NM_DB_NOT_FOUND)
		nm_db_err_set(err, NM_DB_OK);
	return err->status == NM_DB_OK;
}

int64_t nm_store_creator_id_by_key(struct nm_pg *pg, const char *platform, const char *handle,
				   struct nm_db_err *err)
{
	const char *p[] = {platform, handle};
	PGresult *res = nm_store_row(pg, &q_creator_id, p, err);
	if (!res)
		return err->status == NM_DB_NOT_FOUND ? 0 : -1;
	int64_t id = nm_db_i64(res, 0, 0);
	PQclear(res);
	return id;
}

/* external_id is not unique: two matches are reported as ambiguous (-2). */
static struct nm_sql q_creator_by_external = {
	"inbound_creator_by_external_id",
	"SELECT id FROM creators WHERE external_id = $1 ORDER BY id LIMIT 2", 1, 0};

int64_t nm_store_creator_id_by_external_id(struct nm_pg *pg, const char *external_id,
					   struct nm_db_err *err)
{
	const char *p[] = {external_id};
	PGresult *res = nm_store_rows(pg, &q_creator_by_external, p, err);
	if (!res)
		return -1;
	int n = PQntuples(res);
	int64_t id = n == 1 ? nm_db_i64(res, 0, 0) : n == 0 ? 0 : -2;
	PQclear(res);
	return id;
}
