/* See nm/db_replicas.h. */
#include "nm/db_replicas.h"

#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nm/db.h"
#include "nm/log.h"
#include "nm/metrics.h"

#define PROBE_MS 100
#define RING	 1024 /* samples of the primary's position: 102 s at PROBE_MS */

static struct {
	const struct nm_config *cfg;
	pthread_t thread;
	bool started;
	atomic_bool stop;
	atomic_uint rr; /* round robin over the replicas */
	pthread_mutex_t mu;
	/* The primary's WAL insert position over time (guarded by mu). */
	struct sample {
		long long ms;
		uint64_t lsn;
	} ring[RING];
	int ring_len, ring_head;
	struct replica {
		atomic_bool healthy;
		_Atomic uint64_t replay; /* last replayed position the probe saw */
		PGconn *probe;		 /* the probe thread's own */
		bool was_healthy;	 /* for logging transitions (probe thread only) */
	} r[NM_CONFIG_MAX_REPLICAS];
} R = {.mu = PTHREAD_MUTEX_INITIALIZER};

static struct nm_sql q_floor_get = {"key_read_floor_get",
				    "SELECT lsn::text FROM key_read_floor WHERE key_id = $1", 1, 0};
static struct nm_sql q_floor_put = {
	"key_read_floor_put",
	"INSERT INTO key_read_floor AS f (key_id, lsn) VALUES ($1, pg_current_wal_insert_lsn()) "
	"ON CONFLICT (key_id) DO UPDATE SET lsn = greatest(f.lsn, excluded.lsn)",
	1, 0};
static struct nm_sql q_replay = {"replica_replay_lsn", "SELECT pg_last_wal_replay_lsn()::text", 0,
				 0};

static long long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "16/B374D848" → its 64-bit value; 0 for NULL or anything else. */
static uint64_t parse_lsn(const char *s)
{
	unsigned hi, lo;
	if (!s || sscanf(s, "%X/%X", &hi, &lo) != 2)
		return 0;
	return (uint64_t)hi << 32 | lo;
}

int nm_replicas_healthy(void)
{
	int n = 0;
	for (int i = 0; i < nm_db_replica_count(); i++)
		n += atomic_load(&R.r[i].healthy);
	return n;
}

void nm_db_replica_failed(const struct pool *p)
{
	int i = nm_db_replica_index(p);
	if (i >= 0)
		atomic_store(&R.r[i].healthy, false);
}

/* -------------------------------------------------------------------- probe */

/* One value of a one-row query on a probe connection; false when it broke. */
static bool probe_value(PGconn **c, const char *sql, char *out, size_t n)
{
	if (!*c)
		return false;
	PGresult *res = PQexec(*c, sql);
	bool ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
	if (ok)
		snprintf(out, n, "%s", PQgetisnull(res, 0, 0) ? "" : PQgetvalue(res, 0, 0));
	PQclear(res);
	if (!ok && PQstatus(*c) != CONNECTION_OK) {
		PQfinish(*c);
		*c = NULL;
	}
	return ok;
}

/* What the primary had max_lag ago: the newest sample at least that old, else the
 * oldest one (at start: strict rather than lenient). 0: no sample yet. */
static uint64_t required_lsn(long long now)
{
	uint64_t need = 0;
	pthread_mutex_lock(&R.mu);
	for (int k = 0; k < R.ring_len; k++) {
		const struct sample *s = &R.ring[(R.ring_head - 1 - k + RING) % RING];
		need = s->lsn;
		if (s->ms <= now - R.cfg->replica_max_lag_ms)
			break;
	}
	pthread_mutex_unlock(&R.mu);
	return need;
}

static void probe_primary(PGconn **c)
{
	char err[256], v[64];
	if (!*c)
		*c = nm_db_connect_raw(R.cfg, err, sizeof err);
	if (!probe_value(c, "SELECT pg_current_wal_insert_lsn()::text", v, sizeof v))
		return;
	pthread_mutex_lock(&R.mu);
	R.ring[R.ring_head] = (struct sample){mono_ms(), parse_lsn(v)};
	R.ring_head = (R.ring_head + 1) % RING;
	if (R.ring_len < RING)
		R.ring_len++;
	pthread_mutex_unlock(&R.mu);
}

static void probe_replica(int i)
{
	struct replica *rep = &R.r[i];
	char err[256], v[128] = "";
	if (!rep->probe)
		rep->probe = nm_db_connect_url(R.cfg, nm_db_replica_url(i), err, sizeof err);
	bool up = probe_value(&rep->probe,
			      "SELECT pg_is_in_recovery()::text || ' ' || "
			      "coalesce(pg_last_wal_replay_lsn()::text, '')",
			      v, sizeof v);
	const char *why = NULL;
	uint64_t replay = 0;
	if (!up) {
		why = "unreachable";
	} else if (strncmp(v, "true ", 5) != 0) {
		why = "not in recovery (promoted?)";
	} else {
		replay = parse_lsn(v + 5);
		atomic_store(&rep->replay, replay);
		if (replay < required_lsn(mono_ms()))
			why = "lagging beyond NICHEMATCH_REPLICA_MAX_LAG_MS";
	}
	atomic_store(&rep->healthy, why == NULL);
	if (rep->was_healthy != (why == NULL)) {
		if (why)
			nm_log(NM_LOG_WARN, "read replica %d left out: %s", i + 1, why);
		else
			nm_log(NM_LOG_INFO, "read replica %d in use", i + 1);
	}
	rep->was_healthy = why == NULL;
}

static void *probe_main(void *arg)
{
	(void)arg;
	PGconn *primary = NULL;
	while (!atomic_load(&R.stop)) {
		probe_primary(&primary);
		for (int i = 0; i < nm_db_replica_count(); i++)
			probe_replica(i);
		usleep(PROBE_MS * 1000);
	}
	if (primary)
		PQfinish(primary);
	for (int i = 0; i < nm_db_replica_count(); i++) {
		if (R.r[i].probe)
			PQfinish(R.r[i].probe);
		R.r[i].probe = NULL;
	}
	return NULL;
}

bool nm_replicas_start(const struct nm_config *cfg)
{
	R.cfg = cfg;
	if (nm_db_replica_count() == 0)
		return true;
	atomic_store(&R.stop, false);
	R.started = pthread_create(&R.thread, NULL, probe_main, NULL) == 0;
	if (!R.started)
		nm_log(NM_LOG_WARN, "cannot start the replica probe: reads use the primary");
	return R.started;
}

void nm_replicas_stop(void)
{
	if (!R.started)
		return;
	atomic_store(&R.stop, true);
	pthread_join(R.thread, NULL);
	R.started = false;
}

/* --------------------------------------------------------------- borrowing */

static void count_read(const char *target)
{
	nm_metrics_add("nichematch_db_reads_total",
		       "Read-only requests by the server they read from.", target, 1);
}

/* The key's floor from the primary: 0 when it has none; false when the query failed. */
static bool floor_of(struct nm_pg *pg, int64_t key_id, uint64_t *floor)
{
	char k[24];
	snprintf(k, sizeof k, "%" PRId64, key_id);
	const char *p[] = {k};
	PGresult *res = nm_db_exec(pg, &q_floor_get, p);
	bool ok = PQresultStatus(res) == PGRES_TUPLES_OK;
	*floor = ok && PQntuples(res) == 1 ? parse_lsn(PQgetvalue(res, 0, 0)) : 0;
	PQclear(res);
	return ok;
}

/* Whether replica connection c has replayed up to floor, waiting up to wait_ms. */
static bool caught_up(struct nm_pg *c, uint64_t floor, int wait_ms)
{
	long long deadline = mono_ms() + wait_ms;
	for (;;) {
		PGresult *res = nm_db_exec(c, &q_replay, NULL);
		uint64_t at = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1
				      ? parse_lsn(nm_db_str(res, 0, 0))
				      : 0;
		PQclear(res);
		if (!nm_db_is_replica(c))
			return false; /* it broke and fell back to the primary */
		if (at >= floor)
			return true;
		if (mono_ms() >= deadline)
			return false;
		usleep(2000);
	}
}

struct nm_pg *nm_db_acquire_read(int64_t key_id, bool check_floor, bool *on_replica)
{
	*on_replica = false;
	int n = nm_db_replica_count();
	if (n == 0 || nm_replicas_healthy() == 0) {
		if (n)
			count_read("target=\"primary\"");
		return nm_db_acquire();
	}
	uint64_t floor = 0;
	struct nm_pg *prim = NULL;
	if (check_floor && key_id) {
		prim = nm_db_acquire();
		if (!prim)
			return NULL;
		if (!floor_of(prim, key_id, &floor)) {
			count_read("target=\"primary\"");
			return prim;
		}
	}
	unsigned start = atomic_fetch_add(&R.rr, 1);
	for (int k = 0; k < n; k++) {
		int i = (int)((start + (unsigned)k) % (unsigned)n);
		if (!atomic_load(&R.r[i].healthy))
			continue;
		/* A busy replica pool is no reason to wait: the primary is there. */
		struct nm_pg *c = nm_db_acquire_replica(i, 50);
		if (!c)
			continue;
		if (floor && atomic_load(&R.r[i].replay) < floor &&
		    !caught_up(c, floor, R.cfg->replica_read_wait_ms)) {
			if (!nm_db_is_replica(c) && !prim) {
				count_read("target=\"primary\"");
				return c; /* already on the primary */
			}
			nm_db_release(c);
			continue;
		}
		nm_db_release(prim);
		*on_replica = nm_db_is_replica(c);
		count_read(*on_replica ? "target=\"replica\"" : "target=\"primary\"");
		return c;
	}
	count_read("target=\"primary\"");
	return prim ? prim : nm_db_acquire();
}

void nm_db_note_write(struct nm_pg *pg, int64_t key_id)
{
	if (nm_db_replica_count() == 0 || key_id <= 0)
		return;
	/* The write's own connection when it is on the primary and idle (committed). */
	bool own = !pg || nm_db_is_replica(pg) || PQstatus(nm_db_conn(pg)) != CONNECTION_OK ||
		   PQtransactionStatus(nm_db_conn(pg)) != PQTRANS_IDLE;
	struct nm_pg *c = own ? nm_db_acquire() : pg;
	if (!c)
		return;
	char k[24];
	snprintf(k, sizeof k, "%" PRId64, key_id);
	const char *p[] = {k};
	PGresult *res = nm_db_exec(c, &q_floor_put, p);
	if (!nm_db_ok(res))
		nm_log(NM_LOG_WARN,
		       "cannot record key %" PRId64 "'s last write (%s): its reads "
		       "may lag on a replica",
		       key_id, nm_db_sqlstate(res));
	PQclear(res);
	if (own)
		nm_db_release(c);
}
