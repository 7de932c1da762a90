/* The background pruner of `serve` (see nm/prune.h). A connection is opened for each
 * pass and closed after it: between passes, minutes apart, the pruner holds nothing,
 * and a database that went away and came back needs no reconnect logic here. */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "nm/db.h"
#include "nm/log.h"
#include "nm/prune.h"

static struct {
	const struct nm_config *cfg;
	pthread_t thread;
	bool started;
	atomic_bool stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	_Atomic long long deleted[NM_PRUNE_TABLES];
	_Atomic long long passes[NM_PRUNE_STATUSES];
} P = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void count(const struct nm_prune_result *r)
{
	for (int i = 0; i < NM_PRUNE_TABLES; i++)
		atomic_fetch_add(&P.deleted[i], r->deleted[i]);
	atomic_fetch_add(&P.passes[r->status], 1);
}

static void one_pass(void)
{
	char err[256];
	PGconn *c = nm_db_connect_raw(P.cfg, err, sizeof err);
	if (!c) {
		nm_log_json(NM_LOG_WARN, "prune pass",
			    json_pack("{s:s, s:s}", "status", "failed", "error", err));
		atomic_fetch_add(&P.passes[NM_PRUNE_FAILED], 1);
		return;
	}
	struct nm_prune_result r;
	nm_prune_pass(c, P.cfg, &P.stop, &r);
	PQfinish(c);
	count(&r);
	/* With many instances most passes find the lock taken: not worth a line each. */
	enum nm_log_level lvl = r.status == NM_PRUNE_SKIPPED  ? NM_LOG_DEBUG
				: r.status == NM_PRUNE_FAILED ? NM_LOG_WARN
							      : NM_LOG_INFO;
	if (nm_log_enabled(lvl))
		nm_log_json(lvl, "prune pass", nm_prune_result_json(&r));
}

static void *pruner_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&P.mu);
	while (!atomic_load(&P.stop)) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += P.cfg->prune_interval_s;
		while (!atomic_load(&P.stop) && pthread_cond_timedwait(&P.cv, &P.mu, &until) == 0)
			;
		if (atomic_load(&P.stop))
			break;
		pthread_mutex_unlock(&P.mu);
		one_pass();
		pthread_mutex_lock(&P.mu);
	}
	pthread_mutex_unlock(&P.mu);
	return NULL;
}

void nm_pruner_start(const struct nm_config *cfg)
{
	if (cfg->prune_interval_s <= 0)
		return;
	P.cfg = cfg;
	atomic_store(&P.stop, false);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&P.cv, &ca);
	pthread_condattr_destroy(&ca);
	P.started = pthread_create(&P.thread, NULL, pruner_main, NULL) == 0;
	if (!P.started)
		nm_log(NM_LOG_WARN, "cannot start the pruner thread: this instance will not prune");
}

void nm_pruner_stop(void)
{
	if (!P.started)
		return;
	pthread_mutex_lock(&P.mu);
	atomic_store(&P.stop, true);
	pthread_cond_broadcast(&P.cv);
	pthread_mutex_unlock(&P.mu);
	pthread_join(P.thread, NULL);
	P.started = false;
	pthread_cond_destroy(&P.cv);
}

void nm_prune_totals(long long deleted[NM_PRUNE_TABLES], long long passes[NM_PRUNE_STATUSES])
{
	for (int i = 0; i < NM_PRUNE_TABLES; i++)
		deleted[i] = atomic_load(&P.deleted[i]);
	for (int i = 0; i < NM_PRUNE_STATUSES; i++)
		passes[i] = atomic_load(&P.passes[i]);
}
