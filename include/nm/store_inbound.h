/* What inbound CRM events (docs/api.md §6) write beyond the brand, creator and status store
 * functions they share with the REST API: the (source, webhook-id) dedupe record, and
 * creators found by their (platform, handle) key. */
#ifndef NM_STORE_INBOUND_H
#define NM_STORE_INBOUND_H

#include <stdbool.h>
#include <stdint.h>

struct nm_pg;
struct nm_db_err;

/* Records event msg_id of source_id on pg's open transaction: true with *fresh false
 * when it was recorded before (a redelivery), true otherwise; false with err. */
bool nm_store_inbound_dedupe(struct nm_pg *pg, int64_t source_id, const char *msg_id,
			     const char *type, bool *fresh, struct nm_db_err *err);

/* Deletes the creator (platform, handle): true with *deleted_id (0 when there was none),
 * false with err. */
bool nm_store_creator_delete_by_key(struct nm_pg *pg, const char *platform, const char *handle,
				    int64_t *deleted_id, struct nm_db_err *err);

/* The id of creator (platform, handle): 0 when none, -1 with err on failure. */
int64_t nm_store_creator_id_by_key(struct nm_pg *pg, const char *platform, const char *handle,
				   struct nm_db_err *err);

/* The id of the creator with this external_id: 0 when none, -2 when several have it, -1
 * with err on failure. */
int64_t nm_store_creator_id_by_external_id(struct nm_pg *pg, const char *external_id,
					   struct nm_db_err *err);

#endif
