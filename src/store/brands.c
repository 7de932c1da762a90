/* Brand rows (see nm/store.h). */
#include <libpq-fe.h>

#include "nm/db.h"
#include "nm/store.h"
#include "page.h"

static struct nm_sql q_brand_exists = {"store_brand_exists", "SELECT 1 FROM brands WHERE id = $1",
				       1, 0};

bool nm_store_brand_exists(struct nm_pg *pg, int64_t id, struct nm_db_err *err)
{
	char b[24];
	const char *p[] = {nm_store_i64(b, id)};
	PGresult *res = nm_db_exec(pg, &q_brand_exists, p);
	nm_db_err_from(err, res);
	bool ok = err->status == NM_DB_OK && PQntuples(res) == 1;
	if (!ok && err->status == NM_DB_OK)
		nm_db_err_set(err, NM_DB_NOT_FOUND);
	PQclear(res);
	return ok;
}
