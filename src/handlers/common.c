#include <stdio.h>
#include <string.h>

#include "nm/handlers.h"
#include "nm/log.h"
#include "nm/store.h"
#include "nm/tx.h"

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

bool nm_brand_found(struct nm_req *r, struct nm_pg *pg, int64_t brand_id)
{
	struct nm_db_err err;
	if (nm_brand_visible(r, brand_id) && nm_store_brand_exists(pg, brand_id, &err))
		return true;
	if (!nm_brand_visible(r, brand_id) || err.status == NM_DB_NOT_FOUND)
		nm_reply_problem(r, NM_P_NOT_FOUND, NULL, "No brand %lld.", (long long)brand_id);
	else
		nm_reply_db_err(r, &err);
	return false;
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

void nm_reply_resource(struct nm_req *r, int status, const char *collection, json_t *row)
{
	char loc[128];
	snprintf(loc, sizeof loc, "/v1/%s/%lld", collection,
		 (long long)json_integer_value(json_object_get(row, "id")));
	nm_reply_header(r, "Location", loc);
	nm_reply_json(r, status, row);
}

struct nm_pg *nm_list_begin(struct nm_req *r, struct nm_page_req *pr)
{
	if (!nm_req_page(r, &pr->limit, &pr->after))
		return NULL;
	return nm_req_db(r);
}

void nm_reply_list(struct nm_req *r, bool ok, struct nm_page *page, const struct nm_db_err *err)
{
	if (ok)
		nm_reply_json_page(r, page);
	else
		nm_reply_db_err(r, err);
}

void nm_reply_store_list(struct nm_req *r, nm_store_lister list)
{
	struct nm_page_req pr;
	struct nm_pg *pg = nm_list_begin(r, &pr);
	if (!pg)
		return;
	struct nm_page page;
	struct nm_db_err err;
	nm_reply_list(r, list(pg, &pr, &page, &err), &page, &err);
}

void nm_reply_bad_query(struct nm_req *r, const char *name, const char *message)
{
	nm_reply_problem(r, NM_P_BAD_QUERY,
			 json_pack("[{s:s,s:s}]", "field", name, "message", message), "%s %s.",
			 name, message);
}
