/* Signed webhook POSTs (docs/api.md §6, Standard Webhooks), many in flight at once on one libcurl
 * multi handle (see nm/webhook_deliver.h). A blocking easy handle per worker let one receiver
 * that never answers hold the worker for the whole timeout while every other endpoint's
 * events waited behind it; here such a receiver holds one slot. Easy handles are kept
 * per slot and the multi handle keeps the connection cache, so keep-alive connections to
 * busy receivers are reused across POSTs. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "nm/sign.h"
#include "nm/webhook_deliver.h"
#include "nm/webhook_netcheck.h"

struct xfer {
	CURL *easy; /* created on first use, then reused */
	void *tag;  /* the caller's; NULL while the slot is idle */
	bool allow_private;
	bool added;    /* in the multi handle */
	bool reported; /* failed before sending: report at the next run */
	char *body;
	struct curl_slist *headers;
	struct timespec t0;
	size_t snippet_len;
	char refused[128];
	struct nm_delivery_result res;
};

struct nm_sender {
	CURLM *multi;
	int timeout_ms;
	bool allow_private;
	int n_slots, n_busy;
	struct xfer *slots;
};

static bool curl_ready;

/* libcurl's global init is not thread-safe before 7.84; workers create their senders
 * from the starting thread, so this runs once before any worker thread exists. */
struct nm_sender *nm_sender_new(int timeout_ms, bool allow_private, int slots)
{
	if (!curl_ready) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		curl_ready = true;
	}
	struct nm_sender *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->slots = calloc((size_t)slots, sizeof *s->slots);
	s->multi = curl_multi_init();
	if (!s->slots || !s->multi) {
		free(s->slots);
		curl_multi_cleanup(s->multi);
		free(s);
		return NULL;
	}
	s->n_slots = slots;
	s->timeout_ms = timeout_ms;
	s->allow_private = allow_private;
	/* Idle connections kept for reuse: as many as can be busy at once. */
	curl_multi_setopt(s->multi, CURLMOPT_MAXCONNECTS, (long)slots);
	return s;
}

/* Returns the slot to idle; the easy handle stays for the next POST. */
static void clear(struct nm_sender *s, struct xfer *x)
{
	if (x->added) {
		curl_multi_remove_handle(s->multi, x->easy);
		x->added = false;
	}
	curl_slist_free_all(x->headers);
	x->headers = NULL;
	free(x->body);
	x->body = NULL;
	x->tag = NULL;
	x->reported = false;
	s->n_busy--;
}

void nm_sender_free(struct nm_sender *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->n_slots; i++) {
		struct xfer *x = &s->slots[i];
		if (x->tag)
			clear(s, x);
		if (x->easy)
			curl_easy_cleanup(x->easy);
	}
	curl_multi_cleanup(s->multi);
	free(s->slots);
	free(s);
}

int nm_sender_idle(const struct nm_sender *s)
{
	return s->n_slots - s->n_busy;
}

/* Keeps the first NM_WEBHOOK_SNIPPET_MAX bytes, printable ASCII only so that the text
 * is always valid for a PostgreSQL text column and safe to show. */
static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct xfer *x = userdata;
	size_t n = size * nmemb;
	for (size_t i = 0; i < n && x->snippet_len < NM_WEBHOOK_SNIPPET_MAX; i++) {
		unsigned char ch = (unsigned char)ptr[i];
		x->res.snippet[x->snippet_len++] =
			(ch >= 0x20 && ch < 0x7f) || ch == '\n' || ch == '\t' ? (char)ch : '?';
	}
	x->res.snippet[x->snippet_len] = '\0';
	return n;
}

/* The send-time SSRF check, before any packet leaves: libcurl resolves the host and
 * asks for a socket for each address it is about to connect to; a non-public address
 * gets none (CURL_SOCKET_BAD), so no SYN is sent and no TLS handshake starts. libcurl
 * then tries the next address, and the transfer fails with "couldn't connect" when none
 * is left. DNS rebinding after the save-time check therefore cannot reach an internal
 * address. (Before, the only check ran in the pre-request callback, after the TCP
 * connection and the TLS handshake with the internal host.) */
static curl_socket_t on_opensocket(void *clientp, curlsocktype purpose,
				   struct curl_sockaddr *address)
{
	struct xfer *x = clientp;
	if (purpose != CURLSOCKTYPE_IPCXN)
		return CURL_SOCKET_BAD;
	enum nm_addr_class c = NM_ADDR_INVALID;
	char text[INET6_ADDRSTRLEN] = "?";
	if (address->family == AF_INET) {
		const struct sockaddr_in *in = (const void *)&address->addr;
		c = nm_addr_classify((const unsigned char *)&in->sin_addr, 4);
		inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
	} else if (address->family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)&address->addr;
		c = nm_addr_classify((const unsigned char *)&in6->sin6_addr, 16);
		inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
	}
	if (!x->allow_private && c != NM_ADDR_PUBLIC) {
		snprintf(x->refused, sizeof x->refused,
			 "refused before connecting: address %s is %s", text,
			 nm_addr_class_name(c));
		return CURL_SOCKET_BAD;
	}
	return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

/* A second check on the address actually used, for every request including those on a
 * reused connection (which was opened through on_opensocket, so this is belt and
 * braces). */
static int on_prereq(void *clientp, char *primary_ip, char *local_ip, int primary_port,
		     int local_port)
{
	struct xfer *x = clientp;
	enum nm_addr_class c = nm_addr_classify_text(primary_ip);
	if (x->allow_private || c == NM_ADDR_PUBLIC)
		return CURL_PREREQFUNC_OK;
	snprintf(x->refused, sizeof x->refused, "refused: connected address %s is %s", primary_ip,
		 nm_addr_class_name(c));
	return CURL_PREREQFUNC_ABORT;
}

static void set_options(struct nm_sender *s, struct xfer *x, const char *url, size_t len)
{
	CURL *c = x->easy;
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_PRIVATE, x);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROXY, ""); /* no proxy from the environment */
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, x->body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, x->headers);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "nichematch-webhooks/1");
	/* Each transfer's own clock, from when it is added: a slot never outlives it. */
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)s->timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)s->timeout_ms);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, on_opensocket);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, x);
	curl_easy_setopt(c, CURLOPT_PREREQFUNCTION, on_prereq);
	curl_easy_setopt(c, CURLOPT_PREREQDATA, x);
}

/* During a rotation's overlap the old secret signs too: Standard Webhooks lets the header
 * carry several space-separated signatures, and a receiver accepts any that verifies. A
 * previous secret that does not open or decode is left out rather than failing the POST. */
static struct curl_slist *signed_headers(const char *secret, const char *previous,
					 const char *msg_id, const char *body, size_t len)
{
	char sig[256], old[128], line[384];
	long long ts = (long long)time(NULL);
	if (!nm_sign_compute(secret, msg_id, ts, body, len, sig, sizeof sig))
		return NULL;
	if (previous && *previous &&
	    nm_sign_compute(previous, msg_id, ts, body, len, old, sizeof old)) {
		size_t n = strlen(sig);
		snprintf(sig + n, sizeof sig - n, " %s", old);
	}
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	snprintf(line, sizeof line, "webhook-id: %s", msg_id);
	h = curl_slist_append(h, line);
	snprintf(line, sizeof line, "webhook-timestamp: %lld", ts);
	h = curl_slist_append(h, line);
	snprintf(line, sizeof line, "webhook-signature: %s", sig);
	h = curl_slist_append(h, line);
	return curl_slist_append(h, "Expect:"); /* no 100-continue round trip */
}

/* A POST that cannot start is still an attempt: it is reported like any other. */
static bool fail_early(struct xfer *x, const char *why)
{
	snprintf(x->res.error, sizeof x->res.error, "%s", why);
	x->reported = true;
	return true;
}

bool nm_sender_start(struct nm_sender *s, const char *url, const char *secret, const char *previous,
		     const char *msg_id, char *body, size_t body_len, void *tag)
{
	struct xfer *x = NULL;
	for (int i = 0; i < s->n_slots && !x; i++)
		if (!s->slots[i].tag)
			x = &s->slots[i];
	if (!x) {
		free(body);
		return false;
	}
	x->tag = tag;
	s->n_busy++;
	memset(&x->res, 0, sizeof x->res);
	x->res.retry_after_s = -1;
	x->snippet_len = 0;
	x->refused[0] = '\0';
	x->allow_private = s->allow_private;
	x->body = body;
	clock_gettime(CLOCK_MONOTONIC, &x->t0);
	if (!body)
		return fail_early(x, "out of memory building the body");
	if (!x->easy && !(x->easy = curl_easy_init()))
		return fail_early(x, "out of memory starting the request");
	x->headers = signed_headers(secret, previous, msg_id, body, body_len);
	if (!x->headers)
		return fail_early(x, "the endpoint secret is malformed");
	set_options(s, x, url, body_len);
	CURLMcode mc = curl_multi_add_handle(s->multi, x->easy);
	if (mc != CURLM_OK)
		return fail_early(x, curl_multi_strerror(mc));
	x->added = true;
	return true;
}

void nm_sender_wait(struct nm_sender *s, const int *fds, int n_fds, int timeout_ms)
{
	struct curl_waitfd w[4];
	unsigned n = 0;
	for (int i = 0; i < n_fds && n < 4; i++)
		if (fds[i] >= 0)
			w[n++] = (struct curl_waitfd){.fd = fds[i], .events = CURL_WAIT_POLLIN};
	curl_multi_poll(s->multi, w, n, timeout_ms, NULL);
}

static void finish(struct xfer *x, CURLcode rc)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	x->res.latency_ms = (double)(t1.tv_sec - x->t0.tv_sec) * 1e3 +
			    (double)(t1.tv_nsec - x->t0.tv_nsec) / 1e6;
	if (rc == CURLE_OK) {
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &x->res.http_status);
		/* libcurl parses both forms (delta-seconds and HTTP-date); 0 when absent. */
		curl_off_t ra = 0;
		if (curl_easy_getinfo(x->easy, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra > 0)
			x->res.retry_after_s = ra > 86400 * 365 ? 86400 * 365 : (long)ra;
	} else if (x->refused[0])
		snprintf(x->res.error, sizeof x->res.error, "%s", x->refused);
	else
		snprintf(x->res.error, sizeof x->res.error, "%s", curl_easy_strerror(rc));
	x->res.timed_out = rc == CURLE_OPERATION_TIMEDOUT;
}

/* The slot is idle again before done runs, so done may start another POST. */
static void report(struct nm_sender *s, struct xfer *x, nm_sender_done_fn done, void *arg,
		   bool cancelled)
{
	void *tag = x->tag;
	struct nm_delivery_result r = x->res;
	clear(s, x);
	done(tag, cancelled ? NULL : &r, arg);
}

int nm_sender_run(struct nm_sender *s, nm_sender_done_fn done, void *arg)
{
	int running = 0;
	curl_multi_perform(s->multi, &running);
	CURLMsg *m;
	int left;
	while ((m = curl_multi_info_read(s->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		char *priv = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
		struct xfer *x = (struct xfer *)(void *)priv;
		if (!x || !x->tag)
			continue;
		finish(x, m->data.result);
		report(s, x, done, arg, false);
	}
	for (int i = 0; i < s->n_slots; i++)
		if (s->slots[i].tag && s->slots[i].reported)
			report(s, &s->slots[i], done, arg, false);
	return s->n_busy;
}

void nm_sender_cancel_all(struct nm_sender *s, nm_sender_done_fn done, void *arg)
{
	for (int i = 0; i < s->n_slots; i++)
		if (s->slots[i].tag)
			report(s, &s->slots[i], done, arg, !s->slots[i].reported);
}
