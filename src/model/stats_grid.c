/* GET /v1/stats counts and reply (see nm/stats_grid.h). */
#include "nm/stats_grid.h"

#include <string.h>

static const struct {
	const char *name;
	int64_t max_days; /* the bucket's last day; -1 for unknown */
} buckets[NM_STATS_AGE_BUCKETS] = {
	{"0_30d", 30},	   {"31_90d", 90},	     {"91_180d", 180},
	{"181_365d", 365}, {"over_365d", INT64_MAX}, {"unknown", -1},
};

size_t nm_stats_age_bucket(int64_t age_days)
{
	if (age_days < 0)
		return NM_STATS_AGE_BUCKETS - 1;
	size_t b = 0;
	while (age_days > buckets[b].max_days)
		b++;
	return b;
}

int64_t nm_stats_age_in(size_t b)
{
	return b == 0 ? 0 : b + 1 < NM_STATS_AGE_BUCKETS ? buckets[b - 1].max_days + 1 : -1;
}

struct cell {
	int64_t n, age[NM_STATS_AGE_BUCKETS], conf[3];
};

static void cell_of(const struct nm_stats_grid *g, int pl, int t, struct cell *c)
{
	for (size_t a = 0; a < NM_STATS_AGE_BUCKETS; a++)
		for (int l = 0; l < 3; l++) {
			int64_t n = g->n[pl][t][a][l];
			c->n += n;
			c->age[a] += n;
			c->conf[l] += n;
		}
}

static json_t *cell_json(const struct cell *c)
{
	json_t *age = json_object(), *conf = json_object();
	for (size_t a = 0; a < NM_STATS_AGE_BUCKETS; a++)
		json_object_set_new(age, buckets[a].name, json_integer(c->age[a]));
	for (int l = 0; l < 3; l++)
		json_object_set_new(conf, nm_confidence_level_name((enum nm_conf_level)l),
				    json_integer(c->conf[l]));
	return json_pack("{s:I, s:o, s:o}", "creators", (json_int_t)c->n, "data_age", age,
			 "confidence", conf);
}

json_t *nm_stats_grid_json(const struct nm_stats_grid *g)
{
	struct cell total;
	memset(&total, 0, sizeof total);
	json_t *rows = json_array();
	for (int pl = 0; pl < NM_PLATFORM_COUNT; pl++)
		for (int t = 0; t < NM_TIER_COUNT; t++) {
			struct cell c;
			memset(&c, 0, sizeof c);
			cell_of(g, pl, t, &c);
			cell_of(g, pl, t, &total);
			if (!c.n)
				continue;
			json_t *o = cell_json(&c);
			json_object_set_new(o, "platform",
					    json_string(nm_platform_name((enum nm_platform)pl)));
			json_object_set_new(o, "tier", json_string(nm_tier_name((enum nm_tier)t)));
			json_array_append_new(rows, o);
		}
	json_t *o = cell_json(&total);
	json_object_set_new(o, "by_platform_tier", rows);
	return o;
}
