/* Prometheus metrics (docs/api.md §2), src/http/route_metrics.c: request counters and
 * latency histograms per route, and the /metrics document, which adds core's named
 * counters (nm/metrics.h), the pruner's totals and the pool's gauges. Thread-safe. */
#ifndef NM_ROUTE_METRICS_H
#define NM_ROUTE_METRICS_H

#include <stddef.h>

/* Records one finished HTTP request. route is the pattern ("/v1/brands/{id}") or
 * "unmatched"; both strings must be static. */
void nm_metrics_http(const char *route, const char *method, int status, double seconds);

/* Records one finished request of nm_routes[route] (its pattern and method are the
 * labels). Lock-free: this is the per-request path. */
void nm_metrics_route(size_t route, int status, double seconds);

/* Renders the Prometheus text exposition format. Caller frees the result; NULL when
 * out of memory. */
char *nm_metrics_render(size_t *len);

#endif
