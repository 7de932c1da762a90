/* The connection pool's lifecycle, without libpq types: what http/ (the request's
 * connection) and the workers need to borrow and return a connection. Statements run
 * through the store (nm/store*.h); nm/db.h has the rest of the database layer. */
#ifndef NM_DB_POOL_H
#define NM_DB_POOL_H

#include <stdbool.h>

#include "nm/config.h"

struct nm_pg;

/* Creates the pool (no connection is opened yet). */
bool nm_db_init(const struct nm_config *cfg);
void nm_db_shutdown(void);

/* Borrows a connection. Waits up to the configured acquisition timeout. Returns NULL
 * when the database is unreachable or the pool stayed exhausted: callers answer 503. */
struct nm_pg *nm_db_acquire(void);
/* Returns a connection: an open transaction is rolled back, a broken one dropped. */
void nm_db_release(struct nm_pg *pg);

bool nm_db_begin(struct nm_pg *pg);
bool nm_db_commit(struct nm_pg *pg);
void nm_db_rollback(struct nm_pg *pg);

/* How many read replicas are configured (NICHEMATCH_DATABASE_REPLICA_URLS). */
int nm_db_replica_count(void);
/* True when pg is connected to a read replica (nm/db_replicas.h), not the primary. */
bool nm_db_is_replica(const struct nm_pg *pg);

/* True when the last connection attempt succeeded and migrations are applied. */
bool nm_db_ready(void);
/* Pool gauges for /metrics. */
void nm_db_stats(int *size, int *in_use, int *open, long long *acquire_timeouts);

#endif
