/* Claims, attempt records and hand-backs for the delivery workers (see
 * nm/store_deliveries.h). */
#include "nm/store_deliveries.h"

#include <libpq-fe.h>

#include <jansson.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nm/db.h"
#include "nm/log.h"
#include "nm/webhook_deliver.h"
#include "nm/webhook_netcheck.h"
#include "nm/webhook_worker.h"

#define MAX_SCHEDULE 64
/* The longest Retry-After honoured (docs/webhooks.md): a receiver asking for more gets its
 * retry after an hour, so one answer cannot park a delivery for days. */
#define NM_WEBHOOK_RETRY_AFTER_MAX_S 3600

static int schedule[MAX_SCHEDULE];
static int n_schedule;

/* Walks the endpoints (LATERAL) rather than the due deliveries: each endpoint offers at
 * most its remaining allowance ($3 minus what this worker has in flight to it, from the
 * $4/$5 arrays), so an endpoint with a large backlog, or one that hangs, cannot fill
 * every slot, and the backlog is never scanned (index webhook_deliveries_endpoint_due).
 * The cost is one index probe per endpoint that is not disabled. Rows locked in the
 * LATERAL but cut by the outer LIMIT are released when the statement commits. The ids
 * go through an ARRAY so that the prepared (generic) plan updates them by primary key:
 * joining the claimed set instead was planned as a hash join over the whole table. */
static const char claim_sql[] =
	"WITH busy AS (SELECT * FROM unnest($4::bigint[], $5::int[]) AS b(endpoint_id, n)) "
	"UPDATE webhook_deliveries d SET next_attempt_at = now() + make_interval(secs => $2) "
	"FROM events e, webhook_endpoints w "
	"WHERE d.id = ANY (ARRAY(SELECT d.id FROM webhook_endpoints w "
	"LEFT JOIN busy b ON b.endpoint_id = w.id "
	"CROSS JOIN LATERAL (SELECT d.id, d.next_attempt_at FROM webhook_deliveries d "
	"WHERE d.endpoint_id = w.id AND d.state = 'pending' AND d.next_attempt_at <= now() "
	"ORDER BY d.next_attempt_at, d.id LIMIT greatest($3 - coalesce(b.n, 0), 0) "
	"FOR UPDATE OF d SKIP LOCKED) d "
	"WHERE w.status <> 'disabled' ORDER BY d.next_attempt_at, d.id LIMIT $1)) "
	"AND e.id = d.event_id AND w.id = d.endpoint_id "
	"RETURNING d.id, d.endpoint_id, d.attempts, e.msg_id, e.type, " NM_SQL_TS(
		"e.created_at") ", e.data::text, w.url, w.secret, "
				"CASE WHEN w.previous_secret_until > now() THEN w.previous_secret "
				"END";

/* The delivery's new state, its attempt log row and, when $10 is set, the endpoint's
 * status (failing after the last attempt, disabled on 410, active again on success). All
 * hang off the UPDATE, so a delivery deleted meanwhile (its endpoint was) records nothing
 * instead of failing on the foreign key. */
static const char record_sql[] =
	"WITH d AS (UPDATE webhook_deliveries SET state = $8, attempts = $3, next_attempt_at = "
	"CASE WHEN $9::float8 IS NULL THEN next_attempt_at ELSE now() + make_interval(secs => $9) "
	"END "
	"WHERE id = $1 RETURNING id), "
	"a AS (INSERT INTO webhook_attempts (delivery_id, endpoint_id, attempt, http_status, "
	"error, latency_ms, response_snippet) "
	"SELECT id, $2::bigint, $3::int, $4::int, $5::text, $6::float8, $7::text FROM d) "
	"UPDATE webhook_endpoints SET status = $10, updated_at = now() "
	"WHERE id = $2 AND $10::text IS NOT NULL AND status <> $10 AND status <> 'disabled' "
	"AND ($10 <> 'active' OR status = 'failing') AND EXISTS (SELECT 1 FROM d)";

static const char release_sql[] = "UPDATE webhook_deliveries SET next_attempt_at = now() "
				  "WHERE id = ANY ($1::bigint[]) AND state = 'pending'";

int nm_claim_load_schedule(const char *s)
{
	n_schedule = nm_retry_schedule_parse(s, schedule, MAX_SCHEDULE);
	if (n_schedule < 0) {
		nm_log(NM_LOG_ERROR, "NICHEMATCH_WEBHOOK_RETRY_SCHEDULE is malformed (want seconds "
				     "like 5,300,1800); "
				     "using the default");
		n_schedule = nm_retry_schedule_parse("5,300,1800,7200,18000,36000,36000", schedule,
						     MAX_SCHEDULE);
	}
	return n_schedule;
}

static bool prepare(PGconn *c, const char *name, const char *sql, int n)
{
	PGresult *res = PQprepare(c, name, sql, n, NULL);
	bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	return ok;
}

static bool claim_prepare(PGconn *c)
{
	return prepare(c, "claim", claim_sql, 5) && prepare(c, "record", record_sql, 10) &&
	       prepare(c, "release", release_sql, 1);
}

PGconn *nm_claim_connect(const struct nm_config *cfg, char *err, size_t errsz)
{
	PGconn *c = nm_db_connect_raw(cfg, err, errsz);
	if (!c)
		return NULL;
	PGresult *res = PQexec(c, "SET synchronous_commit = off; LISTEN " NM_WEBHOOK_CHANNEL);
	bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	if (!ok || !claim_prepare(c)) {
		char safe[NM_DB_ERR_SAFE_MAX];
		snprintf(err, errsz, "setup failed: %s",
			 nm_db_error_safe(NULL, c, safe, sizeof safe));
		PQfinish(c);
		return NULL;
	}
	return c;
}

void nm_claim_close(PGconn *c)
{
	PQfinish(c);
}

int nm_claim_socket(PGconn *c)
{
	return c ? PQsocket(c) : -1;
}

bool nm_claim_drain(PGconn *c, bool *woken)
{
	if (!PQconsumeInput(c))
		return false;
	PGnotify *n;
	while ((n = PQnotifies(c))) {
		*woken = true;
		PQfreemem(n);
	}
	return true;
}

int nm_claim_rows(const PGresult *res)
{
	return res ? PQntuples(res) : 0;
}

const char *nm_claim_value(const PGresult *res, int i, int col)
{
	return PQgetvalue(res, i, col);
}

void nm_claim_free(PGresult *res)
{
	PQclear(res);
}

/* "{a,b,c}" from n numbers; caller frees. */
static char *int_array(const long long *v, int n)
{
	size_t cap = 3 + (size_t)n * 21, len = 0;
	char *s = malloc(cap);
	if (!s)
		return NULL;
	s[len++] = '{';
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap - len, "%s%lld", i ? "," : "", v[i]);
	snprintf(s + len, cap - len, "}");
	return s;
}

char *nm_claim_body(const PGresult *res, int i)
{
	json_t *data = json_loads(PQgetvalue(res, i, NM_CLAIM_DATA), JSON_DECODE_ANY, NULL);
	json_t *o = json_pack("{s:s, s:s, s:s, s:o}", "id", PQgetvalue(res, i, NM_CLAIM_MSG_ID),
			      "type", PQgetvalue(res, i, NM_CLAIM_TYPE), "created_at",
			      PQgetvalue(res, i, NM_CLAIM_CREATED_AT), "data",
			      data ? data : json_null());
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return s;
}

/* What happens after attempt number `attempt` with outcome *r. */
struct outcome {
	const char *state;    /* pending | succeeded | failed */
	const char *retry_in; /* seconds, NULL unless pending */
	const char *endpoint; /* new endpoint status or NULL */
	char retry_buf[16];
};

/* A 4xx answer is the receiver refusing this event (bad payload, no such record, not
 * authorised): sending it again cannot help, so it fails at once (docs/webhooks.md,
 * "Delivery semantics"). Except these, which say "not now": Request Timeout, Conflict, Too
 * Early, Too Many Requests. */
static bool permanent(long status)
{
	return status >= 400 && status < 500 && status != 408 && status != 409 && status != 425 &&
	       status != 429;
}

/* The delay before the next attempt: the schedule's step, or the receiver's Retry-After
 * (capped at NM_WEBHOOK_RETRY_AFTER_MAX_S) when it sent one, plus a random 0-10 % on top
 * so that the retries of many deliveries that failed together (a receiver's outage) do not
 * all come back in the same second. The jitter only adds, so a retry never comes before
 * the Retry-After the receiver asked for. */
static double retry_delay(const struct nm_delivery_result *r, int step)
{
	double base = step;
	if (r->retry_after_s > 0)
		base = r->retry_after_s > NM_WEBHOOK_RETRY_AFTER_MAX_S
			       ? NM_WEBHOOK_RETRY_AFTER_MAX_S
			       : (double)r->retry_after_s;
	unsigned char rnd[2] = {0, 0};
	if (RAND_bytes(rnd, sizeof rnd) != 1)
		rnd[0] = rnd[1] = 0; /* no jitter rather than no retry */
	double u = (double)(rnd[0] << 8 | rnd[1]) / 65536.0;
	return base + base * 0.1 * u;
}

static void decide(const struct nm_delivery_result *r, int attempt, struct outcome *o)
{
	memset(o, 0, sizeof *o);
	if (r->http_status >= 200 && r->http_status < 300) {
		o->state = "succeeded";
		o->endpoint = "active";
	} else if (r->http_status == 410) {
		/* Standard Webhooks: Gone means the receiver wants no more events. */
		o->state = "failed";
		o->endpoint = "disabled";
	} else if (permanent(r->http_status)) {
		o->state = "failed";
	} else if (attempt - 1 < n_schedule) {
		o->state = "pending";
		snprintf(o->retry_buf, sizeof o->retry_buf, "%.3f",
			 retry_delay(r, schedule[attempt - 1]));
		o->retry_in = o->retry_buf;
	} else {
		o->state = "failed";
		o->endpoint = "failing";
	}
}

/* Text parameters of one record statement. */
struct record_params {
	char att[16], status[16], lat[32];
	struct outcome o;
	const char *p[10];
};

static void record_params(const struct nm_claim_outcome *oc, struct record_params *rp)
{
	const struct nm_delivery_result *r = oc->r;
	decide(r, oc->attempt, &rp->o);
	snprintf(rp->att, sizeof rp->att, "%d", oc->attempt);
	snprintf(rp->status, sizeof rp->status, "%ld", r->http_status);
	snprintf(rp->lat, sizeof rp->lat, "%.3f", r->latency_ms);
	const char *p[] = {oc->delivery_id,
			   oc->endpoint_id,
			   rp->att,
			   r->http_status ? rp->status : NULL,
			   r->error[0] ? r->error : NULL,
			   rp->lat,
			   r->snippet,
			   rp->o.state,
			   rp->o.retry_in,
			   rp->o.endpoint};
	memcpy(rp->p, p, sizeof p);
}

/* Text parameters of the claim; the arrays are malloc'd (freed by claim_params_free). */
struct claim_params {
	char lim[16], lease[16], per[16];
	char *ids, *ns;
	const char *p[5];
};

static bool claim_params(const struct nm_claim_want *w, struct claim_params *cp)
{
	long long *ids = malloc(sizeof *ids * (size_t)(w->n_busy + 1));
	long long *ns = malloc(sizeof *ns * (size_t)(w->n_busy + 1));
	cp->ids = cp->ns = NULL;
	if (ids && ns) {
		for (int i = 0; i < w->n_busy; i++) {
			ids[i] = w->busy[i].endpoint;
			ns[i] = w->busy[i].n;
		}
		cp->ids = int_array(ids, w->n_busy);
		cp->ns = int_array(ns, w->n_busy);
	}
	free(ids);
	free(ns);
	snprintf(cp->lim, sizeof cp->lim, "%d", w->limit);
	snprintf(cp->lease, sizeof cp->lease, "%d", w->lease_s);
	snprintf(cp->per, sizeof cp->per, "%d", w->per_endpoint);
	const char *p[] = {cp->lim, cp->lease, cp->per, cp->ids, cp->ns};
	memcpy(cp->p, p, sizeof p);
	return cp->ids && cp->ns;
}

/* Reads one pipelined statement's result, then the NULL that ends it and the result of
 * the Sync sent after it. NULL when the connection failed. */
static PGresult *take(PGconn *c)
{
	PGresult *res = PQgetResult(c);
	for (int k = 0; res && k < 2 && PQstatus(c) == CONNECTION_OK; k++) {
		PGresult *r = PQgetResult(c);
		bool sync = r && PQresultStatus(r) == PGRES_PIPELINE_SYNC;
		PQclear(r);
		if (sync)
			break;
	}
	return res;
}

PGresult *nm_claim_exchange(PGconn *c, struct nm_claim_outcome *o, int n,
			    const struct nm_claim_want *want, bool *broken)
{
	*broken = false;
	bool claim = want && want->limit > 0;
	if (n == 0 && !claim)
		return NULL;
	struct record_params *rp = n ? malloc(sizeof *rp * (size_t)n) : NULL;
	struct claim_params cp = {0};
	if ((n && !rp) || (claim && !claim_params(want, &cp)) || !PQenterPipelineMode(c)) {
		char safe[NM_DB_ERR_SAFE_MAX];
		nm_log(NM_LOG_WARN, "webhook: cannot record or claim (out of memory?): %s",
		       nm_db_error_safe(NULL, c, safe, sizeof safe));
		free(rp);
		free(cp.ids);
		free(cp.ns);
		*broken = PQstatus(c) != CONNECTION_OK;
		return NULL;
	}
	/* A Sync after each statement makes it a transaction of its own, as without the
	 * pipeline: one failure costs that statement only. */
	int sent = 0;
	bool ok = true;
	for (int i = 0; i < n && ok; i++) {
		record_params(&o[i], &rp[i]);
		ok = PQsendQueryPrepared(c, "record", 10, rp[i].p, NULL, NULL, 0) &&
		     PQpipelineSync(c);
		sent += ok;
	}
	bool claim_sent = ok && claim && PQsendQueryPrepared(c, "claim", 5, cp.p, NULL, NULL, 0) &&
			  PQpipelineSync(c);
	PGresult *claimed = NULL;
	for (int i = 0; i < sent; i++) {
		PGresult *res = take(c);
		o[i].succeeded = strcmp(rp[i].o.state, "succeeded") == 0;
		o[i].recorded = PQresultStatus(res) == PGRES_COMMAND_OK;
		char safe[NM_DB_ERR_SAFE_MAX];
		if (!o[i].recorded)
			nm_log(NM_LOG_WARN, "webhook: recording delivery %s failed: %s",
			       o[i].delivery_id, nm_db_error_safe(res, c, safe, sizeof safe));
		else if (!o[i].succeeded)
			nm_log_json(NM_LOG_INFO, "webhook attempt failed",
				    json_pack("{s:s, s:s, s:i, s:I, s:s, s:s}", "delivery_id",
					      o[i].delivery_id, "endpoint_id", o[i].endpoint_id,
					      "attempt", o[i].attempt, "http_status",
					      (json_int_t)o[i].r->http_status, "error",
					      o[i].r->error, "next", rp[i].o.state));
		PQclear(res);
	}
	for (int i = sent; i < n; i++)
		o[i].recorded = o[i].succeeded = false;
	if (claim_sent) {
		claimed = take(c);
		if (PQresultStatus(claimed) != PGRES_TUPLES_OK) {
			char safe[NM_DB_ERR_SAFE_MAX];
			nm_log(NM_LOG_WARN, "webhook claim failed: %s",
			       nm_db_error_safe(claimed, c, safe, sizeof safe));
			PQclear(claimed);
			claimed = NULL;
		}
	}
	/* Leaves pipeline mode only when every result was read; otherwise the connection
	 * is in an unknown state and is dropped. */
	*broken = PQstatus(c) != CONNECTION_OK || !ok || (claim && !claim_sent) ||
		  !PQexitPipelineMode(c);
	free(rp);
	free(cp.ids);
	free(cp.ns);
	return claimed;
}

bool nm_claim_release(PGconn *c, const char *const *delivery_ids, int n)
{
	size_t cap = 3, len = 0;
	for (int i = 0; i < n; i++)
		cap += strlen(delivery_ids[i]) + 1;
	char *arr = malloc(cap);
	if (!arr)
		return false;
	arr[len++] = '{';
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(arr + len, cap - len, "%s%s", i ? "," : "",
					delivery_ids[i]);
	snprintf(arr + len, cap - len, "}");
	const char *p[] = {arr};
	PGresult *res = PQexecPrepared(c, "release", 1, p, NULL, NULL, 0);
	bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	free(arr);
	return ok;
}
