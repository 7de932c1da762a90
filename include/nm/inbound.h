/* Inbound CRM events (SPEC §6): the four event types and how each is applied. The
 * HTTP side (signature, dedupe, transaction) is src/handlers/inbound.c. */
#ifndef NM_INBOUND_H
#define NM_INBOUND_H

#include <jansson.h>
#include <libpq-fe.h>

struct nm_pg;

/* Applies an event's data on pg's open transaction. Returns the result object
 * (caller owns), or NULL after either appending {"field","message"} errors (fields
 * named as in the REST API; the caller prefixes "data.") or, with errors left empty,
 * setting *db_err to the failed result (caller PQclears; NULL when an event could not
 * be written). */
typedef json_t *(*nm_inbound_apply_fn)(struct nm_pg *pg, const json_t *data, json_t *errors,
				       PGresult **db_err);

/* The applier of an event type, NULL for an unknown type. */
nm_inbound_apply_fn nm_inbound_applier(const char *type);

#define NM_INBOUND_TYPES "creator.upsert, creator.delete, brand.upsert, creator.status"

#endif
