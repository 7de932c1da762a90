/* libmicrohttpd glue: one struct nm_req per request, created on the headers-only
 * call, freed in the completion callback. The dispatcher enforces everything routes
 * share (routing, CORS, auth and roles, content types, body caps, JSON depth,
 * Idempotency-Key) so handlers only do their resource's work.
 *
 * Threading: thread-per-connection. Handlers block on libpq; in an epoll pool a
 * blocking call would stall every connection of that thread (see
 * docs/architecture.md for the measurement behind this choice). */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "nm/auth.h"
#include "nm/crypto.h"
#include "nm/db_pool.h"
#include "nm/db_replicas.h"
#include "nm/etag.h"
#include "nm/handlers.h"
#include "nm/json_depth.h"
#include "nm/log.h"
#include "nm/ratelimit.h"
#include "nm/route_metrics.h"
#include "nm/server.h"
#include "nm/sharedlimit.h"
#include "nm/static.h"
#include <openssl/crypto.h>
#include <openssl/rand.h>

#define JSON_MAX_DEPTH 32

static struct MHD_Daemon *daemon_;
static const struct nm_config *config;
static atomic_int in_flight;
static atomic_bool stopping;
static atomic_bool draining;
static unsigned short bound_port;

static const struct {
	int status;
	const char *slug;
	const char *title;
} problems[NM_P_COUNT] = {
#define NM_PROBLEM(name, st, sl, ti) [NM_P_##name] = {st, sl, ti},
#include "nm/problem.def"
#undef NM_PROBLEM
};

int nm_problem_status(enum nm_problem p)
{
	return problems[p].status;
}

/* ---------------------------------------------------------------- accessors */

const char *nm_req_method(const struct nm_req *r)
{
	return r->method;
}
const char *nm_req_path(const struct nm_req *r)
{
	return r->url;
}
const struct nm_route *nm_req_route(const struct nm_req *r)
{
	return r->route;
}
const char *nm_req_header(struct nm_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}
const char *nm_req_query(struct nm_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}
struct query_each {
	const char *name;
	void (*fn)(const char *value, void *cls);
	void *cls;
};
static enum MHD_Result query_each_one(void *cls, enum MHD_ValueKind kind, const char *key,
				      const char *value)
{
	(void)kind;
	struct query_each *e = cls;
	if (strcmp(key, e->name) == 0)
		e->fn(value ? value : "", e->cls);
	return MHD_YES;
}
void nm_req_query_each(struct nm_req *r, const char *name, void (*fn)(const char *value, void *cls),
		       void *cls)
{
	struct query_each e = {name, fn, cls};
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, query_each_one, &e);
}

struct query_all {
	const char **out;
	size_t max, n;
};

static void query_all_one(const char *value, void *cls)
{
	struct query_all *q = cls;
	if (q->n < q->max)
		q->out[q->n] = value;
	q->n++;
}

size_t nm_req_query_all(struct nm_req *r, const char *name, const char **out, size_t max)
{
	struct query_all q = {out, max, 0};
	nm_req_query_each(r, name, query_all_one, &q);
	return q.n;
}

int64_t nm_req_id_param(const struct nm_req *r, int i)
{
	return i < r->n_ids ? r->ids[i] : 0;
}
const char *nm_req_str_param(const struct nm_req *r, int i)
{
	return i < r->n_strs ? r->strs[i] : "";
}
const struct nm_auth *nm_req_auth(const struct nm_req *r)
{
	return &r->auth;
}
const char *nm_req_request_id(const struct nm_req *r)
{
	return r->request_id;
}
json_t *nm_req_json(const struct nm_req *r)
{
	return r->json;
}
const char *nm_req_body(const struct nm_req *r, size_t *len)
{
	*len = r->body.len;
	return r->body.data ? r->body.data : "";
}
const struct nm_config *nm_req_config(const struct nm_req *r)
{
	return r->cfg;
}
void *nm_req_state(const struct nm_req *r)
{
	return r->state;
}
void nm_req_set_state(struct nm_req *r, void *state)
{
	r->state = state;
}
bool nm_req_replied(const struct nm_req *r)
{
	return r->replied;
}
struct MHD_Connection *nm_req_mhd_conn(const struct nm_req *r)
{
	return r->conn;
}

const char *nm_req_cut_reason(const struct nm_req *r)
{
	return r->cut_reason;
}
int64_t nm_req_session_id(const struct nm_req *r)
{
	return r->session_id;
}
bool nm_req_session_csrf(const struct nm_req *r, char csrf_out[65])
{
	if (!r->session_id)
		return false;
	nm_session_csrf(r->session_token, csrf_out);
	return true;
}

struct nm_pg *nm_req_db(struct nm_req *r)
{
	if (r->pg)
		return r->pg;
	if (r->route && r->route->replica_reads && nm_db_replica_count() > 0)
		r->pg = nm_db_acquire_read(r->auth.key_id, r->auth.role >= NM_ROLE_WRITE,
					   &r->db_replica);
	else
		r->pg = nm_db_acquire();
	if (!r->pg) {
		nm_reply_header(r, "Retry-After", "1");
		nm_reply_problem(r, NM_P_DB_UNAVAILABLE, NULL,
				 "The database is unreachable; retry shortly.");
	}
	return r->pg;
}

/* ---------------------------------------------------------------- replies */

static void set_reply(struct nm_req *r, int status, const char *ctype, char *body, size_t len)
{
	if (r->replied) {
		free(body);
		return;
	}
	r->replied = true;
	r->status = status;
	r->reply_ctype = ctype;
	r->reply = body;
	r->reply_len = len;
}

/* How JSON replies are encoded: nm_json_etag must hash exactly these bytes. */
#define REPLY_JSON_FLAGS NM_JSON_REPLY_FLAGS

void nm_json_etag(const json_t *body, char *out)
{
	char *s = json_dumps(body, REPLY_JSON_FLAGS);
	if (s)
		nm_etag_of(s, strlen(s), out);
	else
		out[0] = '\0';
	free(s);
}

void nm_reply_precondition_failed(struct nm_req *r, const char *what)
{
	nm_reply_problem(r, NM_P_PRECONDITION_FAILED, NULL,
			 "%s changed since the ETag in If-Match was read (or does not exist "
			 "any more); GET it again and retry with its current ETag.",
			 what);
}

void nm_reply_json(struct nm_req *r, int status, json_t *body)
{
	char *s = json_dumps(body, REPLY_JSON_FLAGS);
	json_decref(body);
	if (!s) {
		nm_reply_problem(r, NM_P_INTERNAL, NULL, "Could not encode the response.");
		return;
	}
	set_reply(r, status, "application/json; charset=utf-8", s, strlen(s));
}

void nm_reply_empty(struct nm_req *r, int status)
{
	set_reply(r, status, NULL, NULL, 0);
}

void nm_reply_text(struct nm_req *r, int status, const char *content_type, char *body, size_t len)
{
	set_reply(r, status, content_type, body, len);
}

void nm_reply_stream(struct nm_req *r, int status, const char *content_type, nm_stream_read read,
		     nm_stream_done done, void *state)
{
	if (r->replied) {
		done(state);
		return;
	}
	set_reply(r, status, content_type, NULL, 0);
	r->stream_read = read;
	r->stream_done = done;
	r->stream_state = state;
}

void nm_reply_problem(struct nm_req *r, enum nm_problem p, json_t *errors, const char *fmt, ...)
{
	if (r->replied) {
		json_decref(errors);
		return;
	}
	char detail[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	char type[128];
	snprintf(type, sizeof type, NM_PROBLEM_TYPE_BASE "%s", problems[p].slug);
	json_t *o = json_pack("{s:s, s:s, s:i, s:s}", "type", type, "title", problems[p].title,
			      "status", problems[p].status, "detail", detail);
	if (r->url)
		json_object_set_new(o, "instance", json_string(r->url));
	if (errors)
		json_object_set_new(o, "errors", errors);
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	set_reply(r, problems[p].status, "application/problem+json", s, s ? strlen(s) : 0);
}

void nm_reply_field_error(struct nm_req *r, const char *field, const char *msg)
{
	json_t *errs = json_array();
	json_array_append_new(errs, json_pack("{s:s, s:s}", "field", field, "message", msg));
	nm_reply_problem(r, NM_P_VALIDATION, errs, "%s: %s", field, msg);
}

void nm_reply_header(struct nm_req *r, const char *name, const char *value)
{
	for (int i = 0; i < r->n_hdrs; i++) {
		if (strcasecmp(r->hdr_names[i], name) == 0) {
			free(r->hdr_values[i]);
			r->hdr_values[i] = strdup(value);
			return;
		}
	}
	if (r->n_hdrs >= NM_MAX_REPLY_HEADERS)
		return;
	r->hdr_names[r->n_hdrs] = strdup(name);
	r->hdr_values[r->n_hdrs] = strdup(value);
	r->n_hdrs++;
}

/* ---------------------------------------------------------------- pagination */

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Cursors are base64url("i<id>"): opaque to clients, trivially checkable here. */
const char *nm_cursor_encode(int64_t last_id, char *buf, size_t n)
{
	char raw[32];
	int len = snprintf(raw, sizeof raw, "i%lld", (long long)last_id);
	if (nm_b64_encoded_len((size_t)len, false) >= n) {
		buf[0] = '\0';
		return buf;
	}
	nm_b64_encode((const unsigned char *)raw, (size_t)len, b64url, false, buf);
	return buf;
}

static bool cursor_decode(const char *s, int64_t *out)
{
	char raw[32];
	size_t o = 0, n = strlen(s);
	if (n == 0 || n > 40)
		return false;
	unsigned acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		const char *p = strchr(b64url, s[i]);
		if (!p || !s[i])
			return false;
		acc = (acc << 6) | (unsigned)(p - b64url);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o + 1 >= sizeof raw)
				return false;
			raw[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	raw[o] = '\0';
	if (raw[0] != 'i' || o < 2)
		return false;
	char *end;
	long long v = strtoll(raw + 1, &end, 10);
	if (*end || v < 0)
		return false;
	*out = v;
	return true;
}

bool nm_req_page(struct nm_req *r, int *limit, int64_t *after_id)
{
	*limit = 50;
	*after_id = 0;
	const char *l = nm_req_query(r, "limit");
	if (l) {
		char *end;
		long v = strtol(l, &end, 10);
		if (!*l || *end || v < 1 || v > 200) {
			nm_reply_problem(r, NM_P_BAD_QUERY,
					 json_pack("[{s:s,s:s}]", "field", "limit", "message",
						   "must be an integer from 1 to 200"),
					 "limit must be an integer from 1 to 200");
			return false;
		}
		*limit = (int)v;
	}
	const char *c = nm_req_query(r, "cursor");
	if (c && *c && !cursor_decode(c, after_id)) {
		nm_reply_problem(r, NM_P_BAD_QUERY,
				 json_pack("[{s:s,s:s}]", "field", "cursor", "message",
					   "is not a cursor this API returned"),
				 "cursor is not a cursor this API returned");
		return false;
	}
	return true;
}

/* ---------------------------------------------------------------- request lifecycle */

static void make_request_id(struct nm_req *r)
{
	const char *given = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Request-Id");
	if (given) {
		size_t n = strlen(given);
		bool ok = n > 0 && n < sizeof r->request_id;
		for (size_t i = 0; ok && i < n; i++)
			ok = given[i] > 0x20 && given[i] < 0x7f && given[i] != '"' &&
			     given[i] != '\\';
		if (ok) {
			memcpy(r->request_id, given, n + 1);
			return;
		}
	}
	/* Ids need to be unique, not secret: a per-thread xorshift seeded once from the
	 * OS is enough and avoids a locked RAND_bytes call per request. */
	static _Thread_local uint64_t state;
	if (!state) {
		unsigned char seed[8];
		if (!RAND_bytes(seed, sizeof seed))
			memcpy(seed, &r, sizeof seed < sizeof r ? sizeof seed : sizeof r);
		memcpy(&state, seed, sizeof state);
		state |= 1;
	}
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	char *o = r->request_id;
	memcpy(o, "req_", 4);
	uint64_t v = state;
	for (int i = 0; i < 16; i++, v >>= 4)
		o[4 + i] = b64[(v & 15) | (uint64_t)((i & 3) << 4)];
	o[20] = '\0';
}

static bool content_type_is(const char *ct, const char *want)
{
	if (!ct)
		return false;
	size_t n = strlen(want);
	while (*ct == ' ')
		ct++;
	return strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* JSON routes take application/json; PATCH also application/merge-patch+json. */
static bool json_content_type_ok(struct nm_req *r)
{
	const char *ct = nm_req_header(r, "Content-Type");
	if (content_type_is(ct, "application/json"))
		return true;
	return strcmp(r->method, "PATCH") == 0 &&
	       content_type_is(ct, "application/merge-patch+json");
}

/* The client address as a rate-limit table key (the TCP peer: behind a proxy, that is
 * the proxy, so there the proxy must limit per client; docs/security.md). */
static uint64_t client_key(struct nm_req *r)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	return nm_ratelimit_addr_key(ci ? ci->client_addr : NULL);
}

static void reply_429(struct nm_req *r, double retry_after, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void reply_429(struct nm_req *r, double retry_after, const char *fmt, ...)
{
	char ra[32], detail[512];
	int secs = (int)(retry_after + 0.999);
	snprintf(ra, sizeof ra, "%d", secs > 0 ? secs : 1);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	nm_reply_header(r, "Retry-After", ra);
	nm_reply_problem(r, NM_P_RATE_LIMITED, NULL, "%s Retry in %s s.", detail, ra);
}

static double auth_fail_rate(const struct nm_config *cfg)
{
	return cfg->auth_fail_limit / 60.0;
}

/* A 401, charged to the client address: beyond NICHEMATCH_AUTH_FAIL_LIMIT a minute it
 * becomes a 429, so that guessing keys is slow and a flood of them is cheap. */
static void reply_401(struct nm_req *r, const char *www_authenticate, const char *detail)
{
	double retry;
	int left;
	if (!nm_ratelimit_take_in(NM_RL_AUTH_FAIL, r->client, auth_fail_rate(r->cfg),
				  r->cfg->auth_fail_limit, &retry, &left)) {
		reply_429(r, retry, "Too many requests without a valid API key from this address.");
		return;
	}
	nm_reply_header(r, "WWW-Authenticate", www_authenticate);
	nm_reply_problem(r, NM_P_UNAUTHORIZED, NULL, "%s", detail);
}

/* A credential checked: on anything but NM_AUTH_OK sets the reply (401, 429, 503) and
 * returns false. what names the credential in the 401's detail. */
static bool credential_answer(struct nm_req *r, enum nm_auth_result res, double retry,
			      const char *invalid_detail)
{
	switch (res) {
	case NM_AUTH_OK:
		return true;
	case NM_AUTH_INVALID:
		reply_401(r, "Bearer error=\"invalid_token\"", invalid_detail);
		return false;
	case NM_AUTH_NOT_CHECKED:
		reply_429(r, retry, "Too many requests without a valid API key from this address.");
		return false;
	case NM_AUTH_DB_DOWN:
		nm_reply_header(r, "Retry-After", "1");
		nm_reply_problem(
			r, NM_P_DB_UNAVAILABLE, NULL,
			"The API key cannot be checked while the database is unreachable.");
		return false;
	}
	return false;
}

/* Over its failure budget, a client gets answers from the cache only: an unknown key
 * costs it a 429, not a database query. */
static bool may_lookup(struct nm_req *r, double *retry)
{
	return nm_ratelimit_peek(NM_RL_AUTH_FAIL, r->client, auth_fail_rate(r->cfg),
				 r->cfg->auth_fail_limit, retry);
}

bool nm_req_check_key(struct nm_req *r, const char *key)
{
	double retry;
	bool lookup = may_lookup(r, &retry);
	return credential_answer(r, nm_auth_check(key, r->cfg->auth_cache_ttl_s, lookup, &r->auth),
				 retry, "The API key is invalid or revoked.");
}

static bool safe_method(const char *m)
{
	return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0 || strcmp(m, "OPTIONS") == 0;
}

/* The session cookie instead of a key (docs/dashboard.md). An unsafe method also needs
 * the session's CSRF token in X-CSRF-Token: a cross-site form or fetch cannot read it
 * (it is derived from the HttpOnly cookie and only returned to same-origin reads), so
 * a forged request carries the cookie at most (SameSite=Strict already withholds it
 * from cross-site requests in current browsers). */
static bool check_session(struct nm_req *r, const char *token)
{
	double retry;
	bool lookup = may_lookup(r, &retry);
	enum nm_auth_result res = nm_session_check(token, lookup, &r->auth, &r->session_id);
	if (res == NM_AUTH_INVALID)
		nm_reply_header(r, "Set-Cookie",
				NM_SESSION_COOKIE "=; Path=/; Max-Age=0; HttpOnly; "
						  "SameSite=Strict");
	if (!credential_answer(r, res, retry,
			       "The session is invalid, expired or signed out (or its API key "
			       "was revoked); sign in again."))
		return false;
	snprintf(r->session_token, sizeof r->session_token, "%s", token);
	if (safe_method(r->method))
		return true;
	const char *sent = nm_req_header(r, NM_CSRF_HEADER);
	char want[65];
	nm_session_csrf(token, want);
	if (sent && nm_ct_equal(sent, strlen(sent), want, 64))
		return true;
	nm_reply_problem(r, NM_P_FORBIDDEN, NULL,
			 "A %s authenticated by the session cookie needs the session's CSRF token "
			 "in the " NM_CSRF_HEADER " header.",
			 r->method);
	return false;
}

static void authenticate(struct nm_req *r)
{
	const char *h = nm_req_header(r, "Authorization");
	const char *cookie =
		h ? NULL : MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, NM_SESSION_COOKIE);
	if (cookie) {
		if (!check_session(r, cookie))
			return;
	} else if (!h || strncasecmp(h, "Bearer ", 7) != 0 || !h[7]) {
		reply_401(r, "Bearer", "Send an API key as 'Authorization: Bearer <key>'.");
		return;
	} else {
		const char *key = h + 7;
		while (*key == ' ')
			key++;
		if (!nm_req_check_key(r, key))
			return;
	}
	if (r->auth.role < r->route->min_role) {
		nm_reply_problem(r, NM_P_FORBIDDEN, NULL, "This needs a key with the '%s' role.",
				 nm_role_name(r->route->min_role));
		return;
	}
	double retry_after;
	int remaining;
	bool allowed =
		nm_limit_take(r->cfg, NM_RL_KEY, (uint64_t)r->auth.key_id, r->cfg->rate_limit,
			      2 * r->cfg->rate_limit, &retry_after, &remaining);
	if (r->cfg->rate_limit > 0) {
		char v[32];
		snprintf(v, sizeof v, "%g", r->cfg->rate_limit);
		nm_reply_header(r, "RateLimit-Limit", v);
		snprintf(v, sizeof v, "%d", remaining);
		nm_reply_header(r, "RateLimit-Remaining", v);
		snprintf(v, sizeof v, "%d", allowed ? 0 : (int)(retry_after + 0.999));
		nm_reply_header(r, "RateLimit-Reset", v);
	}
	if (!allowed) {
		reply_429(r, retry_after, "Rate limit of %g requests per second exceeded.",
			  r->cfg->rate_limit);
		return;
	}
}

/* NICHEMATCH_KEY_MAX_IN_FLIGHT: a request counts from when its handler is about to run
 * (an import: from its headers, since it holds connections while its body arrives)
 * until its reply is sent, so one key cannot hold more than that many pooled
 * connections with slow requests. A body still on its way does not count: it holds no
 * connection and is bounded by the body deadlines. Returns false with a 429 set. */
static bool enter_in_flight(struct nm_req *r)
{
	if (!r->auth.key_id || r->inflight_entered)
		return true;
	r->inflight_entered = true;
	if (nm_inflight_enter(r->auth.key_id, r->cfg->key_max_in_flight, &r->inflight_slot))
		return true;
	reply_429(r, 1, "This API key already has %d requests in flight; wait for one to end.",
		  r->cfg->key_max_in_flight);
	return false;
}

/* Inbound events carry no API key: their budget is per client address, taken before
 * the body is read or the source looked up. */
static bool inbound_allowed(struct nm_req *r)
{
	double rate = r->cfg->inbound_rate_limit, retry;
	int left;
	if (nm_ratelimit_take_in(NM_RL_INBOUND, r->client, rate, 2 * rate, &retry, &left))
		return true;
	reply_429(r, retry, "Too many inbound events from this address (%g per second).", rate);
	return false;
}

static void preflight(struct nm_req *r, const char *allow)
{
	if (r->cors_origin) {
		nm_reply_header(r, "Access-Control-Allow-Methods", allow);
		nm_reply_header(r, "Access-Control-Allow-Headers",
				"Authorization, Content-Type, Idempotency-Key, If-Match, "
				"If-None-Match, X-Request-Id");
		nm_reply_header(r, "Access-Control-Max-Age", "600");
	}
	nm_reply_header(r, "Allow", allow);
	nm_reply_empty(r, 204);
}

/* Counts query arguments whose key or value holds a NUL byte (from %00): such values
 * would silently end early in every C string API, so the request is refused instead. */
static enum MHD_Result count_nul_args(void *cls, enum MHD_ValueKind kind, const char *key,
				      size_t key_size, const char *value, size_t value_size)
{
	if (strlen(key) != key_size || (value && strlen(value) != value_size))
		(*(int *)cls)++;
	return MHD_YES;
}

/* The dashboard's files (nm/static.h): not API routes, so they are not in the route
 * table nor in /openapi.json, but they are answered here like one. */
static void serve_static(struct nm_req *r)
{
	r->static_url = true;
	if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
		nm_reply_header(r, "Allow", "GET, HEAD");
		if (strcmp(r->method, "OPTIONS") == 0) {
			nm_reply_empty(r, 204);
			return;
		}
		nm_reply_problem(r, NM_P_METHOD_NOT_ALLOWED, NULL,
				 "%s is not allowed here; allowed: GET, HEAD.", r->method);
		return;
	}
	const struct nm_static_file *f = nm_static_find(r->url);
	if (!f) {
		if (!nm_static_find("/"))
			nm_reply_problem(
				r, NM_P_NOT_FOUND, NULL,
				"The dashboard is not built (no index.html in %s). Build it "
				"with `cd web && npm ci && npx vite build` (scripts/run.sh "
				"does), or set NICHEMATCH_WEB_DIR to a built copy.",
				nm_static_dir(r->cfg));
		else
			nm_reply_problem(r, NM_P_NOT_FOUND, NULL, "No dashboard file %s.", r->url);
		return;
	}
	bool gz = f->gz && nm_static_gzip_ok(nm_req_header(r, "Accept-Encoding"));
	nm_reply_header(r, "Cache-Control", f->cache);
	nm_reply_header(r, "Content-Security-Policy", NM_STATIC_CSP);
	nm_reply_header(r, "Referrer-Policy", "no-referrer");
	nm_reply_header(r, "X-Frame-Options", "DENY");
	if (f->gz)
		nm_reply_header(r, "Vary", "Accept-Encoding");
	if (gz)
		nm_reply_header(r, "Content-Encoding", "gzip");
	/* The body is the loaded file itself: never copied, never freed per request. */
	r->reply_static = true;
	set_reply(r, 200, f->ctype, (char *)(gz ? f->gz : f->body), gz ? f->gz_len : f->len);
}

/* Whether the body's length is unambiguous: a request may carry Transfer-Encoding only
 * as the single coding "chunked" (exactly what libmicrohttpd frames as chunked), and
 * never together with Content-Length. */
static bool framing_ok(const char *cl, const char *te)
{
	return !cl && strcasecmp(te, "chunked") == 0;
}

/* Everything decided from the request line and headers alone. */
static void on_headers(struct nm_req *r)
{
	const char *origin = nm_req_header(r, "Origin");
	if (nm_config_origin_allowed(r->cfg, origin))
		r->cors_origin = origin;

	const char *cl = nm_req_header(r, "Content-Length");
	const char *te = nm_req_header(r, "Transfer-Encoding");
	unsigned long long content_length = cl ? strtoull(cl, NULL, 10) : 0;
	r->has_body = content_length > 0 || (te && strcasestr(te, "chunked"));

	if (te && !framing_ok(cl, te)) {
		/* A front proxy that frames this request differently from us would let the
		 * bytes after the body we read pass as a second, unchecked request (request
		 * smuggling), so the connection is closed after the answer (RFC 9112 6.3). */
		nm_reply_header(r, "Connection", "close");
		r->has_body = true; /* answer at once: whatever follows is not read */
		nm_reply_problem(
			r, NM_P_BAD_REQUEST, NULL,
			cl ? "Content-Length and Transfer-Encoding together are ambiguous; "
			     "send one of them."
			   : "Transfer-Encoding must be exactly \"chunked\".");
		return;
	}

	if (atomic_load(&stopping)) {
		nm_reply_header(r, "Retry-After", "1");
		nm_reply_header(r, "Connection", "close");
		nm_reply_problem(r, NM_P_SHUTTING_DOWN, NULL, "The server is shutting down.");
		return;
	}

	if (nm_static_owns(r->url)) {
		serve_static(r);
		return;
	}

	char allow[256];
	bool path_known;
	r->route = nm_router_match(r->method, r->url, r, allow, sizeof allow, &path_known);
	if (!r->route) {
		if (path_known && strcmp(r->method, "OPTIONS") == 0) {
			preflight(r, allow);
		} else if (path_known) {
			nm_reply_header(r, "Allow", allow);
			nm_reply_problem(r, NM_P_METHOD_NOT_ALLOWED, NULL,
					 "%s is not allowed here; allowed: %s.", r->method, allow);
		} else {
			nm_reply_problem(r, NM_P_NOT_FOUND, NULL, "No route for %s.", r->url);
		}
		return;
	}

	int nul_args = 0;
	MHD_get_connection_values_n(r->conn, MHD_GET_ARGUMENT_KIND, count_nul_args, &nul_args);
	if (nul_args) {
		nm_reply_problem(r, NM_P_BAD_QUERY, NULL, "A query parameter contains a NUL byte.");
		return;
	}

	r->client = client_key(r);
	if (r->route->handler == nm_h_inbound_receive && !inbound_allowed(r))
		return;

	if (r->route->min_role != NM_ROLE_NONE) {
		authenticate(r);
		if (r->replied)
			return;
		if (r->route->scope == NM_SCOPE_UNSCOPED && r->auth.brand_id) {
			nm_reply_problem(
				r, NM_P_FORBIDDEN, NULL, "%s",
				r->route->scope_reason
					? r->route->scope_reason
					: "This needs a key that is not bound to a brand.");
			return;
		}
	}
	if (!nm_params_check(r))
		return;

	enum nm_body_kind bk = r->route->body;
	if (bk == NM_BODY_JSON || bk == NM_BODY_JSON_OPTIONAL || bk == NM_BODY_RAW) {
		if (content_length > r->cfg->json_max_bytes) {
			nm_reply_problem(r, NM_P_TOO_LARGE, NULL,
					 "The body is %llu bytes; the limit is %zu bytes.",
					 content_length, r->cfg->json_max_bytes);
			return;
		}
		/* A raw route's header-only checks (inbound signatures): what is wrong with
		 * the headers is refused before a byte of the body is buffered. */
		if (bk == NM_BODY_RAW && r->route->stream && r->route->stream->begin) {
			r->route->stream->begin(r);
			if (r->replied)
				return;
		}
		if (bk != NM_BODY_RAW && r->has_body && !json_content_type_ok(r)) {
			nm_reply_problem(r, NM_P_UNSUPPORTED_MEDIA_TYPE, NULL,
					 "Send the body as application/json%s.",
					 strcmp(r->method, "PATCH") == 0
						 ? " or application/merge-patch+json"
						 : "");
			return;
		}
	} else if (bk == NM_BODY_STREAM) {
		if (content_length > r->cfg->import_max_bytes) {
			nm_reply_problem(r, NM_P_TOO_LARGE, NULL,
					 "The body is %llu bytes; the import limit is %zu bytes.",
					 content_length, r->cfg->import_max_bytes);
			return;
		}
		if (!enter_in_flight(r))
			return;
		if (strcmp(r->method, "POST") == 0 && r->auth.key_id &&
		    nm_req_header(r, "Idempotency-Key") && !nm_idem_stream_begin(r))
			return;
		if (r->idem_check)
			return; /* a duplicate: the body is only hashed, then compared */
		r->stream_active = true;
		r->route->stream->begin(r);
		if (r->replied)
			r->stream_active = false;
	}
}

static void on_body(struct nm_req *r, const char *data, size_t len)
{
	r->body_total += len;
	if (r->replied)
		return; /* an early error: the body is drained and dropped */
	if (r->route->body == NM_BODY_STREAM) {
		if (r->body_total > r->cfg->import_max_bytes) {
			r->body_too_large = true;
			return;
		}
		nm_idem_stream_feed(r, data, len);
		if (r->stream_active)
			r->route->stream->chunk(r, data, len);
		return;
	}
	if (r->route->body == NM_BODY_NONE || r->body_too_large)
		return;
	if (r->body.len + len > r->cfg->json_max_bytes) {
		r->body_too_large = true;
		nm_buf_free(&r->body);
		return;
	}
	nm_buf_add(&r->body, data, len);
	if (r->body.oom)
		r->body_too_large = true; /* out of memory: answered as too large */
}

static bool parse_json_body(struct nm_req *r)
{
	if (r->body.len == 0 && r->route->body == NM_BODY_JSON_OPTIONAL) {
		r->json = json_object();
		return true;
	}
	if (r->body.len == 0) {
		nm_reply_problem(r, NM_P_BAD_JSON, NULL,
				 "The request body is empty; send a JSON object.");
		return false;
	}
	if (nm_json_depth(r->body.data, r->body.len, JSON_MAX_DEPTH) > JSON_MAX_DEPTH) {
		nm_reply_problem(r, NM_P_BAD_JSON, NULL, "JSON nesting deeper than %d levels.",
				 JSON_MAX_DEPTH);
		return false;
	}
	json_error_t err;
	r->json = json_loadb(r->body.data, r->body.len, JSON_REJECT_DUPLICATES, &err);
	if (!r->json) {
		nm_reply_problem(r, NM_P_BAD_JSON, NULL, "Invalid JSON at line %d, column %d: %s.",
				 err.line, err.column, err.text);
		return false;
	}
	if (!json_is_object(r->json)) {
		nm_reply_problem(r, NM_P_BAD_JSON, NULL, "The body must be a JSON object.");
		return false;
	}
	return true;
}

static const char *reply_header_value(const struct nm_req *r, const char *name)
{
	for (int i = 0; i < r->n_hdrs; i++)
		if (strcasecmp(r->hdr_names[i], name) == 0)
			return r->hdr_values[i];
	return NULL;
}

/* RFC 9110 §13: a route that declares ETag gets one on its 200 replies, the hash of the
 * reply's bytes unless the handler set one (a write whose reply is more than the
 * resource, e.g. with previous_status). A GET or HEAD whose If-None-Match names it (weak
 * comparison, "*" included) is answered 304 with the ETag and no body. Any other reply
 * (a problem, a 201) ignores If-None-Match, as the RFC asks. */
static void conditional_reply(struct nm_req *r)
{
	if (r->status != 200 || !r->reply || !r->route || !nm_route_has_etag(r->route))
		return;
	char computed[NM_ETAG_SIZE];
	const char *tag = reply_header_value(r, "ETag");
	if (!tag) {
		nm_etag_of(r->reply, r->reply_len, computed);
		nm_reply_header(r, "ETag", computed);
		tag = computed;
	}
	bool safe = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
	if (safe && nm_etag_if_none_match(nm_req_header(r, "If-None-Match"), tag)) {
		/* The body stays in the reply: libmicrohttpd sends no content with a 304 but
		 * derives Content-Length from it, and RFC 9110 §8.6 allows only the 200's
		 * length there (an empty body would announce 0). */
		r->reply_ctype = NULL;
		r->status = 304;
	}
}

static void run_handler(struct nm_req *r)
{
	if (r->body_too_large) {
		if (r->route->body == NM_BODY_STREAM && r->stream_active) {
			r->stream_active = false;
			r->route->stream->abort(r);
		}
		nm_reply_problem(r, NM_P_TOO_LARGE, NULL,
				 "The body exceeds the limit of %zu bytes.",
				 r->route->body == NM_BODY_STREAM ? r->cfg->import_max_bytes
								  : r->cfg->json_max_bytes);
		return;
	}
	if (r->route->body == NM_BODY_STREAM) {
		nm_idem_stream_end(r);
		if (r->idem_check || r->replied)
			return;
		r->stream_active = false;
		r->route->stream->end(r);
		nm_idem_after(r);
		return;
	}
	if ((r->route->body == NM_BODY_JSON || r->route->body == NM_BODY_JSON_OPTIONAL) &&
	    !parse_json_body(r))
		return;
	bool idem = strcmp(r->method, "POST") == 0 && r->auth.key_id &&
		    nm_req_header(r, "Idempotency-Key");
	if (idem && !nm_idem_before(r))
		return;
	r->route->handler(r);
	if (!r->replied)
		nm_reply_problem(r, NM_P_INTERNAL, NULL, "The handler produced no reply.");
	if (idem)
		nm_idem_after(r);
	conditional_reply(r);
}

/* MHD's content reader over nm_stream_read: 0 is the end, a failure cuts the connection. */
struct stream_cls {
	nm_stream_read read;
	nm_stream_done done;
	void *state;
};

static ssize_t stream_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream_cls *s = cls;
	long n = s->read(s->state, buf, max);
	if (n == 0)
		return MHD_CONTENT_READER_END_OF_STREAM;
	return n < 0 ? MHD_CONTENT_READER_END_WITH_ERROR : (ssize_t)n;
}

static void stream_free(void *cls)
{
	struct stream_cls *s = cls;
	s->done(s->state);
	free(s);
}

/* The MHD response of a streamed reply; it owns the stream's state from here on (also
 * when it cannot be made: then done has run). 32 KiB blocks fit the 64 KiB connection
 * memory limit beside the headers. */
static struct MHD_Response *stream_response(struct nm_req *r)
{
	struct stream_cls *s = malloc(sizeof *s);
	struct MHD_Response *resp = NULL;
	if (s) {
		*s = (struct stream_cls){r->stream_read, r->stream_done, r->stream_state};
		resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024, stream_reader,
							 s, stream_free);
		if (!resp)
			free(s);
	}
	if (!resp)
		r->stream_done(r->stream_state);
	r->stream_read = NULL;
	r->stream_state = NULL;
	return resp;
}

/* Read your writes with replicas: a successful write's WAL position is stored for its
 * key before the reply leaves, so that no instance serves the key's next read from a
 * replica that has not replayed it (nm/db_replicas.h). */
static void note_write(struct nm_req *r)
{
	if (nm_db_replica_count() == 0 || !r->route || !r->auth.key_id || r->status < 200 ||
	    r->status >= 400 || strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0 ||
	    strcmp(r->method, "OPTIONS") == 0)
		return;
	nm_db_note_write(r->pg, r->auth.key_id);
}

static enum MHD_Result queue_reply(struct nm_req *r)
{
	if (r->queued)
		return MHD_YES;
	r->queued = true;
	note_write(r);
	struct MHD_Response *resp =
		r->stream_read
			? stream_response(r)
			: MHD_create_response_from_buffer(
				  r->reply_len, r->reply ? r->reply : (void *)"",
				  r->reply_static ? MHD_RESPMEM_PERSISTENT : MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	if (r->reply_ctype)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->reply_ctype);
	MHD_add_response_header(resp, "X-Request-Id", r->request_id);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	if (r->url && strncmp(r->url, "/v1/", 4) == 0)
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (r->cors_origin) {
		MHD_add_response_header(resp, "Access-Control-Allow-Origin", r->cors_origin);
		MHD_add_response_header(resp, "Vary", "Origin");
		MHD_add_response_header(resp, "Access-Control-Expose-Headers",
					"ETag, Idempotent-Replayed, Location, Retry-After, "
					"X-Request-Id, RateLimit-Limit, RateLimit-Remaining, "
					"RateLimit-Reset, Content-Disposition, X-Match-Run-Id");
	}
	for (int i = 0; i < r->n_hdrs; i++)
		MHD_add_response_header(resp, r->hdr_names[i], r->hdr_values[i]);
	enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct nm_req *r = *con_cls;
	if (!r) {
		struct nm_conn *dl = nm_deadline_conn(conn);
		if (!nm_deadline_enter_app(dl))
			return MHD_NO;
		r = calloc(1, sizeof *r);
		if (!r)
			return MHD_NO;
		r->inflight_slot = -1;
		*con_cls = r;
		atomic_fetch_add(&in_flight, 1);
		clock_gettime(CLOCK_MONOTONIC, &r->start);
		r->conn = conn;
		r->dl = dl;
		r->cfg = config;
		r->url = url;
		r->method = method;
		make_request_id(r);
		on_headers(r);
		/* Replying on this first call costs keep-alive (MHD closes the
		 * connection), so only do it when it saves reading a body we'd drop. */
		if (r->replied && r->has_body)
			return queue_reply(r);
		if (r->has_body)
			nm_deadline_body(dl, r->route && r->route->body == NM_BODY_STREAM);
		return MHD_YES;
	}
	if (*upload_data_size) {
		bool stream = r->route && r->route->body == NM_BODY_STREAM;
		if (stream && !nm_deadline_chunk_begin(r->dl))
			return MHD_NO;
		on_body(r, upload_data, *upload_data_size);
		if (stream)
			nm_deadline_chunk_end(r->dl, r->body_total);
		*upload_data_size = 0;
		/* A chunked body beyond the cap: drop the connection rather than read an
		 * unbounded body (0.9.75 cannot reply mid-upload). Up to 1 MiB over the
		 * cap is drained so that the client still gets its 413. This applies to
		 * every route, not only imports: a JSON route (or one that takes no body,
		 * or a request already rejected) used to drain a chunked body of any size,
		 * keeping a thread busy for as long as the client kept sending. */
		size_t cap = r->route && r->route->body == NM_BODY_STREAM ? r->cfg->import_max_bytes
									  : r->cfg->json_max_bytes;
		if (r->body_total > (unsigned long long)cap + (1u << 20))
			return MHD_NO;
		return MHD_YES;
	}
	if (!nm_deadline_enter_app(r->dl))
		return MHD_NO;
	if (!r->replied && enter_in_flight(r))
		run_handler(r);
	/* The handler is done: its pooled connection goes back before the reply is sent,
	 * so a client that reads slowly holds a thread, not a database connection. */
	if (!r->stream_active && !r->stream_read) {
		nm_db_release(r->pg);
		r->pg = NULL;
	}
	return queue_reply(r);
}

/* One JSON line per request, built without jansson and written without a lock: this
 * runs for every request, so it stays cheap. */
static void log_request(struct nm_req *r, double secs, enum MHD_RequestTerminationCode toe)
{
	enum nm_log_level lvl = r->status >= 500 ? NM_LOG_WARN : NM_LOG_INFO;
	if (!nm_log_enabled(lvl))
		return;
	struct timeval tv;
	gettimeofday(&tv, NULL);
	/* The seconds part of the timestamp changes once a second: format it once per
	 * second per thread, not once per request. */
	static _Thread_local time_t ts_sec = -1;
	static _Thread_local char ts_prefix[24];
	if (tv.tv_sec != ts_sec) {
		struct tm tm;
		time_t t = tv.tv_sec;
		gmtime_r(&t, &tm);
		strftime(ts_prefix, sizeof ts_prefix, "%Y-%m-%dT%H:%M:%S", &tm);
		ts_sec = tv.tv_sec;
	}
	char line[2048];
	size_t n = (size_t)snprintf(line, sizeof line,
				    "{\"ts\":\"%s.%03ldZ\",\"level\":\"%s\",\"msg\":\"request\","
				    "\"request_id\":\"",
				    ts_prefix, (long)(tv.tv_usec / 1000),
				    lvl == NM_LOG_WARN ? "warn" : "info");
	n = nm_json_escape(line, n, sizeof line - 400, r->request_id);
	n += (size_t)snprintf(line + n, sizeof line - n, "\",\"method\":\"");
	n = nm_json_escape(line, n, sizeof line - 380, r->method ? r->method : "");
	n += (size_t)snprintf(line + n, sizeof line - n, "\",\"path\":\"");
	n = nm_json_escape(line, n, sizeof line - 360, r->url ? r->url : "");
	long us = (long)(secs * 1e6);
	n += (size_t)snprintf(line + n, sizeof line - n,
			      "\",\"route\":\"%s\",\"status\":%d,\"duration_ms\":%ld.%03ld,"
			      "\"bytes_in\":%llu",
			      r->route	      ? r->route->pattern
			      : r->static_url ? "static"
					      : "unmatched",
			      r->status, us / 1000, us % 1000, r->body_total);
	if (r->auth.key_id)
		n += (size_t)snprintf(line + n, sizeof line - n, ",\"key_id\":%lld",
				      (long long)r->auth.key_id);
	if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
		n += (size_t)snprintf(line + n, sizeof line - n, ",\"aborted\":true");
	if (r->db_replica)
		n += (size_t)snprintf(line + n, sizeof line - n, ",\"db\":\"replica\"");
	if (r->cut_reason)
		n += (size_t)snprintf(line + n, sizeof line - n, ",\"slow_client\":\"%s\"",
				      r->cut_reason);
	n += (size_t)snprintf(line + n, sizeof line - n, "}\n");
	nm_log_raw(line, n < sizeof line ? n : sizeof line - 1);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct nm_req *r = *con_cls;
	const char *cut = nm_deadline_request_done(r ? r->dl : nm_deadline_conn(conn));
	if (!r)
		return;
	*con_cls = NULL;
	r->cut_reason = cut;
	if (r->stream_active && r->route && r->route->stream) {
		/* Client gone or server stopping before the body ended: undo. */
		r->stream_active = false;
		r->route->stream->abort(r);
	}
	struct timespec end;
	clock_gettime(CLOCK_MONOTONIC, &end);
	double secs = (double)(end.tv_sec - r->start.tv_sec) +
		      (double)(end.tv_nsec - r->start.tv_nsec) / 1e9;
	if (!r->queued && !r->status)
		r->status = 499; /* nginx's "client closed request", for logs and metrics */
	log_request(r, secs, toe);
	if (r->route)
		nm_metrics_route((size_t)(r->route - nm_routes), r->status, secs);
	else
		nm_metrics_http(r->static_url ? "static" : "unmatched", r->method ? r->method : "",
				r->status, secs);
	nm_idem_abandon(r);
	if (r->stream_read) /* a streamed reply never queued */
		r->stream_done(r->stream_state);
	nm_db_release(r->pg);
	nm_inflight_leave(r->inflight_slot);
	if (r->json)
		json_decref(r->json);
	nm_buf_free(&r->body);
	if (!r->reply_static)
		free(r->reply);
	for (int i = 0; i < r->n_hdrs; i++) {
		free(r->hdr_names[i]);
		free(r->hdr_values[i]);
	}
	free(r->idem_key);
	OPENSSL_cleanse(r->session_token, sizeof r->session_token);
	free(r);
	atomic_fetch_sub(&in_flight, 1);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	size_t n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	nm_log(NM_LOG_DEBUG, "libmicrohttpd: %s", msg);
}

bool nm_server_start(const struct nm_config *cfg, char *err, size_t errsz)
{
	config = cfg;
	struct sockaddr_in addr;
	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_port = htons(cfg->listen_port);
	if (strcmp(cfg->listen_host, "localhost") == 0) {
		addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	} else if (inet_pton(AF_INET, cfg->listen_host, &addr.sin_addr) != 1) {
		snprintf(err, errsz, "NICHEMATCH_LISTEN host must be an IPv4 address, got %s",
			 cfg->listen_host);
		return false;
	}
	int n = nm_static_load(nm_static_dir(cfg), err, errsz);
	if (n < 0)
		return false;
	if (n == 0)
		nm_log(NM_LOG_WARN,
		       "dashboard not built: no index.html in %s (see docs/dashboard.md)",
		       nm_static_dir(cfg));
	else
		nm_log(NM_LOG_INFO, "dashboard: %d files from %s", n, nm_static_dir(cfg));
	if (!nm_deadline_start(cfg, err, errsz))
		return false;
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
			 MHD_USE_POLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
	daemon_ = MHD_start_daemon(
		flags, cfg->listen_port, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR,
		(struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
		MHD_OPTION_NOTIFY_CONNECTION, nm_deadline_notify, NULL, MHD_OPTION_URI_LOG_CALLBACK,
		nm_deadline_uri_log, NULL, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned)cfg->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		(unsigned)cfg->per_ip_connections, MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned)cfg->connection_timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		(size_t)64 * 1024, MHD_OPTION_THREAD_STACK_SIZE, cfg->thread_stack_bytes,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_END);
	if (!daemon_) {
		nm_deadline_stop();
		snprintf(err, errsz, "cannot listen on %s:%u (in use, or not permitted)",
			 cfg->listen_host, cfg->listen_port);
		return false;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT);
	bound_port = info ? info->port : cfg->listen_port;
	return true;
}

unsigned short nm_server_port(void)
{
	return bound_port;
}

bool nm_server_stopping(void)
{
	return atomic_load(&stopping);
}

void nm_server_drain_begin(void)
{
	atomic_store(&draining, true);
}

bool nm_server_draining(void)
{
	return atomic_load(&draining);
}

void nm_server_stop(int grace_s)
{
	atomic_store(&stopping, true);
	if (!daemon_)
		return;
	MHD_socket fd = MHD_quiesce_daemon(daemon_);
	/* Quiesced, the socket still listens: connections would queue in the backlog, unanswered
	 * until the drain ends. shutdown() stops the listening (new and queued connections are
	 * refused at once) while the descriptor stays valid for MHD until MHD_stop_daemon. */
	if (fd != MHD_INVALID_SOCKET)
		shutdown(fd, SHUT_RDWR);
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (atomic_load(&in_flight) == 0)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec >= grace_s) {
			nm_log(NM_LOG_WARN, "shutdown deadline reached with %d requests in flight",
			       atomic_load(&in_flight));
			break;
		}
		usleep(10000);
	}
	MHD_stop_daemon(daemon_);
	daemon_ = NULL;
	nm_deadline_stop();
	nm_static_free();
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
}
