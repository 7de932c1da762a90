/* Creators (SPEC §4): upsert one, list with filters, get, delete. The creator pool
 * is shared: brand-scoped keys read it but do not write it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nm/creator.h"
#include "nm/db.h"
#include "nm/handlers.h"
#include "nm/store_creators.h"
#include "nm/taxonomy.h"
#include "nm/verr.h"

static bool require_unscoped_writer(struct nm_req *r)
{
	return nm_require_unscoped(
		r, "A key bound to a brand reads the creator pool but cannot change it.");
}

/* POST /v1/creators → 201 + Location when new, 200 when (platform, handle) existed. */
void nm_h_creators_upsert(struct nm_req *r)
{
	if (!require_unscoped_writer(r))
		return;
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
	bool inserted = false;
	PGresult *err;
	json_t *row = nm_store_creator_upsert(pg, &c, &inserted, &err);
	nm_creator_clear(&c);
	if (!row) {
		if (err)
			nm_reply_db_error(r, err);
		else
			nm_reply_problem(r, NM_P_INTERNAL, NULL, "Out of memory.");
		PQclear(err);
		return;
	}
	nm_reply_resource(r, inserted ? 201 : 200, "creators", row);
}

static struct nm_sql q_list = {
	"creators_list",
	"SELECT " NM_CREATOR_SELECT " FROM creators c WHERE c.id > $1 "
	"AND ($3::text IS NULL OR c.platform = $3) "
	"AND ($4::text IS NULL OR c.handle = $4) "
	"AND ($5::text IS NULL OR c.country = $5) "
	"AND ($6::bigint IS NULL OR c.followers >= $6) "
	"AND ($7::bigint IS NULL OR c.followers <= $7) "
	"AND ($8::text IS NULL OR c.categories @> ARRAY[$8::text]) "
	"AND ($9::text IS NULL OR c.search @@ websearch_to_tsquery('simple', $9)) "
	"ORDER BY c.id LIMIT $2",
	9, 0};

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
	int limit;
	int64_t after;
	if (!nm_req_page(r, &limit, &after))
		return;
	char a[24], l[16], minf[24] = "", maxf[24] = "", country[3] = "";
	snprintf(a, sizeof a, "%lld", (long long)after);
	snprintf(l, sizeof l, "%d", limit + 1);
	if (!query_count(r, "min_followers", minf, sizeof minf) ||
	    !query_count(r, "max_followers", maxf, sizeof maxf))
		return;
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
		platform = nm_platform_name(pl);
	}
	const char *cq = nm_req_query(r, "country");
	if (cq && !nm_country_valid(cq, country)) {
		nm_reply_problem(r, NM_P_BAD_QUERY,
				 json_pack("[{s:s,s:s}]", "field", "country", "message",
					   "must be an ISO 3166-1 alpha-2 code"),
				 "country must be an ISO 3166-1 alpha-2 code");
		return;
	}
	char *handle = NULL, *category = NULL;
	const char *hq = nm_req_query(r, "handle"), *catq = nm_req_query(r, "category");
	if (hq) {
		handle = strdup(hq[0] == '@' ? hq + 1 : hq);
		for (char *p = handle; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p + 32);
	}
	if (catq) {
		category = strdup(catq);
		nm_term_normalize(category, false);
	}
	const char *q = nm_req_query(r, "q");
	struct nm_pg *pg = nm_req_db(r);
	if (pg) {
		const char *p[] = {a,
				   l,
				   platform,
				   handle,
				   country[0] ? country : NULL,
				   minf[0] ? minf : NULL,
				   maxf[0] ? maxf : NULL,
				   category,
				   q && *q ? q : NULL};
		PGresult *res = nm_db_exec(pg, &q_list, p);
		if (nm_db_ok(res)) {
			nm_reply_page(r, res, limit, 0, nm_creator_row_json);
		} else {
			nm_reply_db_error(r, res);
			PQclear(res);
		}
	}
	free(handle);
	free(category);
}

static struct nm_sql q_get = {"creators_get",
			      "SELECT " NM_CREATOR_SELECT " FROM creators c WHERE c.id = $1", 1, 0};
/* A trigger leaves the tombstone the ranking index of every instance reads. */
static struct nm_sql q_delete = {"creators_delete",
				 "DELETE FROM creators WHERE id = $1 RETURNING id", 1, 0};

/* GET /v1/creators/{id} */
void nm_h_creators_get(struct nm_req *r)
{
	PGresult *res = nm_fetch_by_id(r, &q_get, "creator");
	if (res)
		nm_reply_json(r, 200, nm_creator_row_json(res, 0));
	PQclear(res);
}

/* DELETE /v1/creators/{id} → 204 */
void nm_h_creators_delete(struct nm_req *r)
{
	if (!require_unscoped_writer(r))
		return;
	PGresult *res = nm_fetch_by_id(r, &q_delete, "creator");
	if (res)
		nm_reply_empty(r, 204);
	PQclear(res);
}
