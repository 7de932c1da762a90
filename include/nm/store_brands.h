/* Brand rows in PostgreSQL (docs/api.md §3). A stored brand comes back as
 * {"id", "doc" (the canonical document), "created_at", "updated_at"}; the handler
 * turns it into the reply with nm_brand_reply. */
#ifndef NM_STORE_BRANDS_H
#define NM_STORE_BRANDS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct nm_pg;
struct nm_db_err;
struct nm_page_req;
struct nm_page;

/* One brand as stored (caller owns), or NULL with err (NM_DB_NOT_FOUND when absent).
 * for_update locks the row until the open transaction ends. */
json_t *nm_store_brand_get(struct nm_pg *pg, int64_t id, bool for_update, struct nm_db_err *err);

/* One page of brands by id, as stored; only brand only_id when it is not 0. */
bool nm_store_brands_list(struct nm_pg *pg, int64_t only_id, const struct nm_page_req *pr,
			  struct nm_page *out, struct nm_db_err *err);

/* Writes canonical (borrowed) as brand id, or as a new brand when id is 0. Returns the
 * stored brand (caller owns) or NULL with err (NM_DB_CONFLICT: another brand has this
 * external_id; NM_DB_NOT_FOUND: no brand id). */
json_t *nm_store_brand_save(struct nm_pg *pg, int64_t id, const json_t *canonical,
			    struct nm_db_err *err);

/* Replaces the brand with canonical's external_id, or inserts it (*inserted says which).
 * Returns the stored brand (caller owns) or NULL with err. */
json_t *nm_store_brand_upsert_external(struct nm_pg *pg, const json_t *canonical, bool *inserted,
				       struct nm_db_err *err);

/* Deletes brand id; false with err NM_DB_NOT_FOUND when there was none. */
bool nm_store_brand_delete(struct nm_pg *pg, int64_t id, struct nm_db_err *err);

/* The id of the brand with this external_id: 0 when none, -1 with err on failure. */
int64_t nm_store_brand_id_by_external(struct nm_pg *pg, const char *external_id,
				      struct nm_db_err *err);

#endif
