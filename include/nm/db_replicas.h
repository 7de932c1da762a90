/* Read replicas (NICHEMATCH_DATABASE_REPLICA_URLS; docs/operations.md "Running several
 * instances"). Read-only routes borrow a connection to a healthy streaming replica;
 * everything else uses the primary.
 *
 * Healthy: reachable, in recovery, and not too far behind: a probe thread samples the
 * primary's WAL insert position every 100 ms, and a replica is in while it has replayed
 * everything the primary had NICHEMATCH_REPLICA_MAX_LAG_MS ago. One that falls behind,
 * stops or is promoted is left out until the probe sees it well again; a request whose
 * replica connection breaks goes on with the primary.
 *
 * Read your writes, across instances: after a write by an API key, the primary's WAL
 * position is stored for the key in PostgreSQL (the unlogged key_read_floor, migration
 * 0029) before the reply leaves. A read by a key that can write looks that floor up on
 * the primary (one indexed row) and uses a replica only once it has replayed past it,
 * waiting up to NICHEMATCH_REPLICA_READ_WAIT_MS, else the primary. Keys with the read
 * role cannot write: they skip the lookup. */
#ifndef NM_DB_REPLICAS_H
#define NM_DB_REPLICAS_H

#include <stdbool.h>
#include <stdint.h>

#include "nm/config.h"

struct nm_pg;

/* Starts the probe thread when replicas are configured (nm_db_init first). */
bool nm_replicas_start(const struct nm_config *cfg);
void nm_replicas_stop(void);

/* A connection for a read by key_id (0: none). check_floor: the key may have written,
 * so its floor applies. *on_replica tells where it went. NULL when the primary was
 * needed and is unreachable (the caller answers 503). Without replicas: nm_db_acquire. */
struct nm_pg *nm_db_acquire_read(int64_t key_id, bool check_floor, bool *on_replica);

/* After a write by key_id committed: stores the primary's WAL position as the key's
 * floor. pg: a primary connection, or NULL to borrow one. Without replicas: nothing. */
void nm_db_note_write(struct nm_pg *pg, int64_t key_id);

/* The number of replicas currently in (for /metrics and tests). */
int nm_replicas_healthy(void);

#endif
