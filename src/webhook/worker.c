/* The webhook delivery workers (see nm/webhook_worker.h). Each thread keeps up to
 * NICHEMATCH_WEBHOOK_CONCURRENCY POSTs in flight on one libcurl multi handle (deliver.c)
 * and claims due deliveries (store/deliveries.c) as slots free up, at most
 * NICHEMATCH_WEBHOOK_ENDPOINT_CONCURRENCY per endpoint, so a receiver that hangs holds a
 * few slots for the timeout while every other endpoint's events keep flowing. One loop
 * pass: record the attempts that finished and claim for the idle slots (one pipelined
 * round trip), start the claimed POSTs, then sleep in curl_multi_poll on the transfers,
 * the LISTEN socket (the outbox NOTIFYs at commit) and a stop pipe. A claim is also made
 * at least every second, for due retries. */
#include "nm/webhook_worker.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nm/log.h"
#include "nm/metrics.h"
#include "nm/secretbox.h"
#include "nm/store_deliveries.h"
#include "nm/webhook_deliver.h"

/* Added to the timeout for the lease: time to record the attempt after the POST. */
#define LEASE_SLACK_S 30
#define POLL_MS	      1000
/* A NOTIFY arrives with every commit that queued deliveries and wakes every worker; under
 * a burst, claiming on each one cost a claim per event and most came back empty (the
 * workers race for the same rows). So a worker claims for a NOTIFY at most this often:
 * the first event after a quiet spell is claimed at once, later ones wait at most this
 * long and are claimed together. */
#define CLAIM_GAP_MS 10
/* After SIGTERM, POSTs still in flight get at most this long (and never more than
 * NICHEMATCH_SHUTDOWN_GRACE_S) before they are stopped and handed back: a healthy receiver
 * answers in milliseconds, and waiting the full timeout for one that hangs would hold up
 * every restart; the cost is a duplicate for a receiver slower than this. */
#define STOP_WAIT_MS 5000

/* One claimed delivery while its POST is in flight (the sender's tag). */
struct job {
	char delivery_id[24];
	char endpoint_id[24];
	long long endpoint;
	int attempt;
};

/* A finished POST waiting to be recorded. */
struct done {
	struct job *job;
	struct nm_delivery_result r;
};

struct worker {
	pthread_t thread;
	int index;
	struct pg_conn *conn;
	struct nm_sender *sender;
	struct job **jobs; /* in flight, n_jobs of them */
	int n_jobs;
	struct done *done; /* finished since the last exchange, n_done of them */
	int n_done;
	struct nm_claim_outcome *outcomes; /* scratch for the exchange */
	struct nm_claim_busy *busy;	   /* scratch for claims */
	long long *slow;		   /* endpoints whose last attempt timed out */
	int n_slow;
	const char **released; /* scratch for hand-backs */
	int n_released;
	bool claim_due; /* something may be due: claim when a slot is idle */
	bool notified;	/* a NOTIFY came since the last claim (see CLAIM_GAP_MS) */
	long long next_poll_ms, next_connect_ms, last_claim_ms;
	bool warned;
};

static struct {
	const struct nm_config *cfg;
	struct worker *workers;
	int n;
	atomic_bool stop;
	int wake[2]; /* self-pipe: a stop request makes it readable for good */
	int lease_s;
} W = {.wake = {-1, -1}};

static bool stopping(void)
{
	return atomic_load(&W.stop);
}

static long long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void disconnect(struct worker *w)
{
	nm_claim_close(w->conn);
	w->conn = NULL;
}

static void connect_worker(struct worker *w)
{
	long long now = now_ms();
	if (now < w->next_connect_ms)
		return;
	w->next_connect_ms = now + 1000;
	char err[256];
	w->conn = nm_claim_connect(W.cfg, err, sizeof err);
	if (!w->conn && !w->warned)
		nm_log(NM_LOG_WARN, "webhook worker %d: database unreachable (%s); retrying",
		       w->index, err);
	w->warned = !w->conn;
	if (w->conn)
		w->claim_due = true; /* whatever was notified while away */
}

static int in_flight_to(const struct worker *w, long long endpoint)
{
	int n = 0;
	for (int i = 0; i < w->n_jobs; i++)
		n += w->jobs[i]->endpoint == endpoint;
	return n;
}

/* How many POSTs the endpoint may have in flight from this worker (see note_speed). */
static int allowance(const struct worker *w, long long endpoint)
{
	for (int k = 0; k < w->n_slow; k++)
		if (w->slow[k] == endpoint)
			return 1;
	return W.cfg->webhook_endpoint_concurrency;
}

/* The sender's completion callback: keeps the outcome (r) for the next exchange or, for
 * a POST abandoned at shutdown (r == NULL), queues the delivery for hand-back. */
static void on_done(void *tag, const struct nm_delivery_result *r, void *arg)
{
	struct worker *w = arg;
	struct job *j = tag;
	/* An endpoint that was at its allowance may have more waiting for this slot. */
	if (in_flight_to(w, j->endpoint) >= allowance(w, j->endpoint))
		w->claim_due = true;
	for (int i = 0; i < w->n_jobs; i++)
		if (w->jobs[i] == j) {
			w->jobs[i] = w->jobs[--w->n_jobs];
			break;
		}
	if (r) {
		w->done[w->n_done].job = j;
		w->done[w->n_done++].r = *r;
		return;
	}
	char *id = strdup(j->delivery_id);
	if (id) /* else it comes back when its lease ends */
		w->released[w->n_released++] = id;
	free(j);
}

static void start_row(struct worker *w, const struct pg_result *res, int i)
{
	struct job *j = calloc(1, sizeof *j);
	if (!j)
		return; /* comes back when its lease ends */
	snprintf(j->delivery_id, sizeof j->delivery_id, "%s",
		 nm_claim_value(res, i, NM_CLAIM_DELIVERY));
	snprintf(j->endpoint_id, sizeof j->endpoint_id, "%s",
		 nm_claim_value(res, i, NM_CLAIM_ENDPOINT));
	j->endpoint = atoll(j->endpoint_id);
	j->attempt = atoi(nm_claim_value(res, i, NM_CLAIM_ATTEMPTS)) + 1;
	char *body = nm_claim_body(res, i);
	/* Stored sealed when NICHEMATCH_SECRETS_KEY is set. One that does not open (the key
	 * changed) signs nothing: the attempt fails as "secret malformed", on the record. */
	char *secret = nm_secretbox_open(nm_claim_value(res, i, NM_CLAIM_SECRET));
	/* The rotated-out secret, while its overlap lasts (NULL otherwise). */
	const char *prev_sealed = nm_claim_value(res, i, NM_CLAIM_PREVIOUS);
	char *previous = *prev_sealed ? nm_secretbox_open(prev_sealed) : NULL;
	w->jobs[w->n_jobs++] = j;
	bool started = nm_sender_start(
		w->sender, nm_claim_value(res, i, NM_CLAIM_URL), secret ? secret : "", previous,
		nm_claim_value(res, i, NM_CLAIM_MSG_ID), body, body ? strlen(body) : 0, j);
	nm_secretbox_free(secret);
	nm_secretbox_free(previous);
	if (!started) {
		/* No idle slot (cannot happen: we claim no more than are idle); the lease
		 * brings it back. */
		w->n_jobs--;
		free(j);
	}
}

/* Timeouts are what hold slots longest: an endpoint whose last attempt timed out gets
 * one slot until it answers again (any HTTP status), instead of its full allowance. The
 * list is bounded by the slots; the oldest entry goes first. */
static void note_speed(struct worker *w, long long endpoint, const struct nm_delivery_result *r)
{
	int k = 0;
	while (k < w->n_slow && w->slow[k] != endpoint)
		k++;
	if (r->timed_out && k == w->n_slow) {
		if (w->n_slow == W.cfg->webhook_concurrency) {
			memmove(w->slow, w->slow + 1, sizeof *w->slow * (size_t)(w->n_slow - 1));
			k = --w->n_slow;
		}
		w->slow[w->n_slow++] = endpoint;
	} else if (r->http_status && k < w->n_slow) {
		memmove(w->slow + k, w->slow + k + 1,
			sizeof *w->slow * (size_t)(w->n_slow - k - 1));
		w->n_slow--;
	}
}

/* What the claim must count against each endpoint's allowance: the POSTs in flight to it,
 * plus, for a slow endpoint, all but one of its allowance. */
static int busy_list(struct worker *w)
{
	int n_busy = 0;
	for (int i = 0; i < w->n_jobs + w->n_slow; i++) {
		bool job = i < w->n_jobs;
		long long ep = job ? w->jobs[i]->endpoint : w->slow[i - w->n_jobs];
		int k = 0;
		while (k < n_busy && w->busy[k].endpoint != ep)
			k++;
		if (k == n_busy)
			w->busy[n_busy++] = (struct nm_claim_busy){ep, 0};
		w->busy[k].n += job ? 1 : W.cfg->webhook_endpoint_concurrency - 1;
	}
	return n_busy;
}

/* Records what finished and, unless stopping, claims as many due deliveries as there are
 * idle slots (within the per-endpoint allowance) and starts them: one round trip. A short
 * claim means nothing else is due now; a freed slot of a saturated endpoint or the next
 * poll tick sets claim_due again, and a NOTIFY makes a claim due within CLAIM_GAP_MS. Without a
 * connection nothing is claimed and the outcomes are kept for when it is back. */
static void exchange(struct worker *w)
{
	int want = nm_sender_idle(w->sender);
	bool due = w->claim_due || (w->notified && now_ms() >= w->last_claim_ms + CLAIM_GAP_MS);
	if (stopping() || !due)
		want = 0;
	if (!w->conn)
		return; /* outcomes wait (at most one per slot) for the connection */
	if (w->n_done == 0 && want == 0)
		return;
	for (int i = 0; i < w->n_done; i++) {
		struct job *j = w->done[i].job;
		w->outcomes[i] = (struct nm_claim_outcome){.delivery_id = j->delivery_id,
							   .endpoint_id = j->endpoint_id,
							   .attempt = j->attempt,
							   .r = &w->done[i].r};
	}
	for (int i = 0; i < w->n_done; i++)
		note_speed(w, w->done[i].job->endpoint, &w->done[i].r);
	int n_busy = busy_list(w);
	struct nm_claim_want cw = {want, W.lease_s, W.cfg->webhook_endpoint_concurrency, w->busy,
				   n_busy};
	bool broken = false;
	struct pg_result *res = nm_claim_exchange(w->conn, w->outcomes, w->n_done, &cw, &broken);
	for (int i = 0; i < w->n_done; i++) {
		nm_metrics_add(
			"nichematch_webhook_deliveries_total",
			"Webhook delivery attempts by result",
			w->outcomes[i].succeeded ? "result=\"success\"" : "result=\"failure\"", 1);
		free(w->done[i].job);
	}
	w->n_done = 0;
	int n = nm_claim_rows(res);
	for (int i = 0; i < n; i++)
		start_row(w, res, i);
	nm_claim_free(res);
	if (res) {
		w->claim_due = n == want;
		w->notified = false;
		w->last_claim_ms = now_ms();
	}
	if (broken)
		disconnect(w);
}

/* Shutdown deadline reached: stop the POSTs still in flight and hand their deliveries
 * back (due now, attempt not counted) rather than leave them to the lease. */
static void abandon(struct worker *w)
{
	nm_sender_cancel_all(w->sender, on_done, w);
	exchange(w); /* the attempts that failed before sending are still recorded */
	for (int i = 0; i < w->n_done; i++) {
		nm_log(NM_LOG_WARN,
		       "webhook worker %d: attempt %d of delivery %s not recorded (no database); "
		       "it is sent again when its lease ends",
		       w->index, w->done[i].job->attempt, w->done[i].job->delivery_id);
		free(w->done[i].job);
	}
	w->n_done = 0;
	if (w->n_released && w->conn &&
	    !nm_claim_release(w->conn, (const char *const *)w->released, w->n_released))
		nm_log(NM_LOG_WARN,
		       "webhook worker %d: handing back %d deliveries failed; they are sent "
		       "again when their lease ends",
		       w->index, w->n_released);
	if (w->n_released)
		nm_log_json(
			NM_LOG_INFO, "webhook deliveries handed back at shutdown",
			json_pack("{s:i, s:i}", "worker", w->index, "deliveries", w->n_released));
	for (int i = 0; i < w->n_released; i++)
		free((void *)w->released[i]);
	w->n_released = 0;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	long long stop_at = -1;
	w->claim_due = true;
	for (;;) {
		if (!w->conn)
			connect_worker(w);
		exchange(w);
		long long now = now_ms();
		if (stopping() && stop_at < 0) {
			long long grace_ms = (long long)W.cfg->shutdown_grace_s * 1000;
			stop_at = now + (grace_ms < STOP_WAIT_MS ? grace_ms : STOP_WAIT_MS);
		}
		if (stop_at >= 0 && (w->n_jobs == 0 || now >= stop_at)) {
			abandon(w);
			break;
		}
		/* Sleep until a transfer, a NOTIFY, a stop request or the next poll tick; once
		 * stopping, only the transfers and the deadline matter (the pipe stays
		 * readable). */
		long long until = stop_at >= 0 ? stop_at : w->next_poll_ms;
		if (stop_at < 0 && w->notified && w->last_claim_ms + CLAIM_GAP_MS < until)
			until = w->last_claim_ms + CLAIM_GAP_MS;
		if (!w->conn && stop_at < 0 && w->next_connect_ms < until)
			until = w->next_connect_ms;
		int fds[2] = {-1, -1};
		if (stop_at < 0) {
			fds[0] = W.wake[0];
			fds[1] = w->conn ? nm_claim_socket(w->conn) : -1;
		}
		long long wait = until - now_ms();
		nm_sender_wait(w->sender, fds, 2,
			       wait < 0		? 0
			       : wait > POLL_MS ? POLL_MS
						: (int)wait);
		nm_sender_run(w->sender, on_done, w);
		bool woken = false;
		if (w->conn && !nm_claim_drain(w->conn, &woken))
			disconnect(w);
		now = now_ms();
		w->notified |= woken;
		if (now >= w->next_poll_ms) {
			w->claim_due = true;
			w->next_poll_ms = now + POLL_MS;
		}
	}
	if (w->conn)
		disconnect(w);
	return NULL;
}

static void free_worker(struct worker *w)
{
	nm_sender_free(w->sender);
	free(w->jobs);
	free(w->done);
	free(w->outcomes);
	free(w->busy);
	free(w->slow);
	free(w->released);
}

void nm_workers_start(const struct nm_config *cfg)
{
	if (cfg->webhook_workers <= 0)
		return;
	W.cfg = cfg;
	atomic_store(&W.stop, false);
	int retries = nm_claim_load_schedule(cfg->webhook_retry_schedule);
	/* Every claimed POST starts at once, so the lease only has to cover one timeout. */
	W.lease_s = cfg->webhook_timeout_ms / 1000 + 1 + LEASE_SLACK_S;
	if (pipe(W.wake) != 0) {
		nm_log(NM_LOG_ERROR, "webhook workers not started: pipe: %s", strerror(errno));
		return;
	}
	W.workers = calloc((size_t)cfg->webhook_workers, sizeof *W.workers);
	if (!W.workers)
		return;
	size_t slots = (size_t)cfg->webhook_concurrency;
	for (int i = 0; i < cfg->webhook_workers; i++) {
		struct worker *w = &W.workers[i];
		w->index = i;
		w->sender = nm_sender_new(cfg->webhook_timeout_ms, cfg->webhook_allow_private,
					  cfg->webhook_concurrency);
		w->jobs = calloc(slots, sizeof *w->jobs);
		w->done = calloc(slots, sizeof *w->done);
		w->outcomes = calloc(slots, sizeof *w->outcomes);
		w->busy = calloc(2 * slots, sizeof *w->busy);
		w->slow = calloc(slots, sizeof *w->slow);
		w->released = calloc(slots, sizeof *w->released);
		if (!w->sender || !w->jobs || !w->done || !w->outcomes || !w->busy ||
		    !w->released || pthread_create(&w->thread, NULL, worker_main, w) != 0) {
			nm_log(NM_LOG_ERROR, "webhook worker %d could not start", i);
			free_worker(w);
			break;
		}
		W.n++;
	}
	nm_log_json(NM_LOG_INFO, "webhook workers started",
		    json_pack("{s:i, s:i, s:i, s:i}", "workers", W.n, "concurrency",
			      cfg->webhook_concurrency, "per_endpoint",
			      cfg->webhook_endpoint_concurrency, "retries", retries));
}

void nm_workers_request_stop(void)
{
	if (!W.workers || atomic_exchange(&W.stop, true))
		return;
	/* Stays readable, so every sleeping worker wakes. */
	if (write(W.wake[1], "x", 1) < 0)
		nm_log(NM_LOG_WARN, "webhook workers: wake-up write failed");
}

void nm_workers_stop(void)
{
	if (!W.workers)
		return;
	nm_workers_request_stop();
	for (int i = 0; i < W.n; i++) {
		pthread_join(W.workers[i].thread, NULL);
		free_worker(&W.workers[i]);
	}
	free(W.workers);
	W.workers = NULL;
	W.n = 0;
	close(W.wake[0]);
	close(W.wake[1]);
	W.wake[0] = W.wake[1] = -1;
	nm_log(NM_LOG_INFO, "webhook workers stopped");
}
