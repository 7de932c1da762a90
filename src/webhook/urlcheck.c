/* The webhook target rule at save time (docs/api.md §6): scheme, length and, unless private
 * targets are allowed, the addresses the host resolves to. */
#include <curl/curl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "nm/webhook_netcheck.h"
#include "nm/webhook_urlcheck.h"

static const char *const event_types[] = {"brand.created",
					  "brand.updated",
					  "brand.deleted",
					  "import.completed",
					  "match_run.completed",
					  "creator.status_changed",
					  "import.failed",
					  "creator.created",
					  "creator.updated",
					  "creator.deleted",
					  "webhook.test",
					  "plan.created",
					  "match.new_candidate",
					  "*"};

bool nm_webhook_event_valid(const char *type)
{
	for (size_t i = 0; type && i < sizeof event_types / sizeof *event_types; i++)
		if (strcmp(type, event_types[i]) == 0)
			return true;
	return false;
}

/* Every resolved address must be public; the first that is not is named in msg. */
static bool resolved_public(const char *host, char *msg, size_t n)
{
	struct addrinfo hints, *ai = NULL;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, NULL, &hints, &ai) != 0)
		return true; /* see nm/webhook_urlcheck.h: rechecked on the connected address */
	bool ok = true;
	for (struct addrinfo *p = ai; p && ok; p = p->ai_next) {
		enum nm_addr_class c = NM_ADDR_INVALID;
		if (p->ai_family == AF_INET)
			c = nm_addr_classify(
				(const unsigned char *)&((struct sockaddr_in *)(void *)p->ai_addr)
					->sin_addr,
				4);
		else if (p->ai_family == AF_INET6)
			c = nm_addr_classify(
				(const unsigned char *)&((struct sockaddr_in6 *)(void *)p->ai_addr)
					->sin6_addr,
				16);
		if (c != NM_ADDR_PUBLIC) {
			snprintf(msg, n, "resolves to a %s address; webhook targets must be public",
				 nm_addr_class_name(c));
			ok = false;
		}
	}
	freeaddrinfo(ai);
	return ok;
}

bool nm_webhook_url_check(const char *url, bool allow_private, char *msg, size_t n)
{
	if (strlen(url) > NM_WEBHOOK_URL_MAX) {
		snprintf(msg, n, "must be at most %d characters", NM_WEBHOOK_URL_MAX);
		return false;
	}
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	bool ok = false;
	if (!u || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !*host) {
		snprintf(msg, n, "must be an absolute http or https URL");
	} else if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0) {
		snprintf(msg, n, "must use http or https");
	} else {
		/* IPv6 literals come back bracketed. */
		size_t hl = strlen(host);
		if (host[0] == '[' && hl > 2) {
			memmove(host, host + 1, hl - 2);
			host[hl - 2] = '\0';
		}
		ok = allow_private || resolved_public(host, msg, n);
	}
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}
