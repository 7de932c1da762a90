/* Outbound webhooks (SPEC §6): what the endpoints API and the delivery worker share —
 * the event catalogue, the target URL rule and one signed HTTP delivery. */
#ifndef NM_WEBHOOKS_H
#define NM_WEBHOOKS_H

#include <stdbool.h>
#include <stddef.h>

#define NM_WEBHOOK_URL_MAX     2048
#define NM_WEBHOOK_SNIPPET_MAX 512

/* True for the six event types and "*". */
bool nm_webhook_event_valid(const char *type);

/* The target URL rule at save time: http or https, at most 2048 characters, a host;
 * unless allow_private, every address the host resolves to must be public
 * (nm_addr_classify). A host that does not resolve now is accepted: the worker checks
 * the connected address at send time anyway, and DNS may be down only briefly.
 * Returns true when acceptable, else a client-facing reason in msg. */
bool nm_webhook_url_check(const char *url, bool allow_private, char *msg, size_t n);

/* One attempt's outcome. */
struct nm_delivery_result {
	long http_status; /* 0 when no response */
	char error[256];  /* "" unless no response/refused */
	double latency_ms;
	char snippet[NM_WEBHOOK_SNIPPET_MAX + 1]; /* response body start, sanitised */
};

/* A reusable sender (keeps the connection cache of one libcurl easy handle), owned by
 * one thread. */
struct nm_sender;
struct nm_sender *nm_sender_new(int timeout_ms, bool allow_private);
void nm_sender_free(struct nm_sender *s);

/* POSTs body to url with the Standard Webhooks headers (webhook-id = msg_id, a fresh
 * webhook-timestamp, webhook-signature with secret). Never follows redirects; refuses
 * a connected address that is not public unless allow_private. Fills *out. */
void nm_sender_post(struct nm_sender *s, const char *url, const char *secret, const char *msg_id,
		    const char *body, size_t body_len, struct nm_delivery_result *out);

#endif
