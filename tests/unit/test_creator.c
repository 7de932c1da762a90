#include "check.h"
#include "model_util.h"

#include "nm/creator.h"

#define STRICT	NM_CREATOR_STRICT
#define LENIENT NM_CREATOR_LENIENT
#define BASE	"\"platform\":\"instagram\",\"handle\":\"alice\",\"followers\":20000"

static bool parse(const char *text, enum nm_creator_mode mode, const char *dflt,
		  struct nm_creator *c, json_t *errors, json_t *unknown)
{
	json_t *in = J(text);
	bool ok = nm_creator_from_json(in, mode, dflt, c, errors, unknown);
	json_decref(in);
	return ok;
}

/* Parses text that must be valid; *c is filled (caller clears). */
static void ok(const char *text, enum nm_creator_mode mode, struct nm_creator *c, int line)
{
	json_t *errors = json_array();
	nm_check_count++;
	if (!parse(text, mode, NULL, c, errors, NULL) || json_array_size(errors)) {
		nm_check_failures++;
		fprintf(stderr, "line %d: expected valid (%s): %s\n", line,
			mode == STRICT ? "strict" : "lenient", text);
		dump_errors(errors);
	}
	json_decref(errors);
}
#define OK(text, mode, c) ok(text, mode, c, __LINE__)

static void bad(const char *text, enum nm_creator_mode mode, const char *field, const char *sub,
		int line)
{
	struct nm_creator c;
	memset(&c, 0x5a, sizeof c); /* garbage in: must come out cleared */
	json_t *errors = json_array();
	bool res = parse(text, mode, NULL, &c, errors, NULL);
	nm_check_count++;
	if (res || !has_error(errors, field, sub)) {
		nm_check_failures++;
		fprintf(stderr, "line %d: expected error %s: %s (%s) for %s\n", line,
			field ? field : "(none)", sub, mode == STRICT ? "strict" : "lenient", text);
		dump_errors(errors);
	}
	CHECK(c.handle == NULL && c.categories == NULL && c.audience_countries == NULL);
	if (res)
		nm_creator_clear(&c);
	json_decref(errors);
}
#define BAD(text, mode, field, sub) bad(text, mode, field, sub, __LINE__)
#define BAD2(text, field, sub)                                                                     \
	do {                                                                                       \
		bad(text, STRICT, field, sub, __LINE__);                                           \
		bad(text, LENIENT, field, sub, __LINE__);                                          \
	} while (0)

static void test_minimal(void)
{
	struct nm_creator c;
	OK("{" BASE "}", STRICT, &c);
	CHECK(c.platform == NM_PLATFORM_INSTAGRAM);
	CHECK_STR(c.handle, "alice");
	CHECK(c.followers == 20000);
	CHECK(!c.has_engagement_rate && !c.has_following && c.display_name == NULL);
	CHECK(c.country[0] == '\0' && c.last_post_at[0] == '\0');
	nm_creator_clear(&c);
	CHECK(c.handle == NULL);
	nm_creator_clear(&c); /* safe twice / on zeroed */
	BAD2("{\"handle\":\"a\",\"followers\":1}", "platform", "is required");
	BAD2("{\"platform\":\"tiktok\",\"followers\":1}", "handle", "is required");
	BAD2("{\"platform\":\"tiktok\",\"handle\":\"a\"}", "followers", "is required");
	BAD2("[]", NULL, "JSON object");
	BAD2("{\"platform\":null,\"handle\":\"a\",\"followers\":1}", "platform", "is required");
}

static void test_platform(void)
{
	struct nm_creator c;
	OK("{\"platform\":\"X\",\"handle\":\"a\",\"followers\":1}", STRICT, &c);
	CHECK(c.platform == NM_PLATFORM_TWITTER);
	nm_creator_clear(&c);
	BAD2("{\"platform\":\"myspace\",\"handle\":\"a\",\"followers\":1}", "platform", "one of");
	BAD2("{\"platform\":3,\"handle\":\"a\",\"followers\":1}", "platform", "must be a string");
	/* An invalid platform is reported once, not also as missing. */
	json_t *errors = json_array();
	CHECK(!parse("{\"platform\":\"myspace\",\"handle\":\"a\",\"followers\":1}", STRICT,
		     "tiktok", &c, errors, NULL));
	CHECK(json_array_size(errors) == 1);
	json_decref(errors);
	/* The default platform (import ?platform=) fills in a missing one only. */
	errors = json_array();
	CHECK(parse("{\"handle\":\"a\",\"followers\":1}", LENIENT, "youtube", &c, errors, NULL));
	CHECK(c.platform == NM_PLATFORM_YOUTUBE);
	nm_creator_clear(&c);
	CHECK(parse("{\"platform\":\"\",\"handle\":\"a\",\"followers\":1}", LENIENT, "youtube", &c,
		    errors, NULL));
	CHECK(c.platform == NM_PLATFORM_YOUTUBE);
	nm_creator_clear(&c);
	CHECK(parse("{\"platform\":\"tiktok\",\"handle\":\"a\",\"followers\":1}", LENIENT,
		    "youtube", &c, errors, NULL));
	CHECK(c.platform == NM_PLATFORM_TIKTOK);
	nm_creator_clear(&c);
	CHECK(json_array_size(errors) == 0);
	CHECK(!parse("{\"handle\":\"a\",\"followers\":1}", LENIENT, "myspace", &c, errors, NULL));
	CHECK(has_error(errors, "platform", "default platform"));
	json_decref(errors);
}

static void test_handle(void)
{
	struct nm_creator c;
	OK("{\"platform\":\"tiktok\",\"handle\":\" @Alice.Smith \",\"followers\":1}", STRICT, &c);
	CHECK_STR(c.handle, "alice.smith");
	nm_creator_clear(&c);
	BAD2("{\"platform\":\"tiktok\",\"handle\":\"@@a\",\"followers\":1}", "handle",
	     "more than one");
	BAD2("{\"platform\":\"tiktok\",\"handle\":\"@\",\"followers\":1}", "handle", "empty");
	BAD2("{\"platform\":\"tiktok\",\"handle\":\"a b\",\"followers\":1}", "handle", "spaces");
	BAD2("{\"platform\":\"tiktok\",\"handle\":7,\"followers\":1}", "handle",
	     "must be a string");
	BAD("{\"platform\":\"tiktok\",\"handle\":\"\",\"followers\":1}", STRICT, "handle", "empty");
	BAD("{\"platform\":\"tiktok\",\"handle\":\"\",\"followers\":1}", LENIENT, "handle",
	    "is required");
	char text[512], h[160];
	memset(h, 'a', 101);
	h[101] = '\0';
	snprintf(text, sizeof text, "{\"platform\":\"tiktok\",\"handle\":\"@%s\",\"followers\":1}",
		 h);
	BAD2(text, "handle", "at most 100");
	h[100] = '\0';
	snprintf(text, sizeof text, "{\"platform\":\"tiktok\",\"handle\":\"@%s\",\"followers\":1}",
		 h);
	OK(text, STRICT, &c);
	nm_creator_clear(&c);
}

static void test_counts(void)
{
	struct nm_creator c;
	OK("{" BASE ",\"following\":10,\"posts_count\":0,\"price_per_post_cents\":5000}", STRICT,
	   &c);
	CHECK(c.has_following && c.following == 10 && c.has_posts_count && c.posts_count == 0);
	CHECK(c.has_price_per_post_cents && c.price_per_post_cents == 5000);
	nm_creator_clear(&c);
	OK("{\"platform\":\"instagram\",\"handle\":\"a\",\"followers\":\"12,400\","
	   "\"following\":\"3.4k\",\"posts_count\":\"1 234\",\"price_per_post_cents\":\"12,400\"}",
	   LENIENT, &c);
	CHECK(c.followers == 12400 && c.following == 3400 && c.posts_count == 1234);
	CHECK(c.price_per_post_cents == 12400);
	nm_creator_clear(&c);
	OK("{\"platform\":\"instagram\",\"handle\":\"a\",\"followers\":12400.0}", LENIENT, &c);
	CHECK(c.followers == 12400);
	nm_creator_clear(&c);
	BAD("{\"platform\":\"instagram\",\"handle\":\"a\",\"followers\":\"12,400\"}", STRICT,
	    "followers", "must be an integer");
	BAD("{\"platform\":\"instagram\",\"handle\":\"a\",\"followers\":12400.0}", STRICT,
	    "followers", "must be an integer");
	BAD2("{\"platform\":\"instagram\",\"handle\":\"a\",\"followers\":-1}", "followers",
	     "at least 0");
	BAD("{\"platform\":\"instagram\",\"handle\":\"a\",\"followers\":\"-1\"}", LENIENT,
	    "followers", "whole number");
	BAD("{\"platform\":\"instagram\",\"handle\":\"a\",\"followers\":\"lots\"}", LENIENT,
	    "followers", "like 12400");
	BAD("{\"platform\":\"instagram\",\"handle\":\"a\",\"followers\":\"\"}", LENIENT,
	    "followers", "is required");
	BAD2("{\"platform\":\"instagram\",\"handle\":\"a\",\"followers\":true}", "followers",
	     "must be an integer");
	BAD2("{\"platform\":\"instagram\",\"handle\":\"a\",\"followers\":9223372036854775807}",
	     "followers", "too large");
	BAD2("{" BASE ",\"price_per_post_cents\":-1}", "price_per_post_cents", "at least 0");
	BAD("{" BASE ",\"following\":\"10\"}", STRICT, "following", "integer");
}

static void test_averages_and_engagement(void)
{
	struct nm_creator c;
	OK("{" BASE
	   ",\"avg_likes\":500,\"avg_comments\":80.5,\"avg_shares\":19.5,\"avg_views\":9000}",
	   STRICT, &c);
	CHECK(c.has_engagement_rate && c.engagement_derived);
	CHECK_NEAR(c.engagement_rate, 600.0 / 20000, 1e-12);
	CHECK(c.has_avg_views && c.avg_views == 9000);
	nm_creator_clear(&c);
	/* views do not count toward engagement */
	OK("{" BASE ",\"avg_views\":9000}", STRICT, &c);
	CHECK(!c.has_engagement_rate);
	nm_creator_clear(&c);
	/* a given rate wins over the averages */
	OK("{" BASE ",\"avg_likes\":500,\"engagement_rate\":0.05}", STRICT, &c);
	CHECK(c.has_engagement_rate && !c.engagement_derived && c.engagement_rate == 0.05);
	nm_creator_clear(&c);
	/* nothing to divide by */
	OK("{\"platform\":\"instagram\",\"handle\":\"a\",\"followers\":0,\"avg_likes\":5}", STRICT,
	   &c);
	CHECK(!c.has_engagement_rate);
	nm_creator_clear(&c);
	/* likes above followers (a real row): derived, capped at 1, averages kept */
	OK("{\"platform\":\"instagram\",\"handle\":\"a\",\"followers\":1292,\"avg_likes\":1679,"
	   "\"avg_comments\":1}",
	   LENIENT, &c);
	CHECK(c.has_engagement_rate && c.engagement_derived && c.engagement_rate == 1.0);
	CHECK(c.avg_likes == 1679);
	nm_creator_clear(&c);
	OK("{" BASE ",\"avg_likes\":\"1.2k\",\"engagement_rate\":\"4.1%\"}", LENIENT, &c);
	CHECK(c.avg_likes == 1200 && c.engagement_rate == 0.041);
	nm_creator_clear(&c);
	OK("{" BASE ",\"engagement_rate\":\"0.041\"}", LENIENT, &c);
	CHECK(c.engagement_rate == 0.041);
	nm_creator_clear(&c);
	/* The percentage hint only where percentages can be written (imports). */
	BAD("{" BASE ",\"engagement_rate\":4.1}", STRICT, "engagement_rate",
	    "must be between 0 and 1 (a fraction, e.g. 0.041)");
	BAD("{" BASE ",\"engagement_rate\":4.1}", LENIENT, "engagement_rate",
	    "must be between 0 and 1 (write 4.1% for percentages)");
	BAD("{" BASE ",\"engagement_rate\":\"4.1\"}", LENIENT, "engagement_rate", "write 4.1%");
	BAD2("{" BASE ",\"engagement_rate\":-0.01}", "engagement_rate", "between 0 and 1");
	BAD("{" BASE ",\"engagement_rate\":\"4.1%\"}", STRICT, "engagement_rate",
	    "must be a number");
	BAD2("{" BASE ",\"avg_likes\":-1}", "avg_likes", "at least 0");
	BAD("{" BASE ",\"avg_likes\":\"many\"}", LENIENT, "avg_likes", "1.2k");
	BAD("{" BASE ",\"avg_comments\":\"12\"}", STRICT, "avg_comments", "must be a number");
	BAD2("{" BASE ",\"avg_shares\":[]}", "avg_shares", "must be a number");
}

static void test_lists(void)
{
	struct nm_creator c;
	OK("{" BASE ",\"categories\":[\" Fitness\",\"fitness\",\"Vegan  Food\"],"
	   "\"hashtags\":[\"#Gym\",\"gym\",\"legday\"]}",
	   STRICT, &c);
	CHECK(c.n_categories == 2);
	CHECK_STR(c.categories[1], "vegan food");
	CHECK(c.n_hashtags == 2);
	CHECK_STR(c.hashtags[0], "gym");
	nm_creator_clear(&c);
	OK("{" BASE ",\"categories\":\"Fitness|Food; travel||\",\"hashtags\":\"#a #B,#c|d;;\"}",
	   LENIENT, &c);
	CHECK(c.n_categories == 3);
	CHECK_STR(c.categories[2], "travel");
	CHECK(c.n_hashtags == 4);
	CHECK_STR(c.hashtags[1], "b");
	CHECK_STR(c.hashtags[3], "d");
	nm_creator_clear(&c);
	OK("{" BASE ",\"categories\":[]}", STRICT, &c);
	CHECK(c.n_categories == 0 && c.categories == NULL);
	nm_creator_clear(&c);
	BAD("{" BASE ",\"categories\":\"a|b\"}", STRICT, "categories", "array");
	BAD2("{" BASE ",\"categories\":[\"a\",1]}", "categories[1]", "must be a string");
	BAD("{" BASE ",\"categories\":[\"a\",\"  \"]}", STRICT, "categories[1]", "empty");
	BAD2("{" BASE ",\"hashtags\":[\"a b\"]}", "hashtags[0]", "spaces");
	BAD2("{" BASE ",\"hashtags\":{}}", "hashtags", "array");
	char text[4096];
	strcpy(text, "{" BASE ",\"categories\":[");
	for (int i = 0; i < 21; i++)
		sprintf(text + strlen(text), "%s\"c%d\"", i ? "," : "", i);
	strcat(text, "]}");
	BAD2(text, "categories", "at most 20");
	strcpy(text, "{" BASE ",\"hashtags\":\"");
	for (int i = 0; i < 51; i++)
		sprintf(text + strlen(text), "%sh%d", i ? "|" : "", i);
	strcat(text, "\"}");
	BAD(text, LENIENT, "hashtags", "at most 50");
	char longterm[128];
	memset(longterm, 'x', 101);
	longterm[101] = '\0';
	snprintf(text, sizeof text, "{" BASE ",\"categories\":\"ok|%s\"}", longterm);
	BAD(text, LENIENT, "categories[1]", "at most 100");
}

static void test_text_fields(void)
{
	struct nm_creator c;
	OK("{" BASE ",\"display_name\":\" Alice \",\"bio\":\"Hi\",\"external_id\":\"crm-9\","
	   "\"email\":\"a@b.co\",\"profile_url\":\"HTTPS://instagram.com/alice\"}",
	   STRICT, &c);
	CHECK_STR(c.display_name, "Alice");
	CHECK_STR(c.bio, "Hi");
	CHECK_STR(c.external_id, "crm-9");
	CHECK_STR(c.email, "a@b.co");
	CHECK_STR(c.profile_url, "HTTPS://instagram.com/alice");
	nm_creator_clear(&c);
	BAD("{" BASE ",\"display_name\":\"\"}", STRICT, "display_name", "empty");
	OK("{" BASE ",\"display_name\":\"\",\"bio\":\" \"}", LENIENT, &c);
	CHECK(c.display_name == NULL && c.bio == NULL);
	nm_creator_clear(&c);
	char *bio = malloc(2 * 2001 + 64);
	char *text = malloc(2 * 2001 + 128);
	bio[0] = '\0';
	for (int i = 0; i < 2000; i++)
		strcat(bio, "\xc3\xa9");
	sprintf(text, "{" BASE ",\"bio\":\"%s\"}", bio);
	OK(text, STRICT, &c);
	nm_creator_clear(&c);
	strcat(bio, "x");
	sprintf(text, "{" BASE ",\"bio\":\"%s\"}", bio);
	BAD2(text, "bio", "at most 2000");
	free(bio);
	free(text);
	BAD2("{" BASE ",\"email\":\"nope\"}", "email", "email");
	BAD2("{" BASE ",\"email\":\"a@b@c\"}", "email", "email");
	BAD2("{" BASE ",\"email\":\"@b.co\"}", "email", "email");
	BAD2("{" BASE ",\"email\":\"a@\"}", "email", "email");
	BAD2("{" BASE ",\"email\":\"a b@c.d\"}", "email", "email");
	BAD2("{" BASE ",\"profile_url\":\"ftp://x\"}", "profile_url", "http");
	BAD2("{" BASE ",\"profile_url\":\"instagram.com/a\"}", "profile_url", "http");
	BAD2("{" BASE ",\"profile_url\":\"https://\"}", "profile_url", "http");
	BAD2("{" BASE ",\"external_id\":5}", "external_id", "string");
}

static void test_iso(void)
{
	struct nm_creator c;
	OK("{" BASE ",\"country\":\"de\",\"language\":\"DE\"}", STRICT, &c);
	CHECK_STR(c.country, "DE");
	CHECK_STR(c.language, "de");
	nm_creator_clear(&c);
	OK("{" BASE ",\"country\":\" us \"}", LENIENT, &c);
	CHECK_STR(c.country, "US");
	nm_creator_clear(&c);
	BAD2("{" BASE ",\"country\":\"UK\"}", "country", "ISO 3166");
	BAD2("{" BASE ",\"country\":\"DEU\"}", "country", "ISO 3166");
	BAD2("{" BASE ",\"language\":\"xx\"}", "language", "ISO 639");
}

static void test_audience(void)
{
	struct nm_creator c;
	OK("{" BASE
	   ",\"audience_countries\":{\"us\":0.42,\"GB\":0.58},\"audience_female_share\":0.6}",
	   STRICT, &c);
	CHECK(json_object_size(c.audience_countries) == 2);
	CHECK_NEAR(json_real_value(json_object_get(c.audience_countries, "US")), 0.42, 1e-12);
	CHECK(c.has_audience_female_share && c.audience_female_share == 0.6);
	nm_creator_clear(&c);
	/* the tolerance admits rounding in exported shares */
	OK("{" BASE ",\"audience_countries\":{\"US\":0.3333334,\"GB\":0.3333334,\"DE\":0.3333334}}",
	   STRICT, &c);
	nm_creator_clear(&c);
	OK("{" BASE ",\"audience_countries\":\"US:42%|GB: 0.1\",\"audience_female_share\":\"55%\"}",
	   LENIENT, &c);
	CHECK_NEAR(json_real_value(json_object_get(c.audience_countries, "US")), 0.42, 1e-12);
	CHECK_NEAR(json_real_value(json_object_get(c.audience_countries, "GB")), 0.1, 1e-12);
	CHECK(c.audience_female_share == 0.55);
	nm_creator_clear(&c);
	BAD2("{" BASE ",\"audience_countries\":{\"US\":0.6,\"GB\":0.5}}", "audience_countries",
	     "at most 1");
	BAD2("{" BASE ",\"audience_countries\":{\"XX\":0.1}}", "audience_countries.XX", "ISO");
	BAD2("{" BASE ",\"audience_countries\":{\"US\":1.5}}", "audience_countries.US",
	     "between 0");
	BAD2("{" BASE ",\"audience_countries\":{\"US\":0.1,\"us\":0.1}}", "audience_countries.us",
	     "duplicate");
	BAD("{" BASE ",\"audience_countries\":{\"US\":\"42%\"}}", STRICT, "audience_countries.US",
	    "number");
	BAD("{" BASE ",\"audience_countries\":\"US:0.4\"}", STRICT, "audience_countries", "object");
	BAD("{" BASE ",\"audience_countries\":\"US 0.4\"}", LENIENT, "audience_countries",
	    "US:0.42");
	BAD2("{" BASE ",\"audience_female_share\":1.2}", "audience_female_share",
	     "between 0 and 1");
}

static void test_growth(void)
{
	struct nm_creator c;
	OK("{" BASE ",\"follower_growth_30d\":-0.025}", STRICT, &c);
	CHECK(c.has_follower_growth_30d && c.follower_growth_30d == -0.025);
	nm_creator_clear(&c);
	OK("{" BASE ",\"follower_growth_30d\":3}", STRICT, &c);
	CHECK(c.follower_growth_30d == 3);
	nm_creator_clear(&c);
	OK("{" BASE ",\"follower_growth_30d\":\"-2.5%\"}", LENIENT, &c);
	CHECK(c.follower_growth_30d == -0.025);
	nm_creator_clear(&c);
	BAD("{" BASE ",\"follower_growth_30d\":\"-2.5%\"}", STRICT, "follower_growth_30d",
	    "number");
	BAD("{" BASE ",\"follower_growth_30d\":\"fast\"}", LENIENT, "follower_growth_30d",
	    "number");
}

static void check_time(const char *in, enum nm_creator_mode mode, const char *want, int line)
{
	char text[256];
	struct nm_creator c;
	snprintf(text, sizeof text, "{" BASE ",\"last_post_at\":\"%s\"}", in);
	if (want) {
		ok(text, mode, &c, line);
		CHECK_STR(c.last_post_at, want);
		nm_creator_clear(&c);
	} else {
		bad(text, mode, "last_post_at", "RFC 3339", line);
	}
}
#define TIME(in, mode, want) check_time(in, mode, want, __LINE__)

static void test_time(void)
{
	TIME("2019-05-01T12:00:00Z", STRICT, "2019-05-01T12:00:00Z");
	TIME("2019-05-01t12:00:00z", STRICT, "2019-05-01T12:00:00Z");
	TIME("2019-05-01 12:00:00Z", STRICT, "2019-05-01T12:00:00Z");
	TIME("2019-05-01T12:00:00.123456Z", STRICT, "2019-05-01T12:00:00Z");
	TIME("2019-05-01T02:30:00+05:30", STRICT, "2019-04-30T21:00:00Z");
	TIME("2019-12-31T23:00:00-02:00", STRICT, "2020-01-01T01:00:00Z");
	TIME("2020-02-29T00:00:00Z", STRICT, "2020-02-29T00:00:00Z");
	TIME("2000-02-29T00:00:00Z", STRICT, "2000-02-29T00:00:00Z");
	TIME("1969-12-31T23:59:59Z", STRICT, "1969-12-31T23:59:59Z");
	TIME("2019-05-01", LENIENT, "2019-05-01T00:00:00Z");
	TIME("2019-05-01", STRICT, NULL);
	TIME("2019-02-29T00:00:00Z", STRICT, NULL);
	TIME("1900-02-29T00:00:00Z", STRICT, NULL);
	TIME("2019-04-31T00:00:00Z", STRICT, NULL);
	TIME("2019-13-01T00:00:00Z", STRICT, NULL);
	TIME("2019-00-01T00:00:00Z", STRICT, NULL);
	TIME("2019-05-01T24:00:00Z", STRICT, NULL);
	TIME("2019-05-01T12:60:00Z", STRICT, NULL);
	TIME("2019-05-01T12:00:60Z", STRICT, NULL);
	TIME("2019-05-01T12:00:00", STRICT, NULL);
	TIME("2019-05-01T12:00:00.Z", STRICT, NULL);
	TIME("2019-05-01T12:00:00+0530", STRICT, NULL);
	TIME("2019-05-01T12:00:00+24:00", STRICT, NULL);
	TIME("2019-05-01T12:00Z", STRICT, NULL);
	TIME("0000-01-01T00:00:00+01:00", STRICT, NULL);
	TIME("yesterday", LENIENT, NULL);
	TIME("2019-5-1T12:00:00Z", STRICT, NULL);
	TIME("+019-05-01T12:00:00Z", STRICT, NULL);
}

static void test_unknown_members(void)
{
	struct nm_creator c;
	json_t *errors = json_array(), *unknown = json_object();
	CHECK(parse("{" BASE ",\"is_verified\":\"1\",\"id\":7,\"sampled_posts\":2}", LENIENT, NULL,
		    &c, errors, unknown));
	CHECK(json_array_size(errors) == 0);
	CHECK(json_object_get(unknown, "is_verified") == json_true());
	CHECK(json_object_get(unknown, "sampled_posts") != NULL);
	CHECK(json_object_get(unknown, "id") != NULL);
	nm_creator_clear(&c);
	CHECK(parse("{" BASE ",\"x\":1}", LENIENT, NULL, &c, errors,
		    NULL)); /* unknown may be NULL */
	nm_creator_clear(&c);
	json_decref(errors);
	json_decref(unknown);
	BAD("{" BASE ",\"is_verified\":true}", STRICT, "is_verified", "unknown field");
	BAD("{" BASE ",\"id\":1}", STRICT, "id", "read-only field");
	BAD("{" BASE ",\"tier\":\"micro\"}", STRICT, "tier", "read-only field");
	BAD("{" BASE ",\"created_at\":null}", STRICT, "created_at", "read-only field");
}

/* null means absent in both modes (merge-patch bodies, NDJSON exports). */
static void test_nulls(void)
{
	struct nm_creator c;
	OK("{" BASE ",\"display_name\":null,\"following\":null,\"engagement_rate\":null,"
	   "\"categories\":null,\"country\":null,\"audience_countries\":null,\"last_post_at\":null,"
	   "\"follower_growth_30d\":null}",
	   STRICT, &c);
	CHECK(!c.has_following && !c.has_engagement_rate && c.n_categories == 0);
	CHECK(c.audience_countries == NULL && c.country[0] == '\0');
	nm_creator_clear(&c);
}

/* All errors of a row are reported together. */
static void test_collects_all(void)
{
	struct nm_creator c;
	json_t *errors = json_array();
	CHECK(!parse(
		"{\"platform\":\"myspace\",\"followers\":-5,\"email\":\"x\",\"country\":\"ZZ\","
		"\"categories\":[1],\"extra\":1}",
		STRICT, NULL, &c, errors, NULL));
	CHECK(has_error(errors, "platform", "one of"));
	CHECK(has_error(errors, "handle", "is required"));
	CHECK(has_error(errors, "followers", "at least 0"));
	CHECK(has_error(errors, "email", NULL));
	CHECK(has_error(errors, "country", NULL));
	CHECK(has_error(errors, "categories[0]", NULL));
	CHECK(has_error(errors, "extra", "unknown field"));
	CHECK(json_array_size(errors) == 7);
	json_decref(errors);
}

static void test_to_json(void)
{
	struct nm_creator c;
	OK("{" BASE "}", STRICT, &c);
	json_t *j = nm_creator_to_json(&c);
	static const char *const keys[] = {"platform",
					   "handle",
					   "display_name",
					   "profile_url",
					   "email",
					   "followers",
					   "following",
					   "posts_count",
					   "avg_likes",
					   "avg_comments",
					   "avg_shares",
					   "avg_views",
					   "engagement_rate",
					   "categories",
					   "hashtags",
					   "bio",
					   "country",
					   "language",
					   "audience_countries",
					   "audience_female_share",
					   "price_per_post_cents",
					   "follower_growth_30d",
					   "last_post_at",
					   "external_id",
					   "data_as_of",
					   "sample_posts",
					   "sponsored_posts",
					   "verified",
					   "content_country",
					   "caption",
					   "tier"};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		CHECK(json_object_get(j, keys[i]) != NULL);
	CHECK(json_object_size(j) == sizeof keys / sizeof keys[0]);
	CHECK(json_is_null(json_object_get(j, "display_name")));
	CHECK(json_is_null(json_object_get(j, "country")));
	CHECK(json_is_null(json_object_get(j, "engagement_rate")));
	CHECK(json_array_size(json_object_get(j, "categories")) == 0);
	CHECK_STR(json_string_value(json_object_get(j, "tier")), "micro");
	CHECK_STR(json_string_value(json_object_get(j, "platform")), "instagram");
	json_decref(j);
	nm_creator_clear(&c);

	/* A full creator survives to_json -> strict parse (minus tier) unchanged. */
	const char *full =
		"{\"platform\":\"youtube\",\"handle\":\"bob\",\"followers\":2000000,"
		"\"display_name\":\"Bob\",\"profile_url\":\"https://y.t/bob\","
		"\"email\":\"b@y.t\",\"following\":3,\"posts_count\":4,\"avg_likes\":10.0,"
		"\"avg_comments\":2.0,\"avg_shares\":1.0,\"avg_views\":100.0,"
		"\"engagement_rate\":0.01,\"categories\":[\"tech\"],"
		"\"hashtags\":[\"ai\"],\"bio\":\"b\",\"country\":\"CA\","
		"\"language\":\"fr\",\"audience_countries\":{\"CA\":0.5},"
		"\"audience_female_share\":0.4,\"price_per_post_cents\":100,"
		"\"follower_growth_30d\":0.02,\"last_post_at\":\"2024-01-02T03:04:05Z\","
		"\"external_id\":\"e1\",\"data_as_of\":\"2024-01-03T00:00:00Z\","
		"\"sample_posts\":12,\"sponsored_posts\":2,\"verified\":true,"
		"\"content_country\":\"US\",\"caption\":\"new kit #ai\"}";
	OK(full, STRICT, &c);
	j = nm_creator_to_json(&c);
	CHECK_STR(json_string_value(json_object_get(j, "tier")), "mega");
	json_t *in = J(full);
	json_object_del(j, "tier");
	CHECK(json_equal(j, in) || (dump_errors(j), 0));
	struct nm_creator c2;
	json_t *errors = json_array();
	CHECK(nm_creator_from_json(j, STRICT, NULL, &c2, errors, NULL));
	json_t *j2 = nm_creator_to_json(&c2);
	json_object_del(j2, "tier");
	CHECK(json_equal(j, j2));
	json_decref(j2);
	nm_creator_clear(&c2);
	json_decref(errors);
	json_decref(in);
	json_decref(j);
	nm_creator_clear(&c);
}

/* A row as the CSV importer builds it (every cell a string), from the real dev file. */
static void test_csv_row(void)
{
	struct nm_creator c;
	json_t *errors = json_array();
	CHECK(parse(
		"{\"platform\":\"instagram\",\"handle\":\"00_rocketgirl\",\"display_name\":"
		"\"Rocketgirl\",\"categories\":\"other\",\"followers\":\"6453\",\"following\":"
		"\"710\",\"posts_count\":\"1059\",\"avg_likes\":\"212.0\",\"avg_comments\":\"4.0\","
		"\"engagement_rate\":\"0.03347\",\"hashtags\":\"rockets|houstonrockets|htown\"}",
		LENIENT, NULL, &c, errors, NULL));
	CHECK(c.followers == 6453 && c.avg_likes == 212 && c.engagement_rate == 0.03347);
	CHECK(c.n_hashtags == 3 && !c.engagement_derived);
	nm_creator_clear(&c);
	json_decref(errors);
}

/* Issue 16/20 fields: data_as_of never in the future, sample and sponsored counts, the
 * verification flag in export spellings, where posts are tagged, the caption. */
static void test_freshness_fields(void)
{
	struct nm_creator c;
	OK("{" BASE ",\"data_as_of\":\"2019-05-01T12:00:00+02:00\",\"sample_posts\":3,"
	   "\"sponsored_posts\":2,\"verified\":false,\"content_country\":\"us\","
	   "\"caption\":\"Leg day again\"}",
	   STRICT, &c);
	CHECK_STR(c.data_as_of, "2019-05-01T10:00:00Z");
	CHECK(c.has_sample_posts && c.sample_posts == 3);
	CHECK(c.has_sponsored_posts && c.sponsored_posts == 2);
	CHECK(c.has_verified && !c.verified);
	CHECK_STR(c.content_country, "US");
	CHECK_STR(c.caption, "Leg day again");
	CHECK(c.country[0] == '\0'); /* a geotag is never the stated country */
	CHECK(c.last_post_at[0] == '\0');
	nm_creator_clear(&c);
	OK("{" BASE ",\"data_as_of\":\"2019-05-01\",\"verified\":\"1\","
	   "\"sample_posts\":\"2\"}",
	   LENIENT, &c);
	CHECK_STR(c.data_as_of, "2019-05-01T00:00:00Z");
	CHECK(c.has_verified && c.verified);
	nm_creator_clear(&c);
	OK("{" BASE ",\"content_country\":\"xk\"}", STRICT, &c);
	CHECK_STR(c.content_country, "XK");
	nm_creator_clear(&c);
	OK("{" BASE ",\"verified\":\"No\"}", LENIENT, &c);
	CHECK(c.has_verified && !c.verified);
	nm_creator_clear(&c);
	BAD("{" BASE ",\"data_as_of\":\"2999-01-01T00:00:00Z\"}", STRICT, "data_as_of", "future");
	BAD("{" BASE ",\"data_as_of\":\"2999-01-01\"}", LENIENT, "data_as_of", "future");
	BAD("{" BASE ",\"data_as_of\":\"last week\"}", LENIENT, "data_as_of", "RFC 3339");
	BAD("{" BASE ",\"data_as_of\":\"2019-05-01\"}", STRICT, "data_as_of", "RFC 3339");
	BAD("{" BASE ",\"sample_posts\":-1}", STRICT, "sample_posts", "at least 0");
	BAD("{" BASE ",\"sample_posts\":2,\"sponsored_posts\":3}", STRICT, "sponsored_posts",
	    "exceed");
	BAD("{" BASE ",\"verified\":1}", STRICT, "verified", "true or false");
	BAD("{" BASE ",\"verified\":\"maybe\"}", LENIENT, "verified", "true or false");
	BAD("{" BASE ",\"content_country\":\"USA\"}", STRICT, "content_country", "ISO 3166");
	BAD("{" BASE ",\"confidence\":\"high\"}", STRICT, "confidence", "read-only");
	BAD("{" BASE ",\"er_source\":\"given\"}", STRICT, "er_source", "read-only");
}

int main(void)
{
	test_minimal();
	test_platform();
	test_handle();
	test_counts();
	test_averages_and_engagement();
	test_lists();
	test_text_fields();
	test_iso();
	test_audience();
	test_growth();
	test_time();
	test_unknown_members();
	test_nulls();
	test_collects_all();
	test_to_json();
	test_csv_row();
	test_freshness_fields();
	CHECK_DONE();
}
