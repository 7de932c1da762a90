#include "check.h"
#include "model_util.h"

#include "nm/brand.h"

/* Normalises text; NULL (and the errors printed) when it was refused. */
static json_t *ok(const char *text, int line)
{
	json_t *in = J(text), *errors = json_array();
	json_t *out = nm_brand_normalize(in, errors);
	if (!out || json_array_size(errors)) {
		fprintf(stderr, "line %d: expected valid: %s\n", line, text);
		dump_errors(errors);
	}
	json_decref(in);
	json_decref(errors);
	return out;
}
#define OK(text) ok(text, __LINE__)

/* Expects a refusal with an error on field whose message contains sub. */
static void bad(const char *text, const char *field, const char *sub, int line)
{
	json_t *in = J(text), *errors = json_array();
	json_t *out = nm_brand_normalize(in, errors);
	nm_check_count++;
	if (out || !has_error(errors, field, sub)) {
		nm_check_failures++;
		fprintf(stderr, "line %d: expected error %s: %s for %s\n", line,
			field ? field : "(none)", sub, text);
		dump_errors(errors);
	}
	json_decref(out);
	json_decref(in);
	json_decref(errors);
}
#define BAD(text, field, sub) bad(text, field, sub, __LINE__)

#define BASE "\"name\":\"Acme\",\"niches\":[\"fitness\"]"

static const char *sget(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void test_minimal_and_defaults(void)
{
	json_t *b = OK("{" BASE "}");
	CHECK(b != NULL);
	CHECK_STR(sget(b, "name"), "Acme");
	CHECK_STR(sget(b, "goal"), "engagement");
	CHECK_STR(sget(b, "target_gender"), "any");
	CHECK(json_object_get(b, "follower_min") == NULL); /* defaults are not materialised */
	CHECK(json_object_get(b, "keywords") == NULL);
	long long lo, hi;
	nm_brand_follower_range(b, &lo, &hi);
	CHECK(lo == 10000 && hi == 100000);
	json_decref(b);

	b = OK("{" BASE ",\"goal\":\"awareness\"}");
	nm_brand_follower_range(b, &lo, &hi);
	CHECK(lo == 10000 && hi == -1);
	json_decref(b);

	b = OK("{" BASE ",\"goal\":\"Conversions\",\"follower_min\":500,\"follower_max\":2000}");
	CHECK_STR(sget(b, "goal"), "conversions");
	nm_brand_follower_range(b, &lo, &hi);
	CHECK(lo == 500 && hi == 2000);
	json_decref(b);
}

static void test_name(void)
{
	json_t *b = OK("{\"name\":\"  Acme Corp \",\"niches\":[\"x\"]}");
	CHECK_STR(sget(b, "name"), "Acme Corp");
	json_decref(b);
	BAD("{\"niches\":[\"x\"]}", "name", "is required");
	BAD("{\"name\":null,\"niches\":[\"x\"]}", "name", "is required");
	BAD("{\"name\":\"   \",\"niches\":[\"x\"]}", "name", "must not be empty");
	BAD("{\"name\":42,\"niches\":[\"x\"]}", "name", "must be a string");
	char text[1200];
	/* 200 two-byte characters pass, 201 fail: code points, not bytes. */
	char many[700] = "";
	for (int i = 0; i < 200; i++)
		strcat(many, "\xc3\xa9");
	snprintf(text, sizeof text, "{\"name\":\"%s\",\"niches\":[\"x\"]}", many);
	b = OK(text);
	CHECK(b != NULL);
	json_decref(b);
	strcat(many, "e");
	snprintf(text, sizeof text, "{\"name\":\"%s\",\"niches\":[\"x\"]}", many);
	BAD(text, "name", "at most 200");
}

static void test_niches(void)
{
	json_t *b = OK("{\"name\":\"A\",\"niches\":[\" Fitness \",\"fitness\",\"Plant  Based\","
		       "\"FITNESS\"]}");
	json_t *n = json_object_get(b, "niches");
	CHECK(json_array_size(n) == 2);
	CHECK_STR(json_string_value(json_array_get(n, 0)), "fitness");
	CHECK_STR(json_string_value(json_array_get(n, 1)), "plant based");
	json_decref(b);
	BAD("{\"name\":\"A\"}", "niches", "is required");
	BAD("{\"name\":\"A\",\"niches\":[]}", "niches", "at least 1");
	BAD("{\"name\":\"A\",\"niches\":\"fitness\"}", "niches", "must be an array");
	BAD("{\"name\":\"A\",\"niches\":[\"a\",\"b\",\"  \"]}", "niches[2]", "must not be empty");
	BAD("{\"name\":\"A\",\"niches\":[\"a\",3]}", "niches[1]", "must be a string");
	char text[4096] = "{\"name\":\"A\",\"niches\":[";
	for (int i = 0; i < 21; i++)
		sprintf(text + strlen(text), "%s\"n%d\"", i ? "," : "", i);
	strcat(text, "]}");
	BAD(text, "niches", "at most 20");
	/* 21 raw entries that de-duplicate to 20 are fine: the limit is after normalisation. */
	strcpy(text, "{\"name\":\"A\",\"niches\":[\"N0\"");
	for (int i = 0; i < 20; i++)
		sprintf(text + strlen(text), ",\"n%d\"", i);
	strcat(text, "]}");
	b = OK(text);
	CHECK(json_array_size(json_object_get(b, "niches")) == 20);
	json_decref(b);
	char longterm[256];
	memset(longterm, 'a', 101);
	longterm[101] = '\0';
	snprintf(text, sizeof text, "{\"name\":\"A\",\"niches\":[\"%s\"]}", longterm);
	BAD(text, "niches[0]", "at most 100");
	longterm[100] = '\0';
	snprintf(text, sizeof text, "{\"name\":\"A\",\"niches\":[\"%s\"]}", longterm);
	json_decref(b = OK(text));
}

static void test_keywords(void)
{
	json_t *b = OK("{" BASE ",\"keywords\":[\"Protein\",\"protein \"]}");
	CHECK(json_array_size(json_object_get(b, "keywords")) == 1);
	json_decref(b);
	b = OK("{" BASE ",\"keywords\":[]}");
	CHECK(json_object_get(b, "keywords") == NULL);
	json_decref(b);
	char text[4096] = "{" BASE ",\"keywords\":[";
	for (int i = 0; i < 51; i++)
		sprintf(text + strlen(text), "%s\"k%d\"", i ? "," : "", i);
	strcat(text, "]}");
	BAD(text, "keywords", "at most 50");
	BAD("{" BASE ",\"keywords\":[\"\"]}", "keywords[0]", "empty");
}

static void test_platforms(void)
{
	json_t *b = OK("{" BASE ",\"platforms\":[\"Instagram\",\"x\",\"twitter\",\"TikTok\"]}");
	json_t *p = json_object_get(b, "platforms");
	CHECK(json_array_size(p) == 3);
	CHECK_STR(json_string_value(json_array_get(p, 1)), "twitter");
	json_decref(b);
	BAD("{" BASE ",\"platforms\":[\"instagram\",\"myspace\"]}", "platforms[1]", "one of");
	BAD("{" BASE ",\"platforms\":[1]}", "platforms[0]", "must be a string");
	BAD("{" BASE ",\"platforms\":\"instagram\"}", "platforms", "must be an array");
}

static void test_iso_lists(void)
{
	json_t *b = OK("{" BASE ",\"target_countries\":[\"us\",\"GB\",\"US\"],"
		       "\"target_languages\":[\"EN\",\"de\"]}");
	json_t *c = json_object_get(b, "target_countries");
	CHECK(json_array_size(c) == 2);
	CHECK_STR(json_string_value(json_array_get(c, 0)), "US");
	CHECK_STR(json_string_value(json_array_get(json_object_get(b, "target_languages"), 0)),
		  "en");
	json_decref(b);
	BAD("{" BASE ",\"target_countries\":[\"US\",\"UK\"]}", "target_countries[1]", "ISO 3166");
	BAD("{" BASE ",\"target_countries\":[\"USA\"]}", "target_countries[0]", "ISO 3166");
	BAD("{" BASE ",\"target_languages\":[\"english\"]}", "target_languages[0]", "ISO 639");
}

static void test_enums(void)
{
	json_t *b = OK("{" BASE ",\"target_gender\":\"female\",\"goal\":\"awareness\"}");
	CHECK_STR(sget(b, "target_gender"), "female");
	json_decref(b);
	b = OK("{" BASE ",\"target_gender\":null,\"goal\":null}");
	CHECK_STR(sget(b, "target_gender"), "any");
	CHECK_STR(sget(b, "goal"), "engagement");
	json_decref(b);
	BAD("{" BASE ",\"target_gender\":\"other\"}", "target_gender", "female, male, any");
	BAD("{" BASE ",\"goal\":\"sales\"}", "goal", "engagement, awareness, conversions");
	BAD("{" BASE ",\"goal\":1}", "goal", "must be a string");
}

static void test_follower_range(void)
{
	BAD("{" BASE ",\"follower_min\":200000}", "follower_min", "100000");
	json_t *b = OK("{" BASE ",\"follower_min\":200000,\"goal\":\"awareness\"}");
	json_decref(b);
	b = OK("{" BASE ",\"follower_min\":200000,\"follower_max\":300000}");
	json_decref(b);
	BAD("{" BASE ",\"follower_min\":5000,\"follower_max\":4000}", "follower_min",
	    "follower_max (4000)");
	BAD("{" BASE ",\"follower_max\":5000}", "follower_max", "10000");
	b = OK("{" BASE ",\"follower_min\":0,\"follower_max\":5000}");
	json_decref(b);
	b = OK("{" BASE ",\"follower_min\":null,\"follower_max\":null}");
	CHECK(json_object_get(b, "follower_min") == NULL);
	json_decref(b);
	BAD("{" BASE ",\"follower_min\":-1}", "follower_min", "at least 0");
	BAD("{" BASE ",\"follower_min\":\"10000\"}", "follower_min", "must be an integer");
	BAD("{" BASE ",\"follower_max\":1.5}", "follower_max", "must be an integer");
	/* An invalid goal is reported once, not again as a range problem. */
	json_t *in = J("{" BASE ",\"goal\":\"x\",\"follower_min\":200000}"), *errors = json_array();
	CHECK(nm_brand_normalize(in, errors) == NULL);
	CHECK(json_array_size(errors) == 1);
	json_decref(in);
	json_decref(errors);
}

static void test_numbers(void)
{
	json_t *b = OK("{" BASE ",\"min_engagement_rate\":0.03,\"budget_per_post_cents\":50000}");
	CHECK_NEAR(json_real_value(json_object_get(b, "min_engagement_rate")), 0.03, 1e-12);
	CHECK(json_integer_value(json_object_get(b, "budget_per_post_cents")) == 50000);
	json_decref(b);
	b = OK("{" BASE ",\"min_engagement_rate\":1}");
	CHECK(json_is_real(json_object_get(b, "min_engagement_rate")));
	json_decref(b);
	BAD("{" BASE ",\"min_engagement_rate\":4.1}", "min_engagement_rate", "between 0 and 1");
	BAD("{" BASE ",\"min_engagement_rate\":-0.1}", "min_engagement_rate", "between 0 and 1");
	BAD("{" BASE ",\"min_engagement_rate\":\"0.03\"}", "min_engagement_rate", "a number");
	BAD("{" BASE ",\"budget_per_post_cents\":-5}", "budget_per_post_cents", "at least 0");
	BAD("{" BASE ",\"budget_per_post_cents\":\"500\"}", "budget_per_post_cents", "integer");
}

static void test_strings(void)
{
	json_t *b = OK("{" BASE ",\"industry\":\" Sports \",\"external_id\":\" crm-1\"}");
	CHECK_STR(sget(b, "industry"), "Sports");
	CHECK_STR(sget(b, "external_id"), "crm-1");
	json_decref(b);
	BAD("{" BASE ",\"external_id\":\"\"}", "external_id", "empty");
	BAD("{" BASE ",\"external_id\":12}", "external_id", "must be a string");
	BAD("{" BASE ",\"industry\":[]}", "industry", "must be a string");
}

static void test_members(void)
{
	BAD("{" BASE ",\"id\":5}", "id", "read-only field");
	BAD("{" BASE ",\"created_at\":\"x\"}", "created_at", "read-only field");
	BAD("{" BASE ",\"updated_at\":null}", "updated_at", "read-only field");
	BAD("{" BASE ",\"is_admin\":true}", "is_admin", "unknown field");
	BAD("[1]", NULL, "JSON object");
	BAD("\"x\"", NULL, "JSON object");
}

/* Every bad field is reported, not just the first. */
static void test_collects_all(void)
{
	json_t *in =
		J("{\"name\":\"\",\"niches\":[\"ok\",\"\",5],\"goal\":\"x\",\"platforms\":[\"y\"],"
		  "\"budget_per_post_cents\":-1,\"extra\":1}");
	json_t *errors = json_array();
	CHECK(nm_brand_normalize(in, errors) == NULL);
	CHECK(has_error(errors, "name", NULL));
	CHECK(has_error(errors, "niches[1]", NULL));
	CHECK(has_error(errors, "niches[2]", NULL));
	CHECK(has_error(errors, "goal", NULL));
	CHECK(has_error(errors, "platforms[0]", NULL));
	CHECK(has_error(errors, "budget_per_post_cents", NULL));
	CHECK(has_error(errors, "extra", "unknown field"));
	CHECK(json_array_size(errors) == 7);
	json_decref(in);
	json_decref(errors);
	/* Errors already in the array are kept, and do not by themselves fail a valid body. */
	errors = json_array();
	json_array_append_new(errors, json_string("earlier"));
	in = J("{" BASE "}");
	json_t *out = nm_brand_normalize(in, errors);
	CHECK(out != NULL);
	json_decref(out);
	json_decref(in);
	json_decref(errors);
}

/* A merge patch applied to a stored canonical brand is re-validated whole: nulls clear
 * optional fields, and the result is again canonical (idempotent). */
static void test_merge_patch_roundtrip(void)
{
	json_t *stored = OK("{" BASE ",\"keywords\":[\"gym\"],\"follower_min\":20000,"
			    "\"min_engagement_rate\":0.02,\"industry\":\"Sport\"}");
	json_t *patch = J("{\"keywords\":null,\"industry\":null,\"follower_min\":null,"
			  "\"goal\":\"awareness\"}");
	json_t *merged = json_deep_copy(stored);
	const char *k;
	json_t *v;
	json_object_foreach(patch, k, v)
	{
		if (json_is_null(v))
			json_object_del(merged, k);
		else
			json_object_set(merged, k, v);
	}
	json_t *errors = json_array();
	json_t *b = nm_brand_normalize(merged, errors);
	CHECK(b != NULL);
	CHECK(json_object_get(b, "keywords") == NULL);
	CHECK(json_object_get(b, "industry") == NULL);
	CHECK_STR(sget(b, "goal"), "awareness");
	json_t *again = nm_brand_normalize(b, errors);
	CHECK(json_equal(again, b));
	CHECK(json_array_size(errors) == 0);
	json_decref(again);
	json_decref(b);
	json_decref(errors);
	json_decref(merged);
	json_decref(patch);
	json_decref(stored);
}

int main(void)
{
	test_minimal_and_defaults();
	test_name();
	test_niches();
	test_keywords();
	test_platforms();
	test_iso_lists();
	test_enums();
	test_follower_range();
	test_numbers();
	test_strings();
	test_members();
	test_collects_all();
	test_merge_patch_roundtrip();
	CHECK_DONE();
}
