/* API key checks. A key is "nm_" + 32 base64url characters (24 random bytes); the
 * database holds its SHA-256. A string of any other shape is refused before anything
 * else (no hash, no cache, no query). Checked keys, valid or not, are cached for a few
 * seconds (nm/authcache.h) so that a read costs one query, not two, and a repeated bad
 * key costs none. A revocation or brand deletion NOTIFYs every instance, which then
 * forgets its cached checks (nm/db_listener.h); should that notification be lost (the
 * listener reconnecting), NICHEMATCH_AUTH_CACHE_TTL_S still bounds it. */
#include "nm/auth.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "nm/authcache.h"
#include "nm/crypto.h"
#include "nm/db_pool.h"
#include "nm/metrics.h"
#include "nm/store.h"
#include "nm/store_keys.h"
#include "nm/store_sessions.h"

static const char *const role_names[] = {"none", "read", "write", "admin"};

const char *nm_role_name(enum nm_role r)
{
	return (unsigned)r <= NM_ROLE_ADMIN ? role_names[r] : "none";
}

bool nm_role_parse(const char *s, enum nm_role *out)
{
	for (int i = NM_ROLE_READ; i <= NM_ROLE_ADMIN; i++) {
		if (strcmp(s, role_names[i]) == 0) {
			*out = (enum nm_role)i;
			return true;
		}
	}
	return false;
}

void nm_auth_cache_clear(void)
{
	nm_authcache_clear();
}

/* result: a static label string. */
static void count(const char *result)
{
	nm_metrics_add("nichematch_auth_checks_total",
		       "API key checks by how they were answered (db = a database lookup).", result,
		       1);
}

static enum nm_auth_result lookup(const char *hash, int cache_ttl_s, struct nm_auth *out)
{
	uint64_t gen = nm_authcache_generation();
	struct nm_pg *pg = nm_db_acquire();
	if (!pg)
		return NM_AUTH_DB_DOWN;
	count("result=\"db\"");
	struct nm_key_found k;
	struct nm_db_err err;
	enum nm_auth_result ret = NM_AUTH_INVALID;
	if (nm_store_key_lookup(pg, hash, &k, &err)) {
		out->key_id = k.id;
		if (!nm_role_parse(k.role, &out->role))
			out->role = NM_ROLE_NONE;
		out->brand_id = k.brand_id;
		ret = NM_AUTH_OK;
		if (cache_ttl_s > 0)
			nm_authcache_put_valid(hash, out, cache_ttl_s, gen);
	} else if (err.status != NM_DB_NOT_FOUND) {
		ret = NM_AUTH_DB_DOWN;
	} else if (cache_ttl_s > 0) {
		nm_authcache_put_invalid(hash, cache_ttl_s);
	}
	nm_db_release(pg);
	return ret;
}

enum nm_auth_result nm_auth_check(const char *key, int cache_ttl_s, bool lookup_allowed,
				  struct nm_auth *out)
{
	size_t n = strlen(key);
	if (!nm_auth_key_well_formed(key, n)) {
		count("result=\"malformed\"");
		return NM_AUTH_INVALID;
	}
	char hash[65];
	nm_sha256_hex(key, n, hash);
	enum nm_authcache_hit hit =
		cache_ttl_s > 0 ? nm_authcache_get(hash, out) : NM_AUTHCACHE_MISS;
	switch (hit) {
	case NM_AUTHCACHE_VALID:
		count("result=\"cached\"");
		return NM_AUTH_OK;
	case NM_AUTHCACHE_INVALID:
		count("result=\"cached_invalid\"");
		return NM_AUTH_INVALID;
	case NM_AUTHCACHE_HINT:
		break; /* valid lately: worth a query even from a client over its budget */
	case NM_AUTHCACHE_MISS:
		if (!lookup_allowed) {
			count("result=\"refused\"");
			return NM_AUTH_NOT_CHECKED;
		}
		break;
	}
	return lookup(hash, cache_ttl_s, out);
}

bool nm_auth_new_key(char key_out[64], char hash_out[65], char prefix_out[16])
{
	if (!nm_random_token("nm_", 24, key_out, 64))
		return false;
	nm_sha256_hex(key_out, strlen(key_out), hash_out);
	snprintf(prefix_out, 16, "%.11s", key_out);
	return true;
}

bool nm_session_new_token(char tok_out[64], char hash_out[65])
{
	if (!nm_random_token("nms_", 24, tok_out, 64))
		return false;
	nm_sha256_hex(tok_out, strlen(tok_out), hash_out);
	return true;
}

void nm_session_csrf(const char *token, char csrf_out[65])
{
	/* A label of its own, so the CSRF token is not the stored hash of the session. */
	char buf[96];
	int n = snprintf(buf, sizeof buf, "nichematch-csrf\n%s", token);
	nm_sha256_hex(buf, n > 0 && (size_t)n < sizeof buf ? (size_t)n : 0, csrf_out);
	OPENSSL_cleanse(buf, sizeof buf);
}

enum nm_auth_result nm_session_check(const char *token, bool lookup_allowed, struct nm_auth *out,
				     int64_t *session_id)
{
	size_t n = strlen(token);
	if (!nm_session_token_well_formed(token, n)) {
		count("result=\"malformed\"");
		return NM_AUTH_INVALID;
	}
	if (!lookup_allowed) {
		count("result=\"refused\"");
		return NM_AUTH_NOT_CHECKED;
	}
	char hash[65];
	nm_sha256_hex(token, n, hash);
	struct nm_pg *pg = nm_db_acquire();
	if (!pg)
		return NM_AUTH_DB_DOWN;
	count("result=\"session_db\"");
	struct nm_session_found s;
	struct nm_db_err err;
	enum nm_auth_result ret = NM_AUTH_INVALID;
	if (nm_store_session_lookup(pg, hash, &s, &err)) {
		out->key_id = s.key_id;
		if (!nm_role_parse(s.role, &out->role))
			out->role = NM_ROLE_NONE;
		out->brand_id = s.brand_id;
		*session_id = s.id;
		ret = NM_AUTH_OK;
	} else if (err.status != NM_DB_NOT_FOUND) {
		ret = NM_AUTH_DB_DOWN;
	}
	nm_db_release(pg);
	return ret;
}
