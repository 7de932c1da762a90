/* libFuzzer target: arbitrary webhook-signature / webhook-timestamp header values and secrets.
 *
 * Input layout: bytes before the first '\n' are a timestamp header, the rest a signature
 * header; the whole input is also tried as a signature header with a valid timestamp and as
 * a secret. Besides memory errors, it checks two properties of nm_sign_verify:
 * - appending the valid signature as another entry always verifies (junk in front of it
 *   must never hide it), and
 * - a header verifies only if it contains the valid signature text. */
#include "nm/sign.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SECRET	 "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define MSG_ID	 "msg_p5jXN8AQM9LWM0D4loKWxJek"
#define TS	 1614265330
#define TS_STR	 "1614265330"
#define BODY	 "{\"test\": 2432232314}"
#define GOOD_B64 "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
#define GOOD	 "v1," GOOD_B64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int verify(const char *ts, const char *header)
{
	int rc = nm_sign_verify(SECRET, MSG_ID, ts, header, BODY, strlen(BODY), TS, 300);
	if (rc != 0 && rc != NM_SIGN_BAD_SIGNATURE && rc != NM_SIGN_BAD_TIMESTAMP)
		abort();
	return rc;
}

static void check_whole_input(const char *s, size_t len)
{
	if (verify(TS_STR, s) == 0 && !strstr(s, GOOD_B64))
		abort();
	/* s + " " + GOOD: the good entry stands alone after a space whatever s holds. */
	char *with_good = malloc(len + 1 + sizeof GOOD);
	if (!with_good)
		return;
	memcpy(with_good, s, len);
	with_good[len] = ' ';
	memcpy(with_good + len + 1, GOOD, sizeof GOOD);
	if (verify(TS_STR, with_good) != 0)
		abort();
	free(with_good);
}

static void check_split_input(char *s)
{
	char *nl = strchr(s, '\n');
	if (!nl)
		return;
	*nl = '\0';
	verify(s, nl + 1);
}

static void check_secret(const char *s)
{
	unsigned char key[64];
	char out[64];
	int n = nm_sign_secret_decode(s, key);
	if (n < -1 || n > 64)
		abort();
	bool ok = nm_sign_compute(s, MSG_ID, TS, BODY, strlen(BODY), out, sizeof out);
	if (ok != (n > 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Headers reach us as C strings; cut at the first NUL like MHD would. */
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	size_t len = strlen(s);
	check_whole_input(s, len);
	check_secret(s);
	check_split_input(s);
	free(s);
	return 0;
}
