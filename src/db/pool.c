/* Connection pool. Thread-per-connection HTTP means blocking libpq calls are fine;
 * the pool bounds how many run at once and turns "database gone" into a fast NULL
 * (503) instead of a hang: acquisition waits at most db_acquire_timeout_ms, and a
 * reconnect attempt right after a failed one is skipped for a short back-off. */
#include "nm/db.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nm/log.h"

#define NM_MAX_STMTS	     512
#define RECONNECT_BACKOFF_MS 250

struct nm_pg {
	PGconn *conn;
	unsigned char prepared[NM_MAX_STMTS];
	bool in_use;
};

static struct {
	const struct nm_config *cfg;
	struct nm_pg *conns;
	int size;
	int in_use;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	long long last_fail_ms;
	long long acquire_timeouts;
	atomic_bool ready;
	atomic_int next_slot;
	char options[256];
	char connect_timeout[16];
} pool = {.mu = PTHREAD_MUTEX_INITIALIZER};

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void nm_db_close(PGconn *conn)
{
	if (conn)
		PQfinish(conn);
}

PGconn *nm_db_connect_raw(const struct nm_config *cfg, char *err, size_t errsz)
{
	char options[256], ct[16];
	snprintf(options, sizeof options,
		 "-c statement_timeout=%d -c lock_timeout=%d -c "
		 "idle_in_transaction_session_timeout=%d "
		 "-c TimeZone=UTC",
		 cfg->statement_timeout_ms,
		 cfg->statement_timeout_ms ? cfg->statement_timeout_ms : 5000, 60000);
	snprintf(ct, sizeof ct, "%d", cfg->db_connect_timeout_s);
	/* Later entries override what DATABASE_URL says (expand_dbname = 1). */
	const char *keys[] = {"dbname",
			      "connect_timeout",
			      "options",
			      "application_name",
			      "keepalives",
			      "keepalives_idle",
			      "keepalives_interval",
			      "keepalives_count",
			      NULL};
	const char *vals[] = {
		cfg->database_url, ct, options, "nichematch", "1", "30", "10", "3", NULL};
	PGconn *c = PQconnectdbParams(keys, vals, 1);
	if (!c) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	if (PQstatus(c) != CONNECTION_OK) {
		snprintf(err, errsz, "%s", PQerrorMessage(c));
		size_t n = strlen(err);
		while (n && (err[n - 1] == '\n' || err[n - 1] == ' '))
			err[--n] = '\0';
		PQfinish(c);
		return NULL;
	}
	return c;
}

bool nm_db_init(const struct nm_config *cfg)
{
	pool.cfg = cfg;
	pool.size = cfg->db_pool_size;
	pool.conns = calloc((size_t)pool.size, sizeof *pool.conns);
	if (!pool.conns)
		return false;
	pthread_cond_init(&pool.cv, NULL);
	atomic_store(&pool.ready, false);
	return true;
}

void nm_db_shutdown(void)
{
	pthread_mutex_lock(&pool.mu);
	for (int i = 0; i < pool.size; i++) {
		if (pool.conns[i].conn && !pool.conns[i].in_use) {
			PQfinish(pool.conns[i].conn);
			pool.conns[i].conn = NULL;
		}
	}
	free(pool.conns);
	pool.conns = NULL;
	pool.size = 0;
	pthread_mutex_unlock(&pool.mu);
}

static bool slot_connect(struct nm_pg *pg)
{
	char err[512];
	if (pg->conn)
		PQfinish(pg->conn);
	memset(pg->prepared, 0, sizeof pg->prepared);
	pg->conn = nm_db_connect_raw(pool.cfg, err, sizeof err);
	if (!pg->conn) {
		bool was_ready = atomic_exchange(&pool.ready, false);
		if (was_ready)
			nm_log(NM_LOG_WARN, "database unreachable: %s", err);
		return false;
	}
	if (!atomic_exchange(&pool.ready, true))
		nm_log(NM_LOG_INFO, "database connection established");
	return true;
}

struct nm_pg *nm_db_acquire(void)
{
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	long ms = pool.cfg->db_acquire_timeout_ms;
	deadline.tv_sec += ms / 1000;
	deadline.tv_nsec += (ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&pool.mu);
	struct nm_pg *pg = NULL;
	for (;;) {
		/* Prefer a slot with a live connection; fall back to an empty one. */
		for (int i = 0; i < pool.size; i++) {
			struct nm_pg *c = &pool.conns[i];
			if (!c->in_use && c->conn) {
				pg = c;
				break;
			}
			if (!c->in_use && !pg)
				pg = c;
		}
		if (pg)
			break;
		if (pthread_cond_timedwait(&pool.cv, &pool.mu, &deadline) == ETIMEDOUT) {
			pool.acquire_timeouts++;
			pthread_mutex_unlock(&pool.mu);
			return NULL;
		}
	}
	pg->in_use = true;
	pool.in_use++;
	bool need_connect = !pg->conn || PQstatus(pg->conn) != CONNECTION_OK;
	bool backoff = need_connect && !atomic_load(&pool.ready) &&
		       now_ms() - pool.last_fail_ms < RECONNECT_BACKOFF_MS;
	pthread_mutex_unlock(&pool.mu);

	if (need_connect && (backoff || !slot_connect(pg))) {
		pthread_mutex_lock(&pool.mu);
		if (!backoff)
			pool.last_fail_ms = now_ms();
		pg->in_use = false;
		pool.in_use--;
		pthread_cond_signal(&pool.cv);
		pthread_mutex_unlock(&pool.mu);
		return NULL;
	}
	return pg;
}

void nm_db_release(struct nm_pg *pg)
{
	if (!pg)
		return;
	if (pg->conn && PQstatus(pg->conn) == CONNECTION_OK &&
	    PQtransactionStatus(pg->conn) != PQTRANS_IDLE) {
		PGresult *res = PQexec(pg->conn, "ROLLBACK");
		PQclear(res);
	}
	if (pg->conn && (PQstatus(pg->conn) != CONNECTION_OK ||
			 PQtransactionStatus(pg->conn) != PQTRANS_IDLE)) {
		PQfinish(pg->conn);
		pg->conn = NULL;
	}
	pthread_mutex_lock(&pool.mu);
	pg->in_use = false;
	pool.in_use--;
	pthread_cond_signal(&pool.cv);
	pthread_mutex_unlock(&pool.mu);
}

PGconn *nm_db_conn(struct nm_pg *pg)
{
	return pg->conn;
}

static int stmt_slot(struct nm_sql *q)
{
	int s = __atomic_load_n(&q->slot, __ATOMIC_ACQUIRE);
	if (s)
		return s - 1;
	int mine = atomic_fetch_add(&pool.next_slot, 1) + 1;
	int expected = 0;
	if (!__atomic_compare_exchange_n(&q->slot, &expected, mine, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		mine = expected; /* another thread won; its slot is as good */
	if (mine > NM_MAX_STMTS) {
		nm_log(NM_LOG_ERROR, "too many prepared statements (%d)", mine);
		abort();
	}
	return mine - 1;
}

static PGresult *exec_once(struct nm_pg *pg, struct nm_sql *q, const char *const *params,
			   const int *lengths, const int *formats)
{
	int slot = stmt_slot(q);
	if (!pg->prepared[slot]) {
		PGresult *res = PQprepare(pg->conn, q->name, q->sql, q->nparams, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK &&
		    strcmp(nm_db_sqlstate(res), "42P05") != 0) /* already prepared: fine */
			return res;
		PQclear(res);
		pg->prepared[slot] = 1;
	}
	return PQexecPrepared(pg->conn, q->name, q->nparams, params, lengths, formats, 0);
}

PGresult *nm_db_exec_params(struct nm_pg *pg, struct nm_sql *q, const char *const *params,
			    const int *lengths, const int *formats)
{
	bool idle = PQstatus(pg->conn) == CONNECTION_OK &&
		    PQtransactionStatus(pg->conn) == PQTRANS_IDLE;
	PGresult *res = exec_once(pg, q, params, lengths, formats);
	if (PQresultStatus(res) == PGRES_FATAL_ERROR && PQstatus(pg->conn) == CONNECTION_BAD &&
	    idle) {
		/* The server restarted under an idle connection: nothing of ours was in
		 * flight, so one retry on a fresh connection is safe. */
		PQclear(res);
		if (!slot_connect(pg)) {
			pthread_mutex_lock(&pool.mu);
			pool.last_fail_ms = now_ms();
			pthread_mutex_unlock(&pool.mu);
			return PQmakeEmptyPGresult(NULL, PGRES_FATAL_ERROR);
		}
		res = exec_once(pg, q, params, lengths, formats);
	}
	if (PQresultStatus(res) == PGRES_FATAL_ERROR &&
	    (!pg->conn || PQstatus(pg->conn) == CONNECTION_BAD))
		atomic_store(&pool.ready, false);
	return res;
}

PGresult *nm_db_exec(struct nm_pg *pg, struct nm_sql *q, const char *const *params)
{
	return nm_db_exec_params(pg, q, params, NULL, NULL);
}

PGresult *nm_db_exec_simple(struct nm_pg *pg, const char *sql)
{
	PGresult *res = PQexec(pg->conn, sql);
	if (!res)
		return PQmakeEmptyPGresult(NULL, PGRES_FATAL_ERROR);
	if (PQresultStatus(res) == PGRES_FATAL_ERROR && PQstatus(pg->conn) == CONNECTION_BAD)
		atomic_store(&pool.ready, false);
	return res;
}

PGresult *nm_db_copy_in(struct nm_pg *pg, const char *sql, const char *data, size_t len)
{
	PGresult *res = nm_db_exec_simple(pg, sql);
	if (PQresultStatus(res) != PGRES_COPY_IN)
		return res;
	PQclear(res);
	/* libpq takes at most INT_MAX bytes per call. */
	bool sent = true;
	for (size_t off = 0; sent && off < len;) {
		int n = len - off > INT_MAX ? INT_MAX : (int)(len - off);
		sent = PQputCopyData(pg->conn, data + off, n) == 1;
		off += (size_t)n;
	}
	PQputCopyEnd(pg->conn, sent ? NULL : "client failed to send the rows");
	/* The COPY's own result, then NULL; keep the first failure if there are several. */
	res = NULL;
	for (PGresult *r; (r = PQgetResult(pg->conn));) {
		if (!res || (nm_db_ok(res) && !nm_db_ok(r))) {
			PQclear(res);
			res = r;
		} else {
			PQclear(r);
		}
	}
	if (!res)
		return PQmakeEmptyPGresult(NULL, PGRES_FATAL_ERROR);
	if (PQresultStatus(res) == PGRES_FATAL_ERROR && PQstatus(pg->conn) == CONNECTION_BAD)
		atomic_store(&pool.ready, false);
	return res;
}

static bool simple_ok(struct nm_pg *pg, const char *sql)
{
	PGresult *res = nm_db_exec_simple(pg, sql);
	bool ok = nm_db_ok(res);
	PQclear(res);
	return ok;
}

bool nm_db_begin(struct nm_pg *pg)
{
	bool idle = PQstatus(pg->conn) == CONNECTION_OK;
	if (simple_ok(pg, "BEGIN"))
		return true;
	/* A dead idle connection: reconnect once, as nm_db_exec does. */
	if (idle && PQstatus(pg->conn) == CONNECTION_BAD && slot_connect(pg))
		return simple_ok(pg, "BEGIN");
	return false;
}

bool nm_db_commit(struct nm_pg *pg)
{
	return simple_ok(pg, "COMMIT");
}

void nm_db_rollback(struct nm_pg *pg)
{
	if (pg->conn && PQtransactionStatus(pg->conn) != PQTRANS_IDLE)
		PQclear(nm_db_exec_simple(pg, "ROLLBACK"));
}

bool nm_db_ok(const PGresult *res)
{
	ExecStatusType s = PQresultStatus(res);
	return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

const char *nm_db_sqlstate(const PGresult *res)
{
	const char *s = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	return s ? s : "";
}

bool nm_db_unavailable(const PGresult *res)
{
	const char *s = nm_db_sqlstate(res);
	if (!*s)
		return PQresultStatus(res) == PGRES_FATAL_ERROR; /* no SQLSTATE: connection-level */
	return strncmp(s, "08", 2) == 0 || strncmp(s, "53", 2) == 0 || strncmp(s, "57", 2) == 0 ||
	       strcmp(s, "55P03") == 0 || strcmp(s, "40001") == 0 || strcmp(s, "40P01") == 0;
}

bool nm_db_ready(void)
{
	return atomic_load(&pool.ready);
}

void nm_db_stats(int *size, int *in_use, int *open, long long *acquire_timeouts)
{
	pthread_mutex_lock(&pool.mu);
	*size = pool.size;
	*in_use = pool.in_use;
	int o = 0;
	for (int i = 0; i < pool.size; i++)
		o += pool.conns[i].conn != NULL;
	*open = o;
	*acquire_timeouts = pool.acquire_timeouts;
	pthread_mutex_unlock(&pool.mu);
}

const char *nm_db_str(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

int64_t nm_db_i64(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? 0 : strtoll(PQgetvalue(res, row, col), NULL, 10);
}

bool nm_db_isnull(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col);
}
