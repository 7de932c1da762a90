/* Webhook delivery workers (SPEC §6), run inside `serve`: cfg->webhook_workers
 * threads, each with its own PostgreSQL connection that LISTENs on nm_webhooks (the
 * outbox NOTIFYs at commit) and polls every second for due retries. Deliveries are
 * claimed with FOR UPDATE SKIP LOCKED under a lease, so several instances share the
 * work and a crashed one's claims are picked up when the lease ends (at least once). */
#ifndef NM_WORKERS_H
#define NM_WORKERS_H

#include "nm/config.h"

/* The NOTIFY channel the outbox signals. */
#define NM_WEBHOOK_CHANNEL "nm_webhooks"

/* Starts the workers (none when cfg->webhook_workers is 0). cfg must outlive them. */
void nm_workers_start(const struct nm_config *cfg);
/* Asks them to stop and waits: each finishes its in-flight HTTP call (bounded by
 * the webhook timeout) and hands back the rest of its claimed batch. */
void nm_workers_stop(void);

#endif
