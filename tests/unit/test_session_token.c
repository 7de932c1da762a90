/* Unit tests of the session token shape check (src/core/authcache.c): the check that
 * runs on the nm_session cookie before any hash or query. Every generated token passes;
 * API keys, truncated, padded or foreign-alphabet strings do not. */
#include <string.h>

#include "check.h"
#include "nm/authcache.h"
#include "nm/crypto.h"

int main(void)
{
	char tok[64];
	for (int i = 0; i < 200; i++) {
		CHECK(nm_random_token("nms_", 24, tok, sizeof tok));
		CHECK(strlen(tok) == NM_SESSION_TOKEN_LEN);
		CHECK(nm_session_token_well_formed(tok, strlen(tok)));
		CHECK(!nm_auth_key_well_formed(tok, strlen(tok))); /* a token is not a key */
	}
	char key[64];
	CHECK(nm_random_token("nm_", 24, key, sizeof key));
	CHECK(!nm_session_token_well_formed(key, strlen(key))); /* nor a key a token */
	const char *bad[] = {
		"",
		"nms_",
		"nms_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",	 /* 31 characters */
		"nms_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", /* 33 */
		"nms_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",	 /* padding */
		"nms_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+",	 /* standard alphabet */
		"nms_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA;x",
		"NMS_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"nmx_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK(!nm_session_token_well_formed(bad[i], strlen(bad[i])));
	CHECK(nm_session_token_well_formed("nms_AAAAAAAAAAAAAAAAAAAAAAAAAAA-_zz9", 36));
	CHECK_DONE();
}
