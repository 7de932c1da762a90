/* Unit tests for data confidence (include/nm/confidence.h): the documented rules of
 * docs/scoring.md "Data confidence" as a table, the thin-sample shrinkage, the
 * data-quality flags, and that the score sees the sample but never the confidence. */
#include <string.h>

#include "check.h"
#include "nm/confidence.h"
#include "nm/score.h"

/* age_days, sample_posts, er_derived, has_audience, has_price -> level, codes */
static const struct row {
	int64_t age, sample;
	bool derived, audience, price;
	enum nm_conf_level level;
	const char *codes; /* space-separated, documented order */
} rows[] = {
	/* Everything known and fresh. */
	{10, 30, false, true, true, NM_CONF_HIGH, ""},
	{10, -1, false, true, true, NM_CONF_HIGH, ""}, /* sample not said: no code */
	{180, 6, false, true, true, NM_CONF_HIGH, ""}, /* both limits are inclusive */
	/* One minor code keeps high; two make medium. */
	{10, 30, false, true, false, NM_CONF_HIGH, "no_price"},
	{10, 30, true, true, true, NM_CONF_HIGH, "derived_er"},
	{10, 30, false, false, false, NM_CONF_MEDIUM, "no_audience_data no_price"},
	{10, 30, true, false, false, NM_CONF_MEDIUM, "derived_er no_audience_data no_price"},
	/* One major code: medium. */
	{181, 30, false, true, true, NM_CONF_MEDIUM, "stale"},
	{365, 30, false, true, true, NM_CONF_MEDIUM, "stale"},
	{10, 5, false, true, true, NM_CONF_MEDIUM, "thin_sample"},
	{10, 2, false, true, true, NM_CONF_MEDIUM, "thin_sample"},
	/* Low: very stale, one post, unknown age, or both majors. */
	{366, 30, false, true, true, NM_CONF_LOW, "stale"},
	{-1, 30, false, true, true, NM_CONF_LOW, "stale"},
	{10, 1, false, true, true, NM_CONF_LOW, "thin_sample"},
	{0, 0, false, true, true, NM_CONF_LOW, "thin_sample"},
	{200, 3, false, true, true, NM_CONF_LOW, "stale thin_sample"},
	{2000, 1, true, false, false, NM_CONF_LOW,
	 "stale thin_sample derived_er no_audience_data no_price"},
};

static void test_table(void)
{
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const struct row *r = &rows[i];
		struct nm_confidence_in in = {r->age, r->sample, r->derived, r->audience, r->price};
		struct nm_confidence out;
		nm_confidence_eval(&in, &out);
		const char *names[NM_CONF_CODE_COUNT];
		size_t n = nm_confidence_code_names(out.codes, names, NM_CONF_CODE_COUNT);
		char joined[128] = "";
		for (size_t k = 0; k < n; k++) {
			if (k)
				strcat(joined, " ");
			strcat(joined, names[k]);
		}
		if (out.level != r->level || strcmp(joined, r->codes) != 0)
			fprintf(stderr, "row %zu: got %s [%s], want %s [%s]\n", i,
				nm_confidence_level_name(out.level), joined,
				nm_confidence_level_name(r->level), r->codes);
		CHECK(out.level == r->level);
		CHECK_STR(joined, r->codes);
	}
}

/* Issue 20: a rate from one sampled post is never high, whatever else is known. */
static void test_one_post_never_high(void)
{
	for (int age = -1; age < 400; age += 7)
		for (int m = 0; m < 8; m++) {
			struct nm_confidence_in in = {age, 1, m & 1, m & 2, m & 4};
			struct nm_confidence out;
			nm_confidence_eval(&in, &out);
			CHECK(out.level != NM_CONF_HIGH);
		}
}

static void test_names(void)
{
	enum nm_conf_level l;
	CHECK(nm_confidence_level_parse("medium", &l) && l == NM_CONF_MEDIUM);
	CHECK(!nm_confidence_level_parse("Medium", &l));
	CHECK(!nm_confidence_level_parse(NULL, &l));
	CHECK_STR(nm_confidence_level_name(NM_CONF_LOW), "low");
	const char *names[2];
	CHECK(nm_confidence_code_names(~0u, names, 2) == 2); /* bounded by max */
}

static void test_shrink(void)
{
	/* k = 2: one post keeps a third of its distance from the benchmark, six posts 3/4. */
	CHECK_NEAR(nm_confidence_shrink(0.10, 1, 0.02), 0.10 / 3 + 0.02 * 2 / 3, 1e-12);
	CHECK_NEAR(nm_confidence_shrink(0.10, 2, 0.02), 0.06, 1e-12);
	CHECK_NEAR(nm_confidence_shrink(0.10, 6, 0.02), 0.75 * 0.10 + 0.25 * 0.02, 1e-12);
	CHECK_NEAR(nm_confidence_shrink(0.10, 0, 0.02), 0.02, 1e-12);
	CHECK(nm_confidence_shrink(0.10, -1, 0.02) == 0.10); /* unknown sample: as given */
	/* More posts: closer to the rate; a higher rate: never lower (rule 3). */
	double prev = 0;
	for (int n = 1; n < 200; n++) {
		double v = nm_confidence_shrink(0.10, n, 0.02);
		CHECK(v > prev);
		prev = v;
		CHECK(nm_confidence_shrink(0.0501, n, 0.02) >= nm_confidence_shrink(0.05, n, 0.02));
	}
}

static void test_flags(void)
{
	CHECK(nm_engagement_unusually_high(0.389, 0.0226)); /* the dev file's 17x account */
	CHECK(!nm_engagement_unusually_high(0.20, 0.0226));
	CHECK(nm_engagement_unusually_high(0.51, 0.30)); /* above 50 % whatever the tier */
	CHECK(!nm_engagement_unusually_high(0.5, 0.30));
	CHECK(!nm_engagement_unusually_high(0.2259, 0.0226)); /* just under 10x */
	CHECK(nm_mostly_sponsored(2, 3));
	CHECK(!nm_mostly_sponsored(1, 2)); /* half is not most */
	CHECK(nm_mostly_sponsored(1, 1));
	CHECK(!nm_mostly_sponsored(0, 0));
	CHECK(!nm_mostly_sponsored(1, -1)); /* no sample: no share */
}

/* The score reads the sample (shrinkage) and the geotag bit, never anything about age:
 * features carry no data_as_of at all, so an old and a new copy score the same. A thin
 * sample moves a high rate toward the median; without a sample nothing changes. */
static void test_score_uses_sample(void)
{
	struct nm_score_query q;
	nm_score_query_init(&q, NM_GOAL_ENGAGEMENT);
	struct nm_score_features f = {.id = 1,
				      .engagement_rate = 0.2,
				      .followers = 20000,
				      .following = -1,
				      .price_cents = -1,
				      .audience_female_share = -1,
				      .follower_growth_30d = NAN,
				      .days_since_post = NM_SCORE_DAYS_UNKNOWN,
				      .niche_cat = 1};
	double c0[NM_COMP_COUNT], c1[NM_COMP_COUNT], c30[NM_COMP_COUNT];
	nm_score_creator(&q, &f, c0);
	f.sample = 1;
	nm_score_creator(&q, &f, c1);
	f.sample = 127;
	nm_score_creator(&q, &f, c30);
	CHECK(c1[NM_COMP_ENGAGEMENT] < c30[NM_COMP_ENGAGEMENT]);
	CHECK(c30[NM_COMP_ENGAGEMENT] <= c0[NM_COMP_ENGAGEMENT]);
	/* Geotag: half the evidence of a stated country. */
	nm_score_query_add_country(&q, "US");
	f.sample = 0;
	memcpy(f.country, "US", 2);
	nm_score_creator(&q, &f, c0);
	f.sample = NM_SCORE_COUNTRY_GEOTAG;
	nm_score_creator(&q, &f, c1);
	CHECK_NEAR(c0[NM_COMP_AUDIENCE], 0.75, 1e-9);
	CHECK_NEAR(c1[NM_COMP_AUDIENCE], 0.625, 1e-9);
	char buf[1024];
	const char *reasons[16];
	size_t n = nm_score_reasons(&q, &f, NULL, 0, buf, sizeof buf, reasons, 16);
	bool said = false;
	for (size_t i = 0; i < n; i++)
		said |= strncmp(reasons[i], "Posts tagged in US", 18) == 0;
	CHECK(said);
}

/* The notes the match results will carry (nm_quality_notes). */
static void test_quality_notes(void)
{
	struct nm_score_query q;
	nm_score_query_init(&q, NM_GOAL_ENGAGEMENT);
	nm_score_query_add_country(&q, "US");
	struct nm_score_features f = {.id = 1,
				      .engagement_rate = 0.38918,
				      .followers = 14140,
				      .following = -1,
				      .price_cents = -1,
				      .audience_female_share = -1,
				      .follower_growth_30d = NAN,
				      .days_since_post = NM_SCORE_DAYS_UNKNOWN,
				      .sample = 1 | NM_SCORE_COUNTRY_GEOTAG,
				      .country = {'U', 'S'}};
	struct nm_quality_note notes[4];
	size_t n = nm_quality_notes(&q, &f, notes, 4);
	CHECK(n == 3);
	CHECK_STR(notes[0].code, "engagement_unusually_high");
	CHECK_STR(notes[0].component, "engagement");
	CHECK(strstr(notes[0].text, NM_CONF_UNUSUAL_TEXT) != NULL);
	CHECK(strstr(notes[0].text, "17.2x") != NULL);
	CHECK_STR(notes[1].code, "thin_sample");
	CHECK(notes[1].value == 1);
	CHECK_STR(notes[1].text, "Engagement rests on 1 sampled post; weighted toward the median");
	CHECK_STR(notes[2].code, "content_country");
	CHECK_STR(notes[2].text, "Posts tagged in US");
	CHECK(nm_quality_notes(&q, &f, notes, 1) == 1); /* bounded */
	f.engagement_rate = 0.03;
	f.sample = 30;
	CHECK(nm_quality_notes(&q, &f, notes, 4) == 0);
}

int main(void)
{
	test_table();
	test_one_post_never_high();
	test_names();
	test_shrink();
	test_flags();
	test_score_uses_sample();
	test_quality_notes();
	CHECK_DONE();
}
