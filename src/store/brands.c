/* Brand rows (see nm/store_brands.h). */
#include "nm/store_brands.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "nm/db.h"
#include "nm/store.h"

#define BRAND_COLS "id, doc, " NM_SQL_TS("created_at") ", " NM_SQL_TS("updated_at")

static struct nm_sql q_brand_exists = {"store_brand_exists", "SELECT 1 FROM brands WHERE id = $1",
				       1, 0};
static struct nm_sql q_insert = {"brands_insert",
				 "INSERT INTO brands (doc, name, external_id) VALUES ($1::jsonb, "
				 "$2, $3) RETURNING " BRAND_COLS,
				 3, 0};
static struct nm_sql q_get = {"brands_get", "SELECT " BRAND_COLS " FROM brands WHERE id = $1", 1,
			      0};
static struct nm_sql q_get_for_update = {
	"brands_get_for_update", "SELECT " BRAND_COLS " FROM brands WHERE id = $1 FOR UPDATE", 1,
	0};
static struct nm_sql q_list = {"brands_list",
			       "SELECT " BRAND_COLS
			       " FROM brands WHERE id > $1 AND ($3::bigint IS NULL OR id = $3) "
			       "ORDER BY id LIMIT $2",
			       3, 0};
static struct nm_sql q_update = {
	"brands_update",
	"UPDATE brands SET doc = $2::jsonb, name = $3, external_id = $4, updated_at = now() "
	"WHERE id = $1 RETURNING " BRAND_COLS,
	4, 0};
/* Its brand-bound keys go with it (ON DELETE CASCADE): the NOTIFY, delivered at commit,
 * makes every instance forget them (nm/db_listener.h). */
static struct nm_sql q_delete = {"brands_delete",
				 "WITH b AS (DELETE FROM brands WHERE id = $1 RETURNING id) "
				 "SELECT b.id, pg_notify('nm_invalidate', 'brand') FROM b",
				 1, 0};
/* Replace the brand with this external_id, or insert it; (xmax = 0) tells which. */
static struct nm_sql q_upsert_external = {
	"inbound_brand_upsert",
	"INSERT INTO brands (doc, name, external_id) VALUES ($1::jsonb, $2, $3) "
	"ON CONFLICT (external_id) DO UPDATE SET doc = EXCLUDED.doc, name = EXCLUDED.name, "
	"updated_at = now() RETURNING " BRAND_COLS ", (xmax = 0)",
	3, 0};
static struct nm_sql q_id_by_external = {"inbound_brand_id",
					 "SELECT id FROM brands WHERE external_id = $1", 1, 0};

bool nm_store_brand_exists(struct nm_pg *pg, int64_t id, struct nm_db_err *err)
{
	return nm_store_found_id(pg, &q_brand_exists, id, err);
}

/* Row (id, doc, created_at, updated_at) as stored. */
static json_t *brand_row(const PGresult *res, int i)
{
	json_t *doc = json_loads(PQgetvalue(res, i, 1), 0, NULL);
	return json_pack("{s:I, s:o, s:s, s:s}", "id", (json_int_t)nm_db_i64(res, i, 0), "doc",
			 doc ? doc : json_object(), "created_at", PQgetvalue(res, i, 2),
			 "updated_at", PQgetvalue(res, i, 3));
}

/* The one row of q's result as a stored brand, or NULL with err. */
static json_t *one_brand(struct nm_pg *pg, struct nm_sql *q, const char *const *p,
			 struct nm_db_err *err)
{
	return nm_store_one(pg, q, p, brand_row, err);
}

json_t *nm_store_brand_get(struct nm_pg *pg, int64_t id, bool for_update, struct nm_db_err *err)
{
	char b[24];
	const char *p[] = {nm_store_i64(b, id)};
	return one_brand(pg, for_update ? &q_get_for_update : &q_get, p, err);
}

bool nm_store_brands_list(struct nm_pg *pg, int64_t only_id, const struct nm_page_req *pr,
			  struct nm_page *out, struct nm_db_err *err)
{
	char a[24], l[24], o[24];
	const char *p[] = {nm_store_i64(a, pr->after), nm_store_i64(l, pr->limit + 1),
			   only_id ? nm_store_i64(o, only_id) : NULL};
	return nm_store_list(pg, &q_list, p, pr->limit, 0, brand_row, out, err);
}

json_t *nm_store_brand_save(struct nm_pg *pg, int64_t id, const json_t *canonical,
			    struct nm_db_err *err)
{
	char *doc = json_dumps(canonical, JSON_COMPACT | JSON_SORT_KEYS);
	if (!doc) {
		nm_db_err_set(err, NM_DB_ERROR);
		return NULL;
	}
	const char *name = json_string_value(json_object_get(canonical, "name"));
	const char *ext = json_string_value(json_object_get(canonical, "external_id"));
	char b[24];
	json_t *row;
	if (id == 0) {
		const char *p[] = {doc, name, ext};
		row = one_brand(pg, &q_insert, p, err);
	} else {
		const char *p[] = {nm_store_i64(b, id), doc, name, ext};
		row = one_brand(pg, &q_update, p, err);
	}
	free(doc);
	return row;
}

json_t *nm_store_brand_upsert_external(struct nm_pg *pg, const json_t *canonical, bool *inserted,
				       struct nm_db_err *err)
{
	char *doc = json_dumps(canonical, JSON_COMPACT | JSON_SORT_KEYS);
	if (!doc) {
		nm_db_err_set(err, NM_DB_ERROR);
		return NULL;
	}
	const char *p[] = {doc, json_string_value(json_object_get(canonical, "name")),
			   json_string_value(json_object_get(canonical, "external_id"))};
	PGresult *res = nm_store_row(pg, &q_upsert_external, p, err);
	free(doc);
	if (!res)
		return NULL;
	*inserted = strcmp(PQgetvalue(res, 0, 4), "t") == 0;
	json_t *row = brand_row(res, 0);
	PQclear(res);
	return row;
}

bool nm_store_brand_delete(struct nm_pg *pg, int64_t id, struct nm_db_err *err)
{
	return nm_store_found_id(pg, &q_delete, id, err);
}

int64_t nm_store_brand_id_by_external(struct nm_pg *pg, const char *external_id,
				      struct nm_db_err *err)
{
	const char *p[] = {external_id};
	PGresult *res = nm_store_row(pg, &q_id_by_external, p, err);
	if (!res)
		return err->status == NM_DB_NOT_FOUND ? 0 : -1;
	int64_t id = nm_db_i64(res, 0, 0);
	PQclear(res);
	return id;
}
