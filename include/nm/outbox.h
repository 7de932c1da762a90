/* The transactional outbox (docs/api.md §6): an event is written in the same transaction as
 * the change that caused it, with one pending delivery per subscribed endpoint; the
 * delivery worker sends them after commit. */
#ifndef NM_OUTBOX_H
#define NM_OUTBOX_H

#include <jansson.h>
#include <stdbool.h>

struct nm_pg;

/* Records event `type` with payload `data` (borrowed) on pg's open transaction.
 * Returns false when the database refused (the caller rolls back). */
bool nm_outbox_emit(struct nm_pg *pg, const char *type, const json_t *data);

#endif
