/* GET /v1/stats (issue 16): the creator pool's data health (docs/api.md "Stats"). */
#include "nm/handlers.h"
#include "nm/store.h"
#include "nm/store_stats.h"
#include "nm/tx.h"

void nm_h_stats(struct nm_req *r)
{
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return;
	struct nm_db_err err;
	json_t *o = nm_store_creator_stats(pg, &err);
	if (o)
		nm_reply_json(r, 200, o);
	else
		nm_reply_db_err(r, &err);
}
