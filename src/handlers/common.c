#include <stdio.h>
#include <string.h>

#include "nm/db.h"
#include "nm/handlers.h"
#include "nm/log.h"
#include "nm/store.h"
#include "nm/tx.h"

void nm_reply_db_error(struct nm_req *r, const PGresult *res)
{
	const char *state = nm_db_sqlstate(res);
	if (nm_db_unavailable(res)) {
		nm_reply_header(r, "Retry-After", "1");
		nm_reply_problem(r, NM_P_DB_UNAVAILABLE, NULL,
				 strcmp(state, "57014") == 0
					 ? "The database took too long to answer; retry shortly."
					 : "The database is unreachable; retry shortly.");
		return;
	}
	if (strcmp(state, "23505") == 0) {
		nm_reply_problem(r, NM_P_CONFLICT, NULL,
				 "A resource with the same unique value exists.");
		return;
	}
	char safe[NM_DB_ERR_SAFE_MAX];
	json_t *f = json_pack("{s:s, s:s, s:s}", "request_id", nm_req_request_id(r), "sqlstate",
			      state, "error", nm_db_error_safe(res, NULL, safe, sizeof safe));
	nm_log_json(NM_LOG_ERROR, "database error", f);
	nm_reply_problem(r, NM_P_INTERNAL, NULL, "Internal error (request %s).",
			 nm_req_request_id(r));
}

void nm_reply_db_err(struct nm_req *r, const struct nm_db_err *e)
{
	switch (e->status) {
	case NM_DB_OK:
	case NM_DB_ERROR:
	/* A value the handler validated and the database still refused (a constraint the
	 * server does not know of): our bug, logged by SQLSTATE and constraint, 500. */
	case NM_DB_INVALID:
		break;
	case NM_DB_NOT_FOUND:
		nm_reply_problem(r, NM_P_NOT_FOUND, NULL, "Resource not found.");
		return;
	case NM_DB_CONFLICT:
		nm_reply_problem(r, NM_P_CONFLICT, NULL,
				 "A resource with the same unique value exists.");
		return;
	case NM_DB_MISSING_REF:
		nm_reply_problem(r, NM_P_NOT_FOUND, NULL,
				 "A resource this refers to does not exist.");
		return;
	case NM_DB_RETRY:
	case NM_DB_TIMEOUT:
	case NM_DB_UNAVAILABLE:
		nm_reply_header(r, "Retry-After", "1");
		nm_reply_problem(r, NM_P_DB_UNAVAILABLE, NULL,
				 e->status == NM_DB_TIMEOUT
					 ? "The database took too long to answer; retry shortly."
				 : e->status == NM_DB_RETRY
					 ? "Concurrent changes kept conflicting; retry shortly."
					 : "The database is unreachable; retry shortly.");
		return;
	}
	json_t *f = json_pack("{s:s, s:s, s:s}", "request_id", nm_req_request_id(r), "sqlstate",
			      e->sqlstate, "constraint", e->constraint);
	nm_log_json(NM_LOG_ERROR, "database error", f);
	nm_reply_problem(r, NM_P_INTERNAL, NULL, "Internal error (request %s).",
			 nm_req_request_id(r));
}

void nm_reply_db_down(struct nm_req *r)
{
	nm_reply_header(r, "Retry-After", "1");
	nm_reply_problem(r, NM_P_DB_UNAVAILABLE, NULL,
			 "The database is unreachable; retry shortly.");
}

bool nm_brand_visible(const struct nm_req *r, int64_t brand_id)
{
	const struct nm_auth *a = nm_req_auth(r);
	return a->brand_id == 0 || a->brand_id == brand_id;
}

void nm_reply_page(struct nm_req *r, PGresult *res, int limit, int cursor_col,
		   json_t *(*row)(const PGresult *res, int i))
{
	int n = PQntuples(res);
	json_t *data = json_array();
	for (int i = 0; i < n && i < limit; i++)
		json_array_append_new(data, row(res, i));
	char cur[48];
	json_t *next = n > limit ? json_string(nm_cursor_encode(
					   nm_db_i64(res, limit - 1, cursor_col), cur, sizeof cur))
				 : json_null();
	PQclear(res);
	nm_reply_json(r, 200, json_pack("{s:o, s:o}", "data", data, "next_cursor", next));
}

void nm_reply_json_page(struct nm_req *r, struct nm_page *page)
{
	char cur[48];
	json_t *next = page->next_after
			       ? json_string(nm_cursor_encode(page->next_after, cur, sizeof cur))
			       : json_null();
	nm_reply_json(r, 200, json_pack("{s:o, s:o}", "data", page->data, "next_cursor", next));
	page->data = NULL;
}

void nm_reply_list(struct nm_req *r, struct nm_sql *q, json_t *(*row)(const PGresult *res, int i))
{
	int limit;
	int64_t after;
	if (!nm_req_page(r, &limit, &after))
		return;
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return;
	char a[24], l[16];
	snprintf(a, sizeof a, "%lld", (long long)after);
	snprintf(l, sizeof l, "%d", limit + 1);
	const char *p[] = {a, l};
	PGresult *res = nm_db_exec(pg, q, p);
	if (!nm_db_ok(res)) {
		nm_reply_db_error(r, res);
		PQclear(res);
		return;
	}
	nm_reply_page(r, res, limit, 0, row);
}

PGresult *nm_fetch_by_id(struct nm_req *r, struct nm_sql *q, const char *what)
{
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return NULL;
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)nm_req_id_param(r, 0));
	const char *p[] = {id};
	PGresult *res = nm_db_exec(pg, q, p);
	if (!nm_db_ok(res))
		nm_reply_db_error(r, res);
	else if (PQntuples(res) == 0)
		nm_reply_problem(r, NM_P_NOT_FOUND, NULL, "No %s %s.", what, id);
	else
		return res;
	PQclear(res);
	return NULL;
}

void nm_reply_resource(struct nm_req *r, int status, const char *collection, json_t *row)
{
	char loc[128];
	snprintf(loc, sizeof loc, "/v1/%s/%lld", collection,
		 (long long)json_integer_value(json_object_get(row, "id")));
	nm_reply_header(r, "Location", loc);
	nm_reply_json(r, status, row);
}
