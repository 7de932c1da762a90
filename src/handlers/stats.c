/* GET /v1/stats (issue 16): the creator pool's data health (docs/api.md "Stats"), and the
 * same totals as /metrics gauges (nm/stats_gauges.h). Counted by the in-memory index
 * (NICHEMATCH_SEARCH_INDEX=0: by SQL for the API; the gauges use the index whenever it
 * is loaded). */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "nm/db_pool.h"
#include "nm/handlers.h"
#include "nm/match_index.h"
#include "nm/stats_gauges.h"
#include "nm/stats_grid.h"
#include "nm/store.h"
#include "nm/store_stats.h"
#include "nm/tx.h"

/* The reply, counted by the index when use_index and it is loaded (a pass over its slots:
 * milliseconds at 1M creators, where the grouped scan of the table takes most of a
 * second), else by SQL. NULL with err on a database failure. */
static json_t *stats_reply(struct nm_pg *pg, bool use_index, struct nm_db_err *err)
{
	struct nm_stats_grid *g = malloc(sizeof *g);
	if (!g) {
		nm_db_err_set(err, NM_DB_ERROR);
		return NULL;
	}
	bool ok = use_index && nm_index_sync(pg) && nm_index_creator_stats((int64_t)time(NULL), g);
	if (!ok)
		ok = nm_store_creator_stats(pg, g, err);
	json_t *o = ok ? nm_stats_grid_json(g) : NULL;
	free(g);
	return o;
}

void nm_h_stats(struct nm_req *r)
{
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return;
	struct nm_db_err err;
	json_t *o = stats_reply(pg, nm_req_config(r)->search_index, &err);
	if (o)
		nm_reply_json(r, 200, o);
	else
		nm_reply_db_err(r, &err);
}

/* ---- /metrics gauges ---- */

static pthread_mutex_t gauge_mu = PTHREAD_MUTEX_INITIALIZER;
static char *gauge_text;      /* the last rendering; NULL before the first query */
static time_t gauge_at;	      /* when it was tried last (0: never) */
static bool gauge_refreshing; /* one scrape queries, the others serve the cache */

/* One gauge family from an object of counts ({"0_30d": n, ...}). */
static void family(struct nm_buf *o, const char *name, const char *help, const char *label,
		   json_t *counts)
{
	nm_buf_printf(o, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
	const char *k;
	json_t *v;
	json_object_foreach(counts, k, v) nm_buf_printf(o, "%s{%s=\"%s\"} %lld\n", name, label, k,
							(long long)json_integer_value(v));
}

/* The gauges from a fresh stats query; NULL when the database failed. */
static char *render_fresh(void)
{
	struct nm_pg *pg = nm_db_acquire();
	if (!pg)
		return NULL;
	struct nm_db_err err;
	json_t *st = stats_reply(pg, true, &err);
	nm_db_release(pg);
	if (!st)
		return NULL;
	struct nm_buf o = {0};
	family(&o, "nichematch_creators_by_data_age",
	       "Creators by whole days since data_as_of (GET /v1/stats data_age; refreshed at "
	       "most every 60 s).",
	       "bucket", json_object_get(st, "data_age"));
	family(&o, "nichematch_creators_by_confidence",
	       "Creators by data confidence (GET /v1/stats confidence; refreshed at most every "
	       "60 s).",
	       "level", json_object_get(st, "confidence"));
	json_decref(st);
	if (o.oom) {
		free(o.data);
		return NULL;
	}
	size_t len;
	return nm_buf_steal(&o, &len);
}

void nm_stats_gauges_render(struct nm_buf *out)
{
	time_t now = time(NULL);
	pthread_mutex_lock(&gauge_mu);
	bool due = !gauge_refreshing && (gauge_at == 0 || now - gauge_at >= NM_STATS_GAUGE_TTL_S);
	if (due && nm_db_ready()) {
		gauge_refreshing = true;
		gauge_at = now;
		pthread_mutex_unlock(&gauge_mu);
		char *fresh = render_fresh(); /* outside the lock: other scrapes go on */
		pthread_mutex_lock(&gauge_mu);
		gauge_refreshing = false;
		if (fresh) {
			free(gauge_text);
			gauge_text = fresh;
		} else {
			gauge_at =
				now - NM_STATS_GAUGE_TTL_S + 5; /* retry in 5 s, not each scrape */
		}
	}
	if (gauge_text)
		nm_buf_str(out, gauge_text);
	pthread_mutex_unlock(&gauge_mu);
}
