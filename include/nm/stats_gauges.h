/* The data-health gauges of /metrics (issue 16): creators by data age bucket and by
 * confidence, the totals of GET /v1/stats (nm/store_stats.h), from a cached stats query
 * refreshed at most every NM_STATS_GAUGE_TTL_S seconds (docs/operations.md "Data health
 * gauges"). Thread-safe. */
#ifndef NM_STATS_GAUGES_H
#define NM_STATS_GAUGES_H

#include "nm/buf.h"

#define NM_STATS_GAUGE_TTL_S 60

/* Appends the two gauge families in the Prometheus text format. When the cached numbers
 * are older than the TTL and the database is up, one caller refreshes them on a pooled
 * connection first (the others append what is cached); nothing is appended before the
 * first successful query. */
void nm_stats_gauges_render(struct nm_buf *out);

#endif
