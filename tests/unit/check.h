/* A tiny assertion kit for unit tests: each failed CHECK prints file:line and the
 * expression, and the test binary exits 1 at the end if anything failed. */
#ifndef NM_TEST_CHECK_H
#define NM_TEST_CHECK_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int nm_check_failures;
static int nm_check_count;

#define CHECK(expr)                                                                                \
	do {                                                                                       \
		nm_check_count++;                                                                  \
		if (!(expr)) {                                                                     \
			nm_check_failures++;                                                       \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #expr);   \
		}                                                                                  \
	} while (0)

#define CHECK_STR(a, b)                                                                            \
	do {                                                                                       \
		const char *ca_ = (a), *cb_ = (b);                                                 \
		nm_check_count++;                                                                  \
		if (!ca_ || !cb_ || strcmp(ca_, cb_) != 0) {                                       \
			nm_check_failures++;                                                       \
			fprintf(stderr,                                                            \
				"%s:%d: CHECK_STR failed: %s == \"%s\", expected \"%s\"\n",        \
				__FILE__, __LINE__, #a, ca_ ? ca_ : "(null)",                      \
				cb_ ? cb_ : "(null)");                                             \
		}                                                                                  \
	} while (0)

#define CHECK_NEAR(a, b, eps)                                                                      \
	do {                                                                                       \
		double na_ = (a), nb_ = (b);                                                       \
		nm_check_count++;                                                                  \
		if (!(fabs(na_ - nb_) <= (eps))) {                                                 \
			nm_check_failures++;                                                       \
			fprintf(stderr, "%s:%d: CHECK_NEAR failed: %s = %.9g, expected %.9g\n",    \
				__FILE__, __LINE__, #a, na_, nb_);                                 \
		}                                                                                  \
	} while (0)

#define CHECK_DONE()                                                                               \
	do {                                                                                       \
		fprintf(stderr, "%s: %d checks, %d failed\n", __FILE__, nm_check_count,            \
			nm_check_failures);                                                        \
		return nm_check_failures ? 1 : 0;                                                  \
	} while (0)

#endif
