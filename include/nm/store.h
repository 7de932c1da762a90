/* The store layer: typed functions per resource that own every SQL statement of the
 * service (src/store/<resource>.c; the pool, migrations and transactions are src/db/).
 * A store function runs its statements on a borrowed connection and returns rows as
 * JSON the handler forwards (caller owns), or a status; it never replies and never sees
 * HTTP. Failures come back as a struct nm_db_err (nm/tx.h) that the handler maps to a
 * problem with nm_reply_db_err.
 *
 * Lists page by id: a page request says how many rows and after which id; the page
 * says whether another follows (next_after, the id to continue after; 0 at the end). */
#ifndef NM_STORE_H
#define NM_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "nm/tx.h"

struct nm_pg;

struct nm_page_req {
	int limit;     /* 1..200 */
	int64_t after; /* 0: from the start */
};

struct nm_page {
	json_t *data;	    /* array of rows; caller owns */
	int64_t next_after; /* 0 when this is the last page */
};

/* GET /readyz: the newest applied migration, or false (err set) when the database does
 * not answer or is not migrated (err->status NM_DB_NOT_FOUND). */
bool nm_store_schema_version(struct nm_pg *pg, int64_t *version, struct nm_db_err *err);

/* True when brand id exists; false with err NM_DB_NOT_FOUND when it does not, or the
 * failure. */
bool nm_store_brand_exists(struct nm_pg *pg, int64_t id, struct nm_db_err *err);

/* With NICHEMATCH_SECRETS_KEY set: seals under it every webhook secret (current and
 * previous) and inbound secret stored in clear (written before the key was set) or sealed
 * by a key of NICHEMATCH_SECRETS_KEY_PREVIOUS; *sealed counts them. *unreadable counts
 * values sealed by a key that was not given (left as they are). A no-op without a key. */
bool nm_store_seal_secrets(struct nm_pg *pg, int *sealed, int *unreadable, struct nm_db_err *err);

#endif
