/* POST /v1/inbound/{source} (docs/api.md §6): a CRM posts a Standard-Webhooks-signed event.
 * The signature is the authentication, checked on the raw bytes before anything is
 * parsed; the (source, webhook-id) dedupe record is written in the same transaction
 * as the change, so a redelivery is answered but not applied twice, and an event that
 * failed validation leaves no record (a corrected retry applies). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nm/handlers.h"
#include "nm/inbound_apply.h"
#include "nm/json_depth.h"
#include "nm/sign.h"
#include "nm/store.h"
#include "nm/store_inbound.h"
#include "nm/store_inbound_sources.h"
#include "nm/verr.h"

#define TOLERANCE_S 300
#define MSG_ID_MAX  255
#define MAX_DEPTH   32
/* A few signatures during key rotation, not kilobytes of them. */
#define SIG_HEADER_MAX	  1024
#define SOURCE_NAME_MAX	  64
#define SOURCE_NAME_CHARS "abcdefghijklmnopqrstuvwxyz0123456789_-"

/* Compared against when the source is unknown, so that the reply takes as long as for
 * a known one and source names cannot be probed by timing either. */
static const char decoy_secret[] = "whsec_ZGVjb3lkZWNveWRlY295ZGVjb3lkZWNveWRl";

/* The one reply for a signature that does not verify, whether the source exists or
 * not (issue 10 item 7): same status, type, detail and headers, and the same work (an
 * HMAC against a decoy secret) for an unknown source. Only checks that do not depend
 * on the source (header syntax, timestamp freshness, size) may answer differently. */
static void reply_bad_signature(struct nm_req *r)
{
	nm_reply_problem(r, NM_P_BAD_SIGNATURE, NULL, "The signature does not match this source.");
}

/* A webhook-timestamp of 1-19 digits. */
static bool parse_ts(const char *s, long long *out)
{
	size_t n = strspn(s, "0123456789");
	if (n == 0 || n > 18 || s[n])
		return false;
	*out = strtoll(s, NULL, 10);
	return true;
}

/* Whether webhook-signature holds at least one "v1,<base64>" entry and nothing absurd. */
static bool signature_header_ok(const char *sig)
{
	if (strlen(sig) > SIG_HEADER_MAX)
		return false;
	for (const char *p = sig; (p = strstr(p, "v1,")); p += 3)
		if (p == sig || p[-1] == ' ')
			return true;
	return false;
}

/* Header-only checks, run on the first call of the request before any body byte is read
 * or buffered (issue 10 item 5): the source name's syntax, the three signature headers
 * and the timestamp's freshness. None depends on whether the source exists, so a reply
 * here tells nothing about source names; the source itself is looked up only once the
 * body is complete (looking it up here would cost a pooled connection per unauthenticated
 * request and answer unknown names differently from known ones). */
static void inbound_precheck(struct nm_req *r)
{
	const char *name = nm_req_str_param(r, 0);
	size_t nl = name ? strlen(name) : 0;
	if (nl == 0 || nl > SOURCE_NAME_MAX || strspn(name, SOURCE_NAME_CHARS) != nl) {
		reply_bad_signature(r);
		return;
	}
	const char *id = nm_req_header(r, "webhook-id");
	const char *ts = nm_req_header(r, "webhook-timestamp");
	const char *sig = nm_req_header(r, "webhook-signature");
	if (!id || !ts || !sig || !*id || strlen(id) > MSG_ID_MAX || !signature_header_ok(sig)) {
		nm_reply_problem(
			r, NM_P_BAD_SIGNATURE, NULL,
			"Send webhook-id, webhook-timestamp and webhook-signature (v1,<base64>) "
			"headers.");
		return;
	}
	long long t;
	long long now = (long long)time(NULL);
	if (!parse_ts(ts, &t) || t < now - TOLERANCE_S || t > now + TOLERANCE_S)
		nm_reply_problem(r, NM_P_BAD_SIGNATURE, NULL,
				 "webhook-timestamp must be unix seconds within %d seconds of now.",
				 TOLERANCE_S);
}

const struct nm_stream_ops nm_inbound_precheck = {.begin = inbound_precheck};

/* Verifies the three headers against the source's secret. On failure replies 401 and
 * returns false. secret NULL means an unknown source. The headers were checked by
 * inbound_precheck; this runs the same checks again (the time moved on) but answers
 * every failure the same way. */
static bool authentic(struct nm_req *r, const char *secret, const char *body, size_t len)
{
	const char *id = nm_req_header(r, "webhook-id");
	const char *ts = nm_req_header(r, "webhook-timestamp");
	const char *sig = nm_req_header(r, "webhook-signature");
	if (!id || !ts || !sig || !*id || strlen(id) > MSG_ID_MAX) {
		reply_bad_signature(r);
		return false;
	}
	int rc = nm_sign_verify(secret ? secret : decoy_secret, id, ts, sig, body, len,
				(int64_t)time(NULL), TOLERANCE_S);
	if (rc != 0 || !secret) {
		reply_bad_signature(r);
		return false;
	}
	return true;
}

/* Looks the source up by name and authenticates the request: *source_id on success. */
static bool authenticate_source(struct nm_req *r, struct nm_pg *pg, int64_t *source_id)
{
	char *secret = NULL;
	struct nm_db_err err;
	bool known = nm_store_inbound_source_secret(pg, nm_req_str_param(r, 0), source_id, &secret,
						    &err);
	if (!known && err.status != NM_DB_NOT_FOUND) {
		nm_reply_db_err(r, &err);
		return false;
	}
	size_t len;
	const char *body = nm_req_body(r, &len);
	bool ok = authentic(r, known ? secret : NULL, body ? body : "", len);
	nm_store_secret_free(secret);
	return ok;
}

/* The envelope {"type","data"}: NULL after replying 400/422. Caller owns. */
static json_t *parse_envelope(struct nm_req *r, nm_inbound_apply_fn *fn)
{
	size_t len;
	const char *body = nm_req_body(r, &len);
	if (!body || len == 0 || nm_json_depth(body, len, MAX_DEPTH) > MAX_DEPTH) {
		nm_reply_problem(r, NM_P_BAD_JSON, NULL,
				 "The body must be a JSON object nested at most %d levels.",
				 MAX_DEPTH);
		return NULL;
	}
	json_error_t err;
	json_t *in = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err);
	if (!json_is_object(in)) {
		if (in)
			nm_reply_problem(r, NM_P_BAD_JSON, NULL, "The body must be a JSON object.");
		else
			nm_reply_problem(r, NM_P_BAD_JSON, NULL,
					 "Invalid JSON at line %d, column %d: %s.", err.line,
					 err.column, err.text);
		json_decref(in);
		return NULL;
	}
	json_t *errors = json_array(), *v;
	const char *key;
	json_object_foreach(in, key, v)
	{
		/* id/timestamp members that some senders add to the envelope are ignored. */
		if (strcmp(key, "type") && strcmp(key, "data") && strcmp(key, "id") &&
		    strcmp(key, "timestamp") && strcmp(key, "created_at"))
			nm_verr_add(errors, key, "unknown field");
	}
	json_t *type = json_object_get(in, "type");
	*fn = nm_inbound_applier(json_string_value(type));
	if (!type)
		nm_verr_add(errors, "type", "is required");
	else if (!*fn)
		nm_verr_add(errors, "type", "must be one of " NM_INBOUND_TYPES);
	if (!json_is_object(json_object_get(in, "data")))
		nm_verr_add(errors, "data", "is required and must be an object");
	if (json_array_size(errors)) {
		nm_reply_problem(r, NM_P_VALIDATION, errors, "The event has invalid fields.");
		json_decref(in);
		return NULL;
	}
	json_decref(errors);
	return in;
}

/* "handle" → "data.handle": errors in the event's data are named from the body root. */
static void prefix_data(json_t *errors)
{
	size_t i;
	json_t *e;
	json_array_foreach(errors, i, e)
	{
		const char *f = json_string_value(json_object_get(e, "field"));
		char buf[256];
		snprintf(buf, sizeof buf, "data%s%s", f ? "." : "", f ? f : "");
		json_object_set_new(e, "field", json_string(buf));
	}
}

/* The dedupe record and the change: the body of nm_tx_run. */
struct inbound_tx {
	int64_t source_id;
	const char *source, *msg_id, *type;
	const json_t *data;
	nm_inbound_apply_fn fn;
	bool duplicate;
	json_t *errors; /* the event's field errors, when it is invalid */
	json_t *result;
};

static bool inbound_tx(struct nm_pg *pg, void *cls, struct nm_db_err *err)
{
	struct inbound_tx *t = cls;
	json_decref(t->result);
	json_decref(t->errors);
	t->result = NULL;
	t->errors = json_array();
	bool fresh;
	if (!nm_store_inbound_dedupe(pg, t->source_id, t->msg_id, t->type, &fresh, err))
		return false;
	t->duplicate = !fresh;
	if (t->duplicate)
		return false; /* err NM_DB_OK: roll back, answer "duplicate" */
	t->result = t->fn(pg, t->source, t->data, t->errors, err);
	return t->result != NULL;
}

/* Dedupe record + the change, one transaction, SERIALIZABLE: a creator.status event
 * reports the status it replaced, as PUT .../status does. Replies. */
static void apply(struct nm_req *r, struct nm_pg *pg, int64_t source_id, json_t *in,
		  nm_inbound_apply_fn fn)
{
	struct inbound_tx t = {.source_id = source_id,
			       .source = nm_req_str_param(r, 0),
			       .msg_id = nm_req_header(r, "webhook-id"),
			       .type = json_string_value(json_object_get(in, "type")),
			       .data = json_object_get(in, "data"),
			       .fn = fn};
	struct nm_db_err err;
	if (nm_tx_run(pg, NM_TX_SERIALIZABLE, inbound_tx, &t, &err)) {
		nm_reply_json(r, 200,
			      json_pack("{s:s, s:s, s:o}", "status", "applied", "type", t.type,
					"result", t.result));
		t.result = NULL;
	} else if (err.status != NM_DB_OK) {
		nm_reply_db_err(r, &err);
	} else if (t.duplicate) {
		nm_reply_json(r, 200,
			      json_pack("{s:s, s:s}", "status", "duplicate", "type", t.type));
	} else {
		prefix_data(t.errors);
		nm_reply_problem(r, NM_P_VALIDATION, t.errors,
				 "The %s event has %zu invalid field(s).", t.type,
				 json_array_size(t.errors));
		t.errors = NULL;
	}
	json_decref(t.result);
	json_decref(t.errors);
}

/* POST /v1/inbound/{source} → 200 {"status":"applied"|"duplicate", ...} */
void nm_h_inbound_receive(struct nm_req *r)
{
	struct nm_pg *pg = nm_req_db(r);
	int64_t source_id;
	if (!pg || !authenticate_source(r, pg, &source_id))
		return;
	nm_inbound_apply_fn fn = NULL;
	json_t *in = parse_envelope(r, &fn);
	if (!in)
		return;
	apply(r, pg, source_id, in, fn);
	json_decref(in);
}
