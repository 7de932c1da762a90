/* Retention: deletes what the service no longer needs from the tables that grow with use
 * (idempotency records, inbound dedupe records, creator tombstones, imports, settled
 * webhook events with their deliveries and attempts, match runs with their results,
 * expired dashboard sessions), each
 * after its NICHEMATCH_RETAIN_* period (nm/config.h; docs/operations.md, "Retention").
 *
 * A pass holds a session advisory lock on its connection, so that of any number of
 * instances (docs/api.md §1) and `nichematch prune` runs only one prunes at a time; the others
 * skip. Every statement deletes at most cfg->prune_batch rows, oldest first (plus what
 * cascades from them: a run's results, an event's deliveries and attempts), in a
 * transaction of its own, so that no lock is held for long and no transaction grows
 * large. A pass ends when nothing old is left, cfg->prune_budget_s is spent, or *stop
 * is set; the next pass continues where it ended.
 *
 * Tombstones: before deleting any, the pass moves prune_state.index_resync_before past
 * them (migrations/0011), which makes a ranking index that might still need them
 * rebuild instead of applying a delta (src/match/index.c, docs/matching.md). */
#ifndef NM_PRUNE_H
#define NM_PRUNE_H

#include <jansson.h>
#include <stdatomic.h>

#include "nm/config.h"

/* Tables rows are deleted from, in the order a pass visits them (cascades follow the
 * table they cascade from). */
enum nm_prune_table {
	NM_PRUNE_IDEMPOTENCY_KEYS,
	NM_PRUNE_INBOUND_EVENTS,
	NM_PRUNE_CREATOR_TOMBSTONES,
	NM_PRUNE_IMPORTS,
	NM_PRUNE_EVENTS,
	NM_PRUNE_WEBHOOK_DELIVERIES,
	NM_PRUNE_WEBHOOK_ATTEMPTS,
	NM_PRUNE_MATCH_RUNS,
	NM_PRUNE_MATCH_RESULTS,
	NM_PRUNE_SESSIONS,
	NM_PRUNE_TABLES
};

/* The table names, also the `table` label of nichematch_pruned_rows_total. */
extern const char *const nm_prune_table_name[NM_PRUNE_TABLES];

enum nm_prune_status {
	NM_PRUNE_DONE,	  /* nothing older than its retention is left */
	NM_PRUNE_PARTIAL, /* the time budget ran out or a stop was asked for */
	NM_PRUNE_SKIPPED, /* another session holds the prune lock */
	NM_PRUNE_FAILED,  /* a statement failed; the other tables were still pruned */
	NM_PRUNE_STATUSES
};

const char *nm_prune_status_name(enum nm_prune_status s);

struct nm_prune_result {
	enum nm_prune_status status;
	long long deleted[NM_PRUNE_TABLES];
	double seconds;
	char error[256]; /* the first failure, "" when none */
};

/* Runs one pass on c, a connection the caller owns and no one else uses while this
 * runs (the lock is taken and released on it). stop may be NULL. Fills *out; never
 * fails otherwise. */
struct pg_conn;
void nm_prune_pass(struct pg_conn *c, const struct nm_config *cfg, const atomic_bool *stop,
		   struct nm_prune_result *out);

/* {"status","duration_ms","deleted":{table:n,...}[,"error"]}: a new reference. */
json_t *nm_prune_result_json(const struct nm_prune_result *r);

/* The background pruner of `serve`: one thread that runs a pass every
 * cfg->prune_interval_s seconds (none when it is 0) on a connection of its own, opened
 * for the pass, and logs one line per pass that ran. cfg must outlive it. */
void nm_pruner_start(const struct nm_config *cfg);
/* Asks it to stop and waits; a pass in progress ends after its current statement. */
void nm_pruner_stop(void);

/* Totals of this process's background passes since start, for /metrics. */
void nm_prune_totals(long long deleted[NM_PRUNE_TABLES], long long passes[NM_PRUNE_STATUSES]);

#endif
