/* Webhook delivery workers (docs/api.md §6), run inside `serve`: cfg->webhook_workers
 * threads, each with its own PostgreSQL connection that LISTENs on nm_webhooks (the
 * outbox NOTIFYs at commit) and polls every second for due retries, and each with up to
 * cfg->webhook_concurrency POSTs in flight (at most cfg->webhook_endpoint_concurrency to
 * one endpoint). Deliveries are claimed with FOR UPDATE SKIP LOCKED under a lease, so
 * several instances share the work and a crashed one's claims are picked up when the
 * lease ends (at least once). */
#ifndef NM_WEBHOOK_WORKER_H
#define NM_WEBHOOK_WORKER_H

#include "nm/config.h"

/* The NOTIFY channel the outbox signals. */
#define NM_WEBHOOK_CHANNEL "nm_webhooks"

/* Starts the workers (none when cfg->webhook_workers is 0). cfg must outlive them. */
void nm_workers_start(const struct nm_config *cfg);
/* Asks them to stop and returns at once: no new claims. POSTs in flight may finish for
 * up to 5 s (never more than cfg->shutdown_grace_s); those still running then are
 * stopped and their deliveries made due again at once for the next instance (not
 * recorded as attempts). The HTTP side can drain meanwhile. */
void nm_workers_request_stop(void);
/* Asks them to stop if not yet asked, and waits until they have. */
void nm_workers_stop(void);

#endif
