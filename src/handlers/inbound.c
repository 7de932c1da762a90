/* POST /v1/inbound/{source} (docs/api.md §6): a CRM posts a signed event, or a batch of up
 * to 100. The source's scheme says how the request is authenticated: Standard Webhooks
 * headers, HubSpot's X-HubSpot-Signature-v3, or a static bearer token; it is checked on the
 * raw bytes before anything is parsed. The (source, webhook-id) dedupe record is written in
 * the same transaction as the change, so a redelivery is answered but not applied twice,
 * and an event that failed validation leaves no dedupe record (a corrected retry applies).
 * Every authenticated event's outcome goes to the source's log. */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nm/buf.h"
#include "nm/crypto.h"
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
#define BATCH_MAX	  100
#define HUBSPOT_SIG_MAX	  256
#define BEARER_MAX	  512

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
	long long t;
	long long now = (long long)time(NULL);
	const char *hs = nm_req_header(r, "X-HubSpot-Signature-v3");
	if (hs) {
		const char *hts = nm_req_header(r, "X-HubSpot-Request-Timestamp");
		if (!hts || strlen(hs) > HUBSPOT_SIG_MAX || !parse_ts(hts, &t) ||
		    t / 1000 < now - TOLERANCE_S || t / 1000 > now + TOLERANCE_S)
			nm_reply_problem(r, NM_P_BAD_SIGNATURE, NULL,
					 "X-HubSpot-Request-Timestamp must be unix milliseconds "
					 "within %d seconds of now.",
					 TOLERANCE_S);
		return;
	}
	const char *auth = nm_req_header(r, "Authorization");
	if (auth && !nm_req_header(r, "webhook-signature")) {
		if (strncmp(auth, "Bearer ", 7) != 0 || strlen(auth) > BEARER_MAX)
			nm_reply_problem(r, NM_P_BAD_SIGNATURE, NULL,
					 "Send the source token as Authorization: Bearer <token>.");
		return;
	}
	const char *id = nm_req_header(r, "webhook-id");
	const char *ts = nm_req_header(r, "webhook-timestamp");
	const char *sig = nm_req_header(r, "webhook-signature");
	if (!id || !ts || !sig || !*id || strlen(id) > MSG_ID_MAX || !signature_header_ok(sig)) {
		nm_reply_problem(
			r, NM_P_BAD_SIGNATURE, NULL,
			"Send webhook-id, webhook-timestamp and webhook-signature (v1,<base64>) "
			"headers, X-HubSpot-Signature-v3 and X-HubSpot-Request-Timestamp, or "
			"Authorization: Bearer <token>, as the source's scheme says.");
		return;
	}
	if (!parse_ts(ts, &t) || t < now - TOLERANCE_S || t > now + TOLERANCE_S)
		nm_reply_problem(r, NM_P_BAD_SIGNATURE, NULL,
				 "webhook-timestamp must be unix seconds within %d seconds of now.",
				 TOLERANCE_S);
}

const struct nm_stream_ops nm_inbound_precheck = {.begin = inbound_precheck};

/* Verifies the three Standard Webhooks headers against secret (a decoy when the source is
 * unknown, so that the work is the same). */
static bool standard_ok(struct nm_req *r, const char *secret, const char *body, size_t len)
{
	const char *id = nm_req_header(r, "webhook-id");
	const char *ts = nm_req_header(r, "webhook-timestamp");
	const char *sig = nm_req_header(r, "webhook-signature");
	if (!id || !ts || !sig || !*id || strlen(id) > MSG_ID_MAX)
		return false;
	return nm_sign_verify(secret, id, ts, sig, body, len, (int64_t)time(NULL), TOLERANCE_S) ==
	       0;
}

/* HubSpot's v3 recipe: base64(HMAC-SHA256(client secret, method + URI + body +
 * timestamp)), the URI being the full URL HubSpot posted to. Behind a proxy the scheme is
 * not known here, so https and http are both tried (same secret, same host and path). */
static bool hubspot_ok(struct nm_req *r, const char *secret, const char *body, size_t len)
{
	const char *sig = nm_req_header(r, "X-HubSpot-Signature-v3");
	const char *ts = nm_req_header(r, "X-HubSpot-Request-Timestamp");
	const char *host = nm_req_header(r, "Host");
	long long t;
	long long now = (long long)time(NULL);
	if (!sig || !ts || !host || !parse_ts(ts, &t) || t / 1000 < now - TOLERANCE_S ||
	    t / 1000 > now + TOLERANCE_S)
		return false;
	bool ok = false;
	static const char *const schemes[] = {"https://", "http://"};
	for (int k = 0; k < 2; k++) {
		unsigned char mac[EVP_MAX_MD_SIZE];
		unsigned int maclen = 0;
		struct nm_buf b = {0};
		nm_buf_printf(&b, "%s%s%s%s", nm_req_method(r), schemes[k], host, nm_req_path(r));
		nm_buf_add(&b, body, len);
		nm_buf_str(&b, ts);
		size_t n;
		char *msg = nm_buf_steal(&b, &n);
		if (!msg)
			return false;
		HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)msg, n, mac,
		     &maclen);
		free(msg);
		char want[96];
		nm_b64_encode(mac, maclen,
			      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
			      true, want);
		ok |= nm_ct_equal(want, strlen(want), sig, strlen(sig));
	}
	return ok;
}

static bool bearer_ok(struct nm_req *r, const char *secret)
{
	const char *auth = nm_req_header(r, "Authorization");
	if (!auth || strncmp(auth, "Bearer ", 7) != 0)
		return false;
	return nm_ct_equal(auth + 7, strlen(auth + 7), secret, strlen(secret));
}

/* Looks the source up by name and authenticates the request by its scheme: *a on success
 * (the caller frees a->secret and a->field_map). Every failure, an unknown source
 * included, is the same 401 after the same kind of work. */
static bool authenticate_source(struct nm_req *r, struct nm_pg *pg,
				struct nm_inbound_source_auth *a)
{
	struct nm_db_err err;
	bool known = nm_store_inbound_source_auth(pg, nm_req_str_param(r, 0), a, &err);
	if (!known && err.status != NM_DB_NOT_FOUND) {
		nm_reply_db_err(r, &err);
		return false;
	}
	size_t len;
	const char *body = nm_req_body(r, &len);
	body = body ? body : "";
	const char *secret = known ? a->secret : decoy_secret;
	const char *scheme = known ? a->scheme : "standard";
	bool ok;
	if (nm_req_header(r, "X-HubSpot-Signature-v3"))
		ok = hubspot_ok(r, secret, body, len) && strcmp(scheme, "hubspot_v3") == 0;
	else if (nm_req_header(r, "webhook-signature"))
		ok = standard_ok(r, secret, body, len) && strcmp(scheme, "standard") == 0;
	else
		ok = bearer_ok(r, secret) && strcmp(scheme, "bearer") == 0;
	if (!ok || !known) {
		nm_store_secret_free(a->secret);
		json_decref(a->field_map);
		memset(a, 0, sizeof *a);
		reply_bad_signature(r);
		return false;
	}
	return true;
}

/* The dedupe id of the request: webhook-id when sent (standard; optional with bearer), else
 * one derived from what the sender signed or sent, so a byte-identical redelivery dedupes. */
static void request_msg_id(struct nm_req *r, char out[MSG_ID_MAX + 1])
{
	const char *id = nm_req_header(r, "webhook-id");
	if (id && *id && strlen(id) <= MSG_ID_MAX) {
		snprintf(out, MSG_ID_MAX + 1, "%s", id);
		return;
	}
	size_t len;
	const char *body = nm_req_body(r, &len);
	char hex[65];
	nm_sha256_hex(body ? body : "", body ? len : 0, hex);
	const char *ts = nm_req_header(r, "X-HubSpot-Request-Timestamp");
	if (ts)
		snprintf(out, MSG_ID_MAX + 1, "hubspot-%s-%.32s", ts, hex);
	else
		snprintf(out, MSG_ID_MAX + 1, "sha256-%s", hex);
}

/* The envelope {"type","data"} of one event: *fn and true, or false with errors added
 * (fields named from the envelope's root). */
static bool check_envelope(const json_t *in, nm_inbound_apply_fn *fn, json_t *errors)
{
	if (!json_is_object(in)) {
		nm_verr_add(errors, "", "an event must be a JSON object {\"type\",\"data\"}");
		return false;
	}
	json_t *v;
	const char *key;
	json_object_foreach((json_t *)in, key, v)
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
	return json_array_size(errors) == 0;
}

/* The body: an event object or an array of 1 to BATCH_MAX of them. NULL after replying 400
 * (and logging the rejection). Caller owns. */
static json_t *parse_body(struct nm_req *r, struct nm_pg *pg, int64_t source_id, const char *msg_id)
{
	size_t len;
	const char *body = nm_req_body(r, &len);
	json_error_t err;
	json_t *in = NULL;
	char why[256] = "";
	if (!body || len == 0 || nm_json_depth(body, len, MAX_DEPTH) > MAX_DEPTH)
		snprintf(why, sizeof why,
			 "The body must be a JSON object or array nested at most %d levels.",
			 MAX_DEPTH);
	else if (!(in = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err)))
		snprintf(why, sizeof why, "Invalid JSON at line %d, column %d: %s.", err.line,
			 err.column, err.text);
	else if (!json_is_object(in) && !json_is_array(in))
		snprintf(why, sizeof why, "The body must be a JSON object or an array of them.");
	else if (json_is_array(in) && (json_array_size(in) < 1 || json_array_size(in) > BATCH_MAX))
		snprintf(why, sizeof why, "A batch holds 1 to %d events.", BATCH_MAX);
	if (!why[0])
		return in;
	json_decref(in);
	json_t *errors = json_pack("[{s:s}]", "message", why);
	nm_store_inbound_log(pg, source_id, msg_id, NULL, "rejected", errors);
	json_decref(errors);
	nm_reply_problem(r, NM_P_BAD_JSON, NULL, "%s", why);
	return NULL;
}

/* "handle" → "<prefix>.handle": errors in an event are named from the body root. */
static void prefix_fields(json_t *errors, const char *prefix)
{
	size_t i;
	json_t *e;
	json_array_foreach(errors, i, e)
	{
		const char *f = json_string_value(json_object_get(e, "field"));
		char buf[256];
		snprintf(buf, sizeof buf, "%s%s%s", prefix, *prefix && f && *f ? "." : "",
			 f ? f : "");
		json_object_set_new(e, "field", json_string(buf));
	}
}

/* data with the source's field map applied: {"their":"ours"} renames member their to ours
 * (a member already named ours is replaced). Caller owns. */
static json_t *mapped(const json_t *data, const json_t *map)
{
	json_t *out = json_deep_copy(data);
	const char *from;
	json_t *to;
	json_object_foreach((json_t *)map, from, to)
	{
		json_t *v = json_object_get(out, from);
		if (!v || !json_is_string(to) || strcmp(from, json_string_value(to)) == 0)
			continue;
		json_object_set(out, json_string_value(to), v);
		json_object_del(out, from);
	}
	return out;
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

/* One event's outcome. */
struct outcome {
	const char *status; /* applied | duplicate | rejected; NULL: database failure (err) */
	const char *type;
	json_t *result; /* applied */
	json_t *errors; /* rejected, fields named from prefix */
	struct nm_db_err err;
};

/* Validates and applies one envelope (dedupe record + the change, one transaction,
 * SERIALIZABLE: a creator.status event reports the status it replaced, as PUT .../status
 * does) and logs the outcome. prefix names fields in errors ("" or "[3]"). */
static void process(struct nm_req *r, struct nm_pg *pg, const struct nm_inbound_source_auth *a,
		    const char *msg_id, const json_t *in, const char *prefix, struct outcome *o)
{
	memset(o, 0, sizeof *o);
	nm_inbound_apply_fn fn = NULL;
	json_t *errors = json_array();
	o->type = json_string_value(json_object_get(in, "type"));
	if (!check_envelope(in, &fn, errors)) {
		prefix_fields(errors, prefix);
		o->status = "rejected";
		o->errors = errors;
		nm_store_inbound_log(pg, a->id, msg_id, o->type, o->status, errors);
		return;
	}
	json_decref(errors);
	json_t *data = a->field_map ? mapped(json_object_get(in, "data"), a->field_map)
				    : json_incref(json_object_get(in, "data"));
	struct inbound_tx t = {.source_id = a->id,
			       .source = nm_req_str_param(r, 0),
			       .msg_id = msg_id,
			       .type = o->type,
			       .data = data,
			       .fn = fn};
	if (nm_tx_run(pg, NM_TX_SERIALIZABLE, inbound_tx, &t, &o->err)) {
		o->status = "applied";
		o->result = t.result;
		t.result = NULL;
	} else if (o->err.status != NM_DB_OK) {
		o->status = NULL;
	} else if (t.duplicate) {
		o->status = "duplicate";
	} else {
		char p[32];
		snprintf(p, sizeof p, "%s%sdata", prefix, *prefix ? "." : "");
		prefix_fields(t.errors, p);
		o->status = "rejected";
		o->errors = t.errors;
		t.errors = NULL;
	}
	if (o->status)
		nm_store_inbound_log(pg, a->id, msg_id, o->type, o->status, o->errors);
	json_decref(data);
	json_decref(t.result);
	json_decref(t.errors);
}

/* A single event: 200 applied/duplicate, 422 rejected, or the database failure. */
static void reply_single(struct nm_req *r, struct outcome *o)
{
	if (!o->status) {
		nm_reply_db_err(r, &o->err);
	} else if (strcmp(o->status, "applied") == 0) {
		nm_reply_json(r, 200,
			      json_pack("{s:s, s:s, s:O}", "status", "applied", "type", o->type,
					"result", o->result));
	} else if (strcmp(o->status, "duplicate") == 0) {
		nm_reply_json(r, 200,
			      json_pack("{s:s, s:s}", "status", "duplicate", "type", o->type));
	} else {
		nm_reply_problem(r, NM_P_VALIDATION, json_incref(o->errors),
				 "The %s event has %zu invalid field(s).",
				 o->type ? o->type : "inbound", json_array_size(o->errors));
	}
}

/* A batch: each event applied or rejected on its own (its dedupe id is the request's plus
 * "#<index>"), 200 with one result per item. A database failure stops the batch there:
 * the reply is that failure and the sender retries the whole batch (items already applied
 * answer duplicate). */
static void run_batch(struct nm_req *r, struct nm_pg *pg, const struct nm_inbound_source_auth *a,
		      const char *msg_id, const json_t *in)
{
	json_t *results = json_array();
	size_t counts[3] = {0, 0, 0};
	for (size_t i = 0; i < json_array_size(in); i++) {
		char id[MSG_ID_MAX + 16], prefix[24];
		snprintf(id, sizeof id, "%s#%d", msg_id, (int)i);
		snprintf(prefix, sizeof prefix, "[%d]", (int)i);
		struct outcome o;
		process(r, pg, a, id, json_array_get(in, i), prefix, &o);
		if (!o.status) {
			nm_reply_db_err(r, &o.err);
			json_decref(results);
			json_decref(o.errors);
			return;
		}
		json_t *item = json_pack("{s:I, s:s, s:s?}", "index", (json_int_t)i, "status",
					 o.status, "type", o.type);
		if (o.result)
			json_object_set_new(item, "result", o.result);
		if (o.errors)
			json_object_set_new(item, "errors", o.errors);
		json_array_append_new(results, item);
		counts[strcmp(o.status, "applied") == 0	    ? 0
		       : strcmp(o.status, "duplicate") == 0 ? 1
							    : 2]++;
	}
	nm_reply_json(r, 200,
		      json_pack("{s:s, s:I, s:I, s:I, s:o}", "status", "batch", "applied",
				(json_int_t)counts[0], "duplicate", (json_int_t)counts[1],
				"rejected", (json_int_t)counts[2], "results", results));
}

/* POST /v1/inbound/{source} → 200 {"status":"applied"|"duplicate", ...}, or for a batch
 * 200 {"status":"batch","results":[...]} */
void nm_h_inbound_receive(struct nm_req *r)
{
	struct nm_pg *pg = nm_req_db(r);
	struct nm_inbound_source_auth a;
	if (!pg || !authenticate_source(r, pg, &a))
		return;
	char msg_id[MSG_ID_MAX + 1];
	request_msg_id(r, msg_id);
	json_t *in = parse_body(r, pg, a.id, msg_id);
	if (in && json_is_array(in)) {
		run_batch(r, pg, &a, msg_id, in);
	} else if (in) {
		struct outcome o;
		process(r, pg, &a, msg_id, in, "", &o);
		reply_single(r, &o);
		json_decref(o.result);
		json_decref(o.errors);
	}
	json_decref(in);
	nm_store_secret_free(a.secret);
	json_decref(a.field_map);
}
