/* Unit tests for the GET /v1/stats counts (nm/stats_grid.h): the age buckets' edges are
 * the ones docs/api.md "Stats" names and the confidence rules use, the age a bucket lends
 * the rules lies inside it, and the reply sums the cells. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "nm/stats_grid.h"

static void test_bucket_edges(void)
{
	CHECK(nm_stats_age_bucket(-1) == 5);
	CHECK(nm_stats_age_bucket(0) == 0);
	CHECK(nm_stats_age_bucket(30) == 0);
	CHECK(nm_stats_age_bucket(31) == 1);
	CHECK(nm_stats_age_bucket(90) == 1);
	CHECK(nm_stats_age_bucket(91) == 2);
	CHECK(nm_stats_age_bucket(180) == 2);
	CHECK(nm_stats_age_bucket(181) == 3);
	CHECK(nm_stats_age_bucket(365) == 3);
	CHECK(nm_stats_age_bucket(366) == 4);
	CHECK(nm_stats_age_bucket(100000) == 4);
	for (size_t b = 0; b < NM_STATS_AGE_BUCKETS; b++)
		CHECK(nm_stats_age_bucket(nm_stats_age_in(b)) == b);
	/* a bucket decides the confidence rules: every age in it gives the same level */
	for (int64_t age = -1; age < 800; age++) {
		struct nm_confidence_in a = {age, 30, true, true, true};
		struct nm_confidence_in r = {nm_stats_age_in(nm_stats_age_bucket(age)), 30, true,
					     true, true};
		struct nm_confidence ca, cr;
		nm_confidence_eval(&a, &ca);
		nm_confidence_eval(&r, &cr);
		CHECK(ca.level == cr.level);
	}
}

static void test_reply_sums_cells(void)
{
	struct nm_stats_grid *g = calloc(1, sizeof *g);
	g->n[NM_PLATFORM_TIKTOK][NM_TIER_MICRO][0][NM_CONF_HIGH] = 3;
	g->n[NM_PLATFORM_TIKTOK][NM_TIER_MICRO][5][NM_CONF_LOW] = 2;
	g->n[NM_PLATFORM_INSTAGRAM][NM_TIER_NANO][4][NM_CONF_MEDIUM] = 7;
	json_t *o = nm_stats_grid_json(g);
	CHECK(json_integer_value(json_object_get(o, "creators")) == 12);
	json_t *age = json_object_get(o, "data_age"), *conf = json_object_get(o, "confidence");
	CHECK(json_integer_value(json_object_get(age, "0_30d")) == 3);
	CHECK(json_integer_value(json_object_get(age, "unknown")) == 2);
	CHECK(json_integer_value(json_object_get(age, "over_365d")) == 7);
	CHECK(json_integer_value(json_object_get(conf, "medium")) == 7);
	json_t *rows = json_object_get(o, "by_platform_tier");
	CHECK(json_array_size(rows) == 2);
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row)
	{
		const char *pl = json_string_value(json_object_get(row, "platform"));
		int64_t n = json_integer_value(json_object_get(row, "creators"));
		CHECK(strcmp(pl, "tiktok") ? n == 7 : n == 5);
	}
	json_decref(o);
	free(g);
}

int main(void)
{
	test_bucket_edges();
	test_reply_sums_cells();
	CHECK_DONE();
}
