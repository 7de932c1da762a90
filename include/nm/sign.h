/* Standard Webhooks signatures (https://www.standardwebhooks.com/): HMAC-SHA256 over
 * "<id>.<timestamp>.<body>" keyed with the secret's bytes, sent as "v1,<base64>".
 * Pure: OpenSSL libcrypto only. The SHA-256, comparison and token helpers it builds on
 * are core's (nm/crypto.h). */
#ifndef NM_SIGN_H
#define NM_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decodes a "whsec_<base64>" secret (the prefix is optional) into key bytes.
 * key must hold 64 bytes. Returns the key length, or -1 when malformed. */
int nm_sign_secret_decode(const char *secret, unsigned char key[64]);

/* Generates "whsec_" + base64 of 24 random bytes (RAND_bytes) into out (>= 64 bytes).
 * Returns false when the random source fails. */
bool nm_sign_secret_generate(char *out, size_t outsz);

/* Computes "v1,<base64 signature>" into out (>= 64 bytes). Returns false on bad secret. */
bool nm_sign_compute(const char *secret, const char *msg_id, int64_t timestamp, const char *body,
		     size_t body_len, char *out, size_t outsz);

/* Verifies a webhook-signature header value, which may hold several space-separated
 * "v1,<sig>" entries (any match passes; other versions ignored), in constant time per
 * entry. Also checks |now - timestamp| <= tolerance_s. Returns 0 when valid,
 * NM_SIGN_BAD_SIGNATURE or NM_SIGN_BAD_TIMESTAMP otherwise. */
#define NM_SIGN_BAD_SIGNATURE 1
#define NM_SIGN_BAD_TIMESTAMP 2
int nm_sign_verify(const char *secret, const char *msg_id, const char *timestamp_header,
		   const char *signature_header, const char *body, size_t body_len, int64_t now,
		   int64_t tolerance_s);

#endif
