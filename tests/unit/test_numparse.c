#include "check.h"

#include <stdint.h>
#include <stdlib.h>

#include "nm/numparse.h"

static int64_t cnt(const char *s, int *ok)
{
	int64_t v = -1;
	*ok = nm_num_parse_count(s, strlen(s), &v);
	return v;
}

#define COUNT_OK(s, want)                                                                          \
	do {                                                                                       \
		int ok_;                                                                           \
		int64_t v_ = cnt(s, &ok_);                                                         \
		CHECK(ok_);                                                                        \
		CHECK(v_ == (want));                                                               \
	} while (0)
#define COUNT_BAD(s)                                                                               \
	do {                                                                                       \
		int64_t v_;                                                                        \
		CHECK(!nm_num_parse_count(s, strlen(s), &v_));                                     \
	} while (0)

static void test_counts(void)
{
	COUNT_OK("0", 0);
	COUNT_OK("12400", 12400);
	COUNT_OK("12,400", 12400);
	COUNT_OK("1,234,567", 1234567);
	COUNT_OK("1 234", 1234);
	COUNT_OK("1_234", 1234);
	COUNT_OK("1\xc2\xa0"
		 "234",
		 1234); /* no-break space */
	COUNT_OK("1\xe2\x80\xaf"
		 "234",
		 1234); /* narrow no-break space */
	COUNT_OK("3.4k", 3400);
	COUNT_OK("3.4K", 3400);
	COUNT_OK("1.2M", 1200000);
	COUNT_OK("1.2m", 1200000);
	COUNT_OK("2B", 2000000000);
	COUNT_OK("1.2345k", 1235); /* rounded half up */
	COUNT_OK("1.2344k", 1234);
	COUNT_OK("12.5", 13);
	COUNT_OK("12.4", 12);
	COUNT_OK("  42  ", 42);
	COUNT_OK("\t42", 42);
	COUNT_OK("3.4 k", 3400);
	COUNT_OK("007", 7);
	COUNT_OK("1,234.5k", 1234500);
	COUNT_OK("4611686018427387903", INT64_MAX / 2);
	COUNT_BAD("4611686018427387904");
	COUNT_BAD("99999999999999999999999");
	COUNT_BAD("9999999999B");
	COUNT_BAD("");
	COUNT_BAD("   ");
	COUNT_BAD("-5");
	COUNT_BAD("+5");
	COUNT_BAD("k");
	COUNT_BAD("1.");
	COUNT_BAD(".5");
	COUNT_BAD("1.2.3");
	COUNT_BAD("1,5"); /* a European decimal comma is not fifteen */
	COUNT_BAD("1,2345");
	COUNT_BAD("1234,567");	/* first group longer than 3 */
	COUNT_BAD("1,234 567"); /* mixed separators */
	COUNT_BAD("1,,234");
	COUNT_BAD(",123");
	COUNT_BAD("123,");
	COUNT_BAD("12abc");
	COUNT_OK("1e5", 100000);
	COUNT_OK("1.25e4", 12500);
	COUNT_OK("1.5E-1", 0);
	COUNT_OK("5e-1", 1);
	COUNT_OK("0000000000000000000000000000000001", 1);
	COUNT_OK("0e400", 0);
	COUNT_BAD("1e19");
	COUNT_BAD("1e401");
	COUNT_BAD("1e");
	COUNT_BAD("1e+");
	COUNT_BAD("e5");
	COUNT_BAD("1e5k");
	COUNT_BAD("1e5.5");
	COUNT_BAD("0x10");
	COUNT_BAD("nan");
	COUNT_BAD("inf");
	COUNT_BAD("4.1%");
	COUNT_BAD("3kk");
	COUNT_BAD("3 k k");
	/* Length-bounded: the bytes after len are not read. */
	int64_t v = 0;
	CHECK(nm_num_parse_count("12345", 2, &v) && v == 12);
	CHECK(!nm_num_parse_count(NULL, 0, &v));
	CHECK(!nm_num_parse_count("1", 0, &v));
}

static void test_decimals(void)
{
	double d = -1;
	CHECK(nm_num_parse_decimal("1.2k", 4, false, &d));
	CHECK_NEAR(d, 1200, 1e-9);
	CHECK(nm_num_parse_decimal("212.0", 5, false, &d));
	CHECK_NEAR(d, 212, 1e-9);
	CHECK(nm_num_parse_decimal("1,234.5", 7, false, &d));
	CHECK_NEAR(d, 1234.5, 1e-9);
	CHECK(nm_num_parse_decimal("-2.5", 4, true, &d));
	CHECK_NEAR(d, -2.5, 1e-12);
	CHECK(!nm_num_parse_decimal("-2.5", 4, false, &d));
	CHECK(nm_num_parse_decimal("-0", 2, true, &d) && d == 0 && !signbit(d));
	CHECK(!nm_num_parse_decimal("nan", 3, true, &d));
	CHECK(!nm_num_parse_decimal("inf", 3, true, &d));
	CHECK(!nm_num_parse_decimal("1e400", 5, true, &d));
	CHECK(!nm_num_parse_decimal("--1", 3, true, &d));
	CHECK(!nm_num_parse_decimal("- 1", 3, true, &d));
	CHECK(!nm_num_parse_decimal("1%", 2, true, &d));
	char big[80];
	memset(big, '9', sizeof big);
	CHECK(!nm_num_parse_decimal(big, sizeof big, false, &d));
}

static void test_rates(void)
{
	double d = -1;
	CHECK(nm_num_parse_rate("4.1%", 4, false, &d));
	CHECK(d == 0.041); /* correctly rounded, not 4.1/100 */
	CHECK(nm_num_parse_rate("4.1 %", 5, false, &d));
	CHECK(d == 0.041);
	CHECK(nm_num_parse_rate("0.041", 5, false, &d));
	CHECK(d == 0.041);
	CHECK(nm_num_parse_rate("4.1", 3, false, &d));
	CHECK(d == 4.1); /* not guessed: the range check reports it */
	CHECK(nm_num_parse_rate("100%", 4, false, &d));
	CHECK(d == 1);
	CHECK(nm_num_parse_rate("-2.5%", 5, true, &d));
	CHECK(d == -0.025);
	CHECK(!nm_num_parse_rate("-2.5%", 5, false, &d));
	CHECK(!nm_num_parse_rate("4.1k", 4, false, &d));
	CHECK(!nm_num_parse_rate("%", 1, false, &d));
	CHECK(!nm_num_parse_rate("4.1%%", 5, false, &d));
	CHECK(!nm_num_parse_rate("4.1% x", 6, false, &d));
	CHECK(!nm_num_parse_rate("", 0, false, &d));
	CHECK(nm_num_parse_rate("8e-05", 5, false, &d)); /* as written by the real dev file */
	CHECK(d == 8e-05);
	CHECK(nm_num_parse_rate("-1.5E+2", 7, true, &d));
	CHECK(d == -150);
	CHECK(!nm_num_parse_rate("8e-05%", 6, false, &d));
}

/* Issue 10 audit: long cells must be refused or read without running past the canonical
 * buffer (40 digits) or the input (exact-size heap block for ASan). */
static void test_long_cells(void)
{
	size_t n = 70000;
	char *s = malloc(n);
	int64_t v;
	double d;
	memset(s, '1', n);
	CHECK(!nm_num_parse_count(s, n, &v));
	CHECK(!nm_num_parse_decimal(s, n, false, &d));
	CHECK(nm_num_parse_count(s, 40, &v) == false); /* > INT64_MAX/2 */
	CHECK(nm_num_parse_count(s, 15, &v) && v == 111111111111111LL);
	memset(s, ' ', n - 2);
	memcpy(s + n - 2, "12", 2);
	CHECK(nm_num_parse_count(s, n, &v) && v == 12);
	s[0] = '0';
	s[1] = '.';
	memset(s + 2, '5', n - 3);
	s[n - 1] = '%';
	CHECK(!nm_num_parse_rate(s, n, false, &d));
	CHECK(!nm_num_parse_rate(s, 43, false, &d)); /* 41 fraction digits: over the limit */
	CHECK(nm_num_parse_rate(s, 32, false, &d) && d > 0.555 && d < 0.556);
	free(s);
}

int main(void)
{
	test_long_cells();
	test_counts();
	test_decimals();
	test_rates();
	CHECK_DONE();
}
