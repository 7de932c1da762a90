/* Pipeline status rows and their creator.status_changed events (see
 * nm/store_statuses.h). */
#include "nm/store_statuses.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "nm/buf.h"
#include "nm/outbox.h"
#include "nm/store.h"
#include "nm/verr.h"

/* The SELECT list nm_status_row_json reads (creator_statuses s JOIN creators c). */
#define NM_STATUS_COLS                                                                             \
	"s.brand_id, s.creator_id, s.status, s.note, " NM_SQL_TS("s.created_at") ", " NM_SQL_TS(   \
		"s.updated_at") ", c.platform, c.handle, c.display_name, c.followers"

static json_t *nm_status_row_json(const PGresult *res, int i);

static const char *const statuses[] = {"shortlisted", "contacted", "accepted", "declined",
				       "excluded"};

bool nm_status_valid(const char *s)
{
	for (size_t i = 0; i < sizeof statuses / sizeof *statuses; i++)
		if (s && strcmp(s, statuses[i]) == 0)
			return true;
	return false;
}

bool nm_status_member(const char *key, const json_t *v, const char **status, const char **note,
		      json_t *errors)
{
	if (strcmp(key, "status") == 0) {
		*status = json_string_value(v);
		if (!nm_status_valid(*status))
			nm_verr_add(errors, "status", "must be one of " NM_STATUS_VALUES);
		return true;
	}
	if (strcmp(key, "note") == 0) {
		if (json_is_string(v) && json_string_length(v) <= 2000)
			*note = json_string_value(v);
		else if (!json_is_null(v))
			nm_verr_add(errors, "note", "must be a string of at most 2000 characters");
		return true;
	}
	return false;
}

/* Who changed a status, for the history: the key's name is read in the statement. */
#define HISTORY_WHO "$5::bigint, (SELECT name FROM api_keys WHERE id = $5::bigint), $6"

/* The previous status comes back too, so that an unchanged status emits no event. prev
 * reads the statement's snapshot, i.e. the row before the upsert; with FOR UPDATE it
 * would see the row as "updated by this command" and return nothing. A change of status
 * or note is recorded in status_history in the same statement. */
static struct nm_sql q_upsert = {
	"statuses_upsert",
	"WITH prev AS (SELECT status, note FROM creator_statuses "
	"WHERE brand_id = $1 AND creator_id = $2), "
	"s AS (INSERT INTO creator_statuses (brand_id, creator_id, status, note) "
	"VALUES ($1, $2, $3, $4) ON CONFLICT (brand_id, creator_id) DO UPDATE "
	"SET status = EXCLUDED.status, note = EXCLUDED.note, updated_at = now() RETURNING *), "
	"h AS (INSERT INTO status_history (brand_id, creator_id, from_status, to_status, note, "
	"key_id, key_name, source) SELECT s.brand_id, s.creator_id, (SELECT status FROM prev), "
	"s.status, s.note, " HISTORY_WHO " FROM s WHERE NOT EXISTS (SELECT 1 FROM prev p "
	"WHERE p.status = s.status AND p.note IS NOT DISTINCT FROM s.note)) "
	"SELECT " NM_STATUS_COLS
	", (SELECT status FROM prev) FROM s JOIN creators c ON c.id = s.creator_id",
	6, 0};

/* The same for many creators at once ($2 an array; duplicates count once). */
static struct nm_sql q_upsert_many = {
	"statuses_upsert_many",
	"WITH ids AS (SELECT DISTINCT unnest($2::bigint[]) AS creator_id), "
	"prev AS (SELECT creator_id, status, note FROM creator_statuses "
	"WHERE brand_id = $1 AND creator_id IN (SELECT creator_id FROM ids)), "
	"s AS (INSERT INTO creator_statuses (brand_id, creator_id, status, note) "
	"SELECT $1, creator_id, $3, $4 FROM ids ON CONFLICT (brand_id, creator_id) DO UPDATE "
	"SET status = EXCLUDED.status, note = EXCLUDED.note, updated_at = now() RETURNING *), "
	"h AS (INSERT INTO status_history (brand_id, creator_id, from_status, to_status, note, "
	"key_id, key_name, source) SELECT s.brand_id, s.creator_id, p.status, s.status, "
	"s.note, " HISTORY_WHO " FROM s LEFT JOIN prev p ON p.creator_id = s.creator_id "
	"WHERE p.status IS DISTINCT FROM s.status OR p.note IS DISTINCT FROM s.note "
	"ORDER BY s.creator_id) "
	"SELECT " NM_STATUS_COLS ", p.status FROM s JOIN creators c ON c.id = s.creator_id "
	"LEFT JOIN prev p ON p.creator_id = s.creator_id ORDER BY s.creator_id",
	6, 0};

/* One transaction-scoped advisory lock per (brand, creator) pair, taken in key order so
 * that two bulk writes cannot deadlock. A hash collision only makes two unrelated writers
 * wait for each other. */
#define STATUS_LOCK_NS "1400136052"
static struct nm_sql q_lock = {
	"statuses_lock",
	"SELECT count(pg_advisory_xact_lock(" STATUS_LOCK_NS ", k)) FROM (SELECT DISTINCT "
	"hashtext($1::text || '/' || id::text) AS k FROM unnest($2::bigint[]) AS id ORDER BY k) x",
	2, 0};
/* Then the rows that exist, so that a writer outside the API (psql, a migration) is waited
 * for as well: the statements after this one see what it committed. */
static struct nm_sql q_lock_rows = {
	"statuses_lock_rows",
	"SELECT count(*) FROM (SELECT 1 FROM creator_statuses WHERE brand_id = $1 "
	"AND creator_id = ANY ($2::bigint[]) ORDER BY creator_id FOR UPDATE) x",
	2, 0};

/* Positions (1-based) of ids that name no creator. */
static struct nm_sql q_missing = {
	"statuses_missing_creators",
	"SELECT u.i FROM unnest($1::bigint[]) WITH ORDINALITY AS u(id, i) "
	"WHERE NOT EXISTS (SELECT 1 FROM creators c WHERE c.id = u.id) ORDER BY u.i LIMIT 100",
	1, 0};

static struct nm_sql q_clear = {
	"statuses_clear",
	"WITH s AS (DELETE FROM creator_statuses WHERE brand_id = $1 AND creator_id = $2 "
	"RETURNING *), "
	"h AS (INSERT INTO status_history (brand_id, creator_id, from_status, to_status, note, "
	"key_id, key_name, source) SELECT brand_id, creator_id, status, NULL, NULL, "
	"$3::bigint, (SELECT name FROM api_keys WHERE id = $3::bigint), $4 FROM s) "
	"SELECT " NM_STATUS_COLS ", s.status FROM s JOIN creators c ON c.id = s.creator_id",
	4, 0};

static json_t *nm_status_row_json(const PGresult *res, int i)
{
	return json_pack("{s:I, s:I, s:s, s:s?, s:s, s:s, s:{s:I, s:s, s:s, s:s?, s:I}}",
			 "brand_id", (json_int_t)nm_db_i64(res, i, 0), "creator_id",
			 (json_int_t)nm_db_i64(res, i, 1), "status", PQgetvalue(res, i, 2), "note",
			 nm_db_str(res, i, 3), "created_at", PQgetvalue(res, i, 4), "updated_at",
			 PQgetvalue(res, i, 5), "creator", "id", (json_int_t)nm_db_i64(res, i, 1),
			 "platform", PQgetvalue(res, i, 6), "handle", PQgetvalue(res, i, 7),
			 "display_name", nm_db_str(res, i, 8), "followers",
			 (json_int_t)nm_db_i64(res, i, 9));
}

/* Row i of an upsert result as the reply (with previous_status from column 10); emits
 * creator.status_changed when the status changed. NULL when the event failed (the reason
 * in *err). */
static json_t *changed_row(struct nm_pg *pg, const PGresult *res, int i, bool *changed,
			   struct nm_db_err *err)
{
	json_t *row = nm_status_row_json(res, i);
	const char *prev = nm_db_str(res, i, 10);
	*changed = !prev || strcmp(prev, PQgetvalue(res, i, 2)) != 0;
	json_object_set_new(row, "previous_status", prev ? json_string(prev) : json_null());
	if (*changed && !nm_outbox_emit(pg, "creator.status_changed", row, err)) {
		json_decref(row);
		return NULL;
	}
	return row;
}

static struct nm_sql q_get = {"statuses_get",
			      "SELECT " NM_STATUS_COLS
			      " FROM creator_statuses s JOIN creators c ON c.id = s.creator_id "
			      "WHERE s.brand_id = $1 AND s.creator_id = $2",
			      2, 0};
json_t *nm_store_status_get(struct nm_pg *pg, int64_t brand_id, int64_t creator_id,
			    struct nm_db_err *err)
{
	char b[24], c[24];
	const char *p[] = {nm_store_i64(b, brand_id), nm_store_i64(c, creator_id)};
	return nm_store_one(pg, &q_get, p, nm_status_row_json, err);
}

json_t *nm_store_status_write(struct nm_pg *pg, int64_t brand_id, int64_t creator_id,
			      const char *status, const char *note,
			      const struct nm_status_actor *who, struct nm_db_err *err)
{
	char b[24], c[24], k[24];
	const char *p[] = {nm_store_i64(b, brand_id),
			   nm_store_i64(c, creator_id),
			   status,
			   note,
			   who->key_id ? nm_store_i64(k, who->key_id) : NULL,
			   who->source};
	PGresult *res = nm_store_row(pg, &q_upsert, p, err);
	if (!res)
		return NULL;
	bool changed;
	json_t *row = changed_row(pg, res, 0, &changed, err);
	PQclear(res);
	return row;
}

bool nm_store_status_lock(struct nm_pg *pg, int64_t brand_id, const int64_t *ids, size_t n,
			  struct nm_db_err *err)
{
	char b[24];
	char *arr = nm_store_id_array(ids, n, err);
	if (!arr)
		return false;
	const char *p[] = {nm_store_i64(b, brand_id), arr};
	PGresult *res = nm_store_row(pg, &q_lock, p, err);
	if (res) {
		PQclear(res);
		res = nm_store_row(pg, &q_lock_rows, p, err);
	}
	free(arr);
	PQclear(res);
	return res != NULL;
}

bool nm_store_statuses_missing(struct nm_pg *pg, const int64_t *ids, size_t n, json_t **positions,
			       struct nm_db_err *err)
{
	char *arr = nm_store_id_array(ids, n, err);
	if (!arr)
		return false;
	const char *p[] = {arr};
	PGresult *res = nm_store_rows(pg, &q_missing, p, err);
	free(arr);
	if (!res)
		return false;
	*positions = json_array();
	for (int i = 0; i < PQntuples(res); i++)
		json_array_append_new(*positions, json_integer((json_int_t)nm_db_i64(res, i, 0)));
	PQclear(res);
	return true;
}

json_t *nm_store_statuses_write_many(struct nm_pg *pg, int64_t brand_id, const int64_t *ids,
				     size_t n, const char *status, const char *note,
				     const struct nm_status_actor *who, size_t *changed,
				     struct nm_db_err *err)
{
	char *arr = nm_store_id_array(ids, n, err);
	if (!arr)
		return NULL;
	char b[24], k[24];
	const char *p[] = {nm_store_i64(b, brand_id),
			   arr,
			   status,
			   note,
			   who->key_id ? nm_store_i64(k, who->key_id) : NULL,
			   who->source};
	PGresult *res = nm_store_rows(pg, &q_upsert_many, p, err);
	free(arr);
	if (!res)
		return NULL;
	json_t *rows = json_array();
	*changed = 0;
	for (int i = 0; i < PQntuples(res); i++) {
		bool ch;
		json_t *row = changed_row(pg, res, i, &ch, err);
		if (!row) {
			json_decref(rows);
			PQclear(res);
			return NULL;
		}
		*changed += ch;
		json_array_append_new(rows, row);
	}
	PQclear(res);
	return rows;
}

bool nm_store_status_clear(struct nm_pg *pg, int64_t brand_id, int64_t creator_id,
			   const struct nm_status_actor *who, struct nm_db_err *err)
{
	char b[24], c[24], k[24];
	const char *p[] = {nm_store_i64(b, brand_id), nm_store_i64(c, creator_id),
			   who->key_id ? nm_store_i64(k, who->key_id) : NULL, who->source};
	PGresult *res = nm_store_row(pg, &q_clear, p, err);
	if (!res)
		return false;
	json_t *row = nm_status_row_json(res, 0);
	json_object_set_new(row, "previous_status", json_string(PQgetvalue(res, 0, 2)));
	json_object_set_new(row, "status", json_null());
	json_object_set_new(row, "note", json_null());
	PQclear(res);
	bool ok = nm_outbox_emit(pg, "creator.status_changed", row, err);
	json_decref(row);
	return ok;
}

static json_t *history_row(const PGresult *res, int i)
{
	return json_pack("{s:I, s:I, s:I, s:s?, s:s?, s:s?, s:o, s:s?, s:s, s:s}", "id",
			 (json_int_t)nm_db_i64(res, i, 0), "brand_id",
			 (json_int_t)nm_db_i64(res, i, 1), "creator_id",
			 (json_int_t)nm_db_i64(res, i, 2), "from", nm_db_str(res, i, 3), "to",
			 nm_db_str(res, i, 4), "note", nm_db_str(res, i, 5), "key_id",
			 nm_db_isnull(res, i, 6) ? json_null()
						 : json_integer((json_int_t)nm_db_i64(res, i, 6)),
			 "key_name", nm_db_str(res, i, 7), "source", PQgetvalue(res, i, 8),
			 "created_at", PQgetvalue(res, i, 9));
}

static struct nm_sql q_history = {
	"statuses_history",
	"SELECT id, brand_id, creator_id, from_status, to_status, note, key_id, key_name, "
	"source, " NM_SQL_TS(
		"created_at") " FROM status_history WHERE brand_id = $1 AND creator_id = $2 "
			      "AND id > $3 ORDER BY id LIMIT $4",
	4, 0};

bool nm_store_status_history(struct nm_pg *pg, int64_t brand_id, int64_t creator_id,
			     const struct nm_page_req *pr, struct nm_page *out,
			     struct nm_db_err *err)
{
	char b[24], c[24], a[24], l[24];
	const char *p[] = {nm_store_i64(b, brand_id), nm_store_i64(c, creator_id),
			   nm_store_i64(a, pr->after), nm_store_i64(l, pr->limit + 1)};
	return nm_store_list(pg, &q_history, p, pr->limit, 0, history_row, out, err);
}

static struct nm_sql q_pipeline = {
	"statuses_pipeline",
	"SELECT (SELECT coalesce(json_object_agg(status, n), '{}') FROM (SELECT status, count(*) n "
	"FROM creator_statuses WHERE brand_id = $1 GROUP BY status) x)::text, "
	"(SELECT row_to_json(r) FROM (SELECT id, " NM_SQL_TS(
		"created_at") " AS created_at, "
			      "candidates, stored FROM match_runs WHERE brand_id = $1 ORDER BY id "
			      "DESC LIMIT 1) r)::text",
	1, 0};

json_t *nm_store_pipeline_counts(struct nm_pg *pg, int64_t brand_id, struct nm_db_err *err)
{
	char b[24];
	const char *p[] = {nm_store_i64(b, brand_id)};
	PGresult *res = nm_store_row(pg, &q_pipeline, p, err);
	if (!res)
		return NULL;
	json_t *found = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
	json_t *run =
		nm_db_isnull(res, 0, 1) ? json_null() : json_loads(PQgetvalue(res, 0, 1), 0, NULL);
	PQclear(res);
	json_t *counts = json_object();
	json_int_t total = 0;
	for (size_t i = 0; i < sizeof statuses / sizeof *statuses; i++) {
		json_int_t n = json_integer_value(json_object_get(found, statuses[i]));
		total += n;
		json_object_set_new(counts, statuses[i], json_integer(n));
	}
	json_decref(found);
	return json_pack("{s:I, s:o, s:I, s:o}", "brand_id", (json_int_t)brand_id, "counts", counts,
			 "total", total, "latest_run", run ? run : json_null());
}

static struct nm_sql q_list = {
	"statuses_list",
	"SELECT " NM_STATUS_COLS " FROM creator_statuses s JOIN creators c ON c.id = s.creator_id "
	"WHERE s.brand_id = $1 AND ($2::text IS NULL OR s.status = $2) AND s.creator_id > $3 "
	"ORDER BY s.creator_id LIMIT $4",
	4, 0};

bool nm_store_statuses_list(struct nm_pg *pg, int64_t brand_id, const char *status,
			    const struct nm_page_req *pr, struct nm_page *out,
			    struct nm_db_err *err)
{
	char b[24], a[24], l[24];
	const char *p[] = {nm_store_i64(b, brand_id), status, nm_store_i64(a, pr->after),
			   nm_store_i64(l, pr->limit + 1)};
	return nm_store_list(pg, &q_list, p, pr->limit, 1, nm_status_row_json, out, err);
}
