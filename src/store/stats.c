/* GET /v1/stats (see nm/store_stats.h). */
#include "nm/store_stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "nm/confidence.h"
#include "nm/db.h"
#include "nm/stats_grid.h"
#include "nm/taxonomy.h"
#include "nm/tx.h"

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

bool nm_store_creator_stats(struct nm_pg *pg, struct nm_stats_grid *g, struct nm_db_err *err)
{
	char thin[16];
	snprintf(thin, sizeof thin, "%d", NM_CONF_THIN_POSTS);
	const char *p[] = {thin};
	PGresult *res = nm_db_exec(pg, &q_stats, p);
	if (!nm_db_ok(res)) {
		nm_db_err_from(err, res);
		PQclear(res);
		return false;
	}
	memset(g, 0, sizeof *g);
	for (int i = 0; i < PQntuples(res); i++) {
		enum nm_platform pl = NM_PLATFORM_OTHER;
		nm_platform_parse(PQgetvalue(res, i, 0), &pl);
		int64_t tier = nm_db_i64(res, i, 1), age = nm_db_i64(res, i, 2);
		if (tier < 0 || tier >= NM_TIER_COUNT || age < 0 || age >= NM_STATS_AGE_BUCKETS)
			continue;
		struct nm_confidence_in in = {
			.age_days = nm_stats_age_in((size_t)age),
			.sample_posts = nm_db_i64(res, i, 3),
			.er_derived = PQgetvalue(res, i, 4)[0] == 't',
			.has_audience = PQgetvalue(res, i, 5)[0] == 't',
			.has_price = PQgetvalue(res, i, 6)[0] == 't',
		};
		struct nm_confidence conf;
		nm_confidence_eval(&in, &conf);
		g->n[pl][tier][age][conf.level] += nm_db_i64(res, i, 7);
	}
	PQclear(res);
	nm_db_err_set(err, NM_DB_OK);
	return true;
}
