/* See nm/db_listener.h. One thread, one libpq connection, poll() on its socket with a
 * short timeout so that a stop is seen within a quarter second. */
#include "nm/db_listener.h"

#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "nm/authcache.h"
#include "nm/db.h"
#include "nm/log.h"
#include "nm/metrics.h"

#define POLL_MS	     250
#define RECONNECT_MS 1000

static struct {
	const struct nm_config *cfg;
	void (*on_creators)(void);
	pthread_t thread;
	bool started;
	atomic_bool stop;
	atomic_bool listening;
} L;

static void invalidated(const char *why)
{
	nm_authcache_clear();
	nm_metrics_add(
		"nichematch_invalidations_total",
		"Cache invalidations heard from PostgreSQL (NOTIFY nm_invalidate), by cause.", why,
		1);
}

static void creators_changed(const char *why)
{
	if (L.on_creators)
		L.on_creators();
	nm_metrics_add(
		"nichematch_invalidations_total",
		"Cache invalidations heard from PostgreSQL (NOTIFY nm_invalidate), by cause.", why,
		1);
}

void nm_listener_on_creators(void (*fn)(void))
{
	L.on_creators = fn;
}

static PGconn *listen_conn(void)
{
	char err[512];
	PGconn *c = nm_db_connect_raw(L.cfg, err, sizeof err);
	if (!c)
		return NULL;
	PGresult *res = PQexec(c, "LISTEN " NM_INVALIDATE_CHANNEL);
	bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	if (!ok) {
		PQfinish(c);
		return NULL;
	}
	return c;
}

/* Reads what arrived; false when the connection broke. */
static bool drain(PGconn *c)
{
	if (!PQconsumeInput(c))
		return false;
	for (PGnotify *n; (n = PQnotifies(c)) != NULL; PQfreemem(n)) {
		if (strcmp(n->extra, "creators") == 0) {
			creators_changed("cause=\"creators_imported\"");
			continue;
		}
		invalidated(strcmp(n->extra, "brand") == 0 ? "cause=\"brand_deleted\""
							   : "cause=\"key_revoked\"");
	}
	return PQstatus(c) == CONNECTION_OK;
}

static void sleep_ms(int ms)
{
	for (int i = 0; i < ms / 50 && !atomic_load(&L.stop); i++)
		usleep(50000);
}

static void *listener_main(void *arg)
{
	(void)arg;
	PGconn *c = NULL;
	bool warned = false;
	while (!atomic_load(&L.stop)) {
		if (!c) {
			c = listen_conn();
			if (!c) {
				if (!warned)
					nm_log(NM_LOG_WARN, "invalidation listener: cannot LISTEN; "
							    "retrying every second");
				warned = true;
				sleep_ms(RECONNECT_MS);
				continue;
			}
			/* Whatever was revoked while we did not listen is forgotten now. */
			invalidated("cause=\"listener_connected\"");
			if (L.on_creators)
				L.on_creators();
			atomic_store(&L.listening, true);
			if (warned)
				nm_log(NM_LOG_INFO, "invalidation listener: listening again");
			warned = false;
		}
		struct pollfd pfd = {.fd = PQsocket(c), .events = POLLIN};
		int rc = pfd.fd >= 0 ? poll(&pfd, 1, POLL_MS) : -1;
		if (rc < 0 || (rc > 0 && !drain(c))) {
			atomic_store(&L.listening, false);
			PQfinish(c);
			c = NULL;
		}
	}
	atomic_store(&L.listening, false);
	if (c)
		PQfinish(c);
	return NULL;
}

bool nm_listener_start(const struct nm_config *cfg)
{
	L.cfg = cfg;
	atomic_store(&L.stop, false);
	L.started = pthread_create(&L.thread, NULL, listener_main, NULL) == 0;
	if (!L.started)
		nm_log(NM_LOG_WARN, "cannot start the invalidation listener: revocations made on "
				    "other instances take up to NICHEMATCH_AUTH_CACHE_TTL_S here");
	return L.started;
}

void nm_listener_stop(void)
{
	if (!L.started)
		return;
	atomic_store(&L.stop, true);
	pthread_join(L.thread, NULL);
	L.started = false;
}

bool nm_listener_listening(void)
{
	return atomic_load(&L.listening);
}
