/* Unauthenticated operations endpoints (docs/api.md §2). */
#include <stdlib.h>
#include <string.h>

#include "nm/handlers.h"
#include "nm/match_index.h"
#include "nm/openapi.h"
#include "nm/route_metrics.h"
#include "nm/server.h"
#include "nm/stats_gauges.h"
#include "nm/store.h"

/* GET /healthz → 200 while the process runs; never touches the database. */
void nm_h_healthz(struct nm_req *r)
{
	nm_reply_json(r, 200, json_pack("{s:s}", "status", "ok"));
}

/* GET /readyz → 200 when the instance should get traffic: not draining, the primary
 * database answers and is migrated, the ranking index is loaded. Else 503 with
 * Retry-After, which a balancer's health check reads as "take me out". */
void nm_h_readyz(struct nm_req *r)
{
	if (nm_server_stopping() || nm_server_draining()) {
		nm_reply_header(r, "Retry-After", "1");
		nm_reply_problem(r, NM_P_SHUTTING_DOWN, NULL, "The server is shutting down.");
		return;
	}
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return;
	int64_t version;
	struct nm_db_err err;
	if (!nm_store_schema_version(pg, &version, &err)) {
		nm_reply_header(r, "Retry-After", "1");
		nm_reply_problem(r, NM_P_DB_UNAVAILABLE, NULL,
				 "The database is not reachable or not migrated.");
		return;
	}
	if (!nm_index_try_load(pg, 1000)) {
		/* Loading (the warm-up thread keeps trying until it is: nm_index_warm_up). */
		nm_reply_header(r, "Retry-After", "1");
		nm_reply_problem(r, NM_P_NOT_READY, NULL, "The ranking index is not loaded yet.");
		return;
	}
	nm_reply_json(
		r, 200,
		json_pack("{s:s, s:I}", "status", "ready", "schema_version", (json_int_t)version));
}

/* The ranking index of this instance (nm_index_stats): what sets its memory and the
 * ceiling of creators per instance (docs/scaling.md). */
static void index_gauges(struct nm_buf *o)
{
	struct nm_index_stats st;
	nm_index_stats(&st);
	nm_buf_printf(
		o,
		"# HELP nichematch_index_creators Live creators in this instance's ranking "
		"index.\n# TYPE nichematch_index_creators gauge\nnichematch_index_creators "
		"%zu\n# HELP nichematch_index_bytes Memory of the ranking and search index "
		"(nm_index_stats).\n# TYPE nichematch_index_bytes gauge\nnichematch_index_bytes "
		"%zu\n# HELP nichematch_index_terms Distinct terms in the ranking index.\n"
		"# TYPE nichematch_index_terms gauge\nnichematch_index_terms %zu\n"
		"# HELP nichematch_index_postings Postings in the ranking index.\n"
		"# TYPE nichematch_index_postings gauge\nnichematch_index_postings %zu\n",
		st.creators, st.bytes, st.terms, st.postings);
}

/* GET /metrics → Prometheus text format. */
void nm_h_metrics(struct nm_req *r)
{
	size_t len;
	char *text = nm_metrics_render(&len);
	struct nm_buf o = {0};
	if (text) {
		nm_buf_add(&o, text, len);
		free(text);
		nm_stats_gauges_render(&o); /* issue 16: data age and confidence gauges */
		index_gauges(&o);
	}
	if (!text || o.oom) {
		free(o.data);
		nm_reply_problem(r, NM_P_INTERNAL, NULL, "Out of memory.");
		return;
	}
	text = nm_buf_steal(&o, &len);
	nm_reply_text(r, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
}

/* GET /openapi.json → the OpenAPI 3.1 document of exactly the routes we serve. */
void nm_h_openapi(struct nm_req *r)
{
	nm_reply_json(r, 200, nm_openapi_document());
}
