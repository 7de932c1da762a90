/* API keys (docs/api.md §2): generation, SHA-256 hashing, lookup with a short in-process
 * cache (nm/authcache.h) so that a hot key costs no database round trip and a string
 * that cannot be a key costs none at all. Keys are never stored or logged; only their
 * hash and an 11-character prefix for humans. */
#ifndef NM_AUTH_H
#define NM_AUTH_H

#include <jansson.h>
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

/* Makes a new key (shown once) into key_out (>= 64 bytes), its hex SHA-256 (what the
 * database stores) into hash_out and its first 11 characters (for humans) into
 * prefix_out. False when the random source failed. The row is written by
 * nm/store_keys.h. */
bool nm_auth_new_key(char key_out[64], char hash_out[65], char prefix_out[16]);

/* ---- dashboard sessions (docs/dashboard.md) ---- */

/* The cookie that carries a session token. */
#define NM_SESSION_COOKIE "nm_session"
/* The header a cookie-authenticated unsafe request must carry. */
#define NM_CSRF_HEADER "X-CSRF-Token"

/* Makes a new session token into tok_out (>= 64 bytes) and its hex SHA-256 (what the
 * database stores) into hash_out. False when the random source failed. */
bool nm_session_new_token(char tok_out[64], char hash_out[65]);

/* The session's CSRF token: hex SHA-256 of a label and the session token. Derived, so
 * never stored; unknowable without the (HttpOnly) cookie. */
void nm_session_csrf(const char *token, char csrf_out[65]);

/* Checks a session token: a live session of a live key fills *out (the key's id, role,
 * brand) and *session_id. A token of the wrong shape is NM_AUTH_INVALID with no
 * database work; with lookup_allowed false it is NM_AUTH_NOT_CHECKED (no cache: a
 * sign-out or key revocation takes effect at once). */
enum nm_auth_result nm_session_check(const char *token, bool lookup_allowed, struct nm_auth *out,
				     int64_t *session_id);

#endif
