/* API key checks. A key is "nm_" + 32 base64url characters (24 random bytes); the
 * database holds its SHA-256. A string of any other shape is refused before anything
 * else (no hash, no cache, no query). Checked keys, valid or not, are cached for a few
 * seconds (nm/authcache.h) so that a read costs one query, not two, and a repeated bad
 * key costs none; revocation therefore takes effect on other instances within
 * NICHEMATCH_AUTH_CACHE_TTL_S (immediately on the instance that revoked). */
#include "nm/auth.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "nm/authcache.h"
#include "nm/db.h"
#include "nm/metrics.h"
#include "nm/sign.h"

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

static struct nm_sql q_lookup = {
	"api_keys_lookup",
	"SELECT id, role, brand_id FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL", 1, 0};

static enum nm_auth_result lookup(const char *hash, int cache_ttl_s, struct nm_auth *out)
{
	uint64_t gen = nm_authcache_generation();
	struct nm_pg *pg = nm_db_acquire();
	if (!pg)
		return NM_AUTH_DB_DOWN;
	count("result=\"db\"");
	const char *params[] = {hash};
	PGresult *res = nm_db_exec(pg, &q_lookup, params);
	enum nm_auth_result ret = NM_AUTH_INVALID;
	if (!nm_db_ok(res)) {
		ret = NM_AUTH_DB_DOWN;
	} else if (PQntuples(res) == 1) {
		out->key_id = nm_db_i64(res, 0, 0);
		if (!nm_role_parse(PQgetvalue(res, 0, 1), &out->role))
			out->role = NM_ROLE_NONE;
		out->brand_id = nm_db_i64(res, 0, 2);
		ret = NM_AUTH_OK;
		if (cache_ttl_s > 0)
			nm_authcache_put_valid(hash, out, cache_ttl_s, gen);
	} else if (cache_ttl_s > 0) {
		nm_authcache_put_invalid(hash, cache_ttl_s);
	}
	PQclear(res);
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

json_t *nm_auth_create_key(PGconn *conn, enum nm_role role, int64_t brand_id, const char *name,
			   char key_out[64], PGresult **res_out)
{
	*res_out = NULL;
	if (!nm_random_token("nm_", 24, key_out, 64))
		return NULL;
	char hash[65], prefix[16], brand[24];
	nm_sha256_hex(key_out, strlen(key_out), hash);
	snprintf(prefix, sizeof prefix, "%.11s", key_out);
	snprintf(brand, sizeof brand, "%lld", (long long)brand_id);
	const char *params[] = {hash, prefix, name, nm_role_name(role), brand_id ? brand : NULL};
	PGresult *res =
		PQexecParams(conn,
			     "INSERT INTO api_keys (key_hash, prefix, name, role, brand_id) VALUES "
			     "($1,$2,$3,$4,$5) "
			     "RETURNING id, prefix, name, role, brand_id, " NM_SQL_TS("created_at"),
			     5, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		*res_out = res;
		return NULL;
	}
	json_t *o = json_pack(
		"{s:I, s:s, s:s?, s:s, s:o, s:s}", "id", (json_int_t)nm_db_i64(res, 0, 0), "prefix",
		PQgetvalue(res, 0, 1), "name", nm_db_str(res, 0, 2), "role", PQgetvalue(res, 0, 3),
		"brand_id",
		nm_db_isnull(res, 0, 4) ? json_null() : json_integer(nm_db_i64(res, 0, 4)),
		"created_at", PQgetvalue(res, 0, 5));
	PQclear(res);
	return o;
}
