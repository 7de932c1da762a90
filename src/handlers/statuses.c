/* Pipeline statuses (docs/api.md §5): a brand moves creators through shortlisted →
 * contacted → accepted | declined, or excludes them. Declined and excluded creators
 * never appear in that brand's later runs (the candidate query filters them). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nm/etag.h"
#include "nm/handlers.h"
#include "nm/store.h"
#include "nm/store_statuses.h"
#include "nm/tx.h"
#include "nm/verr.h"

/* If-Match (docs/api-decisions.md, "Caching and conditional requests"): compared with the
 * ETag of the status as GET .../status shows it now, read with its row locked in the
 * write's own transaction, so that no other write can slip between the compare and this
 * one. True when the write may go on. Else false with *stale (412), or with err: the
 * failure, or NM_DB_NOT_FOUND when there is no status and absent_404 (DELETE: without
 * the precondition the answer would be 404, which then wins, RFC 9110 §13.2.1). Without
 * a status a PUT's If-Match, even "*", fails: there is no current representation. */
static bool status_precondition(struct nm_pg *pg, int64_t brand_id, int64_t creator_id,
				const char *if_match, bool absent_404, bool *stale,
				struct nm_db_err *err)
{
	*stale = false;
	if (!if_match)
		return true;
	/* the caller holds nm_store_status_lock, which locked the row: a plain read */
	json_t *cur = nm_store_status_get(pg, brand_id, creator_id, err);
	if (!cur && (err->status != NM_DB_NOT_FOUND || absent_404))
		return false;
	char tag[NM_ETAG_SIZE] = "";
	if (cur)
		nm_json_etag(cur, tag);
	bool ok = nm_etag_if_match(if_match, cur ? tag : NULL);
	json_decref(cur);
	if (ok)
		return true;
	*stale = true;
	nm_db_err_set(err, NM_DB_OK); /* roll back: nothing failed */
	return false;
}

struct status_put {
	int64_t brand_id, creator_id;
	const char *status, *note;
	struct nm_status_actor who;
	const char *if_match; /* NULL: write whatever the current state */
	bool stale;	      /* If-Match named none of the current state: 412 */
	json_t *row;	      /* the reply, once the write succeeded */
};

static bool status_put_tx(struct nm_pg *pg, void *cls, struct nm_db_err *err)
{
	struct status_put *t = cls;
	json_decref(t->row);
	t->row = NULL;
	if (!nm_store_status_lock(pg, t->brand_id, &t->creator_id, 1, err) ||
	    !status_precondition(pg, t->brand_id, t->creator_id, t->if_match, false, &t->stale,
				 err))
		return false;
	t->row = nm_store_status_write(pg, t->brand_id, t->creator_id, t->status, t->note, &t->who,
				       err);
	return t->row != NULL;
}

static struct nm_status_actor actor(const struct nm_req *r)
{
	return (struct nm_status_actor){nm_req_auth(r)->key_id, "api"};
}

/* Validates {"status","note"} plus, when creator_ids is not NULL, the bulk member
 * "creator_ids" (1..NM_BULK_MAX positive ids). Replies 422 and returns false on errors. */
#define NM_BULK_MAX 500
static bool status_body(struct nm_req *r, const char **status, const char **note,
			int64_t **creator_ids, size_t *n_ids)
{
	json_t *in = nm_req_json(r), *errors = json_array(), *v;
	const char *key;
	*status = *note = NULL;
	json_object_foreach(in, key, v)
	{
		if (nm_status_member(key, v, status, note, errors))
			continue;
		if (!creator_ids || strcmp(key, "creator_ids") != 0) {
			nm_verr_add(errors, key, "unknown field");
			continue;
		}
		size_t n = json_array_size(v);
		if (!json_is_array(v) || n == 0 || n > NM_BULK_MAX) {
			nm_verr_add(errors, "creator_ids",
				    "must be an array of 1 to %d creator ids", NM_BULK_MAX);
			continue;
		}
		*creator_ids = calloc(n, sizeof **creator_ids);
		if (!*creator_ids) {
			nm_verr_add(errors, "creator_ids", "too many ids for the memory left");
			continue;
		}
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e)
		{
			if (!json_is_integer(e) || json_integer_value(e) < 1) {
				char path[48];
				nm_verr_path(path, sizeof path, "creator_ids", (long)i, NULL);
				nm_verr_add(errors, path, "must be a positive integer id");
			} else {
				(*creator_ids)[i] = json_integer_value(e);
			}
		}
		*n_ids = n;
	}
	if (!json_object_get(in, "status"))
		nm_verr_add(errors, "status", "is required");
	if (creator_ids && !json_object_get(in, "creator_ids"))
		nm_verr_add(errors, "creator_ids", "is required");
	if (json_array_size(errors)) {
		nm_reply_problem(r, NM_P_VALIDATION, errors, "The status has invalid fields.");
		return false;
	}
	json_decref(errors);
	return true;
}

/* PUT /v1/brands/{id}/creators/{creator_id}/status {"status","note"} → 200.
 * previous_status (in the reply and the event) must be the status this write replaced:
 * the status lock makes a second concurrent PUT wait, and READ COMMITTED lets its next
 * statement see what the first one wrote. (SERIALIZABLE got this right too, but its false
 * conflicts between writers of other creators of the brand could outlast every retry.) */
void nm_h_status_put(struct nm_req *r)
{
	const char *status, *note;
	if (!status_body(r, &status, &note, NULL, NULL))
		return;
	struct status_put t = {nm_req_id_param(r, 0),
			       nm_req_id_param(r, 1),
			       status,
			       note,
			       actor(r),
			       nm_req_header(r, "If-Match"),
			       false,
			       NULL};
	struct nm_pg *pg = nm_req_db(r);
	if (!pg || !nm_brand_found(r, pg, t.brand_id))
		return;
	struct nm_db_err err;
	if (!nm_tx_run(pg, NM_TX_READ_COMMITTED, status_put_tx, &t, &err)) {
		json_decref(t.row);
		if (t.stale)
			nm_reply_precondition_failed(r, "The status");
		else if (err.status == NM_DB_MISSING_REF)
			nm_reply_problem(r, NM_P_NOT_FOUND, NULL, "No creator %lld.",
					 (long long)t.creator_id);
		else
			nm_reply_db_err(r, &err);
		return;
	}
	/* The reply adds previous_status to the status: its ETag is the one GET .../status
	 * gives now, so that the next write can name it in If-Match. */
	json_t *rep = json_copy(t.row);
	json_object_del(rep, "previous_status");
	char tag[NM_ETAG_SIZE];
	nm_json_etag(rep, tag);
	json_decref(rep);
	if (tag[0])
		nm_reply_header(r, "ETag", tag);
	nm_reply_json(r, 200, t.row);
}

/* GET /v1/brands/{id}/creators/{creator_id}/status → the status (ETag, 304). */
void nm_h_status_get(struct nm_req *r)
{
	int64_t brand_id = nm_req_id_param(r, 0), creator_id = nm_req_id_param(r, 1);
	struct nm_pg *pg = nm_req_db(r);
	if (!pg || !nm_brand_found(r, pg, brand_id))
		return;
	struct nm_db_err err;
	json_t *row = nm_store_status_get(pg, brand_id, creator_id, &err);
	if (row)
		nm_reply_json(r, 200, row);
	else if (err.status == NM_DB_NOT_FOUND)
		nm_reply_problem(r, NM_P_NOT_FOUND, NULL,
				 "Creator %lld has no status for brand %lld.",
				 (long long)creator_id, (long long)brand_id);
	else
		nm_reply_db_err(r, &err);
}

/* GET /v1/brands/{id}/creators?status= → the brand's pipeline, by creator id. */
void nm_h_status_list(struct nm_req *r)
{
	int limit;
	int64_t after;
	if (!nm_req_page(r, &limit, &after))
		return;
	const char *status = nm_req_query(r, "status");
	if (status && !nm_status_valid(status)) {
		nm_reply_problem(r, NM_P_BAD_QUERY,
				 json_pack("[{s:s,s:s}]", "field", "status", "message",
					   "must be one of " NM_STATUS_VALUES),
				 "status is not a pipeline status");
		return;
	}
	int64_t brand_id = nm_req_id_param(r, 0);
	struct nm_pg *pg = nm_req_db(r);
	if (!pg || !nm_brand_found(r, pg, brand_id))
		return;
	struct nm_page page;
	struct nm_db_err err;
	bool ok = nm_store_statuses_list(pg, brand_id, status, &(struct nm_page_req){limit, after},
					 &page, &err);
	nm_reply_list(r, ok, &page, &err);
}

struct status_bulk {
	int64_t brand_id;
	const int64_t *ids;
	size_t n;
	const char *status, *note;
	struct nm_status_actor who;
	json_t *missing; /* positions of unknown ids, when any */
	json_t *rows;
	size_t changed;
};

static bool status_bulk_tx(struct nm_pg *pg, void *cls, struct nm_db_err *err)
{
	struct status_bulk *t = cls;
	json_decref(t->missing);
	json_decref(t->rows);
	t->missing = t->rows = NULL;
	if (!nm_store_status_lock(pg, t->brand_id, t->ids, t->n, err) ||
	    !nm_store_statuses_missing(pg, t->ids, t->n, &t->missing, err))
		return false;
	if (json_array_size(t->missing)) {
		nm_db_err_set(err, NM_DB_OK); /* roll back: nothing to change */
		return false;
	}
	t->rows = nm_store_statuses_write_many(pg, t->brand_id, t->ids, t->n, t->status, t->note,
					       &t->who, &t->changed, err);
	return t->rows != NULL;
}

/* POST /v1/brands/{id}/statuses {"creator_ids":[...],"status","note"} → 200: all or
 * nothing, one event per creator whose status changed. */
void nm_h_statuses_bulk(struct nm_req *r)
{
	const char *status, *note;
	int64_t *ids = NULL;
	size_t n = 0;
	if (!status_body(r, &status, &note, &ids, &n)) {
		free(ids);
		return;
	}
	struct status_bulk t = {
		nm_req_id_param(r, 0), ids, n, status, note, actor(r), NULL, NULL, 0};
	struct nm_pg *pg = nm_req_db(r);
	struct nm_db_err err;
	if (!pg || !nm_brand_found(r, pg, t.brand_id)) {
		free(ids);
		return;
	}
	bool ok = nm_tx_run(pg, NM_TX_READ_COMMITTED, status_bulk_tx, &t, &err);
	if (ok) {
		nm_reply_json(r, 200,
			      json_pack("{s:o, s:I, s:I}", "data", t.rows, "count",
					(json_int_t)json_array_size(t.rows), "changed",
					(json_int_t)t.changed));
	} else if (json_array_size(t.missing)) {
		json_t *errors = json_array(), *pos;
		size_t i;
		json_array_foreach(t.missing, i, pos)
		{
			long at = (long)json_integer_value(pos) - 1;
			char path[48];
			nm_verr_path(path, sizeof path, "creator_ids", at, NULL);
			nm_verr_add(errors, path, "no creator %lld", (long long)ids[at]);
		}
		nm_reply_problem(r, NM_P_VALIDATION, errors,
				 "%zu creator id(s) name no creator; nothing was changed.",
				 json_array_size(t.missing));
	} else {
		nm_reply_db_err(r, &err);
	}
	json_decref(t.missing);
	free(ids);
}

struct status_clear {
	int64_t brand_id, creator_id;
	struct nm_status_actor who;
	const char *if_match;
	bool stale;
};

static bool status_clear_tx(struct nm_pg *pg, void *cls, struct nm_db_err *err)
{
	struct status_clear *t = cls;
	return nm_store_status_lock(pg, t->brand_id, &t->creator_id, 1, err) &&
	       status_precondition(pg, t->brand_id, t->creator_id, t->if_match, true, &t->stale,
				   err) &&
	       nm_store_status_clear(pg, t->brand_id, t->creator_id, &t->who, err);
}

/* DELETE /v1/brands/{id}/creators/{creator_id}/status → 204 (recorded in the history). */
void nm_h_status_clear(struct nm_req *r)
{
	struct status_clear t = {nm_req_id_param(r, 0), nm_req_id_param(r, 1), actor(r),
				 nm_req_header(r, "If-Match"), false};
	struct nm_pg *pg = nm_req_db(r);
	if (!pg || !nm_brand_found(r, pg, t.brand_id))
		return;
	struct nm_db_err err;
	if (nm_tx_run(pg, NM_TX_READ_COMMITTED, status_clear_tx, &t, &err))
		nm_reply_empty(r, 204);
	else if (t.stale)
		nm_reply_precondition_failed(r, "The status");
	else if (err.status == NM_DB_NOT_FOUND)
		nm_reply_problem(r, NM_P_NOT_FOUND, NULL,
				 "Creator %lld has no status for brand %lld.",
				 (long long)t.creator_id, (long long)t.brand_id);
	else
		nm_reply_db_err(r, &err);
}

/* GET /v1/brands/{id}/creators/{creator_id}/history → every change, oldest first. */
void nm_h_status_history(struct nm_req *r)
{
	int64_t brand_id = nm_req_id_param(r, 0), creator_id = nm_req_id_param(r, 1);
	struct nm_page_req pr;
	struct nm_pg *pg = nm_list_begin(r, &pr);
	if (!pg || !nm_brand_found(r, pg, brand_id))
		return;
	struct nm_page page;
	struct nm_db_err err;
	nm_reply_list(r, nm_store_status_history(pg, brand_id, creator_id, &pr, &page, &err), &page,
		      &err);
}

/* GET /v1/brands/{id}/pipeline → counts per status and the latest run's size. */
void nm_h_pipeline(struct nm_req *r)
{
	int64_t brand_id = nm_req_id_param(r, 0);
	struct nm_pg *pg = nm_req_db(r);
	if (!pg || !nm_brand_found(r, pg, brand_id))
		return;
	struct nm_db_err err;
	json_t *counts = nm_store_pipeline_counts(pg, brand_id, &err);
	if (counts)
		nm_reply_json(r, 200, counts);
	else
		nm_reply_db_err(r, &err);
}
