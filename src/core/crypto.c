/* SHA-256, constant-time comparison, random tokens and base64 (see nm/crypto.h).
 *
 * Base64 is done here rather than with EVP_EncodeBlock: that returns padded lengths and
 * knows nothing of base64url, and we want one strict, canonical textual form for
 * secrets, signatures and tokens. */
#include "nm/crypto.h"

#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#define TOKEN_BYTES_MAX 256

static const char b64_url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t nm_b64_encoded_len(size_t n, bool pad)
{
	return pad ? (n + 2) / 3 * 4 : (n * 4 + 2) / 3;
}

void nm_b64_encode(const unsigned char *src, size_t n, const char *alphabet, bool pad, char *out)
{
	size_t o = 0, i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)src[i] << 16 | (uint32_t)src[i + 1] << 8 | src[i + 2];
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = alphabet[v >> 6 & 63];
		out[o++] = alphabet[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)src[i] << 16;
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		if (pad) {
			out[o++] = '=';
			out[o++] = '=';
		}
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)src[i] << 16 | (uint32_t)src[i + 1] << 8;
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = alphabet[v >> 6 & 63];
		if (pad)
			out[o++] = '=';
	}
	out[o] = '\0';
}

void nm_sha256_hex(const void *data, size_t len, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32) {
		/* Only on allocation failure inside OpenSSL; an empty string never equals a
		 * stored hash, so callers fail closed. */
		hex[0] = '\0';
		return;
	}
	for (unsigned int i = 0; i < mdlen; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
}

bool nm_ct_equal(const void *a, size_t alen, const void *b, size_t blen)
{
	/* Lengths are not secret here (signatures and hashes have fixed sizes). */
	if (alen != blen)
		return false;
	return alen == 0 || CRYPTO_memcmp(a, b, alen) == 0;
}

bool nm_random_token(const char *prefix, size_t nbytes, char *out, size_t outsz)
{
	unsigned char raw[TOKEN_BYTES_MAX];
	if (!prefix)
		prefix = "";
	size_t plen = strlen(prefix);
	if (!out || nbytes == 0 || nbytes > sizeof raw)
		return false;
	if (outsz < plen + nm_b64_encoded_len(nbytes, false) + 1)
		return false;
	if (RAND_bytes(raw, (int)nbytes) != 1)
		return false;
	memcpy(out, prefix, plen);
	/* base64url without padding: safe in URLs, headers and shell arguments unquoted. */
	nm_b64_encode(raw, nbytes, b64_url, false, out + plen);
	OPENSSL_cleanse(raw, nbytes);
	return true;
}
