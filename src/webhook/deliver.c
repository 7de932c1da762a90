/* One signed webhook POST with libcurl (SPEC §6, Standard Webhooks). The easy handle
 * is kept per worker so that keep-alive connections to busy receivers are reused. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nm/netcheck.h"
#include "nm/sign.h"
#include "nm/webhooks.h"

struct nm_sender {
	CURL *curl;
	int timeout_ms;
	bool allow_private;
	/* per attempt */
	char refused[128];
	struct nm_delivery_result *out;
	size_t snippet_len;
};

static bool curl_ready;

/* libcurl's global init is not thread-safe before 7.84; workers create their senders
 * from the starting thread, so this runs once before any worker thread exists. */
struct nm_sender *nm_sender_new(int timeout_ms, bool allow_private)
{
	if (!curl_ready) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		curl_ready = true;
	}
	struct nm_sender *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->curl = curl_easy_init();
	if (!s->curl) {
		free(s);
		return NULL;
	}
	s->timeout_ms = timeout_ms;
	s->allow_private = allow_private;
	return s;
}

void nm_sender_free(struct nm_sender *s)
{
	if (!s)
		return;
	curl_easy_cleanup(s->curl);
	free(s);
}

/* Keeps the first NM_WEBHOOK_SNIPPET_MAX bytes, printable ASCII only so that the text
 * is always valid for a PostgreSQL text column and safe to show. */
static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct nm_sender *s = userdata;
	size_t n = size * nmemb;
	for (size_t i = 0; i < n && s->snippet_len < NM_WEBHOOK_SNIPPET_MAX; i++) {
		unsigned char ch = (unsigned char)ptr[i];
		s->out->snippet[s->snippet_len++] =
			(ch >= 0x20 && ch < 0x7f) || ch == '\n' || ch == '\t' ? (char)ch : '?';
	}
	s->out->snippet[s->snippet_len] = '\0';
	return n;
}

/* The send-time SSRF check: runs once connected (or on a reused connection), with the
 * address actually used, so DNS rebinding after the save-time check cannot reach an
 * internal address. */
static int on_prereq(void *clientp, char *primary_ip, char *local_ip, int primary_port,
		     int local_port)
{
	struct nm_sender *s = clientp;
	enum nm_addr_class c = nm_addr_classify_text(primary_ip);
	if (s->allow_private || c == NM_ADDR_PUBLIC)
		return CURL_PREREQFUNC_OK;
	snprintf(s->refused, sizeof s->refused, "refused: connected address %s is %s", primary_ip,
		 nm_addr_class_name(c));
	return CURL_PREREQFUNC_ABORT;
}

static void set_options(struct nm_sender *s, const char *url, const char *body, size_t len,
			struct curl_slist *headers)
{
	CURL *c = s->curl;
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROXY, ""); /* no proxy from the environment */
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "nichematch-webhooks/1");
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)s->timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)s->timeout_ms);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(c, CURLOPT_PREREQFUNCTION, on_prereq);
	curl_easy_setopt(c, CURLOPT_PREREQDATA, s);
}

static struct curl_slist *signed_headers(const char *secret, const char *msg_id, const char *body,
					 size_t len)
{
	char sig[128], line[256];
	long long ts = (long long)time(NULL);
	if (!nm_sign_compute(secret, msg_id, ts, body, len, sig, sizeof sig))
		return NULL;
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	snprintf(line, sizeof line, "webhook-id: %s", msg_id);
	h = curl_slist_append(h, line);
	snprintf(line, sizeof line, "webhook-timestamp: %lld", ts);
	h = curl_slist_append(h, line);
	snprintf(line, sizeof line, "webhook-signature: %s", sig);
	h = curl_slist_append(h, line);
	return curl_slist_append(h, "Expect:"); /* no 100-continue round trip */
}

void nm_sender_post(struct nm_sender *s, const char *url, const char *secret, const char *msg_id,
		    const char *body, size_t body_len, struct nm_delivery_result *out)
{
	memset(out, 0, sizeof *out);
	s->out = out;
	s->snippet_len = 0;
	s->refused[0] = '\0';
	struct curl_slist *headers = signed_headers(secret, msg_id, body, body_len);
	if (!headers) {
		snprintf(out->error, sizeof out->error, "the endpoint secret is malformed");
		return;
	}
	set_options(s, url, body, body_len, headers);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CURLcode rc = curl_easy_perform(s->curl);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	out->latency_ms =
		(double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	if (rc == CURLE_OK)
		curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &out->http_status);
	else if (s->refused[0])
		snprintf(out->error, sizeof out->error, "%s", s->refused);
	else
		snprintf(out->error, sizeof out->error, "%s", curl_easy_strerror(rc));
	curl_slist_free_all(headers);
}
