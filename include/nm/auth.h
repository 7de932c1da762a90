/* API keys (SPEC §2): generation, SHA-256 hashing, lookup with a short in-process
 * cache (nm/authcache.h) so that a hot key costs no database round trip and a string
 * that cannot be a key costs none at all. Keys are never stored or logged; only their
 * hash and an 11-character prefix for humans. */
#ifndef NM_AUTH_H
#define NM_AUTH_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "nm/http.h"

struct nm_pg;

enum nm_auth_result {
	NM_AUTH_OK,
	NM_AUTH_INVALID,     /* malformed, unknown or revoked */
	NM_AUTH_DB_DOWN,     /* could not be looked up: answer 503 */
	NM_AUTH_NOT_CHECKED, /* lookup_allowed was false and the cache did not know it */
};

/* Checks a bearer key. On NM_AUTH_OK fills *out. A key of the wrong shape is
 * NM_AUTH_INVALID with no database work. With lookup_allowed false (the client is
 * over its budget of failed checks), only the cache answers, except for a key that was
 * valid lately, which is still looked up. Counts every check in
 * nichematch_auth_checks_total{result=...}. */
enum nm_auth_result nm_auth_check(const char *key, int cache_ttl_s, bool lookup_allowed,
				  struct nm_auth *out);

/* Forgets cached valid keys and makes lookups in flight not cache their result (after a
 * key revocation or a brand deletion on this instance). */
void nm_auth_cache_clear(void);

const char *nm_role_name(enum nm_role r);
bool nm_role_parse(const char *s, enum nm_role *out);

/* Creates a key row and writes the new key (shown once) into key_out (>= 64 bytes).
 * brand_id 0 = unscoped. Returns the created row as JSON (id, prefix, name, role,
 * brand_id, created_at; caller owns), or NULL with res_out set to the failing result
 * (caller PQclears) when the database refused. */
json_t *nm_auth_create_key(PGconn *conn, enum nm_role role, int64_t brand_id, const char *name,
			   char key_out[64], PGresult **res_out);

#endif
