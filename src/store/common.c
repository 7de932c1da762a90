/* Helpers shared by the store functions (see internal.h). */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

#include "nm/buf.h"
#include "nm/db.h"

void nm_store_page_from(PGresult *res, int limit, int cursor_col,
			json_t *(*row)(const PGresult *res, int i), struct nm_page *out)
{
	int n = PQntuples(res);
	out->data = json_array();
	for (int i = 0; i < n && i < limit; i++)
		json_array_append_new(out->data, row(res, i));
	out->next_after = n > limit ? nm_db_i64(res, limit - 1, cursor_col) : 0;
	PQclear(res);
}

const char *nm_store_i64(char *buf, int64_t v)
{
	snprintf(buf, 24, "%lld", (long long)v);
	return buf;
}

char *nm_store_id_array(const int64_t *ids, size_t n, struct nm_db_err *err)
{
	struct nm_buf b = {0};
	nm_buf_str(&b, "{");
	for (size_t i = 0; i < n; i++) {
		char num[24];
		nm_buf_str(&b, i ? "," : "");
		nm_buf_str(&b, nm_store_i64(num, ids[i]));
	}
	nm_buf_str(&b, "}");
	if (b.oom) {
		free(b.data);
		nm_db_err_set(err, NM_DB_ERROR);
		return NULL;
	}
	return b.data;
}

bool nm_store_list(struct nm_pg *pg, struct nm_sql *q, const char *const *p, int limit,
		   int cursor_col, json_t *(*row)(const PGresult *res, int i), struct nm_page *out,
		   struct nm_db_err *err)
{
	PGresult *res = nm_store_rows(pg, q, p, err);
	if (!res)
		return false;
	nm_store_page_from(res, limit, cursor_col, row, out);
	return true;
}

PGresult *nm_store_rows(struct nm_pg *pg, struct nm_sql *q, const char *const *p,
			struct nm_db_err *err)
{
	return nm_store_expect_ok(nm_db_exec(pg, q, p), err);
}

PGresult *nm_store_expect_ok(PGresult *res, struct nm_db_err *err)
{
	nm_db_err_from(err, res);
	if (err->status == NM_DB_OK)
		return res;
	PQclear(res);
	return NULL;
}

PGresult *nm_store_row(struct nm_pg *pg, struct nm_sql *q, const char *const *p,
		       struct nm_db_err *err)
{
	return nm_store_expect_row(nm_db_exec(pg, q, p), err);
}

PGresult *nm_store_expect_row(PGresult *res, struct nm_db_err *err)
{
	res = nm_store_expect_ok(res, err);
	if (res && PQntuples(res) == 0) {
		nm_db_err_set(err, NM_DB_NOT_FOUND);
		PQclear(res);
		return NULL;
	}
	return res;
}

json_t *nm_store_one(struct nm_pg *pg, struct nm_sql *q, const char *const *p,
		     json_t *(*row)(const PGresult *res, int i), struct nm_db_err *err)
{
	PGresult *res = nm_store_row(pg, q, p, err);
	if (!res)
		return NULL;
	json_t *o = row(res, 0);
	PQclear(res);
	return o;
}

bool nm_store_found(struct nm_pg *pg, struct nm_sql *q, const char *const *p, struct nm_db_err *err)
{
	PGresult *res = nm_store_row(pg, q, p, err);
	bool found = res != NULL;
	PQclear(res);
	return found;
}

bool nm_store_found_id(struct nm_pg *pg, struct nm_sql *q, int64_t id, struct nm_db_err *err)
{
	char b[24];
	const char *p[] = {nm_store_i64(b, id)};
	return nm_store_found(pg, q, p, err);
}
