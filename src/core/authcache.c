/* See nm/authcache.h. Both tables are direct-mapped: a new entry overwrites whatever
 * shared its slot, which at worst costs one more query later. */
#include "nm/authcache.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

#include "nm/crypto.h"

#define VALID_SLOTS   1024
#define INVALID_SLOTS 4096

static struct valid_entry {
	char hash[65];
	struct nm_auth auth;
	time_t expires;
} valid[VALID_SLOTS];

static struct invalid_entry {
	char hash[65];
	time_t expires;
} invalid[INVALID_SLOTS];

static uint64_t generation;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

/* prefix (plen bytes) then only base64url characters up to n. */
static bool token_shape(const char *tok, size_t n, const char *prefix, size_t plen)
{
	if (memcmp(tok, prefix, plen) != 0)
		return false;
	for (size_t i = plen; i < n; i++) {
		char c = tok[i];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			  (c >= '0' && c <= '9') || c == '-' || c == '_';
		if (!ok)
			return false;
	}
	return true;
}

bool nm_auth_key_well_formed(const char *key, size_t n)
{
	return n == NM_AUTH_KEY_LEN && token_shape(key, n, "nm_", 3);
}

bool nm_session_token_well_formed(const char *tok, size_t n)
{
	return n == NM_SESSION_TOKEN_LEN && token_shape(tok, n, "nms_", 4);
}

static unsigned slot_of(const char *hash, unsigned slots)
{
	unsigned h = 0;
	for (int i = 0; i < 8; i++) {
		char c = hash[i];
		h = h * 16 + (unsigned)(c >= '0' && c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return h % slots;
}

static bool same_hash(const char *stored, const char *hash)
{
	return stored[0] && nm_ct_equal(stored, 64, hash, 64);
}

enum nm_authcache_hit nm_authcache_get(const char *hash, struct nm_auth *out)
{
	time_t now = time(NULL);
	enum nm_authcache_hit hit = NM_AUTHCACHE_MISS;
	struct valid_entry *v = &valid[slot_of(hash, VALID_SLOTS)];
	struct invalid_entry *n = &invalid[slot_of(hash, INVALID_SLOTS)];
	pthread_mutex_lock(&mu);
	bool was_valid = same_hash(v->hash, hash);
	if (was_valid && v->expires > now) {
		*out = v->auth;
		hit = NM_AUTHCACHE_VALID;
	} else if (n->expires > now && same_hash(n->hash, hash)) {
		hit = NM_AUTHCACHE_INVALID;
	} else if (was_valid) {
		hit = NM_AUTHCACHE_HINT;
	}
	pthread_mutex_unlock(&mu);
	return hit;
}

uint64_t nm_authcache_generation(void)
{
	pthread_mutex_lock(&mu);
	uint64_t g = generation;
	pthread_mutex_unlock(&mu);
	return g;
}

bool nm_authcache_put_valid(const char *hash, const struct nm_auth *a, int ttl_s, uint64_t gen)
{
	struct valid_entry *v = &valid[slot_of(hash, VALID_SLOTS)];
	pthread_mutex_lock(&mu);
	/* A clear since gen was read: the lookup may predate a revocation; drop it. */
	bool fresh = gen == generation;
	if (fresh) {
		memcpy(v->hash, hash, 64);
		v->hash[64] = '\0';
		v->auth = *a;
		v->expires = time(NULL) + ttl_s;
	}
	pthread_mutex_unlock(&mu);
	return fresh;
}

void nm_authcache_put_invalid(const char *hash, int ttl_s)
{
	struct invalid_entry *n = &invalid[slot_of(hash, INVALID_SLOTS)];
	struct valid_entry *v = &valid[slot_of(hash, VALID_SLOTS)];
	pthread_mutex_lock(&mu);
	if (same_hash(v->hash, hash))
		memset(v, 0, sizeof *v); /* revoked elsewhere: no longer a hint */
	memcpy(n->hash, hash, 64);
	n->hash[64] = '\0';
	n->expires = time(NULL) + ttl_s;
	pthread_mutex_unlock(&mu);
}

void nm_authcache_clear(void)
{
	pthread_mutex_lock(&mu);
	memset(valid, 0, sizeof valid);
	generation++;
	pthread_mutex_unlock(&mu);
}
