/* Transactions with retry (see nm/tx.h). */
#include "nm/tx.h"

#include "nm/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "nm/db.h"
#include "nm/metrics.h"

void nm_db_err_set(struct nm_db_err *e, enum nm_db_status status)
{
	memset(e, 0, sizeof *e);
	e->status = status;
}

static enum nm_db_status classify(const char *state, const PGresult *res)
{
	if (!*state)
		return PQresultStatus(res) == PGRES_FATAL_ERROR ? NM_DB_UNAVAILABLE : NM_DB_ERROR;
	if (!strcmp(state, "40001") || !strcmp(state, "40P01"))
		return NM_DB_RETRY;
	if (!strcmp(state, "57014"))
		return NM_DB_TIMEOUT;
	if (!strcmp(state, "23505"))
		return NM_DB_CONFLICT;
	if (!strcmp(state, "23503"))
		return NM_DB_MISSING_REF;
	if (!strncmp(state, "22", 2) || !strncmp(state, "23", 2))
		return NM_DB_INVALID;
	if (nm_db_unavailable(res))
		return NM_DB_UNAVAILABLE;
	return NM_DB_ERROR;
}

void nm_db_err_from(struct nm_db_err *e, const PGresult *res)
{
	memset(e, 0, sizeof *e);
	if (res && nm_db_ok(res))
		return;
	if (!res) {
		e->status = NM_DB_UNAVAILABLE;
		return;
	}
	snprintf(e->sqlstate, sizeof e->sqlstate, "%s", nm_db_sqlstate(res));
	const char *c = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
	if (c)
		snprintf(e->constraint, sizeof e->constraint, "%s", c);
	e->status = classify(e->sqlstate, res);
}

const char *nm_db_status_name(enum nm_db_status s)
{
	static const char *const names[] = {"ok",	   "not_found",	  "conflict",
					    "missing_ref", "invalid",	  "retry",
					    "timeout",	   "unavailable", "error"};
	return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "error";
}

static const char *isolation_sql(enum nm_tx_isolation iso)
{
	switch (iso) {
	case NM_TX_REPEATABLE_READ:
		return "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ";
	case NM_TX_SERIALIZABLE:
		return "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE";
	case NM_TX_READ_COMMITTED:
		break;
	}
	return NULL;
}

/* Full jitter over an exponential cap: two transactions that collided once should not
 * collide again in lock step. */
static void backoff(int attempt)
{
	unsigned r = 0;
	if (RAND_bytes((unsigned char *)&r, sizeof r) != 1)
		r = (unsigned)clock();
	long cap_us = 2000L << (attempt < 5 ? attempt : 5); /* 2, 4, 8, 16, 32, 64 ms */
	long us = 500 + (long)(r % (unsigned long)cap_us);
	struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
	nanosleep(&ts, NULL);
}

static bool exec_step(struct nm_pg *pg, const char *sql, struct nm_db_err *err)
{
	PGresult *res = nm_db_exec_simple(pg, sql);
	nm_db_err_from(err, res);
	PQclear(res);
	return err->status == NM_DB_OK;
}

bool nm_tx_run(struct nm_pg *pg, enum nm_tx_isolation iso, nm_tx_fn fn, void *cls,
	       struct nm_db_err *err)
{
	for (int attempt = 0;; attempt++) {
		nm_db_err_set(err, NM_DB_OK);
		/* nm_db_begin reconnects a connection that died while idle in the pool. */
		if (!nm_db_begin(pg)) {
			nm_db_err_set(err, NM_DB_UNAVAILABLE);
			return false;
		}
		const char *level = isolation_sql(iso);
		if (level && !exec_step(pg, level, err)) {
			nm_db_rollback(pg);
			return false;
		}
		bool ok = fn(pg, cls, err);
		if (ok && exec_step(pg, "COMMIT", err))
			return true;
		if (ok && err->status == NM_DB_OK)
			nm_db_err_set(err, NM_DB_ERROR); /* COMMIT failed without a cause */
		nm_db_rollback(pg);
		if (err->status != NM_DB_RETRY || attempt + 1 >= NM_TX_ATTEMPTS) {
			if (err->status == NM_DB_RETRY)
				nm_metrics_add(
					"nichematch_db_tx_retries_exhausted_total",
					"Transactions that still conflicted after every retry", "",
					1);
			return false;
		}
		nm_metrics_add(
			"nichematch_db_tx_retries_total",
			"Transactions run again after a serialization failure or deadlock",
			err->sqlstate[1] == 'P' ? "sqlstate=\"40P01\"" : "sqlstate=\"40001\"", 1);
		backoff(attempt);
	}
}
