/* Unauthenticated operations endpoints (SPEC §2). */
#include <stdlib.h>
#include <string.h>

#include "nm/db.h"
#include "nm/handlers.h"
#include "nm/metrics.h"
#include "nm/openapi.h"
#include "nm/server.h"

/* GET /healthz → 200 while the process runs; never touches the database. */
void nm_h_healthz(struct nm_req *r)
{
	nm_reply_json(r, 200, json_pack("{s:s}", "status", "ok"));
}

static struct nm_sql q_ready = {"readyz", "SELECT max(version) FROM schema_migrations", 0, 0};

/* GET /readyz → 200 when the database answers and is migrated, else 503. */
void nm_h_readyz(struct nm_req *r)
{
	if (nm_server_stopping()) {
		nm_reply_header(r, "Retry-After", "1");
		nm_reply_problem(r, NM_P_SHUTTING_DOWN, NULL, "The server is shutting down.");
		return;
	}
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return;
	PGresult *res = nm_db_exec(pg, &q_ready, NULL);
	if (!nm_db_ok(res) || nm_db_isnull(res, 0, 0)) {
		nm_reply_header(r, "Retry-After", "1");
		nm_reply_problem(r, NM_P_DB_UNAVAILABLE, NULL,
				 "The database is not reachable or not migrated.");
	} else {
		nm_reply_json(r, 200,
			      json_pack("{s:s, s:I}", "status", "ready", "schema_version",
					(json_int_t)nm_db_i64(res, 0, 0)));
	}
	PQclear(res);
}

/* GET /metrics → Prometheus text format. */
void nm_h_metrics(struct nm_req *r)
{
	size_t len;
	char *text = nm_metrics_render(&len);
	if (!text) {
		nm_reply_problem(r, NM_P_INTERNAL, NULL, "Out of memory.");
		return;
	}
	nm_reply_text(r, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
}

/* GET /openapi.json → the OpenAPI 3.1 document of exactly the routes we serve. */
void nm_h_openapi(struct nm_req *r)
{
	nm_reply_json(r, 200, nm_openapi_document());
}
