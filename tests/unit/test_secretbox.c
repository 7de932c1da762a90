/* Secrets at rest: seal/open round trips, a copy without a key, tampering and a wrong key
 * refused, key formats checked. */
#include "check.h"
#include "nm/secretbox.h"

#include <stdlib.h>
#include <string.h>

int main(void)
{
	char err[200];
	const char *secret = "whsec_MfKQ9r8GKYqrTwnVtYzN7Qc0hPcyXUYj";
	/* Off: stored as given, opened as given. */
	CHECK(nm_secretbox_configure(NULL, err, sizeof err));
	CHECK(!nm_secretbox_enabled());
	char *s = nm_secretbox_seal(secret);
	CHECK_STR(s, secret);
	char *o = nm_secretbox_open(s);
	CHECK_STR(o, secret);
	nm_secretbox_free(s);
	nm_secretbox_free(o);

	/* Bad keys. */
	CHECK(!nm_secretbox_configure("short", err, sizeof err));
	CHECK(!nm_secretbox_configure(
		"zz00000000000000000000000000000000000000000000000000000000000000", err,
		sizeof err));
	CHECK(!nm_secretbox_configure("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==", err,
				      sizeof err)); /* 31 */

	/* On (base64 of 32 bytes). */
	CHECK(nm_secretbox_configure("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", err,
				     sizeof err));
	CHECK(nm_secretbox_enabled());
	s = nm_secretbox_seal(secret);
	CHECK(s && nm_secretbox_is_sealed(s));
	CHECK(s && !strstr(s, "MfKQ9r8"));
	char *s2 = nm_secretbox_seal(secret);
	CHECK(s && s2 && strcmp(s, s2) != 0); /* a fresh nonce each time */
	o = nm_secretbox_open(s);
	CHECK_STR(o, secret);
	nm_secretbox_free(o);
	/* A value stored in clear before the key was set still opens. */
	o = nm_secretbox_open(secret);
	CHECK_STR(o, secret);
	nm_secretbox_free(o);
	/* Tampering: flip a character of the ciphertext. */
	char *t = strdup(s);
	size_t k = strlen(t) - 6;
	t[k] = t[k] == 'A' ? 'B' : 'A';
	CHECK(nm_secretbox_open(t) == NULL);
	free(t);
	CHECK(nm_secretbox_open("enc1:!!!!") == NULL);
	CHECK(nm_secretbox_open("enc1:") == NULL);
	/* Another key (hex form) cannot open it. */
	CHECK(nm_secretbox_configure(
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", err,
		sizeof err));
	CHECK(nm_secretbox_open(s) == NULL);
	CHECK(nm_secretbox_needs_reseal(s));

	/* Rotation: the old key listed as previous opens what it sealed; what the current key
	 * seals needs no reseal, what the previous one sealed (or clear text) does. */
	const char *key_a = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
	CHECK(nm_secretbox_configure_previous(
		" 0000000000000000000000000000000000000000000000000000"
		"000000000000 , " /* spaces, an unrelated key */
		"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
		err, sizeof err));
	o = nm_secretbox_open(s);
	CHECK_STR(o, secret);
	nm_secretbox_free(o);
	CHECK(nm_secretbox_needs_reseal(s));
	CHECK(nm_secretbox_needs_reseal(secret));
	char *s3 = nm_secretbox_seal(secret);
	CHECK(s3 && !nm_secretbox_needs_reseal(s3));
	/* the previous key only opens: a value it could open is not resealed under it */
	CHECK(nm_secretbox_configure(key_a, err, sizeof err));
	CHECK(nm_secretbox_open(s3) == NULL); /* s3 is the hex key's */
	CHECK(!nm_secretbox_needs_reseal(s));
	/* configure forgets the previous keys */
	CHECK(nm_secretbox_configure(
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", err,
		sizeof err));
	CHECK(nm_secretbox_open(s) == NULL);
	/* bad lists */
	CHECK(!nm_secretbox_configure_previous("short", err, sizeof err));
	CHECK(strstr(err, "NICHEMATCH_SECRETS_KEY_PREVIOUS") != NULL);
	char nine[9 * 45 + 1] = "";
	for (int i = 0; i < 9; i++) {
		strcat(nine, key_a);
		strcat(nine, i < 8 ? "," : "");
	}
	CHECK(!nm_secretbox_configure_previous(nine, err, sizeof err)); /* at most eight */
	CHECK(strstr(err, "at most") != NULL);
	nine[8 * 45 - 1] = '\0';
	CHECK(nm_secretbox_configure_previous(nine, err, sizeof err));
	CHECK(nm_secretbox_configure_previous("", err, sizeof err));
	CHECK(nm_secretbox_configure(NULL, err, sizeof err));
	CHECK(!nm_secretbox_configure_previous(key_a, err, sizeof err)); /* no current key */
	CHECK(!nm_secretbox_needs_reseal(secret));			 /* off: nothing to seal */
	nm_secretbox_free(s);
	nm_secretbox_free(s2);
	nm_secretbox_free(s3);
	CHECK_DONE();
}
