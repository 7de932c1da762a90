/* Prometheus metrics (docs/api.md §2): request counters and latency histograms per route,
 * plus named counters other modules add to (imports, webhooks). Thread-safe. */
#ifndef NM_METRICS_H
#define NM_METRICS_H

#include <stddef.h>

/* Records one finished HTTP request. route is the pattern ("/v1/brands/{id}") or
 * "unmatched"; both strings must be static. */
void nm_metrics_http(const char *route, const char *method, int status, double seconds);

/* Records one finished request of nm_routes[route] (its pattern and method are the
 * labels). Lock-free: this is the per-request path. */
void nm_metrics_route(size_t route, int status, double seconds);

/* Adds delta to the counter series name{labels}. name and labels must be static
 * strings (labels like "result=\"ok\"", or "" for none). */
void nm_metrics_add(const char *name, const char *help, const char *labels, double delta);

/* Renders the Prometheus text exposition format. Caller frees the result. */
char *nm_metrics_render(size_t *len);

#endif
