/* Facts about the database itself (see nm/store.h). */
#include <libpq-fe.h>

#include "internal.h"
#include "nm/db.h"
#include "nm/store.h"

static struct nm_sql q_ready = {"readyz", "SELECT max(version) FROM schema_migrations", 0, 0};

bool nm_store_schema_version(struct nm_pg *pg, int64_t *version, struct nm_db_err *err)
{
	PGresult *res = nm_db_exec(pg, &q_ready, NULL);
	nm_db_err_from(err, res);
	bool ok = err->status == NM_DB_OK && !nm_db_isnull(res, 0, 0);
	if (ok)
		*version = nm_db_i64(res, 0, 0);
	else if (err->status == NM_DB_OK)
		nm_db_err_set(err, NM_DB_NOT_FOUND);
	PQclear(res);
	return ok;
}
