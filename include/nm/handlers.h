/* Route handlers, one file per resource under src/handlers/. The route table
 * (src/http/routes.c) is their only caller. Each replies exactly once through
 * nm/http.h. */
#ifndef NM_HANDLERS_H
#define NM_HANDLERS_H

#include "nm/http.h"

/* Only for the helpers below that still take a database result (handlers/matches.c
 * and handlers/imports.c are moving off them); not defined here. */

/* health.c */
void nm_h_healthz(struct nm_req *r);
void nm_h_readyz(struct nm_req *r);
void nm_h_metrics(struct nm_req *r);
void nm_h_openapi(struct nm_req *r);

/* keys.c */
void nm_h_keys_create(struct nm_req *r);
void nm_h_keys_list(struct nm_req *r);
void nm_h_keys_revoke(struct nm_req *r);

/* sessions.c (the dashboard's sign-in; docs/dashboard.md) */
void nm_h_sessions_create(struct nm_req *r);
void nm_h_sessions_get(struct nm_req *r);
void nm_h_sessions_delete(struct nm_req *r);

/* brands.c */
void nm_h_brands_create(struct nm_req *r);
void nm_h_brands_list(struct nm_req *r);
void nm_h_brands_get(struct nm_req *r);
void nm_h_brands_patch(struct nm_req *r);
void nm_h_brands_delete(struct nm_req *r);

/* creators.c */
void nm_h_creators_upsert(struct nm_req *r);
void nm_h_creators_list(struct nm_req *r);
void nm_h_creators_get(struct nm_req *r);
void nm_h_creators_delete(struct nm_req *r);

/* imports.c: POST /v1/creators/import is a streaming route. */
extern const struct nm_stream_ops nm_import_stream;
void nm_h_imports_create(struct nm_req *r);
void nm_h_imports_list(struct nm_req *r);
void nm_h_imports_get(struct nm_req *r);

/* stats.c: GET /v1/stats, the creator pool's data health (issue 16). */
void nm_h_stats(struct nm_req *r);

/* matches.c */
void nm_h_matches_run(struct nm_req *r);
void nm_h_matches_page(struct nm_req *r);
void nm_h_match_runs_list(struct nm_req *r);
void nm_h_match_run_get(struct nm_req *r);

/* lookalikes.c: creators like one creator, or like a brand's seeds. */
void nm_h_creator_lookalikes(struct nm_req *r);
void nm_h_brand_lookalikes(struct nm_req *r);

/* Budget plans (src/handlers/plans.c) */
void nm_h_plans_create(struct nm_req *r);
void nm_h_plans_list(struct nm_req *r);
void nm_h_plans_get(struct nm_req *r);

/* statuses.c */
void nm_h_statuses_bulk(struct nm_req *r);
void nm_h_status_clear(struct nm_req *r);
void nm_h_status_history(struct nm_req *r);
void nm_h_pipeline(struct nm_req *r);
void nm_h_status_get(struct nm_req *r);
void nm_h_status_put(struct nm_req *r);
void nm_h_status_list(struct nm_req *r);

/* exports.c: CSV exports, streamed (docs/api.md "CSV exports"). */
void nm_h_export_creators(struct nm_req *r);
void nm_h_export_pipeline(struct nm_req *r);
void nm_h_export_matches(struct nm_req *r);

/* webhooks.c: outbound endpoints, their attempt log and manual redelivery. */
void nm_h_webhooks_create(struct nm_req *r);
void nm_h_webhooks_list(struct nm_req *r);
void nm_h_webhooks_get(struct nm_req *r);
void nm_h_webhooks_patch(struct nm_req *r);
void nm_h_webhooks_delete(struct nm_req *r);
void nm_h_webhooks_deliveries(struct nm_req *r);
void nm_h_webhooks_retry(struct nm_req *r);
void nm_h_webhooks_rotate(struct nm_req *r);
void nm_h_webhooks_test(struct nm_req *r);
void nm_h_webhooks_replay(struct nm_req *r);
void nm_h_events_list(struct nm_req *r);

/* inbound_sources.c: admin CRUD of inbound event sources. */
void nm_h_inbound_sources_create(struct nm_req *r);
void nm_h_inbound_sources_list(struct nm_req *r);
void nm_h_inbound_sources_get(struct nm_req *r);
void nm_h_inbound_sources_delete(struct nm_req *r);
void nm_h_inbound_sources_events(struct nm_req *r);

/* inbound.c: POST /v1/inbound/{source}, authenticated by its signature. */
void nm_h_inbound_receive(struct nm_req *r);
/* Its header-only checks (begin only), run before the body is buffered. */
extern const struct nm_stream_ops nm_inbound_precheck;

/* Shared by handlers: answers a classified database failure (nm/tx.h), the one mapping of
 * database outcomes to problems: connection loss, timeouts and overload are 503 +
 * Retry-After, unique violations 409, a missing reference 404, anything else our bug. Logs only the
 * SQLSTATE and constraint of a bug, never the server's text. */
struct nm_db_err;
void nm_reply_db_err(struct nm_req *r, const struct nm_db_err *e);

/* 400 bad-query naming the parameter: "<name> <message>." with field and message. */
void nm_reply_bad_query(struct nm_req *r, const char *name, const char *message);

/* Replies {"data", "next_cursor"} from a page the store made; consumes page->data. */
struct nm_page;
void nm_reply_json_page(struct nm_req *r, struct nm_page *page);

/* The start of every list handler: reads ?limit and ?cursor into pr and returns the
 * request's connection; NULL when it has replied (a bad parameter, no connection). */
struct nm_pg;
struct nm_page_req;
struct nm_pg *nm_list_begin(struct nm_req *r, struct nm_page_req *pr);
/* The end of a list handler: the page when ok (consumes page->data), else the failure. */
void nm_reply_list(struct nm_req *r, bool ok, struct nm_page *page, const struct nm_db_err *err);

/* A whole list whose store function takes only the page: reads ?limit and ?cursor, runs
 * list and replies the page or the failure. */
typedef bool (*nm_store_lister)(struct nm_pg *pg, const struct nm_page_req *pr, struct nm_page *out,
				struct nm_db_err *err);
void nm_reply_store_list(struct nm_req *r, nm_store_lister list);

/* Replies status (201 for a new resource) with row, and Location /v1/<collection>/<id>
 * from row's "id". Consumes row. */
void nm_reply_resource(struct nm_req *r, int status, const char *collection, json_t *row);

/* 503 + Retry-After when a transaction could not even begin. */
void nm_reply_db_down(struct nm_req *r);

/* True when the request's key may see brand_id (unscoped keys see every brand). */
bool nm_brand_visible(const struct nm_req *r, int64_t brand_id);
/* True when the key may see the brand and it exists; else replies 404 (or the database
 * failure). */
bool nm_brand_found(struct nm_req *r, struct nm_pg *pg, int64_t brand_id);

/* Brand as replied by the API: the stored canonical doc plus id, timestamps and every
 * field with its effective value. Consumes doc; caller owns the result. */
json_t *nm_brand_reply(json_t *doc, int64_t id, const char *created_at, const char *updated_at);
/* The same from a stored brand (nm/store_brands.h). Consumes row. */
json_t *nm_brand_from_row(json_t *row);

#endif
