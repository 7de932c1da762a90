/* The in-process cache of API key checks (pure: no libpq, no libmicrohttpd), and the
 * key format check that runs before any cache or database lookup.
 *
 * Two fixed-size, direct-mapped tables keyed by the key's hex SHA-256, so memory stays
 * bounded however many distinct keys are tried:
 *   - valid keys (1,024 slots) for a TTL; an expired slot still remembers that its key
 *     was valid lately (a "hint" that lets the key be looked up again while its client
 *     address is over its failure budget);
 *   - invalid keys (4,096 slots) for a TTL, so that a client repeating a bad or revoked
 *     key costs no query. A key never becomes valid again once invalid (keys are random
 *     and revocation is final), so a negative entry cannot hide a good key.
 * A generation counter, bumped by every clear, guards against a lookup that started
 * before a revocation and finishes after it: its result is not cached (the put passes
 * the generation read before the query). Thread-safe. */
#ifndef NM_AUTHCACHE_H
#define NM_AUTHCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nm/http.h"

/* Length of a key: "nm_" + 32 base64url characters (24 random bytes). */
#define NM_AUTH_KEY_LEN 35

/* True when key (n bytes) has the shape `keys create` produces: the "nm_" prefix, then
 * exactly 32 characters of the base64url alphabet. Anything else cannot be a key. */
bool nm_auth_key_well_formed(const char *key, size_t n);

/* Length of a dashboard session token: "nms_" + 32 base64url characters (24 random
 * bytes). */
#define NM_SESSION_TOKEN_LEN 36

/* True when tok (n bytes) has the shape of a session token; anything else costs no
 * query. */
bool nm_session_token_well_formed(const char *tok, size_t n);

enum nm_authcache_hit {
	NM_AUTHCACHE_MISS,    /* nothing known */
	NM_AUTHCACHE_VALID,   /* *out filled; within its TTL */
	NM_AUTHCACHE_INVALID, /* known bad within its TTL */
	NM_AUTHCACHE_HINT     /* was valid, TTL over: look it up again */
};

/* hash: 64 lowercase hex characters. */
enum nm_authcache_hit nm_authcache_get(const char *hash, struct nm_auth *out);

/* The current generation; read it before the database lookup whose result is put. */
uint64_t nm_authcache_generation(void);

/* Stores a valid key for ttl_s seconds unless a clear happened since gen was read.
 * Returns whether it was stored. */
bool nm_authcache_put_valid(const char *hash, const struct nm_auth *a, int ttl_s, uint64_t gen);

/* Stores an invalid key for ttl_s seconds. */
void nm_authcache_put_invalid(const char *hash, int ttl_s);

/* Forgets every valid key and hint and bumps the generation (after a revocation or a
 * brand deletion on this instance). Invalid entries stay: they stay invalid. */
void nm_authcache_clear(void);

#endif
