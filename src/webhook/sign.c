/* Standard Webhooks signing and verification (see nm/sign.h).
 *
 * Base64 is done here rather than with EVP_EncodeBlock/EVP_DecodeBlock: those skip
 * whitespace, return padded lengths and know nothing of base64url, and we want one strict,
 * canonical textual form for secrets and signatures. */
#include "nm/sign.h"
#include "nm/crypto.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#define SECRET_PREFIX	    "whsec_"
#define SECRET_RANDOM_BYTES 24
#define KEY_MAX		    64
#define MAC_LEN		    32
/* "v1," + base64(32 bytes) = 3 + 44, plus the NUL. */
#define SIG_B64_LEN   44
#define SIG_TEXT_SIZE (3 + SIG_B64_LEN + 1)
/* Enough for any int64 in decimal with sign. */
#define TS_DIGITS_MAX 20

static const char b64_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64_std_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Strict standard base64 with padding: no whitespace, no stray '=', and the unused low bits
 * of the last group must be zero, so every byte string has exactly one accepted spelling.
 * Returns the decoded length, or -1 when malformed or longer than cap. */
static int b64_std_decode(const char *src, size_t n, unsigned char *out, size_t cap)
{
	if (n == 0 || n % 4 != 0)
		return -1;
	size_t pad = 0;
	if (src[n - 1] == '=')
		pad = src[n - 2] == '=' ? 2 : 1;
	size_t outlen = n / 4 * 3 - pad;
	if (outlen > cap)
		return -1;
	size_t o = 0;
	for (size_t i = 0; i < n; i += 4) {
		bool last = i + 4 == n;
		int v[4];
		for (size_t k = 0; k < 4; k++) {
			bool is_pad = last && k >= 4 - pad;
			v[k] = is_pad ? 0 : b64_std_value((unsigned char)src[i + k]);
			if (v[k] < 0)
				return -1;
		}
		uint32_t q = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 |
			     (uint32_t)v[3];
		if (last && pad == 2 && (q & 0xffff) != 0)
			return -1;
		if (last && pad == 1 && (q & 0xff) != 0)
			return -1;
		out[o++] = (unsigned char)(q >> 16);
		if (o < outlen)
			out[o++] = (unsigned char)(q >> 8);
		if (o < outlen)
			out[o++] = (unsigned char)q;
	}
	return (int)outlen;
}

int nm_sign_secret_decode(const char *secret, unsigned char key[64])
{
	if (!secret)
		return -1;
	size_t plen = strlen(SECRET_PREFIX);
	if (strncmp(secret, SECRET_PREFIX, plen) == 0)
		secret += plen;
	return b64_std_decode(secret, strlen(secret), key, KEY_MAX);
}

bool nm_sign_secret_generate(char *out, size_t outsz)
{
	unsigned char raw[SECRET_RANDOM_BYTES];
	size_t plen = strlen(SECRET_PREFIX);
	if (!out || outsz < plen + nm_b64_encoded_len(sizeof raw, true) + 1)
		return false;
	if (RAND_bytes(raw, sizeof raw) != 1)
		return false;
	memcpy(out, SECRET_PREFIX, plen);
	nm_b64_encode(raw, sizeof raw, b64_std, true, out + plen);
	OPENSSL_cleanse(raw, sizeof raw);
	return true;
}

/* Fetching the HMAC implementation takes a lock and a provider lookup; do it once.
 * The handle stays reachable from this static until exit. */
static EVP_MAC *hmac_impl;
static pthread_once_t hmac_once = PTHREAD_ONCE_INIT;

static void hmac_fetch(void)
{
	hmac_impl = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

/* HMAC-SHA256 over "<id>.<ts>.<body>", fed piecewise so a 1 MiB body is never copied. */
static bool mac_message(const unsigned char *key, size_t keylen, const char *msg_id,
			int64_t timestamp, const char *body, size_t body_len,
			unsigned char mac[MAC_LEN])
{
	pthread_once(&hmac_once, hmac_fetch);
	if (!hmac_impl)
		return false;
	EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(hmac_impl);
	if (!ctx)
		return false;
	char digest[] = "SHA256";
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
		OSSL_PARAM_construct_end(),
	};
	char ts[TS_DIGITS_MAX + 3];
	int tslen = snprintf(ts, sizeof ts, ".%" PRId64 ".", timestamp);
	size_t maclen = 0;
	bool ok = EVP_MAC_init(ctx, key, keylen, params) == 1 &&
		  EVP_MAC_update(ctx, (const unsigned char *)msg_id, strlen(msg_id)) == 1 &&
		  EVP_MAC_update(ctx, (const unsigned char *)ts, (size_t)tslen) == 1 &&
		  (body_len == 0 ||
		   EVP_MAC_update(ctx, (const unsigned char *)body, body_len) == 1) &&
		  EVP_MAC_final(ctx, mac, &maclen, MAC_LEN) == 1 && maclen == MAC_LEN;
	EVP_MAC_CTX_free(ctx);
	return ok;
}

/* Writes the bare base64 signature (no "v1,") into b64, which holds SIG_B64_LEN + 1. */
static bool signature_b64(const char *secret, const char *msg_id, int64_t timestamp,
			  const char *body, size_t body_len, char b64[SIG_B64_LEN + 1])
{
	unsigned char key[KEY_MAX];
	unsigned char mac[MAC_LEN];
	if (!msg_id || (!body && body_len))
		return false;
	int keylen = nm_sign_secret_decode(secret, key);
	bool ok = keylen > 0 &&
		  mac_message(key, (size_t)keylen, msg_id, timestamp, body, body_len, mac);
	if (ok)
		nm_b64_encode(mac, sizeof mac, b64_std, true, b64);
	OPENSSL_cleanse(key, sizeof key);
	OPENSSL_cleanse(mac, sizeof mac);
	return ok;
}

bool nm_sign_compute(const char *secret, const char *msg_id, int64_t timestamp, const char *body,
		     size_t body_len, char *out, size_t outsz)
{
	char b64[SIG_B64_LEN + 1];
	if (!out || outsz < SIG_TEXT_SIZE)
		return false;
	if (!signature_b64(secret, msg_id, timestamp, body, body_len, b64))
		return false;
	memcpy(out, "v1,", 3);
	memcpy(out + 3, b64, SIG_B64_LEN + 1);
	return true;
}

/* Unix seconds as plain decimal digits only: no sign, no spaces, no overflow. */
static bool parse_timestamp(const char *s, int64_t *out)
{
	if (!s || !*s)
		return false;
	int64_t v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		int d = *s - '0';
		if (v > (INT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

/* |now - ts| <= tolerance without signed overflow, whatever the inputs. */
static bool timestamp_fresh(int64_t ts, int64_t now, int64_t tolerance_s)
{
	uint64_t diff = ts >= now ? (uint64_t)ts - (uint64_t)now : (uint64_t)now - (uint64_t)ts;
	return tolerance_s >= 0 && diff <= (uint64_t)tolerance_s;
}

/* Walks the space-separated entries; only "v1,<sig>" entries count. The loop visits every
 * entry even after a match so the time taken does not reveal which one matched. */
static bool header_has_signature(const char *header, const char expected[SIG_B64_LEN + 1])
{
	bool found = false;
	const char *p = header;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *end = strchr(p, ' ');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len > 3 && memcmp(p, "v1,", 3) == 0)
			found |= nm_ct_equal(p + 3, len - 3, expected, SIG_B64_LEN);
		p += len;
	}
	return found;
}

int nm_sign_verify(const char *secret, const char *msg_id, const char *timestamp_header,
		   const char *signature_header, const char *body, size_t body_len, int64_t now,
		   int64_t tolerance_s)
{
	int64_t ts;
	char expected[SIG_B64_LEN + 1];
	/* Check freshness first: a stale replay is rejected without spending an HMAC on it. */
	if (!parse_timestamp(timestamp_header, &ts) || !timestamp_fresh(ts, now, tolerance_s))
		return NM_SIGN_BAD_TIMESTAMP;
	if (!msg_id || !*msg_id || !signature_header)
		return NM_SIGN_BAD_SIGNATURE;
	if (!signature_b64(secret, msg_id, ts, body, body_len, expected))
		return NM_SIGN_BAD_SIGNATURE;
	return header_has_signature(signature_header, expected) ? 0 : NM_SIGN_BAD_SIGNATURE;
}
