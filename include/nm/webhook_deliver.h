/* Outbound webhooks (docs/api.md §6), src/webhook/deliver.c: signed HTTP deliveries, many
 * in flight at once, for the delivery worker. */
#ifndef NM_WEBHOOK_DELIVER_H
#define NM_WEBHOOK_DELIVER_H

#include <stdbool.h>
#include <stddef.h>

#define NM_WEBHOOK_SNIPPET_MAX 512

/* One attempt's outcome. */
struct nm_delivery_result {
	long http_status; /* 0 when no response */
	char error[256];  /* "" unless no response/refused */
	bool timed_out;	  /* no response within the timeout */
	double latency_ms;
	char snippet[NM_WEBHOOK_SNIPPET_MAX + 1]; /* response body start, sanitised */
	long retry_after_s; /* the answer's Retry-After in seconds (either form); -1 if none */
};

/* The delivery driver: many signed POSTs in flight at once on one libcurl multi handle,
 * so that a slow or silent receiver holds one slot, not the thread. Owned and driven by
 * one thread; nothing here touches the database. */
struct nm_sender;

/* slots: how many POSTs may be in flight at once. Connections to receivers are kept
 * (up to `slots` idle ones) and reused by later POSTs. NULL when out of memory. */
struct nm_sender *nm_sender_new(int timeout_ms, bool allow_private, int slots);
/* Frees everything; transfers still in flight are dropped without a report, so call
 * nm_sender_cancel_all first when their tags own memory. */
void nm_sender_free(struct nm_sender *s);

/* Slots free for nm_sender_start. */
int nm_sender_idle(const struct nm_sender *s);

/* Starts POSTing body to url with the Standard Webhooks headers (webhook-id = msg_id, a
 * fresh webhook-timestamp, webhook-signature with secret and, when previous is not NULL
 * (a rotation's overlap), a second space-separated signature with previous). Never follows
 * redirects; refuses a connected address that is not public unless allow_private (checked on every
 * request, also on a reused connection). Takes ownership of body (malloc'd; NULL is
 * reported as a failed attempt). The outcome comes back through nm_sender_run with tag,
 * also when the POST cannot even start (a malformed secret, say). Returns false, and
 * frees body, only when no slot is idle. */
bool nm_sender_start(struct nm_sender *s, const char *url, const char *secret, const char *previous,
		     const char *msg_id, char *body, size_t body_len, void *tag);

/* Called once per finished POST with its tag and outcome (r is valid during the call
 * only); r is NULL for a POST cancelled by nm_sender_cancel_all. */
typedef void (*nm_sender_done_fn)(void *tag, const struct nm_delivery_result *r, void *arg);

/* Sleeps until a transfer needs attention, one of fds (up to 4) is readable, or
 * timeout_ms passed (shorter when a transfer's own timer is due sooner). */
void nm_sender_wait(struct nm_sender *s, const int *fds, int n_fds, int timeout_ms);
/* Moves every transfer on and reports those that finished. Returns how many remain in
 * flight. */
int nm_sender_run(struct nm_sender *s, nm_sender_done_fn done, void *arg);
/* Stops every transfer in flight and reports each with r = NULL. */
void nm_sender_cancel_all(struct nm_sender *s, nm_sender_done_fn done, void *arg);

#endif
