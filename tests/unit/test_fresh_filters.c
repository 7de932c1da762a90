/* Unit tests for the data freshness filters and labels of issue 16 (docs/scoring.md §12):
 * the index's packed confidence inputs give the level nm_confidence_eval gives, ages are
 * counted as creator replies count them, and a match result's score is the same whatever
 * the age of its data; only the data_stale explanation differs.
 *
 * results.c lives in the database-linked library; it is compiled into this test directly
 * (it needs nothing from libpq), so the documents checked are the ones runs store. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "nm/confidence.h"
#include "nm/score.h"

#include "../../src/match/results.c"

static const int64_t ages[] = {-1, 0, 1, 30, 179, 180, 181, 364, 365, 366, 1000};
static const int64_t samples[] = {-1, 0, 1, 2, 5, 6, 7, 30, 127, 100000};

/* Every combination of the inputs: the packed byte evaluates to the same level and codes. */
static void test_pack_is_exact(void)
{
	for (size_t a = 0; a < sizeof ages / sizeof *ages; a++)
		for (size_t s = 0; s < sizeof samples / sizeof *samples; s++)
			for (unsigned bits = 0; bits < 8; bits++) {
				struct nm_confidence_in in = {ages[a], samples[s], bits & 1,
							      (bits >> 1) & 1, (bits >> 2) & 1};
				struct nm_confidence want, got;
				nm_confidence_eval(&in, &want);
				nm_confidence_packed_eval(nm_confidence_pack(&in), ages[a], &got);
				CHECK(want.level == got.level);
				CHECK(want.codes == got.codes);
			}
}

static void test_age_days(void)
{
	int64_t now = 1796000000; /* 2026-11-29 */
	CHECK(nm_confidence_age_days(NM_CONF_AS_OF_UNKNOWN, now) == -1);
	CHECK(nm_confidence_age_days(now, now) == 0);
	CHECK(nm_confidence_age_days(now + 5000, now) == 0); /* ahead of the clock */
	CHECK(nm_confidence_age_days(now - 86399, now) == 0);
	CHECK(nm_confidence_age_days(now - 86400, now) == 1);
	CHECK(nm_confidence_age_days(now - 181 * 86400 + 1, now) == 180);
	CHECK(nm_confidence_age_days(now - 181 * 86400, now) == 181);
}

/* The document of one hit, as a run stores it. */
static char *doc_of(const struct nm_index_hit *h, const struct nm_score_query *q,
		    const struct nm_niche_terms *terms)
{
	struct nm_creator_summary sum = {h->id, 20000,	     "instagram", "fit_one",
					 NULL,	"{fitness}", "US"};
	struct nm_match_results rs = {0};
	CHECK(nm_match_results_build(h, 1, &sum, 1, q, terms, &rs));
	CHECK(rs.n == 1);
	char *d = rs.n ? strdup(nm_match_result_doc(&rs, 0)) : strdup("");
	nm_match_results_free(&rs);
	return d;
}

/* The document without its data_stale explanation (which is the last one). */
static void drop_stale(char *d)
{
	char *x = strstr(d, "{\"code\":\"data_stale\"");
	if (!x)
		return;
	if (x[-1] == ',')
		x--;
	char *end = strchr(x, '}');
	memmove(x, end + 1, strlen(end + 1) + 1);
}

/* The creator's data_age_days, confidence and confidence_codes (which follow the age) out of
 * the document, after checking that the age is the one given. */
static void drop_freshness(char *d, int64_t age)
{
	char want[48];
	snprintf(want, sizeof want, ",\"data_age_days\":%lld,", (long long)age);
	char *x = strstr(d, want);
	CHECK(x != NULL);
	if (!x)
		return;
	char *end = strstr(x, "\"confidence_codes\":[");
	end = end ? strchr(end, ']') : NULL;
	CHECK(end != NULL);
	if (end)
		memmove(x, end + 1, strlen(end + 1) + 1);
}

static void test_score_ignores_age(void)
{
	struct nm_score_query q;
	nm_score_query_init(&q, NM_GOAL_ENGAGEMENT);
	struct nm_niche_terms terms = {0};
	nm_niche_add(&terms, "fitness");
	struct nm_index_hit h;
	memset(&h, 0, sizeof h);
	h.id = 7;
	h.matched = 1;
	h.f.id = 7;
	h.f.engagement_rate = 0.05;
	h.f.followers = 20000;
	h.f.following = -1;
	h.f.price_cents = 25000;
	h.f.audience_female_share = -1;
	h.f.follower_growth_30d = NAN;
	h.f.days_since_post = 3;
	h.f.niche_cat = 1;
	h.f.sample = 30;
	h.score = nm_score_creator(&q, &h.f, NULL);
	const int64_t fresh_ages[] = {0, 10, 180}, old_ages[] = {181, 210, 400, 5000};
	h.data_age_days = 10;
	char *base = doc_of(&h, &q, &terms);
	CHECK(strstr(base, "data_stale") == NULL);
	CHECK(strstr(base, "\"confidence\":\"low\",\"confidence_codes\":[\"thin_sample\"") != NULL);
	drop_freshness(base, 10);
	for (size_t i = 0; i < sizeof fresh_ages / sizeof *fresh_ages; i++) {
		h.data_age_days = fresh_ages[i];
		char *d = doc_of(&h, &q, &terms);
		drop_freshness(d, fresh_ages[i]);
		CHECK_STR(d, base);
		free(d);
	}
	for (size_t i = 0; i < sizeof old_ages / sizeof *old_ages; i++) {
		h.data_age_days = old_ages[i];
		char *d = doc_of(&h, &q, &terms);
		char want[160];
		snprintf(want, sizeof want,
			 "{\"code\":\"data_stale\",\"component\":null,\"value\":%lld,"
			 "\"benchmark\":180,\"text\":\"Data %lld days old\"}]",
			 (long long)old_ages[i], (long long)old_ages[i]);
		CHECK(strstr(d, want) != NULL);
		CHECK(strstr(d, "\"confidence_codes\":[\"stale\"") != NULL);
		drop_stale(d);
		drop_freshness(d, old_ages[i]);
		CHECK_STR(d, base); /* the same score, components, points, flags and reasons */
		free(d);
	}
	free(base);
	nm_niche_free(&terms);
}

int main(void)
{
	test_pack_is_exact();
	test_age_days();
	test_score_ignores_age();
	CHECK_DONE();
}
