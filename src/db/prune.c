/* One retention pass (see nm/prune.h). Every policy is one DELETE that picks at most a
 * batch of the oldest rows through an index on their age and reports what it deleted;
 * a step repeats it until it deletes nothing. Each step fixes its cutoff once, so rows
 * that age while the step runs wait for the next pass instead of prolonging this one. */
#include "nm/prune.h"

#include "nm/db.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nm/retention.h"

/* Beside migrate.c's 7384629101. */
#define PRUNE_LOCK_KEY "7384629102"
#define MIN_BATCH      100

const char *const nm_prune_table_name[NM_PRUNE_TABLES] = {
	[NM_PRUNE_IDEMPOTENCY_KEYS] = "idempotency_keys",
	[NM_PRUNE_INBOUND_EVENTS] = "inbound_events",
	[NM_PRUNE_CREATOR_TOMBSTONES] = "creator_tombstones",
	[NM_PRUNE_IMPORTS] = "imports",
	[NM_PRUNE_EVENTS] = "events",
	[NM_PRUNE_WEBHOOK_DELIVERIES] = "webhook_deliveries",
	[NM_PRUNE_WEBHOOK_ATTEMPTS] = "webhook_attempts",
	[NM_PRUNE_MATCH_RUNS] = "match_runs",
	[NM_PRUNE_MATCH_RESULTS] = "match_results",
	[NM_PRUNE_SESSIONS] = "sessions",
};

const char *nm_prune_status_name(enum nm_prune_status s)
{
	static const char *const names[NM_PRUNE_STATUSES] = {"done", "partial", "skipped",
							     "failed"};
	return (unsigned)s < NM_PRUNE_STATUSES ? names[s] : "failed";
}

/* A policy. sql takes $1 (the cutoff, timestamptz as text) and $2 (the batch size) and
 * returns one row: the rows deleted from tables[0], then from each cascade. */
struct step {
	size_t retain; /* offset of the retention in struct nm_config */
	const char *sql;
	enum nm_prune_table tables[3];
	int n_tables;
};

/* Rows picked by ctid are deleted by a TID scan, whatever size the table has grown to
 * (a join on the key let the planner hash the whole table for a batch). A row updated
 * between the pick and the delete has a new ctid and stays; so does a row whose age is
 * no longer past the cutoff: an idempotency key reclaimed in the meantime (created_at =
 * now()) belongs to a new request. */
static const char idempotency_sql[] =
	"WITH gone AS (DELETE FROM idempotency_keys WHERE ctid = ANY (ARRAY("
	"SELECT ctid FROM idempotency_keys WHERE created_at < $1::timestamptz "
	"ORDER BY created_at LIMIT $2::int)) AND created_at < $1::timestamptz RETURNING 1) "
	"SELECT count(*) FROM gone";

/* The inbound log (migration 0024) goes with the same retention, a batch of it per
 * statement beside the dedupe records (not counted in the report). */
static const char inbound_sql[] =
	"WITH gone AS (DELETE FROM inbound_events WHERE ctid = ANY (ARRAY("
	"SELECT ctid FROM inbound_events WHERE received_at < $1::timestamptz "
	"ORDER BY received_at LIMIT $2::int)) RETURNING 1), "
	"log AS (DELETE FROM inbound_log WHERE ctid = ANY (ARRAY("
	"SELECT ctid FROM inbound_log WHERE received_at < $1::timestamptz "
	"ORDER BY received_at LIMIT $2::int))) "
	"SELECT count(*) FROM gone";

/* $1 here is the newest deleted_at the step may delete (inclusive), as published in
 * prune_state by tombstone_horizon() before any of them goes. */
static const char tombstones_sql[] =
	"WITH gone AS (DELETE FROM creator_tombstones WHERE ctid = ANY (ARRAY("
	"SELECT ctid FROM creator_tombstones WHERE deleted_at <= $1::timestamptz "
	"ORDER BY deleted_at LIMIT $2::int)) RETURNING 1) "
	"SELECT count(*) FROM gone";

/* Finished imports by their last activity (heartbeat_at, set at the end too), and
 * records of imports that stopped without finishing (the instance died) once their
 * heartbeat is a day old as well, whatever the retention. */
static const char imports_sql[] =
	"WITH gone AS (DELETE FROM imports WHERE ctid = ANY (ARRAY("
	"SELECT ctid FROM imports WHERE created_at < $1::timestamptz "
	"AND heartbeat_at < $1::timestamptz "
	"AND (status <> 'running' OR heartbeat_at < now() - interval '1 day') "
	"ORDER BY created_at LIMIT $2::int)) AND heartbeat_at < $1::timestamptz RETURNING 1) "
	"SELECT count(*) FROM gone";

/* Settled events: every delivery succeeded or failed for good, and none was attempted
 * since the cutoff (next_attempt_at is at least the last attempt's time, and a manual
 * retry resets it), so a redelivery's log stays as long as a first delivery's. The
 * deliveries are locked before the final check, so a retry that turns one pending
 * again either commits first (the event stays) or waits and then finds it gone. */
static const char events_sql[] =
	"WITH cand AS (SELECT e.id FROM events e WHERE e.created_at < $1::timestamptz "
	"AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id "
	"AND (d.state = 'pending' OR d.next_attempt_at >= $1::timestamptz)) "
	"ORDER BY e.created_at LIMIT $2::int), "
	"locked AS (SELECT d.id, d.event_id, d.state, d.next_attempt_at FROM webhook_deliveries d "
	"WHERE d.event_id IN (SELECT id FROM cand) FOR UPDATE), "
	"ev AS (SELECT id FROM cand WHERE id NOT IN (SELECT event_id FROM locked "
	"WHERE state = 'pending' OR next_attempt_at >= $1::timestamptz)), "
	"dl AS (SELECT id FROM locked WHERE event_id IN (SELECT id FROM ev)), "
	"a AS (DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM dl) RETURNING 1), "
	"d AS (DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM dl) RETURNING 1), "
	"e AS (DELETE FROM events WHERE id IN (SELECT id FROM ev) RETURNING 1) "
	"SELECT (SELECT count(*) FROM e), (SELECT count(*) FROM d), (SELECT count(*) FROM a)";

/* Runs that are not their brand's latest (GET .../matches without run_id reads the
 * latest). The trigger of migrations/0010 deletes the results of each statement's runs,
 * so runs are taken while their stored results stay within the batch (at least one run;
 * a run stores 200 by default, up to 1000), out of a tenth as many candidates. Result
 * rows are counted from match_runs.stored, which is what the run inserted. */
static const char match_runs_sql[] =
	"WITH old AS (SELECT m.id, m.stored FROM match_runs m WHERE m.created_at < $1::timestamptz "
	"AND EXISTS (SELECT 1 FROM match_runs n WHERE n.brand_id = m.brand_id AND n.id > m.id) "
	"ORDER BY m.created_at LIMIT $2::int / 10 + 1), "
	"pick AS (SELECT id, sum(stored) OVER (ORDER BY id) - stored AS before FROM old), "
	"gone AS (DELETE FROM match_runs WHERE id = ANY (ARRAY("
	"SELECT id FROM pick WHERE before < $2::int)) RETURNING stored) "
	"SELECT count(*), coalesce(sum(stored), 0) FROM gone";

/* Dashboard sessions by their expiry (a revoked one expires within NICHEMATCH_SESSION_TTL_S
 * too); a sign-in cleared only its own key's old sessions, so a key never used again kept
 * them forever. */
static const char sessions_sql[] = "WITH gone AS (DELETE FROM sessions WHERE ctid = ANY (ARRAY("
				   "SELECT ctid FROM sessions WHERE expires_at < $1::timestamptz "
				   "ORDER BY expires_at LIMIT $2::int)) RETURNING 1) "
				   "SELECT count(*) FROM gone";

static const struct step steps[] = {
	{offsetof(struct nm_config, retain_idempotency_s),
	 idempotency_sql,
	 {NM_PRUNE_IDEMPOTENCY_KEYS},
	 1},
	{offsetof(struct nm_config, retain_inbound_events_s),
	 inbound_sql,
	 {NM_PRUNE_INBOUND_EVENTS},
	 1},
	{offsetof(struct nm_config, retain_tombstones_s),
	 tombstones_sql,
	 {NM_PRUNE_CREATOR_TOMBSTONES},
	 1},
	{offsetof(struct nm_config, retain_imports_s), imports_sql, {NM_PRUNE_IMPORTS}, 1},
	{offsetof(struct nm_config, retain_webhook_events_s),
	 events_sql,
	 {NM_PRUNE_EVENTS, NM_PRUNE_WEBHOOK_DELIVERIES, NM_PRUNE_WEBHOOK_ATTEMPTS},
	 3},
	{offsetof(struct nm_config, retain_match_runs_s),
	 match_runs_sql,
	 {NM_PRUNE_MATCH_RUNS, NM_PRUNE_MATCH_RESULTS},
	 2},
	{offsetof(struct nm_config, retain_sessions_s), sessions_sql, {NM_PRUNE_SESSIONS}, 1},
};

struct pass {
	PGconn *c;
	const struct nm_config *cfg;
	const atomic_bool *stop;
	struct timespec t0;
	struct nm_prune_result *out;
	bool cut_short;
};

static double elapsed(const struct pass *p)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - p->t0.tv_sec) + (double)(t.tv_nsec - p->t0.tv_nsec) / 1e9;
}

static bool must_end(struct pass *p)
{
	if ((p->stop && atomic_load(p->stop)) || elapsed(p) >= p->cfg->prune_budget_s)
		p->cut_short = true;
	return p->cut_short;
}

static void fail(struct pass *p, const char *what, const PGresult *r)
{
	if (p->out->error[0])
		return;
	char msg[NM_DB_ERR_SAFE_MAX];
	snprintf(p->out->error, sizeof p->out->error, "%s: %s", what,
		 nm_db_error_safe(r, p->c, msg, sizeof msg));
	size_t n = strlen(p->out->error);
	while (n && (p->out->error[n - 1] == '\n' || p->out->error[n - 1] == ' '))
		p->out->error[--n] = '\0';
}

/* One row, one column of text from a statement with text parameters; false on error
 * (recorded) and *got false when it returned no row or NULL. */
static bool query_text(struct pass *p, const char *what, const char *sql, int n,
		       const char *const *params, char *buf, size_t bufsz, bool *got)
{
	PGresult *r = PQexecParams(p->c, sql, n, NULL, params, NULL, NULL, 0);
	bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
	if (!ok)
		fail(p, what, r);
	*got = ok && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0);
	if (*got)
		snprintf(buf, bufsz, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	return ok;
}

/* Publishes the newest tombstone older than the cutoff, plus the margin, as the time
 * before which ranking indexes must rebuild, and returns it in upto (got false when no
 * tombstone is old enough). Committed before the first tombstone goes, so any snapshot
 * that misses one sees the horizon. */
static bool tombstone_horizon(struct pass *p, const char *cutoff, long long retain_s, char *upto,
			      size_t uptosz, bool *got)
{
	char margin[24];
	snprintf(margin, sizeof margin, "%lld", nm_retain_resync_margin_s(retain_s));
	const char *params[] = {cutoff, margin};
	return query_text(
		p, "creator_tombstones",
		"WITH m AS (SELECT max(deleted_at) AS upto FROM creator_tombstones "
		"WHERE deleted_at < $1::timestamptz) "
		"UPDATE prune_state SET index_resync_before = greatest(index_resync_before, "
		"m.upto + make_interval(secs => $2::float8)) FROM m WHERE m.upto IS NOT NULL "
		"RETURNING m.upto::text",
		2, params, upto, uptosz, got);
}

static void run_step(struct pass *p, const struct step *s)
{
	long long retain_s = *(const long long *)((const char *)p->cfg + s->retain);
	if (retain_s <= 0 || must_end(p))
		return;
	const enum nm_prune_table first = s->tables[0];
	char seconds[24], cutoff[64];
	bool got;
	snprintf(seconds, sizeof seconds, "%lld", retain_s);
	const char *cp[] = {seconds};
	if (!query_text(p, nm_prune_table_name[first],
			"SELECT (now() - make_interval(secs => $1::float8))::text", 1, cp, cutoff,
			sizeof cutoff, &got) ||
	    !got)
		return;
	if (first == NM_PRUNE_CREATOR_TOMBSTONES) {
		char upto[64];
		if (!tombstone_horizon(p, cutoff, retain_s, upto, sizeof upto, &got) || !got)
			return;
		snprintf(cutoff, sizeof cutoff, "%s", upto);
	}
	int batch = p->cfg->prune_batch;
	while (!must_end(p)) {
		char lim[16];
		snprintf(lim, sizeof lim, "%d", batch);
		const char *params[] = {cutoff, lim};
		PGresult *r = PQexecParams(p->c, s->sql, 2, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
			const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
			bool timed_out = state && strcmp(state, "57014") == 0;
			if (timed_out && batch > MIN_BATCH && !(p->stop && atomic_load(p->stop))) {
				/* A batch too large for statement_timeout (a cold cache, a slow
				 * disk): smaller ones for the rest of this step. */
				PQclear(r);
				batch = batch / 2 > MIN_BATCH ? batch / 2 : MIN_BATCH;
				continue;
			}
			fail(p, nm_prune_table_name[first], r);
			PQclear(r);
			return;
		}
		long long n = 0;
		for (int i = 0; i < s->n_tables; i++) {
			long long v = atoll(PQgetvalue(r, 0, i));
			p->out->deleted[s->tables[i]] += v;
			if (i == 0)
				n = v;
		}
		PQclear(r);
		if (n == 0)
			return;
	}
}

/* Leaves the pass's outcome where every instance and operator can read it. */
static void record_pass(struct pass *p)
{
	json_t *j = nm_prune_result_json(p->out);
	char *text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!text)
		return;
	const char *params[] = {text};
	PGresult *r = PQexecParams(
		p->c, "UPDATE prune_state SET last_pass_at = now(), last_pass = $1::jsonb", 1, NULL,
		params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		fail(p, "prune_state", r);
	PQclear(r);
	free(text);
}

void nm_prune_pass(PGconn *c, const struct nm_config *cfg, const atomic_bool *stop,
		   struct nm_prune_result *out)
{
	memset(out, 0, sizeof *out);
	struct pass p = {c, cfg, stop, {0, 0}, out, false};
	clock_gettime(CLOCK_MONOTONIC, &p.t0);
	char locked[8];
	bool got;
	if (!query_text(&p, "lock", "SELECT pg_try_advisory_lock(" PRUNE_LOCK_KEY ")::text", 0,
			NULL, locked, sizeof locked, &got)) {
		out->status = NM_PRUNE_FAILED;
		out->seconds = elapsed(&p);
		return;
	}
	if (!got || strcmp(locked, "true") != 0) {
		out->status = NM_PRUNE_SKIPPED;
		out->seconds = elapsed(&p);
		return;
	}
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
		run_step(&p, &steps[i]);
	out->status = out->error[0] ? NM_PRUNE_FAILED
		      : p.cut_short ? NM_PRUNE_PARTIAL
				    : NM_PRUNE_DONE;
	out->seconds = elapsed(&p);
	record_pass(&p);
	if (out->error[0])
		out->status = NM_PRUNE_FAILED;
	/* A broken connection dropped the lock with the session already. */
	PQclear(PQexec(c, "SELECT pg_advisory_unlock(" PRUNE_LOCK_KEY ")"));
}

json_t *nm_prune_result_json(const struct nm_prune_result *r)
{
	json_t *deleted = json_object();
	for (int i = 0; i < NM_PRUNE_TABLES; i++)
		json_object_set_new(deleted, nm_prune_table_name[i],
				    json_integer((json_int_t)r->deleted[i]));
	json_t *j = json_pack("{s:s, s:I, s:o}", "status", nm_prune_status_name(r->status),
			      "duration_ms", (json_int_t)llround(r->seconds * 1000), "deleted",
			      deleted);
	if (j && r->error[0])
		json_object_set_new(j, "error", json_string(r->error));
	return j;
}
