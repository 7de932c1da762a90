/* Standard Webhooks signatures, SHA-256, constant-time compare and random tokens.
 *
 * Expected values were computed independently of this code, with Python's hmac/hashlib and
 * with `openssl dgst -sha256 -mac HMAC -macopt hexkey:...`; the first vector is the one the
 * standard-webhooks reference libraries test against. */
#include "check.h"
#include "nm/crypto.h"
#include "nm/sign.h"

#include <ctype.h>
#include <stdint.h>

#define REF_SECRET "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define REF_ID	   "msg_p5jXN8AQM9LWM0D4loKWxJek"
#define REF_TS	   1614265330
#define REF_TS_STR "1614265330"
#define REF_BODY   "{\"test\": 2432232314}"
#define REF_SIG	   "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
/* A well-formed v1 signature of something else (from the reference libraries' tests). */
#define DECOY_SIG "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="
#define TOL	  300

static int verify_ref(const char *sig_header, int64_t now)
{
	return nm_sign_verify(REF_SECRET, REF_ID, REF_TS_STR, sig_header, REF_BODY,
			      strlen(REF_BODY), now, TOL);
}

static void test_reference_vector(void)
{
	char out[64];
	CHECK(nm_sign_compute(REF_SECRET, REF_ID, REF_TS, REF_BODY, strlen(REF_BODY), out,
			      sizeof out));
	CHECK_STR(out, REF_SIG);
	/* The "whsec_" prefix is optional, as in the reference libraries. */
	CHECK(nm_sign_compute("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", REF_ID, REF_TS, REF_BODY,
			      strlen(REF_BODY), out, sizeof out));
	CHECK_STR(out, REF_SIG);
	CHECK(verify_ref(REF_SIG, REF_TS) == 0);
}

static void test_other_vectors(void)
{
	char out[64];
	/* Empty body: signed content is "<id>.<ts>." */
	CHECK(nm_sign_compute(REF_SECRET, REF_ID, REF_TS, "", 0, out, sizeof out));
	CHECK_STR(out, "v1,v48jdbgvh29KJz2Qc+ghw8G6vG3nAKnujWBg8oM/62A=");
	CHECK(nm_sign_compute(REF_SECRET, REF_ID, REF_TS, NULL, 0, out, sizeof out));
	CHECK_STR(out, "v1,v48jdbgvh29KJz2Qc+ghw8G6vG3nAKnujWBg8oM/62A=");
	/* A 32-byte key, whose base64 carries one '=' of padding; bytes 00..1f. */
	const char *k32 = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
	CHECK(nm_sign_compute(k32, "msg_1", 1700000000, "{\"a\":1}", 7, out, sizeof out));
	CHECK_STR(out, "v1,AMaOha7DUT/0J0JMycRuYOBSvbx3WtwLd2khXXbaVj4=");
	/* body_len, not NUL, bounds the body. */
	CHECK(nm_sign_compute(k32, "msg_1", 1700000000, "{\"a\":1}trailing", 7, out, sizeof out));
	CHECK_STR(out, "v1,AMaOha7DUT/0J0JMycRuYOBSvbx3WtwLd2khXXbaVj4=");
	/* Output buffer too small for "v1," + 44 + NUL. */
	CHECK(!nm_sign_compute(REF_SECRET, REF_ID, REF_TS, "", 0, out, 47));
	CHECK(nm_sign_compute(REF_SECRET, REF_ID, REF_TS, "", 0, out, 48));
}

static void test_multiple_signatures(void)
{
	CHECK(verify_ref(DECOY_SIG " " REF_SIG, REF_TS) == 0);
	CHECK(verify_ref(REF_SIG " " DECOY_SIG, REF_TS) == 0);
	CHECK(verify_ref("v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= "
			 "v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= " REF_SIG " " DECOY_SIG,
			 REF_TS) == 0);
	/* Extra spaces between and around entries are tolerated. */
	CHECK(verify_ref("  " DECOY_SIG "   " REF_SIG "  ", REF_TS) == 0);
	/* An asymmetric v1a entry (ignored) next to the valid one. */
	CHECK(verify_ref("v1a,AAAA " REF_SIG, REF_TS) == 0);
	CHECK(verify_ref(DECOY_SIG " " DECOY_SIG, REF_TS) == NM_SIGN_BAD_SIGNATURE);
}

static void test_wrong_version(void)
{
	CHECK(verify_ref("v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", REF_TS) ==
	      NM_SIGN_BAD_SIGNATURE);
	CHECK(verify_ref("V1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", REF_TS) ==
	      NM_SIGN_BAD_SIGNATURE);
	CHECK(verify_ref("v1a,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", REF_TS) ==
	      NM_SIGN_BAD_SIGNATURE);
	/* The bare signature without any version prefix. */
	CHECK(verify_ref("g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", REF_TS) ==
	      NM_SIGN_BAD_SIGNATURE);
	CHECK(verify_ref(",g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", REF_TS) ==
	      NM_SIGN_BAD_SIGNATURE);
}

static void test_tampering(void)
{
	const char *body = "{\"test\": 2432232315}";
	CHECK(nm_sign_verify(REF_SECRET, REF_ID, REF_TS_STR, REF_SIG, body, strlen(body), REF_TS,
			     TOL) == NM_SIGN_BAD_SIGNATURE);
	/* A body one byte shorter (truncation). */
	CHECK(nm_sign_verify(REF_SECRET, REF_ID, REF_TS_STR, REF_SIG, REF_BODY,
			     strlen(REF_BODY) - 1, REF_TS, TOL) == NM_SIGN_BAD_SIGNATURE);
	CHECK(nm_sign_verify(REF_SECRET, "msg_p5jXN8AQM9LWM0D4loKWxJeK", REF_TS_STR, REF_SIG,
			     REF_BODY, strlen(REF_BODY), REF_TS, TOL) == NM_SIGN_BAD_SIGNATURE);
	/* Same signature presented with another (fresh) timestamp. */
	CHECK(nm_sign_verify(REF_SECRET, REF_ID, "1614265331", REF_SIG, REF_BODY, strlen(REF_BODY),
			     REF_TS, TOL) == NM_SIGN_BAD_SIGNATURE);
	/* Another key of the same length. */
	CHECK(nm_sign_verify("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSx", REF_ID, REF_TS_STR, REF_SIG,
			     REF_BODY, strlen(REF_BODY), REF_TS, TOL) == NM_SIGN_BAD_SIGNATURE);
	/* Last character of the signature changed. */
	CHECK(verify_ref("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OF=", REF_TS) ==
	      NM_SIGN_BAD_SIGNATURE);
	/* Missing message id. */
	CHECK(nm_sign_verify(REF_SECRET, "", REF_TS_STR, REF_SIG, REF_BODY, strlen(REF_BODY),
			     REF_TS, TOL) == NM_SIGN_BAD_SIGNATURE);
	CHECK(nm_sign_verify(REF_SECRET, NULL, REF_TS_STR, REF_SIG, REF_BODY, strlen(REF_BODY),
			     REF_TS, TOL) == NM_SIGN_BAD_SIGNATURE);
}

static void test_timestamps(void)
{
	/* Tolerance is inclusive in both directions. */
	CHECK(verify_ref(REF_SIG, REF_TS + TOL) == 0);
	CHECK(verify_ref(REF_SIG, REF_TS - TOL) == 0);
	/* Stale: the message is older than now - tolerance. */
	CHECK(verify_ref(REF_SIG, REF_TS + TOL + 1) == NM_SIGN_BAD_TIMESTAMP);
	CHECK(verify_ref(REF_SIG, REF_TS + 86400) == NM_SIGN_BAD_TIMESTAMP);
	/* Future: the message claims a time beyond now + tolerance. */
	CHECK(verify_ref(REF_SIG, REF_TS - TOL - 1) == NM_SIGN_BAD_TIMESTAMP);
	/* Extreme clocks must not overflow into acceptance. */
	CHECK(verify_ref(REF_SIG, INT64_MIN) == NM_SIGN_BAD_TIMESTAMP);
	CHECK(verify_ref(REF_SIG, INT64_MAX) == NM_SIGN_BAD_TIMESTAMP);
	CHECK(nm_sign_verify(REF_SECRET, REF_ID, REF_TS_STR, REF_SIG, REF_BODY, strlen(REF_BODY),
			     REF_TS, -1) == NM_SIGN_BAD_TIMESTAMP);

	/* Malformed timestamp headers. */
	const char *bad[] = {"",
			     " 1614265330",
			     "1614265330 ",
			     "+1614265330",
			     "-1614265330",
			     "1614265330.0",
			     "0x60377a32",
			     "16142653301614265330161",
			     "99999999999999999999",
			     "abc"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK(nm_sign_verify(REF_SECRET, REF_ID, bad[i], REF_SIG, REF_BODY,
				     strlen(REF_BODY), REF_TS, TOL) == NM_SIGN_BAD_TIMESTAMP);
	CHECK(nm_sign_verify(REF_SECRET, REF_ID, NULL, REF_SIG, REF_BODY, strlen(REF_BODY), REF_TS,
			     TOL) == NM_SIGN_BAD_TIMESTAMP);
	/* INT64_MAX itself parses (and is merely far in the future). */
	CHECK(nm_sign_verify(REF_SECRET, REF_ID, "9223372036854775807", REF_SIG, REF_BODY,
			     strlen(REF_BODY), REF_TS, TOL) == NM_SIGN_BAD_TIMESTAMP);
}

static void test_malformed_secret(void)
{
	unsigned char key[64];
	CHECK(nm_sign_secret_decode(REF_SECRET, key) == 24);
	CHECK(key[0] == 0x31 && key[1] == 0xf2 && key[23] == 0xb0);
	CHECK(nm_sign_secret_decode("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", key) == 32);
	CHECK(key[0] == 0 && key[31] == 31);
	CHECK(nm_sign_secret_decode("whsec_AAE=", key) == 2);
	CHECK(nm_sign_secret_decode("whsec_AA==", key) == 1);

	const char *bad[] = {
		"",
		"whsec_",
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS",   /* not a multiple of 4 */
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw=", /* stray padding */
		"whsec_MfKQ9r8GKYqrTwjUPD8I LPZIo2LaLaSw", /* whitespace */
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS!",  /* alphabet */
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa-_",  /* base64url is not the secret format */
		"whsec_====",
		"whsec_A===",
		"whsec_AB==AAAA", /* padding inside */
		"whsec_AB=A",
		"whsec_AB==",				  /* non-zero trailing bits */
		"whsec_AAF=",				  /* non-zero trailing bits */
		"WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", /* the prefix is case-sensitive */
		"whsec_whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (nm_sign_secret_decode(bad[i], key) != -1) {
			fprintf(stderr, "accepted malformed secret \"%s\"\n", bad[i]);
			CHECK(0);
		}
	}
	CHECK(nm_sign_secret_decode(NULL, key) == -1);

	/* 64 bytes fit the key buffer; 66 do not. */
	char big[6 + 92 + 1] = "whsec_";
	memset(big + 6, 'A', 88);
	big[6 + 86] = '=';
	big[6 + 87] = '=';
	big[6 + 88] = '\0';
	CHECK(nm_sign_secret_decode(big, key) == 64);
	memset(big + 6, 'A', 88);
	big[6 + 88] = '\0';
	CHECK(nm_sign_secret_decode(big, key) == -1);

	char out[64];
	CHECK(!nm_sign_compute("whsec_%%%%", REF_ID, REF_TS, "", 0, out, sizeof out));
	CHECK(!nm_sign_compute(NULL, REF_ID, REF_TS, "", 0, out, sizeof out));
	CHECK(nm_sign_verify("whsec_%%%%", REF_ID, REF_TS_STR, REF_SIG, REF_BODY, strlen(REF_BODY),
			     REF_TS, TOL) == NM_SIGN_BAD_SIGNATURE);
	CHECK(nm_sign_verify("", REF_ID, REF_TS_STR, REF_SIG, REF_BODY, strlen(REF_BODY), REF_TS,
			     TOL) == NM_SIGN_BAD_SIGNATURE);
}

static void test_malformed_signature_header(void)
{
	const char *bad[] = {
		"",
		" ",
		"v1,",
		"v1",
		"v1, ",
		"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE",   /* padding dropped */
		"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE==", /* extra padding */
		"v1,g0hM9SsE-OTPJTGt_tmIKtSyZlE3uFJELVlNIOLJ1OE=",  /* base64url alphabet */
		"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=x",
		"v1, g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
		"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=,v1",
		"v1,!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
		"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=\t",
		",,,,",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (verify_ref(bad[i], REF_TS) != NM_SIGN_BAD_SIGNATURE) {
			fprintf(stderr, "accepted signature header \"%s\"\n", bad[i]);
			CHECK(0);
		}
	}
	CHECK(verify_ref(NULL, REF_TS) == NM_SIGN_BAD_SIGNATURE);
}

static bool all_b64(const char *s, const char *extra)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(extra, *s))
			return false;
	return true;
}

static void test_secret_generation(void)
{
	char a[64], b[64], sig[64];
	unsigned char key[64];
	CHECK(nm_sign_secret_generate(a, sizeof a));
	CHECK(nm_sign_secret_generate(b, sizeof b));
	CHECK(strncmp(a, "whsec_", 6) == 0);
	CHECK(strlen(a) == 6 + 32);
	CHECK(all_b64(a + 6, "+/"));
	CHECK(strcmp(a, b) != 0);
	CHECK(nm_sign_secret_decode(a, key) == 24);
	/* "whsec_" + 32 + NUL is the minimum. */
	CHECK(!nm_sign_secret_generate(b, 38));
	CHECK(nm_sign_secret_generate(b, 39));

	/* Round trip: what we sign, we verify; with another secret, we do not. */
	const char *body = "{\"id\":\"evt_1\",\"type\":\"brand.created\",\"data\":{}}";
	CHECK(nm_sign_compute(a, "evt_1", 1700000000, body, strlen(body), sig, sizeof sig));
	CHECK(strncmp(sig, "v1,", 3) == 0 && strlen(sig) == 47);
	CHECK(nm_sign_verify(a, "evt_1", "1700000000", sig, body, strlen(body), 1700000010, TOL) ==
	      0);
	CHECK(nm_sign_verify(b, "evt_1", "1700000000", sig, body, strlen(body), 1700000010, TOL) ==
	      NM_SIGN_BAD_SIGNATURE);
}

static void test_sha256(void)
{
	char hex[65];
	nm_sha256_hex("abc", 3, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	nm_sha256_hex("", 0, hex);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	const char *s = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	nm_sha256_hex(s, strlen(s), hex);
	CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_ct_equal(void)
{
	CHECK(nm_ct_equal("abc", 3, "abc", 3));
	CHECK(!nm_ct_equal("abc", 3, "abd", 3));
	CHECK(!nm_ct_equal("abc", 3, "abcd", 4));
	CHECK(!nm_ct_equal("abcd", 4, "abc", 3));
	CHECK(nm_ct_equal("", 0, "", 0));
	CHECK(nm_ct_equal(NULL, 0, NULL, 0));
	CHECK(!nm_ct_equal("a", 1, "", 0));
	/* Embedded NUL bytes are compared, not treated as terminators. */
	CHECK(!nm_ct_equal("a\0b", 3, "a\0c", 3));
	CHECK(nm_ct_equal("a\0b", 3, "a\0b", 3));
}

static void test_random_token(void)
{
	char a[128], b[128];
	CHECK(nm_random_token("nm_live_", 24, a, sizeof a));
	CHECK(nm_random_token("nm_live_", 24, b, sizeof b));
	CHECK(strncmp(a, "nm_live_", 8) == 0);
	CHECK(strlen(a) == 8 + 32);
	CHECK(all_b64(a + 8, "-_"));
	CHECK(strcmp(a, b) != 0);
	/* No padding: 16 bytes give 22 characters. */
	CHECK(nm_random_token("", 16, a, sizeof a));
	CHECK(strlen(a) == 22 && all_b64(a, "-_"));
	CHECK(nm_random_token(NULL, 1, a, sizeof a));
	CHECK(strlen(a) == 2);
	/* Exact fit and one short: "k_" + 22 + NUL = 25. */
	CHECK(nm_random_token("k_", 16, a, 25));
	CHECK(!nm_random_token("k_", 16, a, 24));
	CHECK(!nm_random_token("k_", 0, a, sizeof a));
	CHECK(!nm_random_token("k_", 257, a, sizeof a));
	CHECK(!nm_random_token("k_", 16, NULL, 0));
}

int main(void)
{
	test_reference_vector();
	test_other_vectors();
	test_multiple_signatures();
	test_wrong_version();
	test_tampering();
	test_timestamps();
	test_malformed_secret();
	test_malformed_signature_header();
	test_secret_generation();
	test_sha256();
	test_ct_equal();
	test_random_token();
	CHECK_DONE();
}
