/* API key rows in PostgreSQL (docs/api.md §2). The store sees only a key's SHA-256 and its
 * 11-character prefix, never the key; generating and hashing keys is nm/auth.h's.
 * The _conn variants run on a standalone connection (the `keys` CLI). */
#ifndef NM_STORE_KEYS_H
#define NM_STORE_KEYS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct nm_pg;
struct pg_conn; /* libpq's PGconn */
struct nm_db_err;
struct nm_page_req;
struct nm_page;

/* A new key's row. role is "read", "write" or "admin"; brand_id 0 = unscoped. */
struct nm_key_new {
	const char *hash;   /* hex SHA-256 of the key */
	const char *prefix; /* its first 11 characters */
	const char *name;   /* may be NULL */
	const char *role;
	int64_t brand_id;
};

/* Inserts a key and returns its row as the API replies it (id, prefix, name, role,
 * brand_id, created_at; caller owns), or NULL with err (NM_DB_MISSING_REF: no such
 * brand). */
json_t *nm_store_key_create(struct nm_pg *pg, const struct nm_key_new *k, struct nm_db_err *err);
json_t *nm_store_key_create_conn(struct pg_conn *conn, const struct nm_key_new *k,
				 struct nm_db_err *err);

/* One page of keys by id, without their secret part. */
bool nm_store_keys_list(struct nm_pg *pg, const struct nm_page_req *pr, struct nm_page *out,
			struct nm_db_err *err);

/* Every key for the CLI's table: an array of [id, prefix, role, brand ("-" when
 * none), name ("" when none), created_at, revoked_at ("" when live)] strings (caller
 * owns), or NULL with err. */
json_t *nm_store_keys_table_conn(struct pg_conn *conn, struct nm_db_err *err);

/* Revokes key id (again is fine); false with err NM_DB_NOT_FOUND when there is none. */
bool nm_store_key_revoke(struct nm_pg *pg, int64_t id, struct nm_db_err *err);
bool nm_store_key_revoke_conn(struct pg_conn *conn, int64_t id, struct nm_db_err *err);

/* A live (not revoked) key found by its hash. */
struct nm_key_found {
	int64_t id;
	char role[8];	  /* "read", "write", "admin" */
	int64_t brand_id; /* 0: unscoped */
};

/* Looks up a live key by its hash: true and *out when there is one; false with err
 * NM_DB_NOT_FOUND when none, or the failure. */
bool nm_store_key_lookup(struct nm_pg *pg, const char *hash, struct nm_key_found *out,
			 struct nm_db_err *err);

#endif
