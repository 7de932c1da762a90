/* The HTTP layer: one request context per request, the reply builders, the route
 * table types. Handlers see only this header (not libmicrohttpd), so a handler file
 * is about its resource and nothing else.
 *
 * Ownership: the dispatcher owns struct nm_req and everything hanging off it; it is
 * freed once, when libmicrohttpd reports the request completed. Handlers borrow it. */
#ifndef NM_HTTP_H
#define NM_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nm/config.h"

enum nm_problem {
#define NM_PROBLEM(name, status, slug, title) NM_P_##name,
#include "nm/problem.def"
#undef NM_PROBLEM
	NM_P_COUNT
};

/* Problem "type" URIs are this base followed by the slug (problem.def); each is
 * documented (cause and fix) in docs/problems.md. */
#define NM_PROBLEM_TYPE_BASE "https://nichematch.dev/problems/"

enum nm_role { NM_ROLE_NONE = 0, NM_ROLE_READ = 1, NM_ROLE_WRITE = 2, NM_ROLE_ADMIN = 3 };

struct nm_auth {
	int64_t key_id; /* 0 when unauthenticated */
	enum nm_role role;
	int64_t brand_id; /* 0 when the key is not bound to a brand */
};

struct nm_req;
struct nm_pg;

/* Body handling, chosen per route. */
enum nm_body_kind {
	NM_BODY_NONE,	       /* a body is accepted and ignored (GET, DELETE) */
	NM_BODY_JSON,	       /* buffered up to json_max_bytes, parsed into req->json */
	NM_BODY_JSON_OPTIONAL, /* as NM_BODY_JSON, but an empty body reads as {} */
	NM_BODY_STREAM,	       /* delivered chunk by chunk to the route's stream callbacks */
	NM_BODY_RAW, /* buffered up to json_max_bytes, not parsed (signed inbound events) */
};

typedef void (*nm_handler)(struct nm_req *r);

/* Streaming body callbacks (imports). begin runs after auth on the headers-only call
 * and may reply (then the body is discarded and the connection closed); chunk gets the
 * body as it arrives; end runs once the body is complete and must reply; abort runs
 * when the client went away or the server stops before end, and must undo the work. */
struct nm_stream_ops {
	void (*begin)(struct nm_req *r);
	void (*chunk)(struct nm_req *r, const char *data, size_t len);
	void (*end)(struct nm_req *r);
	void (*abort)(struct nm_req *r);
};

/* Who may call a route beyond its role: any key, or only keys not bound to a brand
 * (keys, webhooks and inbound sources are account-wide). */
enum nm_scope { NM_SCOPE_ANY = 0, NM_SCOPE_UNSCOPED };

enum nm_param_type {
	NM_PARAM_STRING,
	NM_PARAM_INTEGER, /* a decimal int64 within [min, max] */
	NM_PARAM_NUMBER,  /* a finite decimal within [min, max] */
	NM_PARAM_BOOLEAN, /* true/false/1/0 */
	NM_PARAM_ENUM,	  /* one of values (case-insensitive); with list, comma-separated */
};

/* A query parameter a route reads. The dispatcher refuses (400 bad-query naming the
 * parameter) any query parameter a route does not declare, a repeated one unless
 * repeatable, and one whose value does not fit type, bounds or length; handlers still
 * give meaning to the value. Arrays of these end with an entry whose name is NULL. */
struct nm_param {
	const char *name;
	enum nm_param_type type;
	const char *const *values; /* NM_PARAM_ENUM: the allowed values, NULL-terminated */
	double min, max;	   /* NM_PARAM_INTEGER/NUMBER: checked when min < max */
	size_t max_len;		   /* 0: no limit beyond the request line's */
	bool list;		   /* a comma-separated list of values */
	bool repeatable;	   /* may be given more than once (any-of) */
	bool required;
	const char *description;
};

/* A request or response header a route reads or sets, for /openapi.json. Arrays end
 * with an entry whose name is NULL. */
struct nm_header {
	const char *name;
	const char *description;
	bool required;
	const char *example;
};

struct nm_route {
	const char *method; /* "GET", "POST", ... */
	/* "/v1/brands/{id}": a placeholder named id or *_id is a positive int64, any
	 * other ({source}) a token of [A-Za-z0-9_.-]. */
	const char *pattern;
	nm_handler handler;
	/* NM_BODY_STREAM: the body callbacks (then handler is NULL). NM_BODY_RAW: only
	 * begin is used, a header-only check run on the first call, before the body is
	 * buffered. */
	const struct nm_stream_ops *stream;
	enum nm_role min_role; /* NM_ROLE_NONE: no API key needed */
	enum nm_scope scope;
	const char *scope_reason; /* NM_SCOPE_UNSCOPED: the 403's detail */
	enum nm_body_kind body;

	/* For /openapi.json, which is generated from this table alone. */
	const char *operation_id; /* camelCase, unique */
	const char *tag;
	const char *summary;
	const char *description; /* may be NULL */
	int success_status;
	const char *request_schema;  /* components.schemas name, or NULL */
	const char *response_schema; /* components.schemas name, or NULL */
	/* The request body's media types (NULL-terminated); NULL: application/json for
	 * JSON bodies. The success reply's media type; NULL: application/json. */
	const char *const *request_media;
	const char *response_media;
	const struct nm_param *query;		  /* NULL: no query parameters */
	const struct nm_header *headers;	  /* request headers beyond Authorization */
	const struct nm_header *response_headers; /* set on the success reply */
	/* Problems the handler itself can answer, beyond those the dispatcher derives
	 * from role, body kind and path (401, 403, 404, 400, 413, 415, 422, 429, 503).
	 * Ends with NM_P_COUNT; NULL: none. */
	const enum nm_problem *problems;
	/* Read-only: served from a read replica when one is configured and healthy (and
	 * has the key's last write; nm/db_replicas.h). */
	bool replica_reads;
};

/* Looks up a route's declared query parameter; NULL when it declares none so named. */
const struct nm_param *nm_route_param(const struct nm_route *rt, const char *name);

/* Whether a route declares the ETag response header. The dispatcher then gives its 200
 * replies a strong ETag (the hash of the reply's bytes, unless the handler set one) and
 * answers a GET or HEAD whose If-None-Match names it with 304 and no body; /openapi.json
 * documents the 304 (docs/api-decisions.md, "Caching and conditional requests"). */
bool nm_route_has_etag(const struct nm_route *rt);

/* ---- request accessors ---- */
const char *nm_req_method(const struct nm_req *r);
const char *nm_req_path(const struct nm_req *r);
const struct nm_route *nm_req_route(const struct nm_req *r);
const char *nm_req_header(struct nm_req *r, const char *name);
const char *nm_req_query(struct nm_req *r, const char *name); /* NULL when absent */
/* Every value of a repeated query parameter, in request order: up to max into out
 * (borrowed from the request); returns how many there are (may exceed max). */
size_t nm_req_query_all(struct nm_req *r, const char *name, const char **out, size_t max);
int64_t nm_req_id_param(const struct nm_req *r, int i);	     /* i-th {id} in the pattern */
const char *nm_req_str_param(const struct nm_req *r, int i); /* i-th {name} */
const struct nm_auth *nm_req_auth(const struct nm_req *r);
const char *nm_req_request_id(const struct nm_req *r);
/* The dashboard session the request was authenticated by (docs/dashboard.md): its id,
 * 0 when it came with a key (or none); its CSRF token into csrf_out (false when none). */
int64_t nm_req_session_id(const struct nm_req *r);
bool nm_req_session_csrf(const struct nm_req *r, char csrf_out[65]);
/* Checks an API key given in a body (sign-in) as the dispatcher checks a bearer key:
 * true with the request's auth set to the key's, else false with the reply set (401
 * charged to the client's failure budget, 429 over it, 503). */
bool nm_req_check_key(struct nm_req *r, const char *key);
json_t *nm_req_json(const struct nm_req *r); /* borrowed; NULL unless NM_BODY_JSON */
const char *nm_req_body(const struct nm_req *r, size_t *len); /* NM_BODY_JSON/RAW */
const struct nm_config *nm_req_config(const struct nm_req *r);
/* Per-request state for streaming handlers; freed by the handler's abort/end. */
void *nm_req_state(const struct nm_req *r);
void nm_req_set_state(struct nm_req *r, void *state);
/* True once a reply was set. */
bool nm_req_replied(const struct nm_req *r);
/* Calls fn for every value of a repeatable query parameter, in request order. */
void nm_req_query_each(struct nm_req *r, const char *name, void (*fn)(const char *value, void *cls),
		       void *cls);
/* In a stream's abort: which deadline cut the slow client ("header", "body",
 * "import_rate"), or NULL when the client left or the server stopped. */
const char *nm_req_cut_reason(const struct nm_req *r);
/* The libmicrohttpd connection, for MHD_create_post_processor (multipart uploads). */
struct MHD_Connection;
struct MHD_Connection *nm_req_mhd_conn(const struct nm_req *r);

/* A pooled database connection for this request, acquired on first call and released
 * when the request ends (rolled back if a transaction is open). On failure the 503
 * reply is already set and NULL is returned: the handler just returns. */
struct nm_pg *nm_req_db(struct nm_req *r);

/* ---- replies (each sets the one reply of the request; a second call is ignored) ---- */
/* Consumes body. status 200/201. */
void nm_reply_json(struct nm_req *r, int status, json_t *body);
void nm_reply_empty(struct nm_req *r, int status); /* 204 and friends */
void nm_reply_text(struct nm_req *r, int status, const char *content_type, char *body,
		   size_t len); /* takes ownership of body (malloc'd) */
/* RFC 9457 reply. detail is printf-formatted; errors (consumed, may be NULL) is the
 * "errors":[{"field","message"}] array. */
void nm_reply_problem(struct nm_req *r, enum nm_problem p, json_t *errors, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A streamed reply (CSV exports): after the handler returns, the body is made by read as
 * the client takes it, in the connection's thread, so memory stays that of one chunk
 * whatever the size; it goes out with chunked transfer encoding (no Content-Length).
 * read fills up to max bytes of buf and returns how many (> 0), 0 at the end, or -1 on a
 * failure: the status line and headers are gone already, so the connection is cut and
 * the client sees a truncated chunked body, never a complete-looking one. done(state)
 * runs exactly once when the request ends, complete or not, and frees state; it must
 * not use the request's database connection, which stays the request's (nm_req_db)
 * until then and is released by the dispatcher (an open transaction rolled back). */
typedef long (*nm_stream_read)(void *state, char *buf, size_t max);
typedef void (*nm_stream_done)(void *state);
void nm_reply_stream(struct nm_req *r, int status, const char *content_type, nm_stream_read read,
		     nm_stream_done done, void *state);

/* Adds a response header to the pending reply (Location, Retry-After, ...). */
void nm_reply_header(struct nm_req *r, const char *name, const char *value);

/* Marks a top-level member of this request's JSON reply as a secret shown once (a new
 * API key, a signing secret): an Idempotency-Key record stores the reply with that
 * member set to null, so the secret is never persisted and a replay does not reveal it.
 * member must be a static string. Call before or after setting the reply. */
void nm_reply_secret(struct nm_req *r, const char *member);

/* The strong ETag (nm/etag.h) that nm_reply_json(r, 200, body) would give its reply:
 * the hash of exactly the bytes it would send. Writes compare it with If-Match inside
 * their transaction, on the locked row's representation. out: NM_ETAG_SIZE bytes; ""
 * when the body cannot be encoded (which no If-Match names). */
void nm_json_etag(const json_t *body, char *out);

/* 412 precondition-failed: the If-Match of the request names none of what's current. */
void nm_reply_precondition_failed(struct nm_req *r, const char *what);

/* A one-field 422: {"field": field, "message": msg}. */
void nm_reply_field_error(struct nm_req *r, const char *field, const char *msg);

int nm_problem_status(enum nm_problem p);

/* ---- pagination helpers (docs/api.md §2 lists) ---- */
/* Reads ?limit (1–200, default 50) and ?cursor. On a bad value replies 400 and returns
 * false. *after_id is 0 without a cursor. */
bool nm_req_page(struct nm_req *r, int *limit, int64_t *after_id);
/* Encodes an opaque cursor for the last id of a page into buf (>= 32 bytes). */
const char *nm_cursor_encode(int64_t last_id, char *buf, size_t n);

/* ---- the route table (src/http/routes.c) ---- */
extern const struct nm_route nm_routes[];
extern const size_t nm_routes_count;

#endif
