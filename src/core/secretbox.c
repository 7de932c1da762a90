/* Secrets at rest with AES-256-GCM (see nm/secretbox.h). */
#include "nm/secretbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "nm/crypto.h"

#define KEY_LEN	  32
#define NONCE_LEN 12
#define TAG_LEN	  16
#define MAX_PLAIN 4096

#define MAX_PREVIOUS 8

static unsigned char box_key[KEY_LEN];
static bool box_on;
/* Keys of NICHEMATCH_SECRETS_KEY_PREVIOUS: they open, never seal (docs/security.md §10). */
static unsigned char prev_key[MAX_PREVIOUS][KEY_LEN];
static size_t n_prev;

static const char b64_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Strict base64 (padded) of exactly want bytes into out; false otherwise. */
static bool b64_decode_exact(const char *s, unsigned char *out, size_t want)
{
	size_t n = strlen(s);
	if (n == 0 || n % 4 != 0 || n > 4 * ((MAX_PLAIN + 64) / 3 + 1))
		return false;
	unsigned char *tmp = malloc(n / 4 * 3 + 1);
	if (!tmp)
		return false;
	int got = EVP_DecodeBlock(tmp, (const unsigned char *)s, (int)n);
	size_t pad = (s[n - 1] == '=') + (s[n - 2] == '=');
	bool ok = got >= 0 && (size_t)got >= pad && (size_t)got - pad == want;
	if (ok)
		memcpy(out, tmp, want);
	OPENSSL_cleanse(tmp, n / 4 * 3 + 1);
	free(tmp);
	return ok;
}

/* One key from its text (64 hex digits or base64 of 32 bytes) into out. */
static bool parse_key(const char *text, size_t n, unsigned char *out, const char *name, char *err,
		      size_t errsz)
{
	if (n == 2 * KEY_LEN) {
		for (size_t i = 0; i < KEY_LEN; i++) {
			int hi = hexval(text[2 * i]), lo = hexval(text[2 * i + 1]);
			if (hi < 0 || lo < 0) {
				snprintf(err, errsz, "%s: not hex", name);
				return false;
			}
			out[i] = (unsigned char)(hi << 4 | lo);
		}
		return true;
	}
	char copy[4 * ((KEY_LEN + 2) / 3) + 1];
	if (n < sizeof copy) {
		memcpy(copy, text, n);
		copy[n] = '\0';
		bool ok = b64_decode_exact(copy, out, KEY_LEN);
		OPENSSL_cleanse(copy, sizeof copy);
		if (ok)
			return true;
	}
	snprintf(err, errsz,
		 "%s must be 32 bytes as base64 (44 characters) or hex (64 digits), e.g. from "
		 "`openssl rand -base64 32`",
		 name);
	return false;
}

bool nm_secretbox_configure(const char *key_text, char *err, size_t errsz)
{
	box_on = false;
	n_prev = 0;
	OPENSSL_cleanse(box_key, sizeof box_key);
	OPENSSL_cleanse(prev_key, sizeof prev_key);
	if (!key_text || !*key_text)
		return true;
	if (!parse_key(key_text, strlen(key_text), box_key, "NICHEMATCH_SECRETS_KEY", err, errsz))
		return false;
	box_on = true;
	return true;
}

bool nm_secretbox_configure_previous(const char *list, char *err, size_t errsz)
{
	n_prev = 0;
	OPENSSL_cleanse(prev_key, sizeof prev_key);
	if (!list || !*list)
		return true;
	if (!box_on) {
		snprintf(err, errsz,
			 "NICHEMATCH_SECRETS_KEY_PREVIOUS needs NICHEMATCH_SECRETS_KEY: the "
			 "secrets are sealed again under the current key");
		return false;
	}
	for (const char *p = list; *p;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		while (n && (*p == ' ' || *p == '\t'))
			p++, n--;
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n) {
			if (n_prev == MAX_PREVIOUS) {
				snprintf(err, errsz,
					 "NICHEMATCH_SECRETS_KEY_PREVIOUS: at most %d keys",
					 MAX_PREVIOUS);
				return false;
			}
			if (!parse_key(p, n, prev_key[n_prev], "NICHEMATCH_SECRETS_KEY_PREVIOUS",
				       err, errsz))
				return false;
			n_prev++;
		}
		p = end ? end + 1 : p + strlen(p);
	}
	return true;
}

bool nm_secretbox_enabled(void)
{
	return box_on;
}

bool nm_secretbox_is_sealed(const char *stored)
{
	return stored && strncmp(stored, NM_SECRETBOX_PREFIX, strlen(NM_SECRETBOX_PREFIX)) == 0;
}

char *nm_secretbox_seal(const char *plain)
{
	size_t n = strlen(plain);
	if (!box_on)
		return strdup(plain);
	if (n > MAX_PLAIN)
		return NULL;
	unsigned char raw[NONCE_LEN + MAX_PLAIN + TAG_LEN];
	if (RAND_bytes(raw, NONCE_LEN) != 1)
		return NULL;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int len = 0, fin = 0;
	bool ok = ctx && EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, box_key, raw) == 1 &&
		  EVP_EncryptUpdate(ctx, raw + NONCE_LEN, &len, (const unsigned char *)plain,
				    (int)n) == 1 &&
		  EVP_EncryptFinal_ex(ctx, raw + NONCE_LEN + len, &fin) == 1 &&
		  EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN,
				      raw + NONCE_LEN + len + fin) == 1;
	EVP_CIPHER_CTX_free(ctx);
	size_t total = NONCE_LEN + (size_t)len + (size_t)fin + TAG_LEN;
	char *out = NULL;
	if (ok) {
		size_t plen = strlen(NM_SECRETBOX_PREFIX);
		out = malloc(plen + nm_b64_encoded_len(total, true) + 1);
		if (out) {
			memcpy(out, NM_SECRETBOX_PREFIX, plen);
			nm_b64_encode(raw, total, b64_std, true, out + plen);
		}
	}
	OPENSSL_cleanse(raw, sizeof raw);
	return out;
}

/* The plain text of the sealed value b64 (after the prefix) under key; NULL when it is not
 * a value that key sealed. */
static char *open_with(const unsigned char *key, const char *b64)
{
	size_t n = strlen(b64);
	if (n % 4 != 0 || n / 4 * 3 > NONCE_LEN + MAX_PLAIN + TAG_LEN + 2)
		return NULL;
	unsigned char raw[NONCE_LEN + MAX_PLAIN + TAG_LEN + 3];
	int got = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)n);
	size_t pad = n ? (b64[n - 1] == '=') + (b64[n - 2] == '=') : 0;
	if (got < 0 || (size_t)got < pad + NONCE_LEN + TAG_LEN)
		return NULL;
	size_t total = (size_t)got - pad, clen = total - NONCE_LEN - TAG_LEN;
	char *plain = malloc(clen + 1);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int len = 0, fin = 0;
	bool ok = plain && ctx && EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, raw) == 1 &&
		  EVP_DecryptUpdate(ctx, (unsigned char *)plain, &len, raw + NONCE_LEN,
				    (int)clen) == 1 &&
		  EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, raw + NONCE_LEN + clen) ==
			  1 &&
		  EVP_DecryptFinal_ex(ctx, (unsigned char *)plain + len, &fin) == 1;
	EVP_CIPHER_CTX_free(ctx);
	OPENSSL_cleanse(raw, sizeof raw);
	if (!ok) {
		if (plain) {
			OPENSSL_cleanse(plain, clen + 1);
			free(plain);
		}
		return NULL;
	}
	plain[len + fin] = '\0';
	/* A secret holds no NUL: one inside means a value we did not seal. */
	if (strlen(plain) != (size_t)(len + fin)) {
		nm_secretbox_free(plain);
		return NULL;
	}
	return plain;
}

char *nm_secretbox_open(const char *stored)
{
	if (!stored)
		return NULL;
	if (!nm_secretbox_is_sealed(stored))
		return strdup(stored);
	if (!box_on)
		return NULL;
	const char *b64 = stored + strlen(NM_SECRETBOX_PREFIX);
	char *plain = open_with(box_key, b64);
	for (size_t i = 0; !plain && i < n_prev; i++)
		plain = open_with(prev_key[i], b64);
	return plain;
}

bool nm_secretbox_needs_reseal(const char *stored)
{
	if (!box_on || !stored)
		return false;
	if (!nm_secretbox_is_sealed(stored))
		return true;
	char *plain = open_with(box_key, stored + strlen(NM_SECRETBOX_PREFIX));
	nm_secretbox_free(plain);
	return plain == NULL;
}

void nm_secretbox_free(char *s)
{
	if (!s)
		return;
	OPENSSL_cleanse(s, strlen(s));
	free(s);
}
