/* The delivery workers' side of the database (used by src/webhook/worker.c): a
 * connection of the worker's own that LISTENs for the outbox's NOTIFYs, claiming due
 * deliveries under a lease, recording each attempt with the retry policy, and handing
 * claims back. Every function runs one statement on that connection and never holds a
 * transaction open across HTTP. libpq stays behind this header: the worker sees an
 * opaque connection and claimed rows through accessors. */
#ifndef NM_STORE_DELIVERIES_H
#define NM_STORE_DELIVERIES_H

#include <stdbool.h>

#include "nm/config.h"

#include "nm/webhook_deliver.h"

/* Columns of a claimed row (nm_claim_exchange). */
enum {
	NM_CLAIM_DELIVERY,
	NM_CLAIM_ENDPOINT,
	NM_CLAIM_ATTEMPTS, /* attempts made before this one */
	NM_CLAIM_MSG_ID,
	NM_CLAIM_TYPE,
	NM_CLAIM_CREATED_AT,
	NM_CLAIM_DATA,
	NM_CLAIM_URL,
	NM_CLAIM_SECRET,
	NM_CLAIM_PREVIOUS, /* the rotated-out secret during its overlap, else "" */
};

/* Parses NICHEMATCH_WEBHOOK_RETRY_SCHEDULE once, before any worker starts (the default
 * on a malformed value, with an error logged). Returns the number of retries. */
int nm_claim_load_schedule(const char *s);

/* libpq's own types, declared without pulling libpq into the worker. */
struct pg_conn;
struct pg_result;

/* Opens the worker's connection: synchronous_commit off (a lost claim or attempt record
 * only sends the delivery again, which at-least-once allows), LISTEN on the outbox's
 * channel, statements prepared. NULL with err set on failure. nm_claim_close frees. */
struct pg_conn *nm_claim_connect(const struct nm_config *cfg, char *err, size_t errsz);
void nm_claim_close(struct pg_conn *c);
/* The socket to poll for NOTIFYs (-1 when none). */
int nm_claim_socket(struct pg_conn *c);
/* Reads what arrived; *woken when a NOTIFY did. False when the connection broke. */
bool nm_claim_drain(struct pg_conn *c, bool *woken);

/* Claimed rows (nm_claim_exchange): count and text value of column col of row i. */
int nm_claim_rows(const struct pg_result *res);
const char *nm_claim_value(const struct pg_result *res, int i, int col);
void nm_claim_free(struct pg_result *res);

/* Endpoints this worker already has POSTs in flight to, with how many. */
struct nm_claim_busy {
	long long endpoint;
	int n;
};

/* The signed body {"id","type","created_at","data"} of claimed row i. malloc'd; NULL
 * when out of memory. */
char *nm_claim_body(const struct pg_result *res, int i);

/* What to claim: up to `limit` due deliveries of endpoints that are not disabled, at most
 * `per_endpoint` per endpoint counting those in `busy`, oldest due first; their
 * next_attempt_at moves `lease_s` ahead (FOR UPDATE SKIP LOCKED, then committed at once:
 * other workers and instances skip them until the lease ends, which is also what brings
 * back the claims of a worker that died). */
struct nm_claim_want {
	int limit;
	int lease_s;
	int per_endpoint;
	const struct nm_claim_busy *busy;
	int n_busy;
};

/* One finished attempt to record. */
struct nm_claim_outcome {
	const char *delivery_id;
	const char *endpoint_id;
	int attempt; /* 1 for the first */
	const struct nm_delivery_result *r;
	bool succeeded; /* out: r counts as a success (2xx) */
	bool recorded;	/* out */
};

/* In one round trip (libpq pipeline, each statement its own transaction): records each
 * outcome (the attempt log row, the delivery's new state: succeeded, pending with the
 * next retry per the schedule, or failed; the endpoint's status: active on success,
 * failing after the last attempt, disabled on 410), then claims per *want when want is
 * not NULL and want->limit > 0. Returns the claimed rows (see the enum; caller frees them
 * with nm_claim_free)
 * or NULL when none were asked for or the claim failed. *broken is set when the
 * connection is no longer usable (the caller closes it). Failures are logged. */
struct pg_result *nm_claim_exchange(struct pg_conn *c, struct nm_claim_outcome *o, int n,
				    const struct nm_claim_want *want, bool *broken);

/* Makes claimed deliveries whose POST was abandoned (shutdown) due now, so that the next
 * instance sends them at once instead of after the lease. */
bool nm_claim_release(struct pg_conn *c, const char *const *delivery_ids, int n);

#endif
