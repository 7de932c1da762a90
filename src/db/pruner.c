/* The background pruner of `serve` (see nm/prune.h). A connection is opened for each
 * pass and closed after it: between passes, minutes apart, the pruner holds nothing,
 * and a database that went away and came back needs no reconnect logic here. */
#include "nm/db.h"
#include "nm/log.h"
#include "nm/periodic.h"
#include "nm/prune.h"

static struct {
	const struct nm_config *cfg;
	struct nm_periodic thread;
	_Atomic long long deleted[NM_PRUNE_TABLES];
	_Atomic long long passes[NM_PRUNE_STATUSES];
} P;

static void count(const struct nm_prune_result *r)
{
	for (int i = 0; i < NM_PRUNE_TABLES; i++)
		atomic_fetch_add(&P.deleted[i], r->deleted[i]);
	atomic_fetch_add(&P.passes[r->status], 1);
}

static void one_pass(void *arg, const atomic_bool *stop)
{
	(void)arg;
	char err[256];
	PGconn *c = nm_db_connect_raw(P.cfg, err, sizeof err);
	if (!c) {
		nm_log_json(NM_LOG_WARN, "prune pass",
			    json_pack("{s:s, s:s}", "status", "failed", "error", err));
		atomic_fetch_add(&P.passes[NM_PRUNE_FAILED], 1);
		return;
	}
	struct nm_prune_result r;
	nm_prune_pass(c, P.cfg, stop, &r);
	PQfinish(c);
	count(&r);
	/* With many instances most passes find the lock taken: not worth a line each. */
	enum nm_log_level lvl = r.status == NM_PRUNE_SKIPPED  ? NM_LOG_DEBUG
				: r.status == NM_PRUNE_FAILED ? NM_LOG_WARN
							      : NM_LOG_INFO;
	if (nm_log_enabled(lvl))
		nm_log_json(lvl, "prune pass", nm_prune_result_json(&r));
}

void nm_pruner_start(const struct nm_config *cfg)
{
	if (cfg->prune_interval_s <= 0)
		return;
	P.cfg = cfg;
	P.thread = (struct nm_periodic){.pass = one_pass, .interval_s = cfg->prune_interval_s};
	if (!nm_periodic_start(&P.thread))
		nm_log(NM_LOG_WARN, "cannot start the pruner thread: this instance will not prune");
}

void nm_pruner_stop(void)
{
	nm_periodic_stop(&P.thread);
}

void nm_prune_totals(long long deleted[NM_PRUNE_TABLES], long long passes[NM_PRUNE_STATUSES])
{
	for (int i = 0; i < NM_PRUNE_TABLES; i++)
		deleted[i] = atomic_load(&P.deleted[i]);
	for (int i = 0; i < NM_PRUNE_STATUSES; i++)
		passes[i] = atomic_load(&P.passes[i]);
}
