/* The webhook delivery workers (see nm/workers.h). One loop per thread:
 * claim a batch of due deliveries (short transaction, lease), send each outside any
 * transaction, record the attempt and the new delivery state in one statement, then
 * sleep on the LISTEN socket for at most a second. */
#include "nm/workers.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nm/db.h"
#include "nm/log.h"
#include "nm/metrics.h"
#include "nm/netcheck.h"
#include "nm/webhooks.h"

#define BATCH	      10
#define MAX_SCHEDULE  64
#define LEASE_SLACK_S 30

struct worker {
	pthread_t thread;
	int index;
	PGconn *conn;
	struct nm_sender *sender;
};

static struct {
	const struct nm_config *cfg;
	struct worker *workers;
	int n;
	atomic_bool stop;
	int wake[2]; /* self-pipe: nm_workers_stop writes, sleeping workers wake */
	int schedule[MAX_SCHEDULE];
	int n_schedule;
} W = {.wake = {-1, -1}};

/* Claims up to $1 due deliveries of endpoints that are not disabled and pushes their
 * next_attempt_at out by the lease ($2 s), which is what makes the claim survive the
 * commit: another worker skips them until the lease ends (crash recovery). */
static const char claim_sql[] =
	"WITH c AS (SELECT d.id FROM webhook_deliveries d "
	"WHERE d.state = 'pending' AND d.next_attempt_at <= now() AND EXISTS "
	"(SELECT 1 FROM webhook_endpoints w WHERE w.id = d.endpoint_id AND w.status <> 'disabled') "
	"ORDER BY d.next_attempt_at, d.id LIMIT $1 FOR UPDATE OF d SKIP LOCKED) "
	"UPDATE webhook_deliveries d SET next_attempt_at = now() + make_interval(secs => $2) "
	"FROM c, events e, webhook_endpoints w "
	"WHERE d.id = c.id AND e.id = d.event_id AND w.id = d.endpoint_id "
	"RETURNING d.id, d.endpoint_id, d.attempts, e.msg_id, e.type, " NM_SQL_TS(
		"e.created_at") ", e.data::text, w.url, w.secret";

/* The attempt log row, the delivery's new state and, when $10 is set, the endpoint's
 * status (failing after the last attempt, disabled on 410, active again on success). */
static const char record_sql[] =
	"WITH a AS (INSERT INTO webhook_attempts (delivery_id, endpoint_id, attempt, http_status, "
	"error, latency_ms, response_snippet) VALUES ($1, $2, $3, $4, $5, $6, $7)), "
	"d AS (UPDATE webhook_deliveries SET state = $8, attempts = $3, next_attempt_at = "
	"CASE WHEN $9::float8 IS NULL THEN next_attempt_at ELSE now() + make_interval(secs => $9) "
	"END "
	"WHERE id = $1) "
	"UPDATE webhook_endpoints SET status = $10, updated_at = now() "
	"WHERE id = $2 AND $10::text IS NOT NULL AND status <> $10 AND status <> 'disabled' "
	"AND ($10 <> 'active' OR status = 'failing')";

/* Hands claimed-but-unsent deliveries back on shutdown so another instance (or the
 * next start) sends them now rather than after the lease. */
static const char release_sql[] = "UPDATE webhook_deliveries SET next_attempt_at = now() "
				  "WHERE id = ANY ($1::bigint[]) AND state = 'pending'";

static bool stopping(void)
{
	return atomic_load(&W.stop);
}

/* Sleeps up to ms, waking early on a notification or on stop. */
static void nap(PGconn *conn, int ms)
{
	struct pollfd fds[2] = {{.fd = W.wake[0], .events = POLLIN}, {.fd = -1, .events = POLLIN}};
	if (conn)
		fds[1].fd = PQsocket(conn);
	if (poll(fds, conn ? 2 : 1, ms) < 0 && errno != EINTR)
		usleep(100000);
}

/* Reads pending notifications; false when the connection broke. */
static bool drain(PGconn *conn)
{
	if (!PQconsumeInput(conn))
		return false;
	PGnotify *n;
	while ((n = PQnotifies(conn)))
		PQfreemem(n);
	return true;
}

static bool connect_worker(struct worker *w)
{
	char err[256];
	w->conn = nm_db_connect_raw(W.cfg, err, sizeof err);
	if (!w->conn)
		return false;
	PGresult *res = PQexec(w->conn, "LISTEN " NM_WEBHOOK_CHANNEL);
	bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	if (ok) {
		res = PQprepare(w->conn, "claim", claim_sql, 2, NULL);
		ok = PQresultStatus(res) == PGRES_COMMAND_OK;
		PQclear(res);
	}
	if (ok) {
		res = PQprepare(w->conn, "record", record_sql, 10, NULL);
		ok = PQresultStatus(res) == PGRES_COMMAND_OK;
		PQclear(res);
	}
	if (!ok) {
		nm_log(NM_LOG_WARN, "webhook worker %d: setup failed: %s", w->index,
		       PQerrorMessage(w->conn));
		PQfinish(w->conn);
		w->conn = NULL;
	}
	return ok;
}

/* The signed body: {"id","type","created_at","data"}. Caller frees. */
static char *event_body(const char *msg_id, const char *type, const char *created_at,
			const char *data_text)
{
	json_t *data = json_loads(data_text, JSON_DECODE_ANY, NULL);
	json_t *o = json_pack("{s:s, s:s, s:s, s:o}", "id", msg_id, "type", type, "created_at",
			      created_at, "data", data ? data : json_null());
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
	} else if (attempt - 1 < W.n_schedule) {
		o->state = "pending";
		snprintf(o->retry_buf, sizeof o->retry_buf, "%d", W.schedule[attempt - 1]);
		o->retry_in = o->retry_buf;
	} else {
		o->state = "failed";
		o->endpoint = "failing";
	}
}

static bool record(struct worker *w, const char *delivery_id, const char *endpoint_id, int attempt,
		   const struct nm_delivery_result *r)
{
	struct outcome o;
	decide(r, attempt, &o);
	char att[16], status[16], lat[32];
	snprintf(att, sizeof att, "%d", attempt);
	snprintf(status, sizeof status, "%ld", r->http_status);
	snprintf(lat, sizeof lat, "%.3f", r->latency_ms);
	const char *p[] = {delivery_id,
			   endpoint_id,
			   att,
			   r->http_status ? status : NULL,
			   r->error[0] ? r->error : NULL,
			   lat,
			   r->snippet,
			   o.state,
			   o.retry_in,
			   o.endpoint};
	PGresult *res = PQexecPrepared(w->conn, "record", 10, p, NULL, NULL, 0);
	bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		nm_log(NM_LOG_WARN, "webhook worker %d: recording delivery %s failed: %s", w->index,
		       delivery_id, PQresultErrorMessage(res));
	PQclear(res);
	bool success = strcmp(o.state, "succeeded") == 0;
	nm_metrics_add("nichematch_webhook_deliveries_total", "Webhook delivery attempts by result",
		       success ? "result=\"success\"" : "result=\"failure\"", 1);
	if (!success)
		nm_log_json(NM_LOG_INFO, "webhook attempt failed",
			    json_pack("{s:s, s:s, s:i, s:I, s:s, s:s}", "delivery_id", delivery_id,
				      "endpoint_id", endpoint_id, "attempt", attempt, "http_status",
				      (json_int_t)r->http_status, "error", r->error, "next",
				      o.state));
	return ok || PQstatus(w->conn) == CONNECTION_OK;
}

static void send_row(struct worker *w, const PGresult *res, int i)
{
	char *body = event_body(PQgetvalue(res, i, 3), PQgetvalue(res, i, 4), PQgetvalue(res, i, 5),
				PQgetvalue(res, i, 6));
	struct nm_delivery_result r;
	if (!body) {
		memset(&r, 0, sizeof r);
		snprintf(r.error, sizeof r.error, "out of memory building the body");
	} else {
		nm_sender_post(w->sender, PQgetvalue(res, i, 7), PQgetvalue(res, i, 8),
			       PQgetvalue(res, i, 3), body, strlen(body), &r);
	}
	free(body);
	record(w, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), atoi(PQgetvalue(res, i, 2)) + 1,
	       &r);
}

/* Gives rows [from, n) back (shutdown mid-batch). */
static void release_rest(struct worker *w, const PGresult *res, int from)
{
	size_t cap = 2 + (size_t)(PQntuples(res) - from) * 22, len = 0;
	char *arr = malloc(cap);
	if (!arr)
		return;
	arr[len++] = '{';
	for (int i = from; i < PQntuples(res); i++)
		len += (size_t)snprintf(arr + len, cap - len, "%s%s", i > from ? "," : "",
					PQgetvalue(res, i, 0));
	snprintf(arr + len, cap - len, "}");
	const char *p[] = {arr};
	PQclear(PQexecParams(w->conn, release_sql, 1, NULL, p, NULL, NULL, 0));
	free(arr);
}

/* One claim-and-send round. Returns the number claimed, or -1 when the connection
 * is unusable. */
static int round_trip(struct worker *w)
{
	char limit[8], lease[16];
	snprintf(limit, sizeof limit, "%d", BATCH);
	snprintf(lease, sizeof lease, "%d",
		 (W.cfg->webhook_timeout_ms / 1000 + 1) * BATCH + LEASE_SLACK_S);
	const char *p[] = {limit, lease};
	PGresult *res = PQexecPrepared(w->conn, "claim", 2, p, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		bool broken = PQstatus(w->conn) != CONNECTION_OK;
		nm_log(NM_LOG_WARN, "webhook worker %d: claim failed: %s", w->index,
		       PQresultErrorMessage(res));
		PQclear(res);
		return broken ? -1 : 0;
	}
	int n = PQntuples(res);
	for (int i = 0; i < n; i++) {
		if (stopping()) {
			release_rest(w, res, i);
			break;
		}
		send_row(w, res, i);
		if (PQstatus(w->conn) != CONNECTION_OK)
			break; /* the rest come back when their lease ends */
	}
	PQclear(res);
	return PQstatus(w->conn) == CONNECTION_OK ? n : -1;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	bool warned = false;
	while (!stopping()) {
		if (!w->conn && !connect_worker(w)) {
			if (!warned)
				nm_log(NM_LOG_WARN,
				       "webhook worker %d: database unreachable; retrying",
				       w->index);
			warned = true;
			nap(NULL, 1000);
			continue;
		}
		warned = false;
		int n = round_trip(w);
		if (n >= 0 && !drain(w->conn))
			n = -1;
		if (n < 0) {
			PQfinish(w->conn);
			w->conn = NULL;
			continue;
		}
		if (n < BATCH) {
			nap(w->conn, 1000);
			if (!drain(w->conn)) {
				PQfinish(w->conn);
				w->conn = NULL;
			}
		}
	}
	if (w->conn)
		PQfinish(w->conn);
	w->conn = NULL;
	return NULL;
}

static void load_schedule(const char *s)
{
	W.n_schedule = nm_retry_schedule_parse(s, W.schedule, MAX_SCHEDULE);
	if (W.n_schedule < 0) {
		nm_log(NM_LOG_ERROR, "NICHEMATCH_WEBHOOK_RETRY_SCHEDULE is malformed (want seconds "
				     "like 5,300,1800); "
				     "using the default");
		W.n_schedule = nm_retry_schedule_parse("5,300,1800,7200,18000,36000,36000",
						       W.schedule, MAX_SCHEDULE);
	}
}

void nm_workers_start(const struct nm_config *cfg)
{
	if (cfg->webhook_workers <= 0)
		return;
	W.cfg = cfg;
	atomic_store(&W.stop, false);
	load_schedule(cfg->webhook_retry_schedule);
	if (pipe(W.wake) != 0) {
		nm_log(NM_LOG_ERROR, "webhook workers not started: pipe: %s", strerror(errno));
		return;
	}
	W.workers = calloc((size_t)cfg->webhook_workers, sizeof *W.workers);
	if (!W.workers)
		return;
	for (int i = 0; i < cfg->webhook_workers; i++) {
		struct worker *w = &W.workers[i];
		w->index = i;
		w->sender = nm_sender_new(cfg->webhook_timeout_ms, cfg->webhook_allow_private);
		if (!w->sender || pthread_create(&w->thread, NULL, worker_main, w) != 0) {
			nm_log(NM_LOG_ERROR, "webhook worker %d could not start", i);
			nm_sender_free(w->sender);
			break;
		}
		W.n++;
	}
	nm_log_json(NM_LOG_INFO, "webhook workers started",
		    json_pack("{s:i, s:i}", "workers", W.n, "retries", W.n_schedule));
}

void nm_workers_stop(void)
{
	if (!W.workers)
		return;
	atomic_store(&W.stop, true);
	/* Stays readable, so every sleeping worker wakes. */
	if (write(W.wake[1], "x", 1) < 0)
		nm_log(NM_LOG_WARN, "webhook workers: wake-up write failed");
	for (int i = 0; i < W.n; i++) {
		pthread_join(W.workers[i].thread, NULL);
		nm_sender_free(W.workers[i].sender);
	}
	free(W.workers);
	W.workers = NULL;
	W.n = 0;
	close(W.wake[0]);
	close(W.wake[1]);
	W.wake[0] = W.wake[1] = -1;
	nm_log(NM_LOG_INFO, "webhook workers stopped");
}
