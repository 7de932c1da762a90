/* Standalone database connections for the command line (migrate, keys, prune) and the
 * start of `serve`: open, migrate or check migrations, close. No libpq types: the
 * connection is libpq's PGconn behind its struct name, so callers above db/ and store/
 * hold it without including libpq. */
#ifndef NM_DB_ADMIN_H
#define NM_DB_ADMIN_H

#include <stdbool.h>
#include <stddef.h>

#include "nm/config.h"

struct pg_conn; /* libpq's PGconn */

/* Opens a standalone connection (CLI commands, migrations, workers). NULL on failure
 * with the reason written into err. */
struct pg_conn *nm_db_connect_raw(const struct nm_config *cfg, char *err, size_t errsz);

/* Applies migrations/NNNN_*.sql in order under an advisory lock, recording each in
 * schema_migrations. Returns false with a reason in err. */
bool nm_db_migrate(struct pg_conn *conn, const char *dir, char *err, size_t errsz);
/* Without changing anything: whether every migration in dir is recorded in
 * schema_migrations. False with a reason in err when one is missing or the table cannot
 * be read. For `serve` with NICHEMATCH_MIGRATE_ON_START=0. */
bool nm_db_migrated(struct pg_conn *conn, const char *dir, char *err, size_t errsz);
/* The migrations directory: cfg->migrations_dir, else the source tree's, else
 * ./migrations, else /usr/share/nichematch/migrations. */
const char *nm_db_migrations_dir(const struct nm_config *cfg);

/* Closes a connection of nm_db_connect_raw (NULL is fine). */
void nm_db_close(struct pg_conn *conn);

#endif
