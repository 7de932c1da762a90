/* Private to src/http: the request context shared by the dispatcher, idempotency
 * and reply code. Handlers use the accessors of nm/http.h instead. */
#ifndef NM_HTTP_INTERNAL_H
#define NM_HTTP_INTERNAL_H

#include <microhttpd.h>
#include <time.h>

#include "nm/buf.h"
#include "nm/http.h"

#define NM_MAX_PARAMS	     4
#define NM_MAX_REPLY_HEADERS 12

struct nm_req {
	struct MHD_Connection *conn;
	const struct nm_config *cfg;
	const struct nm_route *route;
	const char *method;
	const char *url;
	int64_t ids[NM_MAX_PARAMS];
	int n_ids;
	char strs[NM_MAX_PARAMS][80];
	int n_strs;
	struct nm_auth auth;
	int64_t session_id;	/* authenticated by the session cookie: its id; else 0 */
	char session_token[40]; /* then: the cookie's token (for the CSRF token) */
	uint64_t client;	/* the client address as a rate-limit key (nm/ratelimit.h) */
	int inflight_slot;	/* nm_inflight_enter's slot, -1 when not counted */
	bool inflight_entered;	/* the per-key in-flight limit was checked */
	char request_id[72];
	const char *cors_origin; /* borrowed from MHD; NULL when not allowed */
	struct timespec start;
	struct nm_conn *dl;	/* the connection's deadline slot; NULL when none */
	const char *cut_reason; /* set when a deadline cut the connection */

	/* body */
	struct nm_buf body; /* a JSON body as it arrives (not a streamed one) */
	unsigned long long body_total;
	bool has_body;
	bool body_too_large;
	json_t *json;

	/* reply */
	bool replied;
	bool queued;
	int status;
	char *reply;
	size_t reply_len;
	const char *reply_ctype;
	bool reply_static; /* reply points into nm/static.h's memory: not freed */
	bool static_url;   /* a dashboard URL (no route) */
	int n_hdrs;
	char *hdr_names[NM_MAX_REPLY_HEADERS];
	char *hdr_values[NM_MAX_REPLY_HEADERS];

	/* A streamed reply (nm_reply_stream): until queued, the request owns stream_state. */
	nm_stream_read stream_read;
	nm_stream_done stream_done;
	void *stream_state;

	struct nm_pg *pg;
	bool db_replica; /* pg is a read replica's (nm/db_replicas.h) */
	void *state;
	bool stream_active; /* begin ran and neither end nor abort yet */

	/* Idempotency-Key handling (POST) */
	char *idem_key;
	char idem_hash[65];
	bool idem_record; /* a placeholder row exists and must be completed or removed */
	bool idem_check;  /* streamed duplicate: hash the body, then replay or 422 */
	void *idem_sha;	  /* EVP_MD_CTX* while a streamed body is hashed */
	/* A reply member stored as null for replays (nm_reply_secret; a static string). */
	const char *idem_secret;
};

/* src/http/idempotency.c: before the handler. Returns true when the request must go
 * on to its handler; false when a reply (replay, 409, 422, 503) is already set. */
bool nm_idem_before(struct nm_req *r);
/* After the handler: stores the reply for replays, or drops the placeholder. Safe to
 * call more than once; the completion callback calls it for requests that never ended. */
void nm_idem_after(struct nm_req *r);

/* Streaming bodies (imports), whose fingerprint is only known at the end. On the
 * headers-only call: returns false when a reply is set (409 in progress, 503). Else
 * either a placeholder was claimed (the request runs, the body is hashed as it goes) or
 * a finished record exists (r->idem_check: the body is only hashed, then compared). */
bool nm_idem_stream_begin(struct nm_req *r);
void nm_idem_stream_feed(struct nm_req *r, const char *data, size_t len);
/* At the end of the body: fixes r->idem_hash; with r->idem_check set, replies (replay
 * or 422) from the stored record. */
void nm_idem_stream_end(struct nm_req *r);
/* A request that ended without its handler finishing (client gone, shutdown): drops
 * the placeholder so that a retry runs for real. */
void nm_idem_abandon(struct nm_req *r);

/* src/http/deadline.c: deadlines for slow clients. Every function takes a NULL slot
 * (deadlines off, or no memory for one) and then enforces nothing. */
struct nm_conn;
/* Before MHD starts / after it stopped (joins the watchdog, frees the slots). */
bool nm_deadline_start(const struct nm_config *cfg, char *err, size_t errsz);
void nm_deadline_stop(void);
/* MHD_OPTION_NOTIFY_CONNECTION and MHD_OPTION_URI_LOG_CALLBACK. */
void nm_deadline_notify(void *cls, struct MHD_Connection *c, void **socket_context,
			enum MHD_ConnectionNotificationCode toe);
void *nm_deadline_uri_log(void *cls, const char *uri, struct MHD_Connection *c);
struct nm_conn *nm_deadline_conn(struct MHD_Connection *c);
/* Headers complete or body complete: our code runs now and is never cut. False when
 * the watchdog cut the connection first (the caller drops the request). */
bool nm_deadline_enter_app(struct nm_conn *k);
/* After the headers-only call, when a body is to be read: a JSON body gets a deadline,
 * an import a minimum rate. */
void nm_deadline_body(struct nm_conn *k, bool import);
/* Around the processing of one import chunk, whose time is not the client's. begin
 * returns false when the connection was cut. */
bool nm_deadline_chunk_begin(struct nm_conn *k);
void nm_deadline_chunk_end(struct nm_conn *k, unsigned long long body_total);
/* The request completed (or was aborted): the connection idles until the next one.
 * Returns which deadline cut it ("header", "body", "import_rate"), else NULL. */
const char *nm_deadline_request_done(struct nm_conn *k);

/* src/http/params.c: checks the request's query parameters against the route's
 * declarations. Returns false when a 400 reply is already set. */
bool nm_params_check(struct nm_req *r);

/* src/http/router.c */
const struct nm_route *nm_router_match(const char *method, const char *path, struct nm_req *r,
				       char *allow, size_t allow_sz, bool *path_known);

#endif
