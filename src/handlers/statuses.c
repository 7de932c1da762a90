/* Pipeline statuses (SPEC §5): a brand moves creators through shortlisted →
 * contacted → accepted | declined, or excludes them. Declined and excluded creators
 * never appear in that brand's later runs (the candidate query filters them). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nm/handlers.h"
#include "nm/store.h"
#include "nm/store_statuses.h"
#include "nm/tx.h"
#include "nm/verr.h"

/* True when the brand exists and the key may see it; else replies 404 (or the failure). */
static bool brand_ok(struct nm_req *r, struct nm_pg *pg, int64_t brand_id)
{
	struct nm_db_err err;
	if (nm_brand_visible(r, brand_id) && nm_store_brand_exists(pg, brand_id, &err))
		return true;
	if (!nm_brand_visible(r, brand_id) || err.status == NM_DB_NOT_FOUND)
		nm_reply_problem(r, NM_P_NOT_FOUND, NULL, "No brand %lld.", (long long)brand_id);
	else
		nm_reply_db_err(r, &err);
	return false;
}

struct status_put {
	int64_t brand_id, creator_id;
	const char *status, *note;
	json_t *row; /* the reply, once the write succeeded */
};

static bool status_put_tx(struct nm_pg *pg, void *cls, struct nm_db_err *err)
{
	struct status_put *t = cls;
	json_decref(t->row);
	PGresult *res;
	t->row = nm_store_status_set(pg, t->brand_id, t->creator_id, t->status, t->note, &res);
	if (t->row)
		return true;
	if (res)
		nm_db_err_from(err, res);
	else
		nm_db_err_set(err, NM_DB_UNAVAILABLE); /* the event could not be written */
	PQclear(res);
	return false;
}

/* PUT /v1/brands/{id}/creators/{creator_id}/status {"status","note"} → 200.
 * SERIALIZABLE: previous_status (in the reply and the event) must be the status this
 * write replaced. Under READ COMMITTED two concurrent PUTs both read the same old status
 * and emit two events claiming it; here the second one conflicts and runs again. */
void nm_h_status_put(struct nm_req *r)
{
	json_t *in = nm_req_json(r), *errors = json_array();
	const char *status = NULL, *note = NULL, *key;
	json_t *v;
	json_object_foreach(in, key, v)
	{
		if (!nm_status_member(key, v, &status, &note, errors))
			nm_verr_add(errors, key, "unknown field");
	}
	if (!json_object_get(in, "status"))
		nm_verr_add(errors, "status", "is required");
	if (json_array_size(errors)) {
		nm_reply_problem(r, NM_P_VALIDATION, errors, "The status has invalid fields.");
		return;
	}
	json_decref(errors);
	struct status_put t = {nm_req_id_param(r, 0), nm_req_id_param(r, 1), status, note, NULL};
	struct nm_pg *pg = nm_req_db(r);
	if (!pg || !brand_ok(r, pg, t.brand_id))
		return;
	struct nm_db_err err;
	if (!nm_tx_run(pg, NM_TX_SERIALIZABLE, status_put_tx, &t, &err)) {
		json_decref(t.row);
		if (err.status == NM_DB_MISSING_REF)
			nm_reply_problem(r, NM_P_NOT_FOUND, NULL, "No creator %lld.",
					 (long long)t.creator_id);
		else
			nm_reply_db_err(r, &err);
		return;
	}
	nm_reply_json(r, 200, t.row);
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
	if (!pg || !brand_ok(r, pg, brand_id))
		return;
	struct nm_page page;
	struct nm_db_err err;
	if (!nm_store_statuses_list(pg, brand_id, status, &(struct nm_page_req){limit, after},
				    &page, &err))
		nm_reply_db_err(r, &err);
	else
		nm_reply_json_page(r, &page);
}
