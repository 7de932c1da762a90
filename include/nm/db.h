/* The database layer: a bounded pool of libpq connections with acquisition timeouts,
 * automatic reconnect after PostgreSQL restarts, and named statements prepared lazily
 * on each connection. SQL only through parameters.
 *
 * Ownership: nm_db_exec returns a PGresult the caller must PQclear. A connection is
 * borrowed between nm_db_acquire and nm_db_release. */
#ifndef NM_DB_H
#define NM_DB_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "nm/config.h"
#include "nm/db_admin.h"
#include "nm/db_pool.h"

/* A named statement. Declare one static per query beside the function that runs it:
 *   static struct nm_sql q_get = {"brands_get", "SELECT ... WHERE id = $1", 1};
 * The slot is assigned on first use. */
struct nm_sql {
	const char *name;
	const char *sql;
	int nparams;
	int slot; /* 0 = not yet assigned; set atomically */
};

struct nm_pg;

PGconn *nm_db_conn(struct nm_pg *pg);

/* Like nm_db_connect_raw, to another server (a read replica). */
PGconn *nm_db_connect_url(const struct nm_config *cfg, const char *url, char *err, size_t errsz);

/* Read replicas' pools (src/db/pool.c), for src/db/replicas.c. */
struct pool;
/* Borrows from replica i's pool, waiting at most timeout_ms; NULL when none is free or
 * it cannot connect. */
struct nm_pg *nm_db_acquire_replica(int i, long timeout_ms);
int nm_db_replica_index(const struct pool *p);
const char *nm_db_replica_url(int i);
/* A replica's connection broke under a request: leave it out until the probe sees it
 * well again (src/db/replicas.c). */
void nm_db_replica_failed(const struct pool *p);

/* Runs a named statement with text parameters (NULL = SQL NULL). When the connection
 * turns out broken and no transaction was open, reconnects and retries once.
 * Always returns a result (possibly PGRES_FATAL_ERROR); never NULL. */
PGresult *nm_db_exec(struct nm_pg *pg, struct nm_sql *q, const char *const *params);
/* Same with explicit lengths/formats (binary parameters). */
PGresult *nm_db_exec_params(struct nm_pg *pg, struct nm_sql *q, const char *const *params,
			    const int *lengths, const int *formats);
/* Unnamed one-off SQL without parameters (BEGIN, COMMIT, SET LOCAL ...). */
PGresult *nm_db_exec_simple(struct nm_pg *pg, const char *sql);

/* Runs `COPY ... FROM STDIN` (sql) and sends data (len bytes of COPY text rows) in one
 * go. Meant for a few hundred rows inside an open transaction (no retry). Always
 * returns the statement's final result; never NULL. */
PGresult *nm_db_copy_in(struct nm_pg *pg, const char *sql, const char *data, size_t len);

/* Result classification. */
bool nm_db_ok(const PGresult *res); /* COMMAND_OK or TUPLES_OK */
/* SQLSTATE of a failed result, "" when none. */
const char *nm_db_sqlstate(const PGresult *res);
/* A description of a failure that is safe to log: the SQLSTATE and the names of the
 * schema, table, column, type and constraint involved (PG_DIAG_*), never libpq's message
 * text, whose DETAIL/CONTEXT lines and often primary message quote row values ("Key
 * (handle)=(jane) already exists"). res NULL (or without SQLSTATE): the first line of
 * a broken connection's reason, which names no rows. Writes into buf (>= 160 bytes
 * advised) and returns it. Every log line about a failed statement goes through this. */
#define NM_DB_ERR_SAFE_MAX 256
const char *nm_db_error_safe(const PGresult *res, PGconn *conn, char *buf, size_t n);
/* True when the failure means "database unavailable" (connection lost, shutdown,
 * timeouts, too many connections): answer 503 + Retry-After. */
bool nm_db_unavailable(const PGresult *res);

/* Small result helpers: NULL-aware getters. */
const char *nm_db_str(const PGresult *res, int row, int col); /* NULL when SQL NULL */
int64_t nm_db_i64(const PGresult *res, int row, int col);     /* 0 when NULL */
bool nm_db_isnull(const PGresult *res, int row, int col);

/* SQL expression rendering a timestamptz column as RFC 3339 UTC with milliseconds. */
#define NM_SQL_TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

#endif
