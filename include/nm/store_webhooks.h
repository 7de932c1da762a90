/* Outbound webhook endpoints, their attempt log and manual redelivery in PostgreSQL
 * (docs/api.md §6). Rows come back as the API replies them; the signing secret is written
 * but never read back. */
#ifndef NM_STORE_WEBHOOKS_H
#define NM_STORE_WEBHOOKS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct nm_pg;
struct nm_db_err;
struct nm_page_req;
struct nm_page;

/* An endpoint's writable fields. events: a JSON array of event types (borrowed). */
struct nm_webhook_fields {
	const char *url;
	const json_t *events;
	const char *description; /* may be NULL */
	const char *status;	 /* update only: active, disabled, failing */
	const json_t *brand_ids; /* array of brand ids, or NULL for every brand */
};

/* Inserts an endpoint with its signing secret; returns its row (id, url, events,
 * description, status, created_at, updated_at; caller owns) or NULL with err. */
json_t *nm_store_webhook_create(struct nm_pg *pg, const struct nm_webhook_fields *f,
				const char *secret, struct nm_db_err *err);
/* One endpoint (caller owns), or NULL with err (NM_DB_NOT_FOUND when absent).
 * for_update locks it until the open transaction ends. */
json_t *nm_store_webhook_get(struct nm_pg *pg, int64_t id, bool for_update, struct nm_db_err *err);
/* scope: a brand-scoped key's brand (only the endpoints pinned to it), or 0 for all. */
bool nm_store_webhooks_list(struct nm_pg *pg, const struct nm_page_req *pr, int64_t scope,
			    struct nm_page *out, struct nm_db_err *err);
/* Replaces the endpoint's fields; its new row (caller owns) or NULL with err. */
json_t *nm_store_webhook_update(struct nm_pg *pg, int64_t id, const struct nm_webhook_fields *f,
				struct nm_db_err *err);
/* False with err NM_DB_NOT_FOUND when there was none. */
bool nm_store_webhook_delete(struct nm_pg *pg, int64_t id, struct nm_db_err *err);
/* One page of the endpoint's delivery attempts, newest first (pr->after: continue
 * below that attempt id; 0 from the newest). */
bool nm_store_webhook_attempts(struct nm_pg *pg, int64_t id, const struct nm_page_req *pr,
			       struct nm_page *out, struct nm_db_err *err);
/* Makes delivery delivery_id of endpoint id pending and due now (same webhook-id) and
 * wakes a worker at commit. Returns the 202 reply (caller owns) or NULL with err
 * (NM_DB_NOT_FOUND: no such delivery for that endpoint). */
json_t *nm_store_webhook_retry(struct nm_pg *pg, int64_t id, int64_t delivery_id,
			       struct nm_db_err *err);
/* Secret rotation: secret (plain; sealed here) signs from now on, the old one also for
 * overlap_s seconds (0: not at all). The endpoint row (caller owns) or NULL with err. */
json_t *nm_store_webhook_rotate(struct nm_pg *pg, int64_t id, const char *secret, int overlap_s,
				struct nm_db_err *err);
/* Bulk replay: deliveries of endpoint id whose event was created at or after since
 * (timestamptz text) and whose state is state (NULL: any) become pending and due now; how
 * many into *n. */
bool nm_store_webhook_replay(struct nm_pg *pg, int64_t id, const char *since, const char *state,
			     long long *n, struct nm_db_err *err);
/* One page of the event log (GET /v1/events), oldest first after sequence pr->after;
 * brand_id (0: all) and type (NULL: all) filter. */
bool nm_store_events_list(struct nm_pg *pg, const struct nm_page_req *pr, int64_t brand_id,
			  const char *type, struct nm_page *out, struct nm_db_err *err);

#endif
