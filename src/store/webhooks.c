/* Webhook endpoint rows (see nm/store_webhooks.h). */
#include "nm/store_webhooks.h"

#include <libpq-fe.h>
#include <stdlib.h>

#include "internal.h"
#include "nm/db.h"
#include "nm/secretbox.h"
#include "nm/store.h"
#include "nm/webhook_worker.h"

#define ENDPOINT_COLS                                                                              \
	"id, url, array_to_json(events), description, status, " NM_SQL_TS(                         \
		"created_at") ", " NM_SQL_TS("updated_at") ", array_to_json(brand_ids), "          \
							   "CASE WHEN previous_secret_until > "    \
							   "now() THEN " NM_SQL_TS(                \
								   "previous_secret_until") " END"
/* $N: a brand-scoped key's brand (0: unscoped, every endpoint). Such a key sees only the
 * endpoints pinned to its brand alone. */
#define SCOPED(n) "($" n "::bigint = 0 OR brand_ids = ARRAY[$" n "::bigint])"

static struct nm_sql q_insert = {
	"webhooks_insert",
	"INSERT INTO webhook_endpoints (url, events, description, secret, brand_ids) "
	"VALUES ($1, ARRAY(SELECT json_array_elements_text($2::json)), $3, $4, "
	"CASE WHEN $5::json IS NULL THEN NULL ELSE "
	"ARRAY(SELECT json_array_elements_text($5::json)::bigint) END) "
	"RETURNING " ENDPOINT_COLS,
	5, 0};
static struct nm_sql q_get = {
	"webhooks_get", "SELECT " ENDPOINT_COLS " FROM webhook_endpoints WHERE id = $1", 1, 0};
static struct nm_sql q_get_for_update = {
	"webhooks_get_for_update",
	"SELECT " ENDPOINT_COLS " FROM webhook_endpoints WHERE id = $1 FOR UPDATE", 1, 0};
static struct nm_sql q_list = {
	"webhooks_list",
	"SELECT " ENDPOINT_COLS
	" FROM webhook_endpoints WHERE id > $1 AND " SCOPED("3") " ORDER BY id LIMIT $2",
	3, 0};
static struct nm_sql q_update = {
	"webhooks_update",
	"UPDATE webhook_endpoints SET url = $2, events = ARRAY(SELECT "
	"json_array_elements_text($3::json)), "
	"description = $4, status = $5, brand_ids = CASE WHEN $6::json IS NULL THEN NULL ELSE "
	"ARRAY(SELECT json_array_elements_text($6::json)::bigint) END, updated_at = now() "
	"WHERE id = $1 RETURNING " ENDPOINT_COLS,
	6, 0};
static struct nm_sql q_delete = {"webhooks_delete",
				 "DELETE FROM webhook_endpoints WHERE id = $1 RETURNING id", 1, 0};
static struct nm_sql q_attempts = {
	"webhooks_attempts",
	"SELECT a.id, a.delivery_id, e.msg_id, e.type, a.attempt, a.http_status, a.error, "
	"a.latency_ms, a.response_snippet, " NM_SQL_TS(
		"a.created_at") ", d.state "
				"FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = "
				"a.delivery_id "
				"JOIN events e ON e.id = d.event_id "
				"WHERE a.endpoint_id = $1 AND ($2::bigint = 0 OR a.id < $2) ORDER "
				"BY a.id DESC LIMIT $3",
	3, 0};
/* Due now, same event (same webhook-id); the NOTIFY wakes a worker at commit. */
static struct nm_sql q_retry = {
	"webhooks_retry",
	"WITH d AS (UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = now() "
	"WHERE id = $2 AND endpoint_id = $1 RETURNING id, event_id, attempts, next_attempt_at) "
	"SELECT d.id, e.msg_id, e.type, d.attempts, " NM_SQL_TS(
		"d.next_attempt_at") ", "
				     "pg_notify('" NM_WEBHOOK_CHANNEL
				     "', '') FROM d JOIN events e ON e.id = d.event_id",
	2, 0};

static json_t *endpoint_row(const PGresult *res, int i)
{
	json_t *events = json_loads(PQgetvalue(res, i, 2), 0, NULL);
	json_t *brands =
		nm_db_isnull(res, i, 7) ? json_null() : json_loads(PQgetvalue(res, i, 7), 0, NULL);
	return json_pack("{s:I, s:s, s:o, s:o, s:s?, s:s, s:s, s:s, s:s?}", "id",
			 (json_int_t)nm_db_i64(res, i, 0), "url", PQgetvalue(res, i, 1), "events",
			 events ? events : json_array(), "brand_ids", brands ? brands : json_null(),
			 "description", nm_db_str(res, i, 3), "status", PQgetvalue(res, i, 4),
			 "created_at", PQgetvalue(res, i, 5), "updated_at", PQgetvalue(res, i, 6),
			 "previous_secret_expires_at", nm_db_str(res, i, 8));
}

static json_t *one_endpoint(struct nm_pg *pg, struct nm_sql *q, const char *const *p,
			    struct nm_db_err *err)
{
	return nm_store_one(pg, q, p, endpoint_row, err);
}

json_t *nm_store_webhook_create(struct nm_pg *pg, const struct nm_webhook_fields *f,
				const char *secret, struct nm_db_err *err)
{
	char *events = json_dumps(f->events, JSON_COMPACT);
	if (!events) {
		nm_db_err_set(err, NM_DB_ERROR);
		return NULL;
	}
	char *stored = nm_secretbox_seal(secret);
	if (!stored) {
		free(events);
		nm_db_err_set(err, NM_DB_ERROR);
		return NULL;
	}
	char *brands = f->brand_ids ? json_dumps(f->brand_ids, JSON_COMPACT) : NULL;
	const char *p[] = {f->url, events, f->description, stored, brands};
	json_t *row = (!f->brand_ids || brands) ? one_endpoint(pg, &q_insert, p, err) : NULL;
	if (f->brand_ids && !brands)
		nm_db_err_set(err, NM_DB_ERROR);
	nm_secretbox_free(stored);
	free(events);
	free(brands);
	return row;
}

json_t *nm_store_webhook_get(struct nm_pg *pg, int64_t id, bool for_update, struct nm_db_err *err)
{
	char b[24];
	const char *p[] = {nm_store_i64(b, id)};
	return one_endpoint(pg, for_update ? &q_get_for_update : &q_get, p, err);
}

bool nm_store_webhooks_list(struct nm_pg *pg, const struct nm_page_req *pr, int64_t scope,
			    struct nm_page *out, struct nm_db_err *err)
{
	char a[24], l[24], sc[24];
	const char *p[] = {nm_store_i64(a, pr->after), nm_store_i64(l, pr->limit + 1),
			   nm_store_i64(sc, scope)};
	return nm_store_list(pg, &q_list, p, pr->limit, 0, endpoint_row, out, err);
}

json_t *nm_store_webhook_update(struct nm_pg *pg, int64_t id, const struct nm_webhook_fields *f,
				struct nm_db_err *err)
{
	char *events = json_dumps(f->events, JSON_COMPACT);
	if (!events) {
		nm_db_err_set(err, NM_DB_ERROR);
		return NULL;
	}
	char b[24];
	char *brands = f->brand_ids ? json_dumps(f->brand_ids, JSON_COMPACT) : NULL;
	const char *p[] = {nm_store_i64(b, id), f->url, events, f->description, f->status, brands};
	json_t *row = (!f->brand_ids || brands) ? one_endpoint(pg, &q_update, p, err) : NULL;
	if (f->brand_ids && !brands)
		nm_db_err_set(err, NM_DB_ERROR);
	free(events);
	free(brands);
	return row;
}

bool nm_store_webhook_delete(struct nm_pg *pg, int64_t id, struct nm_db_err *err)
{
	return nm_store_found_id(pg, &q_delete, id, err);
}

static json_t *attempt_row(const PGresult *res, int i)
{
	json_t *o = json_pack(
		"{s:I, s:I, s:s, s:s, s:i, s:s?, s:s}", "id", (json_int_t)nm_db_i64(res, i, 0),
		"delivery_id", (json_int_t)nm_db_i64(res, i, 1), "event_id", PQgetvalue(res, i, 2),
		"event_type", PQgetvalue(res, i, 3), "attempt", (int)nm_db_i64(res, i, 4), "error",
		nm_db_str(res, i, 6), "created_at", PQgetvalue(res, i, 9));
	json_object_set_new(o, "http_status",
			    nm_db_isnull(res, i, 5) ? json_null()
						    : json_integer(nm_db_i64(res, i, 5)));
	json_object_set_new(o, "latency_ms",
			    nm_db_isnull(res, i, 7) ? json_null()
						    : json_real(atof(PQgetvalue(res, i, 7))));
	json_object_set_new(o, "response",
			    nm_db_isnull(res, i, 8) ? json_null()
						    : json_string(PQgetvalue(res, i, 8)));
	json_object_set_new(o, "delivery_state", json_string(PQgetvalue(res, i, 10)));
	return o;
}

bool nm_store_webhook_attempts(struct nm_pg *pg, int64_t id, const struct nm_page_req *pr,
			       struct nm_page *out, struct nm_db_err *err)
{
	char b[24], a[24], l[24];
	const char *p[] = {nm_store_i64(b, id), nm_store_i64(a, pr->after),
			   nm_store_i64(l, pr->limit + 1)};
	return nm_store_list(pg, &q_attempts, p, pr->limit, 0, attempt_row, out, err);
}

json_t *nm_store_webhook_retry(struct nm_pg *pg, int64_t id, int64_t delivery_id,
			       struct nm_db_err *err)
{
	char b[24], d[24];
	const char *p[] = {nm_store_i64(b, id), nm_store_i64(d, delivery_id)};
	PGresult *res = nm_store_row(pg, &q_retry, p, err);
	if (!res)
		return NULL;
	json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:s, s:i, s:s}", "id",
			      (json_int_t)nm_db_i64(res, 0, 0), "endpoint_id", (json_int_t)id,
			      "event_id", PQgetvalue(res, 0, 1), "event_type",
			      PQgetvalue(res, 0, 2), "state", "pending", "attempts",
			      (int)nm_db_i64(res, 0, 3), "next_attempt_at", PQgetvalue(res, 0, 4));
	PQclear(res);
	return o;
}

/* The new secret signs from now on; the old one (still sealed) signs next to it until
 * $3 seconds from now. A rotation during an overlap drops the older secret. */
static struct nm_sql q_rotate = {
	"webhooks_rotate",
	"UPDATE webhook_endpoints SET previous_secret = CASE WHEN $3::int > 0 THEN secret END, "
	"previous_secret_until = CASE WHEN $3::int > 0 THEN now() + make_interval(secs => $3::int) "
	"END, secret = $2, updated_at = now() WHERE id = $1 RETURNING " ENDPOINT_COLS,
	3, 0};

json_t *nm_store_webhook_rotate(struct nm_pg *pg, int64_t id, const char *secret, int overlap_s,
				struct nm_db_err *err)
{
	char *stored = nm_secretbox_seal(secret);
	if (!stored) {
		nm_db_err_set(err, NM_DB_ERROR);
		return NULL;
	}
	char b[24], o[24];
	const char *p[] = {nm_store_i64(b, id), stored, nm_store_i64(o, overlap_s)};
	json_t *row = one_endpoint(pg, &q_rotate, p, err);
	nm_secretbox_free(stored);
	return row;
}

/* Every delivery of the endpoint whose event is at least $2 old-enough and whose state
 * matches $3 (any state when NULL) is pending and due now again, same webhook-id. */
static struct nm_sql q_replay = {
	"webhooks_replay",
	"WITH d AS (UPDATE webhook_deliveries d SET state = 'pending', next_attempt_at = now() "
	"FROM events e WHERE e.id = d.event_id AND d.endpoint_id = $1 "
	"AND e.created_at >= $2::timestamptz AND ($3::text IS NULL OR d.state = $3) "
	"RETURNING 1) "
	"SELECT (SELECT count(*) FROM d), pg_notify('" NM_WEBHOOK_CHANNEL "', '')",
	3, 0};

bool nm_store_webhook_replay(struct nm_pg *pg, int64_t id, const char *since, const char *state,
			     long long *n, struct nm_db_err *err)
{
	char b[24];
	const char *p[] = {nm_store_i64(b, id), since, state};
	PGresult *res = nm_store_row(pg, &q_replay, p, err);
	if (!res)
		return false;
	*n = nm_db_i64(res, 0, 0);
	PQclear(res);
	return true;
}

/* The event log: events still retained, oldest first from a sequence number. */
static struct nm_sql q_events = {
	"events_list",
	"SELECT id, msg_id, type, " NM_SQL_TS(
		"created_at") ", data::text FROM events "
			      "WHERE id > $1 AND ($3::bigint = 0 OR brand_id = $3) AND ($4::text "
			      "IS NULL OR type = $4) "
			      "ORDER BY id LIMIT $2",
	4, 0};

static json_t *event_row(const PGresult *res, int i)
{
	json_t *data = json_loads(PQgetvalue(res, i, 4), JSON_DECODE_ANY, NULL);
	return json_pack("{s:I, s:s, s:s, s:s, s:o}", "seq", (json_int_t)nm_db_i64(res, i, 0), "id",
			 PQgetvalue(res, i, 1), "type", PQgetvalue(res, i, 2), "created_at",
			 PQgetvalue(res, i, 3), "data", data ? data : json_null());
}

bool nm_store_events_list(struct nm_pg *pg, const struct nm_page_req *pr, int64_t brand_id,
			  const char *type, struct nm_page *out, struct nm_db_err *err)
{
	char a[24], l[24], b[24];
	const char *p[] = {nm_store_i64(a, pr->after), nm_store_i64(l, pr->limit + 1),
			   nm_store_i64(b, brand_id), type};
	return nm_store_list(pg, &q_events, p, pr->limit, 0, event_row, out, err);
}
