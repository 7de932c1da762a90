/* API key checks. A key is "nm_" + 32 base64url characters (24 random bytes); the
 * database holds its SHA-256. Hot keys are cached for a few seconds so that a read
 * costs one query, not two; revocation therefore takes effect on other instances
 * within NICHEMATCH_AUTH_CACHE_TTL_S (immediately on the instance that revoked). */
#include "nm/auth.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "nm/db.h"
#include "nm/sign.h"

#define CACHE_SLOTS 1024

static struct cache_entry {
	char hash[65];
	struct nm_auth auth;
	time_t expires;
} cache[CACHE_SLOTS];
static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;

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

static unsigned slot_of(const char *hash)
{
	unsigned h = 0;
	for (int i = 0; i < 8; i++)
		h = h * 16 + (unsigned)(hash[i] <= '9' ? hash[i] - '0' : hash[i] - 'a' + 10);
	return h % CACHE_SLOTS;
}

void nm_auth_cache_clear(void)
{
	pthread_mutex_lock(&cache_mu);
	memset(cache, 0, sizeof cache);
	pthread_mutex_unlock(&cache_mu);
}

static bool cache_get(const char *hash, struct nm_auth *out)
{
	bool hit = false;
	struct cache_entry *e = &cache[slot_of(hash)];
	pthread_mutex_lock(&cache_mu);
	if (e->expires > time(NULL) && nm_ct_equal(e->hash, 64, hash, 64)) {
		*out = e->auth;
		hit = true;
	}
	pthread_mutex_unlock(&cache_mu);
	return hit;
}

static void cache_put(const char *hash, const struct nm_auth *a, int ttl)
{
	struct cache_entry *e = &cache[slot_of(hash)];
	pthread_mutex_lock(&cache_mu);
	memcpy(e->hash, hash, 65);
	e->auth = *a;
	e->expires = time(NULL) + ttl;
	pthread_mutex_unlock(&cache_mu);
}

static struct nm_sql q_lookup = {
	"api_keys_lookup",
	"SELECT id, role, brand_id FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL", 1, 0};

enum nm_auth_result nm_auth_check(const char *key, int cache_ttl_s, struct nm_auth *out)
{
	size_t n = strlen(key);
	if (n < 8 || n > 200)
		return NM_AUTH_INVALID;
	char hash[65];
	nm_sha256_hex(key, n, hash);
	if (cache_ttl_s > 0 && cache_get(hash, out))
		return NM_AUTH_OK;
	struct nm_pg *pg = nm_db_acquire();
	if (!pg)
		return NM_AUTH_DB_DOWN;
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
			cache_put(hash, out, cache_ttl_s);
	}
	PQclear(res);
	nm_db_release(pg);
	return ret;
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
