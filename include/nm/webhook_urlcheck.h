/* Outbound webhooks (docs/api.md §6), src/webhook/urlcheck.c: the event catalogue and the
 * target URL rule, shared by the endpoints API and the delivery worker. */
#ifndef NM_WEBHOOK_URLCHECK_H
#define NM_WEBHOOK_URLCHECK_H

#include <stdbool.h>
#include <stddef.h>

#define NM_WEBHOOK_URL_MAX 2048

/* True for the event types of docs/webhooks.md and "*". */
bool nm_webhook_event_valid(const char *type);

/* The target URL rule at save time: http or https, at most 2048 characters, a host;
 * unless allow_private, every address the host resolves to must be public
 * (nm_addr_classify). A host that does not resolve now is accepted: the worker checks
 * the connected address at send time anyway, and DNS may be down only briefly.
 * Returns true when acceptable, else a client-facing reason in msg. */
bool nm_webhook_url_check(const char *url, bool allow_private, char *msg, size_t n);

#endif
