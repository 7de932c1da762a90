/* The transactional outbox (docs/api.md §6): an event is written in the same transaction as
 * the change that caused it, with one pending delivery per subscribed endpoint; the
 * delivery worker sends them after commit. */
#ifndef NM_OUTBOX_H
#define NM_OUTBOX_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct nm_pg;

struct nm_db_err;

/* Records event `type` with payload `data` (borrowed) on pg's open transaction, with
 * what a CRM needs added (docs/webhooks.md, "Payloads": the brand's name and external_id,
 * a status change's creator contact fields and latest score, a run's top 10), fanned out to
 * the endpoints whose type and brand filters match. Returns false when the database
 * refused, with its reason in *err (a serialization failure is NM_DB_RETRY, so that
 * nm_tx_run retries the transaction; out of memory is NM_DB_ERROR); the caller rolls back. */
bool nm_outbox_emit(struct nm_pg *pg, const char *type, const json_t *data, struct nm_db_err *err);

/* webhook.test for endpoint_id only (POST /v1/webhooks/{id}/test): its delivery's id into
 * *delivery_id (0 when the endpoint is disabled). False when the database refused. */
bool nm_outbox_emit_test(struct nm_pg *pg, int64_t endpoint_id, int64_t *delivery_id);

/* import.failed for an import that rolled back (autocommit on pg, failures only logged by
 * the database layer: the imports row already records the failure). */
void nm_outbox_import_failed(struct nm_pg *pg, const char *import_id, const char *failure,
			     long long received, long long rejected);

#endif
