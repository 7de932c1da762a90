/* The outbox: events written in the transaction of the change that caused them (see
 * nm/outbox.h); the delivery workers claim them from store/deliveries.c. Also the event
 * log a receiver reads back (GET /v1/events). */
#include "nm/outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "nm/crypto.h"
#include "nm/db.h"
#include "nm/store.h"
#include "nm/taxonomy.h"
#include "nm/webhook_worker.h"

/* One statement: the event row, its fan-out to the endpoints subscribed now (event type
 * and brand filters, docs/webhooks.md "Subscriptions"), and a NOTIFY (delivered at commit)
 * that wakes the delivery workers. The NOTIFY is skipped when nobody subscribed, since a
 * notifying commit takes a global lock. $5: deliver to that endpoint only (webhook.test). */
static struct nm_sql q_emit = {
	"outbox_emit",
	"WITH e AS (INSERT INTO events (msg_id, type, data, brand_id) "
	"VALUES ($1, $2, $3::jsonb, $4::bigint) RETURNING id), "
	"d AS (INSERT INTO webhook_deliveries (event_id, endpoint_id) "
	"SELECT e.id, w.id FROM e, webhook_endpoints w "
	"WHERE w.status <> 'disabled' AND CASE WHEN $5::bigint IS NOT NULL THEN w.id = $5 ELSE "
	"($2 = ANY (w.events) OR '*' = ANY (w.events)) "
	"AND (w.brand_ids IS NULL OR $4::bigint = ANY (w.brand_ids)) END "
	"RETURNING id) "
	"SELECT (SELECT id FROM d LIMIT 1), pg_notify('" NM_WEBHOOK_CHANNEL "', '') "
	"WHERE EXISTS (SELECT 1 FROM d)",
	5, 0};

/* What a CRM needs without calling back (docs/webhooks.md, "Payloads"): the brand's name
 * and external_id; for a status change the creator's contact fields and the latest score
 * and rank for the brand; for a run its top 10. One round trip; NULLs where unknown. */
static struct nm_sql q_enrich = {
	"outbox_enrich",
	"SELECT (SELECT jsonb_build_object('id', b.id, 'name', b.name, 'external_id', "
	"b.external_id) FROM brands b WHERE b.id = $1::bigint), "
	"(SELECT jsonb_build_object('email', c.email, 'profile_url', c.profile_url, "
	"'external_id', c.external_id, 'engagement_rate', c.engagement_rate) "
	"FROM creators c WHERE c.id = $2::bigint), "
	"(SELECT c.followers FROM creators c WHERE c.id = $2::bigint), "
	"(SELECT jsonb_build_object('run_id', r.run_id, 'rank', r.rank, 'score', r.score) "
	"FROM match_results r WHERE $2::bigint IS NOT NULL AND r.creator_id = $2::bigint "
	"AND r.run_id = (SELECT max(id) FROM match_runs WHERE brand_id = $1::bigint)), "
	"(SELECT coalesce(jsonb_agg(t.o ORDER BY t.rank), '[]') FROM ("
	"SELECT r.rank, jsonb_build_object('rank', r.rank, 'score', r.score, 'creator', "
	"jsonb_build_object('id', r.creator_id, 'platform', c.platform, 'handle', c.handle, "
	"'display_name', c.display_name, 'email', c.email, 'profile_url', c.profile_url, "
	"'external_id', c.external_id, 'followers', c.followers)) AS o "
	"FROM match_results r LEFT JOIN creators c ON c.id = r.creator_id "
	"WHERE r.run_id = $3::bigint ORDER BY r.rank LIMIT 10) t WHERE $3::bigint IS NOT NULL)",
	3, 0};

static int64_t int_of(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

/* The brand an event belongs to: the brand itself for brand.*, else data.brand_id. */
static int64_t brand_of(const char *type, const json_t *data)
{
	if (strncmp(type, "brand.", 6) == 0)
		return int_of(data, "id");
	return int_of(data, "brand_id");
}

static json_t *jsonb(const PGresult *res, int col)
{
	return nm_db_isnull(res, 0, col) ? json_null()
					 : json_loads(PQgetvalue(res, 0, col), 0, NULL);
}

/* A copy of data with the fields of q_enrich added; NULL when the database failed (its
 * reason in *err) or memory ran out (NM_DB_ERROR). */
static json_t *enrich(struct nm_pg *pg, const char *type, const json_t *data, int64_t brand_id,
		      struct nm_db_err *err)
{
	json_t *out = json_deep_copy(data);
	if (!out)
		nm_db_err_set(err, NM_DB_ERROR);
	bool status = strcmp(type, "creator.status_changed") == 0;
	bool run = strcmp(type, "match_run.completed") == 0;
	if (!out || !brand_id || strncmp(type, "brand.", 6) == 0)
		return out; /* a brand event's data is the brand, name and external_id included */
	char b[24], c[24], ru[24];
	json_t *creator = json_object_get(out, "creator");
	int64_t creator_id = status ? int_of(creator, "id") : 0;
	const char *p[] = {nm_store_i64(b, brand_id),
			   creator_id ? nm_store_i64(c, creator_id) : NULL,
			   run ? nm_store_i64(ru, int_of(out, "id")) : NULL};
	PGresult *res = nm_db_exec(pg, &q_enrich, p);
	if (!nm_db_ok(res) || PQntuples(res) != 1) {
		nm_db_err_from(err, res);
		if (err->status == NM_DB_OK)
			nm_db_err_set(err, NM_DB_ERROR);
		PQclear(res);
		json_decref(out);
		return NULL;
	}
	json_object_set_new(out, "brand", jsonb(res, 0));
	if (status && json_is_object(creator)) {
		json_t *extra = jsonb(res, 1);
		if (json_is_object(extra))
			json_object_update(creator, extra);
		json_decref(extra);
		if (!nm_db_isnull(res, 0, 2))
			json_object_set_new(
				creator, "tier",
				json_string(nm_tier_name(nm_tier_of(nm_db_i64(res, 0, 2)))));
		json_object_set_new(out, "latest_match", jsonb(res, 3));
	}
	if (run) {
		json_object_set_new(out, "top", jsonb(res, 4));
		char url[96];
		snprintf(url, sizeof url, "/v1/brands/%lld/matches?run_id=%lld",
			 (long long)brand_id, (long long)int_of(out, "id"));
		json_object_set_new(out, "page_url", json_string(url));
	}
	PQclear(res);
	return out;
}

/* The event row and its fan-out; the first delivery's id into *delivery_id when asked.
 * err: the reason of a failure, when not NULL. */
static bool emit(struct nm_pg *pg, const char *type, const json_t *data, int64_t brand_id,
		 int64_t only_endpoint, int64_t *delivery_id, struct nm_db_err *err)
{
	char msg_id[64];
	char *payload = NULL;
	if (!nm_random_token("msg_", 18, msg_id, sizeof msg_id) ||
	    !(payload =
		      json_dumps(data, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15)))) {
		if (err)
			nm_db_err_set(err, NM_DB_ERROR);
		return false;
	}
	char b[24], e[24];
	const char *p[] = {msg_id, type, payload, brand_id ? nm_store_i64(b, brand_id) : NULL,
			   only_endpoint ? nm_store_i64(e, only_endpoint) : NULL};
	PGresult *res = nm_db_exec(pg, &q_emit, p);
	bool ok = nm_db_ok(res);
	if (!ok && err)
		nm_db_err_from(err, res);
	if (ok && delivery_id)
		*delivery_id = PQntuples(res) == 1 ? nm_db_i64(res, 0, 0) : 0;
	PQclear(res);
	free(payload);
	return ok;
}

bool nm_outbox_emit(struct nm_pg *pg, const char *type, const json_t *data, struct nm_db_err *err)
{
	int64_t brand_id = brand_of(type, data);
	json_t *full = enrich(pg, type, data, brand_id, err);
	if (!full)
		return false;
	bool ok = emit(pg, type, full, brand_id, 0, NULL, err);
	json_decref(full);
	return ok;
}

bool nm_outbox_emit_test(struct nm_pg *pg, int64_t endpoint_id, int64_t *delivery_id)
{
	json_t *data = json_pack("{s:I, s:s}", "endpoint_id", (json_int_t)endpoint_id, "message",
				 "A test event sent by POST /v1/webhooks/{id}/test");
	bool ok = data && emit(pg, "webhook.test", data, 0, endpoint_id, delivery_id, NULL);
	json_decref(data);
	return ok;
}

void nm_outbox_import_failed(struct nm_pg *pg, const char *import_id, const char *failure,
			     long long received, long long rejected)
{
	json_t *data = json_pack("{s:I, s:s, s:s?, s:I, s:I}", "id",
				 (json_int_t)strtoll(import_id, NULL, 10), "status", "failed",
				 "failure", failure, "received", (json_int_t)received, "rejected",
				 (json_int_t)rejected);
	/* Autocommit: a lost event is logged by the database layer and not retried; the
	 * import's own row already says it failed. */
	if (data)
		emit(pg, "import.failed", data, 0, 0, NULL, NULL);
	json_decref(data);
}
