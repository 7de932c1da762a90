/* Header mapping (docs/api.md §4 aliases) and row building, alone and behind the CSV reader. */
#include "check.h"
#include "nm/colmap.h"
#include "nm/csv.h"

#include <stdlib.h>

static const char *field(const char *h)
{
	return nm_colmap_field(h, strlen(h));
}

/* NULL-safe equality for "maps to nothing". */
#define CHECK_NONE(h) CHECK(field(h) == NULL)

static void test_canonical(void)
{
	static const char *names[] = {
		"platform",
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
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		CHECK_STR(field(names[i]), names[i]);
		char upper[64];
		size_t j = 0;
		for (; names[i][j]; j++)
			upper[j] =
				(char)(names[i][j] >= 'a' && names[i][j] <= 'z' ? names[i][j] - 32
										: names[i][j]);
		upper[j] = '\0';
		CHECK_STR(field(upper), names[i]);
	}
}

static void test_aliases(void)
{
	/* docs/api.md §4 and the headers of real exports (instagram_influencers_kim2020.txt). */
	CHECK_STR(field("Username"), "handle");
	CHECK_STR(field("account"), "handle");
	CHECK_STR(field("  User Name "), "handle");
	CHECK_STR(field("#Followers"), "followers");
	CHECK_STR(field("#Followees"), "following");
	CHECK_STR(field("#Posts"), "posts_count");
	CHECK_STR(field("Followers Count"), "followers");
	CHECK_STR(field("follower_count"), "followers");
	CHECK_STR(field("Subscribers"), "followers");
	CHECK_STR(field("Engagement Rate"), "engagement_rate");
	CHECK_STR(field("ER"), "engagement_rate");
	CHECK_STR(field("ER (%)"), "engagement_rate");
	CHECK_STR(field("engagement"), "engagement_rate");
	CHECK_STR(field("Avg Likes"), "avg_likes");
	CHECK_STR(field("Avg. Likes"), "avg_likes");
	CHECK_STR(field("likes"), "avg_likes");
	CHECK_STR(field("Comments"), "avg_comments");
	CHECK_STR(field("shares"), "avg_shares");
	CHECK_STR(field("Views"), "avg_views");
	CHECK_STR(field("Top Hashtags"), "hashtags");
	CHECK_STR(field("top_hashtags"), "hashtags");
	CHECK_STR(field("Tags"), "hashtags");
	CHECK_STR(field("Niche"), "categories");
	CHECK_STR(field("Category"), "categories");
	CHECK_STR(field("Full Name"), "display_name");
	CHECK_STR(field("Name"), "display_name");
	CHECK_STR(field("Country"), "country");
	CHECK_STR(field("Language"), "language");
	CHECK_STR(field("Bio"), "bio");
	CHECK_STR(field("Description"), "bio");
	CHECK_STR(field("Email"), "email");
	CHECK_STR(field("E-mail"), "email");
	CHECK_STR(field("Profile URL"), "profile_url");
	CHECK_STR(field("URL"), "profile_url");
	CHECK_STR(field("Media Count"), "posts_count");
	CHECK_STR(field("Price (cents)"), "price_per_post_cents");
	CHECK_STR(field("Follower Growth (30d)"), "follower_growth_30d");
	CHECK_STR(field("\xEF\xBB\xBFplatform"), "platform");
	CHECK_STR(field("Display\xC2\xA0Name"), "display_name");
	CHECK_STR(field("CRM ID"), "external_id");
	CHECK_STR(nm_colmap_field("handle,ignored", 6), "handle"); /* len is honoured */
	/* Issue 20: the dev CSV's sample columns, mapped by meaning. */
	CHECK_STR(field("last_sampled_post_at"), "data_as_of"); /* never last_post_at */
	CHECK_STR(field("Scraped At"), "data_as_of");
	CHECK_STR(field("as_of"), "data_as_of");
	CHECK_STR(field("collected_at"), "data_as_of");
	CHECK_STR(field("Date"), "data_as_of");
	CHECK_STR(field("sampled_posts"), "sample_posts");
	CHECK_STR(field("Posts Analyzed"), "sample_posts");
	CHECK_STR(field("sample_size"), "sample_posts");
	CHECK_STR(field("sponsored_posts"), "sponsored_posts");
	CHECK_STR(field("is_verified"), "verified");
	CHECK_STR(field("geotag_country"), "content_country");
	CHECK_STR(field("sample_caption"), "caption");
	CHECK_STR(field("Recent Caption"), "caption");
	CHECK_STR(field("last_caption"), "caption");
}

static void test_unknown(void)
{
	CHECK_NONE("Price"); /* units unknown: never guessed */
	CHECK_NONE("Price per post");
	CHECK_NONE("price_usd");
	CHECK_NONE("video_posts"); /* columns of the dev CSV that are not creator fields */
	CHECK_NONE("geotagged_posts");
	CHECK_NONE("geotag_city");
	CHECK_NONE("sponsor_accounts");
	CHECK_NONE("first_sampled_post_at");
	CHECK_NONE("id");
	CHECK_NONE("");
	CHECK_NONE("###");
	CHECK_NONE("Followers (M)");
	CHECK_NONE("Naïve");
	CHECK(nm_colmap_field(NULL, 0) == NULL);
	char longname[300];
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	CHECK_NONE(longname);
	memcpy(longname, "followers", 9);
	CHECK_NONE(longname);
}

static json_t *row(const char *const *fields, size_t nf, const char *const *cells, size_t n)
{
	size_t lens[16];
	for (size_t i = 0; i < n; i++)
		lens[i] = strlen(cells[i]);
	return nm_colmap_row(fields, nf, n, cells, lens);
}

static const char *get(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void test_rows(void)
{
	const char *fields[] = {"handle", "followers", "followers", NULL, "engagement_rate", "bio"};
	const char *cells[] = {"@Foo", "", "12,400", "ignored", " 4.1% ", "  "};
	json_t *o = row(fields, 6, cells, 6);
	CHECK(json_object_size(o) == 3);
	CHECK_STR(get(o, "handle"), "@Foo");
	CHECK_STR(get(o, "followers"), "12,400"); /* first non-empty of two columns */
	CHECK_STR(get(o, "engagement_rate"), "4.1%");
	CHECK(json_object_get(o, "bio") == NULL);
	json_decref(o);

	const char *both[] = {"a", "3.4k", "9"};
	o = row(fields, 6, both, 3); /* short row: the missing columns are absent */
	CHECK_STR(get(o, "followers"), "3.4k");
	CHECK(json_object_size(o) == 2);
	json_decref(o);

	const char *many[] = {"a", "1", "2", "x", "0.1", "bio text", "extra", "more"};
	o = row(fields, 6, many, 8); /* long row: cells past the header are ignored */
	CHECK(json_object_size(o) == 4);
	CHECK_STR(get(o, "bio"), "bio text");
	json_decref(o);

	/* Cells keep inner text as is, including list separators and newlines. */
	const char *lf[] = {"hashtags", "bio"};
	const char *lc[] = {"#a|b; c", "line 1\nline 2\n"};
	o = row(lf, 2, lc, 2);
	CHECK_STR(get(o, "hashtags"), "#a|b; c");
	CHECK_STR(get(o, "bio"), "line 1\nline 2");
	json_decref(o);

	/* Valid UTF-8 unchanged; Latin-1 / Windows-1252 bytes transcoded. */
	const char *nf[] = {"display_name", "bio", "country"};
	/* Split literal: "\xB1a" would be one hex escape; parenthesised for clang's
	 * -Wstring-concatenation, which takes it for a missing comma. */
	const char *enc[] = {"Jos\xE9", "\x93hi\x94 \xF0\x9F\x98\x80 \x81",
			     ("Espa\xC3\xB1"
			      "a")};
	o = row(nf, 3, enc, 3);
	CHECK_STR(get(o, "display_name"), "Jos\xC3\xA9");
	CHECK_STR(get(o, "bio"), "\xE2\x80\x9Chi\xE2\x80\x9D \xF0\x9F\x98\x80 \xEF\xBF\xBD");
	CHECK_STR(get(o, "country"), "Espa\xC3\xB1"
				     "a");
	json_decref(o);
	const char *bad[] = {"\xED\xA0\x80", "\xC0\xAF", "\xF4\x90\x80\x80"}; /* never UTF-8 */
	o = row(nf, 3, bad, 3);
	CHECK(json_object_size(o) == 3);
	json_decref(o);

	o = nm_colmap_row(fields, 6, 0, NULL, NULL);
	CHECK(o && json_object_size(o) == 0);
	json_decref(o);
}

/* The importer's path: CSV header -> fields, each row -> object. */
struct pipe {
	const char *fields[32];
	size_t nf;
	json_t *rows;
};

static int pipe_rec(void *cls, size_t line, size_t n, const char *const *cells, const size_t *lens)
{
	struct pipe *p = cls;
	if (line == 1) {
		for (size_t i = 0; i < n && i < 32; i++)
			p->fields[i] = nm_colmap_field(cells[i], lens[i]);
		p->nf = n < 32 ? n : 32;
		return 0;
	}
	json_t *o = nm_colmap_row(p->fields, p->nf, n, cells, lens);
	json_object_set_new(o, "_line", json_integer((json_int_t)line));
	json_array_append_new(p->rows, o);
	return 0;
}

static void test_pipeline(void)
{
	const char *csv = "\xEF\xBB\xBFUsername,Category,#Followers,#Followees,#Posts,Notes\r\n"
			  "makeupbynvs,beauty,\"1,432\",1089,363,\"multi\r\nline\"\r\n"
			  "\r\n"
			  "anisaartistry,beauty,64.6k,289\r\n";
	struct pipe p = {.rows = json_array()};
	struct nm_csv *r = nm_csv_new(',', 0, pipe_rec, &p);
	CHECK(nm_csv_feed(r, csv, strlen(csv)) == 0);
	CHECK(nm_csv_finish(r) == 0);
	nm_csv_free(r);
	CHECK(p.fields[5] == NULL);
	CHECK(json_array_size(p.rows) == 2);
	json_t *a = json_array_get(p.rows, 0), *b = json_array_get(p.rows, 1);
	CHECK_STR(get(a, "handle"), "makeupbynvs");
	CHECK_STR(get(a, "categories"), "beauty");
	CHECK_STR(get(a, "followers"), "1,432");
	CHECK_STR(get(a, "following"), "1089");
	CHECK_STR(get(a, "posts_count"), "363");
	CHECK(json_integer_value(json_object_get(a, "_line")) == 2);
	CHECK_STR(get(b, "followers"), "64.6k");
	CHECK(json_object_get(b, "posts_count") == NULL);
	CHECK(json_integer_value(json_object_get(b, "_line")) == 5);
	json_decref(p.rows);
}

/* Issue 10 audit: long input through the header normaliser (bounded key, everything
 * scanned) and the Windows-1252 fallback (up to 3 output bytes per input byte). Inputs sit
 * in exact-size heap blocks so that ASan sees any access past them. */
static void test_long_input(void)
{
	size_t n = 70000;
	char *h = malloc(n + 9);
	memset(h, ' ', n);
	memcpy(h + n, "followers", 9);
	CHECK_STR(nm_colmap_field(h, n + 9), "followers"); /* dropped bytes cost no key room */
	memset(h, 'a', n + 9);
	CHECK(nm_colmap_field(h, n + 9) == NULL);
	CHECK(nm_colmap_field(h, 48) == NULL);
	free(h);

	char *cell = malloc(n);
	memset(cell, 0x80, n); /* each byte is U+20AC, 3 bytes of UTF-8 */
	const char *fields[] = {"bio"};
	const char *cells[] = {cell};
	size_t lens[] = {n};
	json_t *o = nm_colmap_row(fields, 1, 1, cells, lens);
	CHECK(o && json_string_length(json_object_get(o, "bio")) == 3 * n);
	json_decref(o);
	free(cell);
}

int main(void)
{
	test_long_input();
	test_canonical();
	test_aliases();
	test_unknown();
	test_rows();
	test_pipeline();
	CHECK_DONE();
}
