/* Match alerts (issue 15; docs/webhooks.md "match.new_candidate"): a background thread
 * of `serve` (src/handlers/alerts.c) that looks every second for creators written since
 * its last look (imports, POST/PUT/PATCH /v1/creators, inbound CRM events: any commit,
 * from any instance, through the creators' change tracking of migrations/0007), scores
 * them over the in-memory ranking index (nm/match_probe.h) for every brand with
 * alerts on, and emits match.new_candidate through the outbox for each one that would
 * enter the brand's top N of its latest run. Nothing runs on a request's path. */
#ifndef NM_ALERTS_H
#define NM_ALERTS_H

#include "nm/config.h"

/* A creator is alerted again for a brand only when its score moved by more than this
 * (score points, 0-100 scale) since the score it was last alerted with. */
#define NM_ALERTS_MARGIN 1.0
/* How often the thread looks for written creators. */
#define NM_ALERTS_POLL_MS 1000

/* Starts the thread (a warning when it cannot: this instance then sends no alerts). It
 * looks on a connection of its own (opened on the first look, reopened after a failure)
 * and borrows a pooled one only for a pass that has work. cfg must outlive it. */
void nm_alerts_start(const struct nm_config *cfg);
/* Stops it and waits for a pass in progress. */
void nm_alerts_stop(void);

#endif
