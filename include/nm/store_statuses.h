/* Pipeline statuses (SPEC §5) in PostgreSQL, shared by PUT .../status and the
 * inbound creator.status event: the member validation and the write + event. */
#ifndef NM_STORE_STATUSES_H
#define NM_STORE_STATUSES_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "nm/db.h"

struct nm_pg;

#define NM_STATUS_VALUES "shortlisted, contacted, accepted, declined, excluded"

bool nm_status_valid(const char *s);

/* Validates member key of a status body when it is "status" or "note" (appending
 * errors under the same names, borrowing the strings into *status / *note) and
 * returns true; returns false for any other key, which the caller judges. */
bool nm_status_member(const char *key, const json_t *v, const char **status, const char **note,
		      json_t *errors);

/* The SELECT list nm_status_row_json reads (creator_statuses s JOIN creators c). */
#define NM_STATUS_COLS                                                                             \
	"s.brand_id, s.creator_id, s.status, s.note, " NM_SQL_TS("s.created_at") ", " NM_SQL_TS(   \
		"s.updated_at") ", c.platform, c.handle, c.display_name, c.followers"

json_t *nm_status_row_json(const PGresult *res, int i); /* caller owns */

/* Sets the status on pg's open transaction and, when it changed, emits
 * creator.status_changed there too. Returns the status reply (with previous_status;
 * caller owns), or NULL with *err set to the failed result (caller PQclears; SQLSTATE
 * 23503 means no such creator or brand) or to NULL when the event could not be
 * written. The caller commits or rolls back. */
json_t *nm_store_status_set(struct nm_pg *pg, int64_t brand_id, int64_t creator_id,
			    const char *status, const char *note, PGresult **err);

/* One page of the brand's pipeline by creator id, only `status` when not NULL. */
struct nm_page_req;
struct nm_page;
struct nm_db_err;
bool nm_store_statuses_list(struct nm_pg *pg, int64_t brand_id, const char *status,
			    const struct nm_page_req *pr, struct nm_page *out,
			    struct nm_db_err *err);

#endif
