/* Pipeline statuses (docs/api.md §5) in PostgreSQL, shared by PUT .../status and the
 * inbound creator.status event: the member validation and the write + event. */
#ifndef NM_STORE_STATUSES_H
#define NM_STORE_STATUSES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct nm_pg;
struct nm_db_err;

#define NM_STATUS_VALUES "shortlisted, contacted, accepted, declined, excluded"

bool nm_status_valid(const char *s);

/* Validates member key of a status body when it is "status" or "note" (appending
 * errors under the same names, borrowing the strings into *status / *note) and
 * returns true; returns false for any other key, which the caller judges. */
bool nm_status_member(const char *key, const json_t *v, const char **status, const char **note,
		      json_t *errors);

/* Who makes a change, for the history: the API key (0 when none) and a source ("api",
 * "inbound:<name>"). */
struct nm_status_actor {
	int64_t key_id;
	const char *source;
};

/* Locks the statuses of brand_id for the creators in ids (n >= 1) until pg's open
 * transaction ends, so that writers of the same status run one after the other. Under
 * READ COMMITTED every later statement then sees the status the previous writer left:
 * previous_status is exact without SERIALIZABLE, whose false conflicts between writers of
 * different creators of one brand could outlast every retry under load. */
bool nm_store_status_lock(struct nm_pg *pg, int64_t brand_id, const int64_t *ids, size_t n,
			  struct nm_db_err *err);

/* Sets one status on pg's open transaction, records the change in the history and, when
 * the status changed, emits creator.status_changed. Returns the reply row with
 * previous_status (caller owns), or NULL with err (NM_DB_MISSING_REF: no such creator).
 * The caller holds nm_store_status_lock and commits or rolls back (so that
 * previous_status is the status this write replaced). */
struct nm_db_err;
json_t *nm_store_status_write(struct nm_pg *pg, int64_t brand_id, int64_t creator_id,
			      const char *status, const char *note,
			      const struct nm_status_actor *who, struct nm_db_err *err);

/* One status as the list shows it (no previous_status; caller owns), or NULL with err
 * (NM_DB_NOT_FOUND when the creator has no status for the brand). A write that checks
 * If-Match against it reads it under nm_store_status_lock, so that it compares and writes
 * under the one lock. */
json_t *nm_store_status_get(struct nm_pg *pg, int64_t brand_id, int64_t creator_id,
			    struct nm_db_err *err);

/* Bulk: positions (1-based, JSON integers; caller owns) of ids that name no creator. */
bool nm_store_statuses_missing(struct nm_pg *pg, const int64_t *ids, size_t n, json_t **positions,
			       struct nm_db_err *err);
/* Bulk: sets one status on every creator of ids (duplicates once), history and one event
 * per creator whose status changed (*changed counts them). Returns the rows by creator id
 * (caller owns) or NULL with err. */
json_t *nm_store_statuses_write_many(struct nm_pg *pg, int64_t brand_id, const int64_t *ids,
				     size_t n, const char *status, const char *note,
				     const struct nm_status_actor *who, size_t *changed,
				     struct nm_db_err *err);
/* Clears a status (history to NULL, an event with status null). False with err
 * NM_DB_NOT_FOUND when the creator had none. */
bool nm_store_status_clear(struct nm_pg *pg, int64_t brand_id, int64_t creator_id,
			   const struct nm_status_actor *who, struct nm_db_err *err);
/* One page of a pair's history, oldest first. */
struct nm_page_req;
struct nm_page;
bool nm_store_status_history(struct nm_pg *pg, int64_t brand_id, int64_t creator_id,
			     const struct nm_page_req *pr, struct nm_page *out,
			     struct nm_db_err *err);
/* {"brand_id","counts":{status:n},"total","latest_run":{...}|null}; caller owns. */
json_t *nm_store_pipeline_counts(struct nm_pg *pg, int64_t brand_id, struct nm_db_err *err);

/* One page of the brand's pipeline by creator id, only `status` when not NULL. */
struct nm_page_req;
struct nm_page;
struct nm_db_err;
bool nm_store_statuses_list(struct nm_pg *pg, int64_t brand_id, const char *status,
			    const struct nm_page_req *pr, struct nm_page *out,
			    struct nm_db_err *err);

#endif
