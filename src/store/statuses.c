/* Pipeline status rows and their creator.status_changed events (see
 * nm/store_statuses.h). */
#include "nm/store_statuses.h"

#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "nm/outbox.h"
#include "nm/store.h"
#include "nm/verr.h"

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

/* The previous status comes back too, so that an unchanged status emits no event. prev
 * reads the statement's snapshot, i.e. the row before the upsert; with FOR UPDATE it
 * would see the row as "updated by this command" and return nothing. */
static struct nm_sql q_upsert = {
	"statuses_upsert",
	"WITH prev AS (SELECT status FROM creator_statuses WHERE brand_id = $1 AND creator_id = "
	"$2), "
	"s AS (INSERT INTO creator_statuses (brand_id, creator_id, status, note) "
	"VALUES ($1, $2, $3, $4) ON CONFLICT (brand_id, creator_id) DO UPDATE "
	"SET status = EXCLUDED.status, note = EXCLUDED.note, updated_at = now() RETURNING *) "
	"SELECT " NM_STATUS_COLS
	", (SELECT status FROM prev) FROM s JOIN creators c ON c.id = s.creator_id",
	4, 0};

json_t *nm_status_row_json(const PGresult *res, int i)
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

json_t *nm_store_status_set(struct nm_pg *pg, int64_t brand_id, int64_t creator_id,
			    const char *status, const char *note, PGresult **err)
{
	char b[24], c[24];
	snprintf(b, sizeof b, "%lld", (long long)brand_id);
	snprintf(c, sizeof c, "%lld", (long long)creator_id);
	const char *p[] = {b, c, status, note};
	PGresult *res = nm_db_exec(pg, &q_upsert, p);
	*err = NULL;
	if (!nm_db_ok(res)) {
		*err = res;
		return NULL;
	}
	json_t *row = nm_status_row_json(res, 0);
	const char *prev = nm_db_str(res, 0, 10);
	bool changed = !prev || strcmp(prev, status) != 0;
	json_object_set_new(row, "previous_status", prev ? json_string(prev) : json_null());
	PQclear(res);
	if (changed && !nm_outbox_emit(pg, "creator.status_changed", row)) {
		json_decref(row);
		return NULL;
	}
	return row;
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
