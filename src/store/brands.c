/* Brand rows (see nm/store.h). */
#include <libpq-fe.h>

#include "internal.h"
#include "nm/db.h"
#include "nm/store.h"

static struct nm_sql q_brand_exists = {"store_brand_exists", "SELECT 1 FROM brands WHERE id = $1",
				       1, 0};

bool nm_store_brand_exists(struct nm_pg *pg, int64_t id, struct nm_db_err *err)
{
	char b[24];
	const char *p[] = {nm_store_i64(b, id)};
	PGresult *res = nm_store_row(pg, &q_brand_exists, p, err);
	bool found = res != NULL;
	PQclear(res);
	return found;
}
