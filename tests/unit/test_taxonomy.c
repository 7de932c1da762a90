#include "check.h"

#include "nm/taxonomy.h"

static int count_valid(bool (*valid)(const char *, char[3]))
{
	int n = 0;
	char s[3] = {0, 0, 0};
	for (char a = 'A'; a <= 'Z'; a++)
		for (char b = 'A'; b <= 'Z'; b++) {
			s[0] = a;
			s[1] = b;
			n += valid(s, NULL);
		}
	return n;
}

static void test_countries(void)
{
	char out[3];
	CHECK(count_valid(nm_country_valid) == 249);
	CHECK(nm_country_valid("US", out));
	CHECK_STR(out, "US");
	CHECK(nm_country_valid("de", out));
	CHECK_STR(out, "DE");
	CHECK(nm_country_valid("aX", out));
	CHECK_STR(out, "AX");
	CHECK(nm_country_valid("SS", NULL));	      /* South Sudan, 2011 */
	CHECK(nm_country_valid("XK", NULL) == false); /* Kosovo: user-assigned, not official */
	CHECK(!nm_country_valid("UK", out));	      /* reserved, not assigned: GB is the code */
	CHECK(!nm_country_valid("EU", out));
	CHECK(!nm_country_valid("AN", out)); /* withdrawn */
	CHECK(!nm_country_valid("U", out));
	CHECK(!nm_country_valid("USA", out));
	CHECK(!nm_country_valid("", out));
	CHECK(!nm_country_valid(" US", out));
	CHECK(!nm_country_valid("U1", out));
	CHECK(!nm_country_valid("\xc3\x9cS", out));
	CHECK(!nm_country_valid(NULL, out));
}

static void test_languages(void)
{
	char out[3];
	CHECK(count_valid(nm_language_valid) == 184);
	CHECK(nm_language_valid("en", out));
	CHECK_STR(out, "en");
	CHECK(nm_language_valid("PT", out));
	CHECK_STR(out, "pt");
	CHECK(nm_language_valid("zu", NULL));
	CHECK(nm_language_valid("bh", NULL));
	CHECK(!nm_language_valid("iw", NULL)); /* withdrawn: now he */
	CHECK(!nm_language_valid("mo", NULL));
	CHECK(!nm_language_valid("xx", NULL));
	CHECK(!nm_language_valid("eng", NULL));
	CHECK(!nm_language_valid("e", NULL));
}

static void check_term(const char *in, bool hash, const char *want)
{
	char buf[128];
	snprintf(buf, sizeof buf, "%s", in);
	size_t n = nm_term_normalize(buf, hash);
	CHECK_STR(buf, want);
	CHECK(n == strlen(want));
}

static void test_terms(void)
{
	check_term("  Fitness  ", false, "fitness");
	check_term("Plant\t Based   Food", false, "plant based food");
	check_term("#Vegan", true, "vegan");
	check_term("# vegan", true, "vegan");
	check_term("##vegan", true, "vegan");
	check_term("#Vegan", false, "#vegan");
	check_term("Caf\xc3\x89", false, "caf\xc3\x89"); /* non-ASCII kept as is */
	check_term("   ", false, "");
	check_term("#", true, "");
	check_term("", false, "");
}

/* docs/api.md §5 rule 4, and nm_tier_floor() bounding each tier exactly */
static void test_tiers(void)
{
	CHECK(nm_tier_of(-1) == NM_TIER_NANO);
	CHECK(nm_tier_of(9999) == NM_TIER_NANO);
	CHECK(nm_tier_of(10000) == NM_TIER_MICRO);
	CHECK(nm_tier_of(99999) == NM_TIER_MICRO);
	CHECK(nm_tier_of(100000) == NM_TIER_MID);
	CHECK(nm_tier_of(499999) == NM_TIER_MID);
	CHECK(nm_tier_of(500000) == NM_TIER_MACRO);
	CHECK(nm_tier_of(999999) == NM_TIER_MACRO);
	CHECK(nm_tier_of(1000000) == NM_TIER_MEGA);
	CHECK(nm_tier_of(INT64_MAX) == NM_TIER_MEGA);
	CHECK(nm_tier_floor(NM_TIER_NANO) == INT64_MIN);
	CHECK(nm_tier_floor(NM_TIER_COUNT) == INT64_MAX);
	for (int t = NM_TIER_MICRO; t < NM_TIER_COUNT; t++) {
		int64_t f = nm_tier_floor((enum nm_tier)t);
		CHECK(nm_tier_of(f) == (enum nm_tier)t);
		CHECK(nm_tier_of(f - 1) == (enum nm_tier)(t - 1));
	}
}

int main(void)
{
	test_tiers();
	test_countries();
	test_languages();
	test_terms();
	CHECK_DONE();
}
