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

struct pool;

struct nm_pg {
	PGconn *conn;
	unsigned char prepared[NM_MAX_STMTS];
	bool in_use;
	bool on_primary;    /* a replica's slot that fell back to the primary for this borrow */
	struct pool *owner; /* the pool whose slot this is */
};

/* The primary's pool, and one per read replica (src/db/replicas.c watches those). */
struct pool {
	const char *url; /* DATABASE_URL or a NICHEMATCH_DATABASE_REPLICA_URLS entry */
	bool is_replica;
	struct nm_pg *conns;
	int size;
	int in_use;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	long long last_fail_ms;
	long long acquire_timeouts;
	atomic_bool ready;
};

static const struct nm_config *pool_cfg;
static atomic_int next_slot;
static struct pool primary = {.mu = PTHREAD_MUTEX_INITIALIZER};
static struct pool replicas[NM_CONFIG_MAX_REPLICAS];
static int n_replicas;

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
	return nm_db_connect_url(cfg, cfg->database_url, err, errsz);
}

PGconn *nm_db_connect_url(const struct nm_config *cfg, const char *url, char *err, size_t errsz)
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
	const char *vals[] = {url, ct, options, "nichematch", "1", "30", "10", "3", NULL};
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

static bool pool_init(struct pool *p, const char *url, bool is_replica, int size)
{
	if (p != &primary)
		pthread_mutex_init(&p->mu, NULL);
	p->url = url;
	p->is_replica = is_replica;
	p->size = size;
	p->conns = calloc((size_t)size, sizeof *p->conns);
	if (!p->conns)
		return false;
	for (int i = 0; i < size; i++)
		p->conns[i].owner = p;
	pthread_cond_init(&p->cv, NULL);
	atomic_store(&p->ready, false);
	return true;
}

bool nm_db_init(const struct nm_config *cfg)
{
	pool_cfg = cfg;
	if (!pool_init(&primary, cfg->database_url, false, cfg->db_pool_size))
		return false;
	n_replicas = 0;
	for (size_t i = 0; i < cfg->n_replicas; i++) {
		if (!pool_init(&replicas[i], cfg->replica_urls[i], true, cfg->db_pool_size))
			return false;
		n_replicas++;
	}
	return true;
}

static void pool_free(struct pool *p)
{
	pthread_mutex_lock(&p->mu);
	for (int i = 0; i < p->size; i++) {
		if (p->conns[i].conn && !p->conns[i].in_use) {
			PQfinish(p->conns[i].conn);
			p->conns[i].conn = NULL;
		}
	}
	free(p->conns);
	p->conns = NULL;
	p->size = 0;
	pthread_mutex_unlock(&p->mu);
}

void nm_db_shutdown(void)
{
	pool_free(&primary);
	for (int i = 0; i < n_replicas; i++)
		pool_free(&replicas[i]);
	n_replicas = 0;
}

static void pool_label(const struct pool *p, char *out, size_t n)
{
	if (!p->is_replica)
		snprintf(out, n, "database");
	else
		snprintf(out, n, "read replica %d", (int)(p - replicas) + 1);
}

/* Connects pg's slot to url (its pool's, or the primary's for a fallback). */
static bool slot_connect_to(struct nm_pg *pg, struct pool *p)
{
	char err[512], label[32];
	if (pg->conn)
		PQfinish(pg->conn);
	memset(pg->prepared, 0, sizeof pg->prepared);
	pg->conn = nm_db_connect_url(pool_cfg, p->url, err, sizeof err);
	pool_label(p, label, sizeof label);
	if (!pg->conn) {
		bool was_ready = atomic_exchange(&p->ready, false);
		if (was_ready)
			nm_log(NM_LOG_WARN, "%s unreachable: %s", label, err);
		return false;
	}
	if (!atomic_exchange(&p->ready, true))
		nm_log(NM_LOG_INFO, "%s connection established", label);
	return true;
}

/* A replica's connection broke under a borrower with nothing in flight: the borrower
 * goes on with the primary (the probe takes the replica out meanwhile). */
static bool fall_back_to_primary(struct nm_pg *pg)
{
	if (!pg->owner->is_replica || pg->on_primary)
		return false;
	nm_db_replica_failed(pg->owner);
	pg->on_primary = true;
	return slot_connect_to(pg, &primary);
}

static bool slot_connect(struct nm_pg *pg)
{
	if (pg->on_primary)
		return slot_connect_to(pg, &primary);
	if (slot_connect_to(pg, pg->owner))
		return true;
	return fall_back_to_primary(pg);
}

static struct nm_pg *acquire_from(struct pool *p, long ms)
{
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += ms / 1000;
	deadline.tv_nsec += (ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&p->mu);
	struct nm_pg *pg = NULL;
	for (;;) {
		/* Prefer a slot with a live connection; fall back to an empty one. */
		for (int i = 0; i < p->size; i++) {
			struct nm_pg *c = &p->conns[i];
			if (!c->in_use && c->conn) {
				pg = c;
				break;
			}
			if (!c->in_use && !pg)
				pg = c;
		}
		if (pg)
			break;
		if (pthread_cond_timedwait(&p->cv, &p->mu, &deadline) == ETIMEDOUT) {
			p->acquire_timeouts++;
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
	}
	pg->in_use = true;
	p->in_use++;
	bool need_connect = !pg->conn || PQstatus(pg->conn) != CONNECTION_OK;
	bool backoff = need_connect && !atomic_load(&p->ready) &&
		       now_ms() - p->last_fail_ms < RECONNECT_BACKOFF_MS;
	pthread_mutex_unlock(&p->mu);

	/* A replica's slot connects to the replica only: the caller picks the primary
	 * itself when there is no replica connection to be had. */
	if (need_connect && (backoff || !slot_connect_to(pg, p))) {
		pthread_mutex_lock(&p->mu);
		if (!backoff)
			p->last_fail_ms = now_ms();
		pg->in_use = false;
		p->in_use--;
		pthread_cond_signal(&p->cv);
		pthread_mutex_unlock(&p->mu);
		return NULL;
	}
	return pg;
}

struct nm_pg *nm_db_acquire(void)
{
	return acquire_from(&primary, pool_cfg->db_acquire_timeout_ms);
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
	/* A fallback connection to the primary does not stay in a replica's slot. */
	if (pg->conn && (pg->on_primary || PQstatus(pg->conn) != CONNECTION_OK ||
			 PQtransactionStatus(pg->conn) != PQTRANS_IDLE)) {
		PQfinish(pg->conn);
		pg->conn = NULL;
	}
	pg->on_primary = false;
	struct pool *p = pg->owner;
	pthread_mutex_lock(&p->mu);
	pg->in_use = false;
	p->in_use--;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

PGconn *nm_db_conn(struct nm_pg *pg)
{
	return pg->conn;
}

/* The connection under pg broke: its server is marked not ready (the next acquisition
 * reconnects, after a back-off). */
static void mark_down(struct nm_pg *pg)
{
	atomic_store(&(pg->on_primary ? &primary : pg->owner)->ready, false);
}

static int stmt_slot(struct nm_sql *q)
{
	int s = __atomic_load_n(&q->slot, __ATOMIC_ACQUIRE);
	if (s)
		return s - 1;
	int mine = atomic_fetch_add(&next_slot, 1) + 1;
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
			struct pool *p = pg->on_primary ? &primary : pg->owner;
			pthread_mutex_lock(&p->mu);
			p->last_fail_ms = now_ms();
			pthread_mutex_unlock(&p->mu);
			return PQmakeEmptyPGresult(NULL, PGRES_FATAL_ERROR);
		}
		res = exec_once(pg, q, params, lengths, formats);
	}
	if (PQresultStatus(res) == PGRES_FATAL_ERROR &&
	    (!pg->conn || PQstatus(pg->conn) == CONNECTION_BAD))
		mark_down(pg);
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
		mark_down(pg);
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
		mark_down(pg);
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
	return atomic_load(&primary.ready);
}

void nm_db_stats(int *size, int *in_use, int *open, long long *acquire_timeouts)
{
	pthread_mutex_lock(&primary.mu);
	*size = primary.size;
	*in_use = primary.in_use;
	int o = 0;
	for (int i = 0; i < primary.size; i++)
		o += primary.conns[i].conn != NULL;
	*open = o;
	*acquire_timeouts = primary.acquire_timeouts;
	pthread_mutex_unlock(&primary.mu);
}

/* ---------------------------------------------------------------- replicas */

int nm_db_replica_count(void)
{
	return n_replicas;
}

bool nm_db_is_replica(const struct nm_pg *pg)
{
	return pg && pg->owner->is_replica && !pg->on_primary;
}

struct nm_pg *nm_db_acquire_replica(int i, long timeout_ms)
{
	if (i < 0 || i >= n_replicas)
		return NULL;
	return acquire_from(&replicas[i], timeout_ms);
}

int nm_db_replica_index(const struct pool *p)
{
	return p->is_replica ? (int)(p - replicas) : -1;
}

const char *nm_db_replica_url(int i)
{
	return i >= 0 && i < n_replicas ? replicas[i].url : NULL;
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
