/* Secrets at rest: webhook signing secrets and inbound verification secrets must be kept
 * in a form the service can use (it signs and verifies with them), so they cannot be
 * hashed like API keys. With NICHEMATCH_SECRETS_KEY set they are stored sealed with
 * AES-256-GCM under that key ("enc1:" + base64 of nonce, ciphertext and tag), so a copy of
 * the database (a dump, a backup, a replica) does not hold them in clear. Without the key
 * they are stored as given (the server warns at start).
 *
 * The key is process-wide, configured once before any thread uses it. Pure: OpenSSL
 * libcrypto only. Returned strings are malloc'd; free them with nm_secretbox_free, which
 * wipes them first. */
#ifndef NM_SECRETBOX_H
#define NM_SECRETBOX_H

#include <stdbool.h>
#include <stddef.h>

#define NM_SECRETBOX_PREFIX "enc1:"

/* key_text: base64 of 32 bytes, or 64 hex digits; NULL or "" turns sealing off. False
 * with a reason in err when the text is not a 32-byte key. */
bool nm_secretbox_configure(const char *key_text, char *err, size_t errsz);
/* Key rotation: the keys that sealed values before the current one (comma-separated, the
 * same formats; at most 8). They only open; nm_secretbox_needs_reseal tells which stored
 * values the start-up pass seals again under the current key. Call after
 * nm_secretbox_configure (which forgets them). False with a reason in err. */
bool nm_secretbox_configure_previous(const char *list, char *err, size_t errsz);
bool nm_secretbox_enabled(void);

/* The stored form of plain: sealed when a key is configured, else a copy. NULL on failure. */
char *nm_secretbox_seal(const char *plain);
/* The usable secret of a stored value: opened when sealed (by the current key or a previous
 * one), a copy when stored in clear. NULL when a sealed value cannot be opened (no key,
 * an unknown key, tampered). */
char *nm_secretbox_open(const char *stored);
/* With a key configured: true for a value stored in clear or sealed by another key than
 * the current one. False without a key. */
bool nm_secretbox_needs_reseal(const char *stored);
/* True when stored is in the sealed form. */
bool nm_secretbox_is_sealed(const char *stored);
void nm_secretbox_free(char *s);

#endif
