/* Unit tests of the API key cache (src/core/authcache.c): the format check that runs
 * before any lookup, valid and invalid entries, the "valid lately" hint, the bound on
 * memory under random keys, and the revocation generation: a lookup that started
 * before a clear (a key revoked, a brand deleted) must not put its result back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "nm/authcache.h"
#include "nm/config.h"
#include "nm/crypto.h"

static void hash_of(const char *key, char hash[65])
{
	nm_sha256_hex(key, strlen(key), hash);
}

static void format_checks(void)
{
	char key[64];
	CHECK(nm_random_token("nm_", 24, key, sizeof key));
	CHECK(strlen(key) == NM_AUTH_KEY_LEN);
	CHECK(nm_auth_key_well_formed(key, strlen(key)));
	for (int i = 0; i < 200; i++) { /* every generated key passes */
		CHECK(nm_random_token("nm_", 24, key, sizeof key));
		CHECK(nm_auth_key_well_formed(key, strlen(key)));
	}
	const char *bad[] = {
		"",
		"x",
		"nm_",
		"nm_definitely_not_a_key_000000000",	  /* 33 characters */
		"nm_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",	  /* 36 */
		"nm_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",	  /* 34 */
		"xx_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",	  /* prefix */
		"NM_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",	  /* prefix is case-sensitive */
		"nm_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",	  /* padding */
		"nm_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+",	  /* standard base64 */
		"nm_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/",	  /* standard base64 */
		"nm_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA ",	  /* space */
		"nm_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\xc3", /* high byte */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK(!nm_auth_key_well_formed(bad[i], strlen(bad[i])));
	CHECK(nm_auth_key_well_formed("nm_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-_", 35));
	/* an embedded NUL within the length is refused */
	char nul[NM_AUTH_KEY_LEN + 1];
	memcpy(nul, "nm_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", sizeof nul);
	CHECK(nm_auth_key_well_formed(nul, NM_AUTH_KEY_LEN));
	nul[20] = '\0';
	CHECK(!nm_auth_key_well_formed(nul, NM_AUTH_KEY_LEN));
}

static void valid_and_invalid(void)
{
	char h1[65], h2[65];
	hash_of("nm_one", h1);
	hash_of("nm_two", h2);
	struct nm_auth a = {7, NM_ROLE_WRITE, 3}, out = {0};
	CHECK(nm_authcache_get(h1, &out) == NM_AUTHCACHE_MISS);
	CHECK(nm_authcache_put_valid(h1, &a, 60, nm_authcache_generation()));
	CHECK(nm_authcache_get(h1, &out) == NM_AUTHCACHE_VALID);
	CHECK(out.key_id == 7 && out.role == NM_ROLE_WRITE && out.brand_id == 3);
	CHECK(nm_authcache_get(h2, &out) == NM_AUTHCACHE_MISS);
	nm_authcache_put_invalid(h2, 60);
	CHECK(nm_authcache_get(h2, &out) == NM_AUTHCACHE_INVALID);
	/* expired: a valid key leaves a hint, an invalid one nothing */
	CHECK(nm_authcache_put_valid(h1, &a, -1, nm_authcache_generation()));
	CHECK(nm_authcache_get(h1, &out) == NM_AUTHCACHE_HINT);
	nm_authcache_put_invalid(h2, -1);
	CHECK(nm_authcache_get(h2, &out) == NM_AUTHCACHE_MISS);
	/* revoked elsewhere: the lookup after the hint found it invalid */
	nm_authcache_put_invalid(h1, 60);
	CHECK(nm_authcache_get(h1, &out) == NM_AUTHCACHE_INVALID);
	nm_authcache_put_invalid(h1, -1);
	CHECK(nm_authcache_get(h1, &out) == NM_AUTHCACHE_MISS);
	/* a clear forgets valid keys and hints, not invalid keys */
	CHECK(nm_authcache_put_valid(h1, &a, 60, nm_authcache_generation()));
	nm_authcache_put_invalid(h2, 60);
	nm_authcache_clear();
	CHECK(nm_authcache_get(h1, &out) == NM_AUTHCACHE_MISS);
	CHECK(nm_authcache_get(h2, &out) == NM_AUTHCACHE_INVALID);
}

/* Item 7 of issue 10: a lookup reads the generation, queries (the key is still valid),
 * meanwhile the key is revoked and the cache cleared, then the lookup puts its result.
 * The put must be refused, else the revoked key works for another TTL. */
static void revocation_during_lookup(void)
{
	char h[65];
	hash_of("nm_revoked_during_lookup", h);
	struct nm_auth a = {9, NM_ROLE_ADMIN, 0}, out;
	uint64_t gen = nm_authcache_generation(); /* the lookup starts */
	nm_authcache_clear();			  /* DELETE /v1/keys/9 on another thread */
	CHECK(!nm_authcache_put_valid(h, &a, 60, gen));
	CHECK(nm_authcache_get(h, &out) == NM_AUTHCACHE_MISS);
	/* a lookup that started after the clear caches as usual */
	CHECK(nm_authcache_put_valid(h, &a, 60, nm_authcache_generation()));
	CHECK(nm_authcache_get(h, &out) == NM_AUTHCACHE_VALID);
	nm_authcache_clear();
}

/* 200,000 random bad keys: the tables are fixed arrays, so this only overwrites; the
 * most recent ones are still found, and a valid key put since is still valid. */
static void bounded_under_random_keys(void)
{
	char key[64], h[65], last[65] = "";
	struct nm_auth a = {1, NM_ROLE_READ, 0}, out;
	char good[65];
	hash_of("nm_the_good_one", good);
	CHECK(nm_authcache_put_valid(good, &a, 60, nm_authcache_generation()));
	int invalid_hits = 0;
	for (int i = 0; i < 200000; i++) {
		snprintf(key, sizeof key, "nm_random_%d", i);
		hash_of(key, h);
		nm_authcache_put_invalid(h, 60);
		memcpy(last, h, sizeof last);
		if (i % 1000 == 999)
			invalid_hits += nm_authcache_get(last, &out) == NM_AUTHCACHE_INVALID;
	}
	CHECK(invalid_hits == 200);
	CHECK(nm_authcache_get(good, &out) == NM_AUTHCACHE_VALID);
}

int main(void)
{
	format_checks();
	valid_and_invalid();
	revocation_during_lookup();
	bounded_under_random_keys();
	CHECK_DONE();
}
