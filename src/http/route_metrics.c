/* The HTTP series of /metrics (per route and status, latency histograms) and the whole
 * document: these series, then core's named counters (nm/metrics.h), the pruner's totals
 * and the database pool's gauges. Series are keyed by static label strings, so a lookup
 * is a pointer compare; the series count is bounded by routes x methods x statuses seen,
 * a few hundred at most. */
#include "nm/route_metrics.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nm/buf.h"
#include "nm/db_pool.h"
#include "nm/http.h"
#include "nm/metrics.h"
#include "nm/prune.h"

#define MAX_HTTP 512

static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
				 0.1,	 0.25,	0.5,	1,     2.5,  5,	    10};
#define NBUCKETS (sizeof buckets / sizeof buckets[0])

static struct http_series {
	const char *route, *method;
	int status;
	unsigned long long count;
} http[MAX_HTTP];
static int n_http;

static struct hist {
	const char *route, *method;
	unsigned long long counts[NBUCKETS + 1];
	double sum;
	unsigned long long total;
} hists[MAX_HTTP];
static int n_hists;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

/* Matched routes (the hot path) count without a lock: one atomic counter per route and
 * status code, and per route an atomic histogram. Unmatched requests take the locked,
 * label-searching path above. */
#define MAX_ROUTES   128
#define STATUS_MIN   100
#define STATUS_SLOTS 500
static struct route_series {
	_Atomic unsigned long long status[STATUS_SLOTS];
	_Atomic unsigned long long bucket[NBUCKETS + 1];
	_Atomic unsigned long long total;
	_Atomic unsigned long long sum_us;
} routes_m[MAX_ROUTES];

void nm_metrics_route(size_t route, int status, double seconds)
{
	if (route >= MAX_ROUTES || status < STATUS_MIN || status >= STATUS_MIN + STATUS_SLOTS)
		return;
	struct route_series *m = &routes_m[route];
	atomic_fetch_add_explicit(&m->status[status - STATUS_MIN], 1, memory_order_relaxed);
	size_t b = 0;
	while (b < NBUCKETS && seconds > buckets[b])
		b++;
	atomic_fetch_add_explicit(&m->bucket[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->total, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->sum_us, (unsigned long long)(seconds * 1e6),
				  memory_order_relaxed);
}

static bool same(const char *a, const char *b)
{
	return a == b || strcmp(a, b) == 0;
}

void nm_metrics_http(const char *route, const char *method, int status, double seconds)
{
	/* MHD's method strings are not static; map to our static names. */
	static const char *const methods[] = {"GET",	"POST",	   "PUT", "PATCH",
					      "DELETE", "OPTIONS", "HEAD"};
	const char *m = "OTHER";
	for (size_t i = 0; i < sizeof methods / sizeof *methods; i++)
		if (strcmp(method, methods[i]) == 0)
			m = methods[i];
	pthread_mutex_lock(&mu);
	int i;
	for (i = 0; i < n_http; i++)
		if (http[i].status == status && same(http[i].route, route) && http[i].method == m)
			break;
	if (i == n_http && n_http < MAX_HTTP)
		http[n_http++] = (struct http_series){route, m, status, 0};
	if (i < MAX_HTTP)
		http[i].count++;
	for (i = 0; i < n_hists; i++)
		if (same(hists[i].route, route) && hists[i].method == m)
			break;
	if (i == n_hists && n_hists < MAX_HTTP) {
		memset(&hists[i], 0, sizeof hists[i]);
		hists[i].route = route;
		hists[i].method = m;
		n_hists++;
	}
	if (i < MAX_HTTP) {
		size_t b = 0;
		while (b < NBUCKETS && seconds > buckets[b])
			b++;
		hists[i].counts[b]++;
		hists[i].sum += seconds;
		hists[i].total++;
	}
	pthread_mutex_unlock(&mu);
}

static void render_routes(struct nm_buf *o, bool histogram)
{
	for (size_t i = 0; i < nm_routes_count && i < MAX_ROUTES; i++) {
		struct route_series *m = &routes_m[i];
		const char *rt = nm_routes[i].pattern, *me = nm_routes[i].method;
		if (!histogram) {
			for (int s = 0; s < STATUS_SLOTS; s++) {
				unsigned long long n = atomic_load(&m->status[s]);
				if (n)
					nm_buf_printf(o,
						      "nichematch_http_requests_total{route=\"%s\","
						      "method="
						      "\"%s\","
						      "status=\"%d\"} %llu\n",
						      rt, me, s + STATUS_MIN, n);
			}
			continue;
		}
		unsigned long long total = atomic_load(&m->total);
		if (!total)
			continue;
		unsigned long long cum = 0;
		for (size_t b = 0; b < NBUCKETS; b++) {
			cum += atomic_load(&m->bucket[b]);
			nm_buf_printf(o,
				      "nichematch_http_request_duration_seconds_bucket{route=\"%"
				      "s\",method="
				      "\"%s\","
				      "le=\"%g\"} %llu\n",
				      rt, me, buckets[b], cum);
		}
		nm_buf_printf(o,
			      "nichematch_http_request_duration_seconds_bucket{route=\"%s\",method="
			      "\"%s\","
			      "le=\"+Inf\"} %llu\n",
			      rt, me, total);
		nm_buf_printf(
			o,
			"nichematch_http_request_duration_seconds_sum{route=\"%s\",method=\"%s\"} "
			"%.6f\n",
			rt, me, (double)atomic_load(&m->sum_us) / 1e6);
		nm_buf_printf(o,
			      "nichematch_http_request_duration_seconds_count{route=\"%s\",method="
			      "\"%s\"} "
			      "%llu\n",
			      rt, me, total);
	}
}

char *nm_metrics_render(size_t *len)
{
	struct nm_buf o = {0};
	pthread_mutex_lock(&mu);
	nm_buf_printf(
		&o,
		"# HELP nichematch_http_requests_total HTTP requests by route, method and status.\n"
		"# TYPE nichematch_http_requests_total counter\n");
	render_routes(&o, false);
	for (int i = 0; i < n_http; i++)
		nm_buf_printf(
			&o,
			"nichematch_http_requests_total{route=\"%s\",method=\"%s\",status=\"%d\"} "
			"%llu\n",
			http[i].route, http[i].method, http[i].status, http[i].count);
	nm_buf_printf(&o, "# HELP nichematch_http_request_duration_seconds Request latency.\n"
			  "# TYPE nichematch_http_request_duration_seconds histogram\n");
	render_routes(&o, true);
	for (int i = 0; i < n_hists; i++) {
		unsigned long long cum = 0;
		for (size_t b = 0; b < NBUCKETS; b++) {
			cum += hists[i].counts[b];
			nm_buf_printf(&o,
				      "nichematch_http_request_duration_seconds_bucket{route=\"%"
				      "s\",method="
				      "\"%s\","
				      "le=\"%g\"} %llu\n",
				      hists[i].route, hists[i].method, buckets[b], cum);
		}
		nm_buf_printf(&o,
			      "nichematch_http_request_duration_seconds_bucket{route=\"%s\",method="
			      "\"%s\","
			      "le=\"+Inf\"} %llu\n",
			      hists[i].route, hists[i].method, hists[i].total);
		nm_buf_printf(
			&o,
			"nichematch_http_request_duration_seconds_sum{route=\"%s\",method=\"%s\"} "
			"%.6f\n",
			hists[i].route, hists[i].method, hists[i].sum);
		nm_buf_printf(&o,
			      "nichematch_http_request_duration_seconds_count{route=\"%s\",method="
			      "\"%s\"} "
			      "%llu\n",
			      hists[i].route, hists[i].method, hists[i].total);
	}
	pthread_mutex_unlock(&mu);
	nm_metrics_render_counters(&o);
	long long pruned[NM_PRUNE_TABLES], passes[NM_PRUNE_STATUSES];
	nm_prune_totals(pruned, passes);
	nm_buf_printf(&o,
		      "# HELP nichematch_pruned_rows_total Rows this instance's pruner deleted, by "
		      "table.\n"
		      "# TYPE nichematch_pruned_rows_total counter\n");
	for (int i = 0; i < NM_PRUNE_TABLES; i++)
		nm_buf_printf(&o, "nichematch_pruned_rows_total{table=\"%s\"} %lld\n",
			      nm_prune_table_name[i], pruned[i]);
	nm_buf_printf(
		&o,
		"# HELP nichematch_prune_passes_total This instance's prune passes, by result.\n"
		"# TYPE nichematch_prune_passes_total counter\n");
	for (int i = 0; i < NM_PRUNE_STATUSES; i++)
		nm_buf_printf(&o, "nichematch_prune_passes_total{result=\"%s\"} %lld\n",
			      nm_prune_status_name((enum nm_prune_status)i), passes[i]);
	int size, in_use, open;
	long long timeouts;
	nm_db_stats(&size, &in_use, &open, &timeouts);
	nm_buf_printf(
		&o,
		"# HELP nichematch_db_pool_connections Database pool connections by state.\n"
		"# TYPE nichematch_db_pool_connections gauge\n"
		"nichematch_db_pool_connections{state=\"max\"} %d\n"
		"nichematch_db_pool_connections{state=\"open\"} %d\n"
		"nichematch_db_pool_connections{state=\"in_use\"} %d\n"
		"# HELP nichematch_db_pool_acquire_timeouts_total Pool checkouts that timed out.\n"
		"# TYPE nichematch_db_pool_acquire_timeouts_total counter\n"
		"nichematch_db_pool_acquire_timeouts_total %lld\n"
		"# HELP nichematch_db_up Whether the last database contact succeeded.\n"
		"# TYPE nichematch_db_up gauge\n"
		"nichematch_db_up %d\n",
		size, open, in_use, timeouts, nm_db_ready() ? 1 : 0);
	return nm_buf_steal(&o, len);
}
