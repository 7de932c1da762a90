/* Named counters for /metrics (src/core/metrics.c), usable from every layer: imports,
 * webhook deliveries, authentication, transactions, deadlines. Thread-safe. The HTTP
 * series and the /metrics document itself are nm/route_metrics.h. */
#ifndef NM_METRICS_H
#define NM_METRICS_H

#include "nm/buf.h"

/* Adds delta to the counter series name{labels}. name and labels must be static
 * strings (labels like "result=\"ok\"", or "" for none). */
void nm_metrics_add(const char *name, const char *help, const char *labels, double delta);

/* Appends every counter family (HELP, TYPE, then its series, in the order first added)
 * in the Prometheus text format. */
void nm_metrics_render_counters(struct nm_buf *out);

#endif
