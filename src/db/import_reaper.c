/* The import reaper (see nm/import_reaper.h). Like the pruner, a connection is opened for
 * each pass and closed after it, so nothing is held between passes. */
#include "nm/import_reaper.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "nm/db_admin.h"
#include "nm/log.h"
#include "nm/store_imports.h"

static struct {
	const struct nm_config *cfg;
	pthread_t thread;
	bool started;
	atomic_bool stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
} R = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void one_pass(void)
{
	char err[256];
	struct pg_conn *c = nm_db_connect_raw(R.cfg, err, sizeof err);
	if (!c) {
		nm_log(NM_LOG_WARN, "import reaper: cannot connect: %s", err);
		return;
	}
	if (nm_store_imports_reap(c, NM_IMPORT_PENDING_TTL_S) < 0)
		nm_log(NM_LOG_WARN, "import reaper: the pass failed");
	nm_db_close(c);
}

static void *reaper_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&R.mu);
	while (!atomic_load(&R.stop)) {
		pthread_mutex_unlock(&R.mu);
		one_pass();
		pthread_mutex_lock(&R.mu);
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += NM_IMPORT_REAP_INTERVAL_S;
		while (!atomic_load(&R.stop) && pthread_cond_timedwait(&R.cv, &R.mu, &until) == 0)
			;
	}
	pthread_mutex_unlock(&R.mu);
	return NULL;
}

void nm_import_reaper_start(const struct nm_config *cfg)
{
	R.cfg = cfg;
	atomic_store(&R.stop, false);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&R.cv, &ca);
	pthread_condattr_destroy(&ca);
	R.started = pthread_create(&R.thread, NULL, reaper_main, NULL) == 0;
	if (!R.started)
		nm_log(NM_LOG_WARN, "cannot start the import reaper: this instance will not mark "
				    "imports of dead servers failed");
}

void nm_import_reaper_stop(void)
{
	if (!R.started)
		return;
	pthread_mutex_lock(&R.mu);
	atomic_store(&R.stop, true);
	pthread_cond_broadcast(&R.cv);
	pthread_mutex_unlock(&R.mu);
	pthread_join(R.thread, NULL);
	R.started = false;
	pthread_cond_destroy(&R.cv);
}
