/* Hashing, comparison and randomness shared by every layer (API keys, idempotency
 * fingerprints, webhook signatures, event ids). Pure: OpenSSL libcrypto only. */
#ifndef NM_CRYPTO_H
#define NM_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

/* Lower-case hex SHA-256 of data into hex (65 bytes). */
void nm_sha256_hex(const void *data, size_t len, char hex[65]);

/* Constant-time equality of two byte strings (false when lengths differ). */
bool nm_ct_equal(const void *a, size_t alen, const void *b, size_t blen);

/* Random token: prefix + base64url of nbytes random bytes, into out. Returns false on
 * RNG failure or when out is too small. Used for API keys ("nm_live_...") and ids. */
bool nm_random_token(const char *prefix, size_t nbytes, char *out, size_t outsz);

/* Base64 of n bytes: the standard or the URL alphabet (64 characters), with or without
 * '=' padding. out must hold nm_b64_encoded_len(n, pad) + 1 bytes (the NUL). */
size_t nm_b64_encoded_len(size_t n, bool pad);
void nm_b64_encode(const unsigned char *src, size_t n, const char *alphabet, bool pad, char *out);

#endif
