/* GET /v1/stats (see nm/store_stats.h). */
#include "nm/store_stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "nm/confidence.h"
#include "nm/db.h"
#include "nm/taxonomy.h"
#include "nm/tx.h"

/* Data age buckets, in whole days since data_as_of as the creator reply counts them
 * (seconds / 86400, not calendar days: no time zone moves an edge). Their edges are the confidence
 * thresholds (180 and 365 days), so a bucket decides the age rules exactly. Each carries an age
 * inside it for the rules. */
static const struct {
	const char *name;
	int64_t rep_days;
} age_buckets[] = {
	{"0_30d", 0},	   {"31_90d", 31},     {"91_180d", 91},
	{"181_365d", 181}, {"over_365d", 366}, {"unknown", -1},
};
#define N_AGE (sizeof age_buckets / sizeof age_buckets[0])

/* Columns: platform, tier (nm_tier_of's edges), age bucket index, sample (-1 not said,
 * else at most NM_CONF_THIN_POSTS: the rules only compare with 1 and that), derived,
 * audience known, price known, count. */
static struct nm_sql q_stats = {
	"creator_stats",
	"SELECT platform, "
	" CASE WHEN followers < 10000 THEN 0 WHEN followers < 100000 THEN 1 "
	"  WHEN followers < 500000 THEN 2 WHEN followers < 1000000 THEN 3 ELSE 4 END, "
	" CASE WHEN data_as_of IS NULL THEN 5 "
	"  WHEN age <= 30 THEN 0 WHEN age <= 90 THEN 1 WHEN age <= 180 THEN 2 "
	"  WHEN age <= 365 THEN 3 ELSE 4 END, "
	" coalesce(least(sample_posts, $1::int), -1), "
	" (engagement_derived AND engagement_rate IS NOT NULL), "
	" (audience_countries IS NOT NULL OR audience_female_share IS NOT NULL), "
	" (price_per_post_cents IS NOT NULL), count(*) "
	"FROM creators, LATERAL (SELECT floor(extract(epoch FROM now() - data_as_of) / 86400) "
	"  AS age) a GROUP BY 1, 2, 3, 4, 5, 6, 7",
	1, 0};

struct cell {
	int64_t n, age[N_AGE], conf[3];
};

static json_t *counts(const int64_t *v, size_t n, const char *(*name)(size_t))
{
	json_t *o = json_object();
	for (size_t i = 0; i < n; i++)
		json_object_set_new(o, name(i), json_integer(v[i]));
	return o;
}

static const char *age_name(size_t i)
{
	return age_buckets[i].name;
}

static const char *conf_name(size_t i)
{
	return nm_confidence_level_name((enum nm_conf_level)i);
}

static void add(struct cell *c, size_t age, enum nm_conf_level l, int64_t n)
{
	c->n += n;
	c->age[age] += n;
	c->conf[l] += n;
}

static json_t *cell_json(const struct cell *c)
{
	json_t *o = json_object();
	json_object_set_new(o, "creators", json_integer(c->n));
	json_object_set_new(o, "data_age", counts(c->age, N_AGE, age_name));
	json_object_set_new(o, "confidence", counts(c->conf, 3, conf_name));
	return o;
}

json_t *nm_store_creator_stats(struct nm_pg *pg, struct nm_db_err *err)
{
	char thin[16];
	snprintf(thin, sizeof thin, "%d", NM_CONF_THIN_POSTS);
	const char *p[] = {thin};
	PGresult *res = nm_db_exec(pg, &q_stats, p);
	if (!nm_db_ok(res)) {
		nm_db_err_from(err, res);
		PQclear(res);
		return NULL;
	}
	struct cell(*grid)[NM_TIER_COUNT] = calloc(NM_PLATFORM_COUNT, sizeof *grid);
	if (!grid) {
		PQclear(res);
		nm_db_err_set(err, NM_DB_ERROR);
		return NULL;
	}
	struct cell total = {0};
	for (int i = 0; i < PQntuples(res); i++) {
		enum nm_platform pl = NM_PLATFORM_OTHER;
		nm_platform_parse(PQgetvalue(res, i, 0), &pl);
		int64_t tier = nm_db_i64(res, i, 1), age = nm_db_i64(res, i, 2);
		if (tier < 0 || tier >= NM_TIER_COUNT || age < 0 || age >= (int64_t)N_AGE)
			continue;
		struct nm_confidence_in in = {
			.age_days = age_buckets[age].rep_days,
			.sample_posts = nm_db_i64(res, i, 3),
			.er_derived = PQgetvalue(res, i, 4)[0] == 't',
			.has_audience = PQgetvalue(res, i, 5)[0] == 't',
			.has_price = PQgetvalue(res, i, 6)[0] == 't',
		};
		struct nm_confidence conf;
		nm_confidence_eval(&in, &conf);
		int64_t n = nm_db_i64(res, i, 7);
		add(&grid[pl][tier], (size_t)age, conf.level, n);
		add(&total, (size_t)age, conf.level, n);
	}
	PQclear(res);
	json_t *o = cell_json(&total);
	json_t *rows = json_array();
	for (int pl = 0; pl < NM_PLATFORM_COUNT; pl++)
		for (int t = 0; t < NM_TIER_COUNT; t++) {
			if (!grid[pl][t].n)
				continue;
			json_t *c = cell_json(&grid[pl][t]);
			json_object_set_new(c, "platform",
					    json_string(nm_platform_name((enum nm_platform)pl)));
			json_object_set_new(c, "tier", json_string(nm_tier_name((enum nm_tier)t)));
			json_array_append_new(rows, c);
		}
	free(grid);
	json_object_set_new(o, "by_platform_tier", rows);
	nm_db_err_set(err, NM_DB_OK);
	return o;
}
