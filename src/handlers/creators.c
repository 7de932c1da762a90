/* Creators (docs/api.md §4): upsert one, list with filters, get, delete. The creator pool
 * is shared: brand-scoped keys read it but do not write it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nm/creator.h"
#include "nm/handlers.h"
#include "nm/outbox.h"
#include "nm/store.h"
#include "nm/store_creators.h"
#include "nm/taxonomy.h"
#include "nm/verr.h"

/* The write and its creator.created / creator.updated event (docs/webhooks.md): one
 * transaction, the body of nm_tx_run. Imports send one import.completed instead. */
struct creator_put {
	const struct nm_creator *c;
	bool inserted;
	json_t *row;
};

static bool creator_put_tx(struct nm_pg *pg, void *cls, struct nm_db_err *err)
{
	struct creator_put *t = cls;
	json_decref(t->row);
	t->row = nm_store_creator_put(pg, t->c, &t->inserted, err);
	if (!t->row)
		return false;
	if (!nm_outbox_emit(pg, t->inserted ? "creator.created" : "creator.updated", t->row)) {
		nm_db_err_set(err, NM_DB_UNAVAILABLE);
		return false;
	}
	return true;
}

/* POST /v1/creators → 201 + Location when new, 200 when (platform, handle) existed. */
void nm_h_creators_upsert(struct nm_req *r)
{
	struct nm_creator c;
	json_t *errors = json_array();
	if (!nm_creator_from_json(nm_req_json(r), NM_CREATOR_STRICT, NULL, &c, errors, NULL)) {
		nm_reply_problem(r, NM_P_VALIDATION, errors,
				 "The creator has %zu invalid field(s).", json_array_size(errors));
		return;
	}
	json_decref(errors);
	struct nm_pg *pg = nm_req_db(r);
	if (!pg) {
		nm_creator_clear(&c);
		return;
	}
	struct creator_put t = {&c, false, NULL};
	struct nm_db_err err;
	bool ok = nm_tx_run(pg, NM_TX_READ_COMMITTED, creator_put_tx, &t, &err);
	nm_creator_clear(&c);
	if (!ok) {
		json_decref(t.row);
		nm_reply_db_err(r, &err);
		return;
	}
	nm_reply_resource(r, t.inserted ? 201 : 200, "creators", t.row);
}

static bool query_count(struct nm_req *r, const char *name, char *out, size_t n)
{
	const char *v = nm_req_query(r, name);
	if (!v)
		return true;
	char *end;
	long long x = strtoll(v, &end, 10);
	if (!*v || *end || x < 0) {
		char msg[64];
		snprintf(msg, sizeof msg, "%s must be a non-negative integer", name);
		nm_reply_problem(r, NM_P_BAD_QUERY,
				 json_pack("[{s:s,s:s}]", "field", name, "message",
					   "must be a non-negative integer"),
				 "%s", msg);
		return false;
	}
	snprintf(out, n, "%lld", x);
	return true;
}

/* GET /v1/creators?platform=&handle=&country=&min_followers=&max_followers=&category=&q= */
void nm_h_creators_list(struct nm_req *r)
{
	struct nm_page_req pr;
	if (!nm_req_page(r, &pr.limit, &pr.after))
		return;
	char minf[24] = "", maxf[24] = "", country[3] = "";
	if (!query_count(r, "min_followers", minf, sizeof minf) ||
	    !query_count(r, "max_followers", maxf, sizeof maxf))
		return;
	struct nm_creator_filter f = {.min_followers = minf[0] ? minf : NULL,
				      .max_followers = maxf[0] ? maxf : NULL};
	const char *platform = nm_req_query(r, "platform");
	enum nm_platform pl;
	if (platform) {
		if (!nm_platform_parse(platform, &pl)) {
			nm_reply_problem(r, NM_P_BAD_QUERY,
					 json_pack("[{s:s,s:s}]", "field", "platform", "message",
						   "unknown platform"),
					 "platform is not one of the known platforms");
			return;
		}
		f.platform = nm_platform_name(pl);
	}
	const char *cq = nm_req_query(r, "country");
	if (cq && !nm_country_valid(cq, country)) {
		nm_reply_problem(r, NM_P_BAD_QUERY,
				 json_pack("[{s:s,s:s}]", "field", "country", "message",
					   "must be an ISO 3166-1 alpha-2 code"),
				 "country must be an ISO 3166-1 alpha-2 code");
		return;
	}
	f.country = country[0] ? country : NULL;
	/* Handles are stored lower-case without a leading '@'; categories normalised. */
	char handle[128], category[256];
	const char *hq = nm_req_query(r, "handle"), *catq = nm_req_query(r, "category");
	if (hq) {
		snprintf(handle, sizeof handle, "%s", hq[0] == '@' ? hq + 1 : hq);
		for (char *p = handle; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p + 32);
		f.handle = handle;
	}
	if (catq) {
		snprintf(category, sizeof category, "%s", catq);
		nm_term_normalize(category, false);
		f.category = category;
	}
	const char *q = nm_req_query(r, "q");
	f.q = q && *q ? q : NULL;
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return;
	struct nm_page page;
	struct nm_db_err err;
	if (nm_store_creators_list(pg, &f, &pr, &page, &err))
		nm_reply_json_page(r, &page);
	else
		nm_reply_db_err(r, &err);
}

/* GET /v1/creators/{id} */
void nm_h_creators_get(struct nm_req *r)
{
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return;
	int64_t id = nm_req_id_param(r, 0);
	struct nm_db_err err;
	json_t *row = nm_store_creator_get(pg, id, &err);
	if (row)
		nm_reply_json(r, 200, row);
	else if (err.status == NM_DB_NOT_FOUND)
		nm_reply_problem(r, NM_P_NOT_FOUND, NULL, "No creator %lld.", (long long)id);
	else
		nm_reply_db_err(r, &err);
}

/* The delete and its creator.deleted event, one transaction. */
static bool creator_delete_tx(struct nm_pg *pg, void *cls, struct nm_db_err *err)
{
	int64_t id = *(const int64_t *)cls;
	json_t *row = nm_store_creator_get(pg, id, err);
	if (!row || !nm_store_creator_delete(pg, id, err)) {
		json_decref(row);
		return false;
	}
	json_t *gone = json_pack("{s:I, s:O, s:O, s:O}", "id", (json_int_t)id, "platform",
				 json_object_get(row, "platform"), "handle",
				 json_object_get(row, "handle"), "external_id",
				 json_object_get(row, "external_id"));
	json_decref(row);
	bool ok = gone && nm_outbox_emit(pg, "creator.deleted", gone);
	json_decref(gone);
	if (!ok)
		nm_db_err_set(err, NM_DB_UNAVAILABLE);
	return ok;
}

/* DELETE /v1/creators/{id} → 204. A trigger leaves the tombstone the ranking index of
 * every instance reads. */
void nm_h_creators_delete(struct nm_req *r)
{
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return;
	int64_t id = nm_req_id_param(r, 0);
	struct nm_db_err err;
	if (nm_tx_run(pg, NM_TX_READ_COMMITTED, creator_delete_tx, &id, &err))
		nm_reply_empty(r, 204);
	else if (err.status == NM_DB_NOT_FOUND)
		nm_reply_problem(r, NM_P_NOT_FOUND, NULL, "No creator %lld.", (long long)id);
	else
		nm_reply_db_err(r, &err);
}
