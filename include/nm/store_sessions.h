/* Dashboard session rows in PostgreSQL (docs/dashboard.md). The store sees only a
 * session token's SHA-256, never the token; making tokens is nm/session.h's. */
#ifndef NM_STORE_SESSIONS_H
#define NM_STORE_SESSIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct nm_pg;
struct nm_db_err;

/* Inserts a session for key_id living ttl_s seconds and returns what the sign-in reply
 * tells about it (caller owns): {"expires_at", "key":{"id","prefix","name","role",
 * "brand_id"}}; NULL with err (NM_DB_NOT_FOUND: the key is revoked or gone). Also
 * deletes the key's sessions that ended more than a day ago, so the table stays small
 * without a pruner. */
json_t *nm_store_session_create(struct nm_pg *pg, const char *token_hash, int64_t key_id, int ttl_s,
				struct nm_db_err *err);

/* A live session: not revoked, not expired, and its key not revoked. */
struct nm_session_found {
	int64_t id;
	int64_t key_id;
	char role[8];	  /* the key's: "read", "write", "admin" */
	int64_t brand_id; /* 0: unscoped */
};

/* Looks up a live session by its token's hash: true and *out when there is one; false
 * with err NM_DB_NOT_FOUND when none, or the failure. */
bool nm_store_session_lookup(struct nm_pg *pg, const char *token_hash, struct nm_session_found *out,
			     struct nm_db_err *err);

/* The session's reply body (as nm_store_session_create's) for session id, or NULL with
 * err (NM_DB_NOT_FOUND when it is no longer live). */
json_t *nm_store_session_get(struct nm_pg *pg, int64_t id, struct nm_db_err *err);

/* Revokes session id; false with err NM_DB_NOT_FOUND when it is not live. */
bool nm_store_session_revoke(struct nm_pg *pg, int64_t id, struct nm_db_err *err);

#endif
