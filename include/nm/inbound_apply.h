/* Inbound CRM events (docs/api.md §6): the event types and how each is applied. The
 * HTTP side (signature, dedupe, transaction) is src/handlers/inbound.c. */
#ifndef NM_INBOUND_APPLY_H
#define NM_INBOUND_APPLY_H

#include <jansson.h>

struct nm_pg;
struct nm_db_err;

/* Applies an event's data from source (its name, for the status history) on pg's open
 * transaction. Returns the result object (caller owns), or NULL after either appending
 * {"field","message"} errors (fields named as in the REST API; the caller prefixes
 * "data.") with err left NM_DB_OK, or setting err to the database failure (an event
 * that could not be written is NM_DB_UNAVAILABLE). May run more than once (nm_tx_run). */
typedef json_t *(*nm_inbound_apply_fn)(struct nm_pg *pg, const char *source, const json_t *data,
				       json_t *errors, struct nm_db_err *err);

/* The applier of an event type, NULL for an unknown type. */
nm_inbound_apply_fn nm_inbound_applier(const char *type);

#define NM_INBOUND_TYPES                                                                           \
	"creator.upsert, creator.patch, creator.delete, brand.upsert, creator.status"

#endif
