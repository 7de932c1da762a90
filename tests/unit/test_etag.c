/* Entity tags and the If-Match / If-None-Match list grammar (RFC 9110 §8.8.3, §13.1). */
#include "check.h"
#include "nm/etag.h"

#define T "\"0123456789abcdef0123456789abcdef\""

static void test_etag_of(void)
{
	char a[NM_ETAG_SIZE], b[NM_ETAG_SIZE];
	/* SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a3... (FIPS 180-2). */
	nm_etag_of("abc", 3, a);
	CHECK_STR(a, "\"ba7816bf8f01cfea414140de5dae2223\"");
	nm_etag_of("abd", 3, b);
	CHECK(strcmp(a, b) != 0);
	CHECK(strlen(a) == NM_ETAG_SIZE - 1);
}

static void test_list(void)
{
	CHECK(nm_etag_list_match(T, T, false));
	CHECK(nm_etag_list_match("*", T, false));
	CHECK(nm_etag_list_match(" * ", T, true));
	CHECK(nm_etag_list_match("\"x\", " T, T, false));
	CHECK(nm_etag_list_match("\"x\"," T ",\"y\"", T, true));
	CHECK(nm_etag_list_match("\"a,b\" ,\t" T, T, false)); /* a comma inside a tag */
	CHECK(!nm_etag_list_match("\"x\", \"y\"", T, true));
	/* Weak tags: only the weak comparison (If-None-Match) matches them. */
	CHECK(nm_etag_list_match("W/" T, T, true));
	CHECK(!nm_etag_list_match("W/" T, T, false));
	/* Malformed members match nothing; the rest of the list still counts. */
	CHECK(!nm_etag_list_match("0123456789abcdef0123456789abcdef", T, false));
	CHECK(!nm_etag_list_match("\"0123456789abcdef0123456789abcdef", T, false));
	CHECK(nm_etag_list_match("junk, " T, T, false));
	CHECK(!nm_etag_list_match("", T, false));
	CHECK(!nm_etag_list_match(",,", T, false));
	CHECK(!nm_etag_list_match(NULL, T, false));
	/* A prefix or an extension of the tag is another tag. */
	CHECK(!nm_etag_list_match("\"0123456789abcdef0123456789abcde\"", T, false));
	CHECK(!nm_etag_list_match("\"0123456789abcdef0123456789abcdef0\"", T, false));
}

static void test_conditions(void)
{
	CHECK(nm_etag_if_match(NULL, T));
	CHECK(nm_etag_if_match(NULL, NULL));
	CHECK(nm_etag_if_match(T, T));
	CHECK(nm_etag_if_match("*", T));
	CHECK(!nm_etag_if_match("*", NULL)); /* no current representation */
	CHECK(!nm_etag_if_match("\"old\"", T));
	CHECK(!nm_etag_if_none_match(NULL, T));
	CHECK(nm_etag_if_none_match(T, T));
	CHECK(nm_etag_if_none_match("W/" T, T));
	CHECK(nm_etag_if_none_match("*", T));
	CHECK(!nm_etag_if_none_match("\"old\"", T));
}

int main(void)
{
	test_etag_of();
	test_list();
	test_conditions();
	CHECK_DONE();
}
