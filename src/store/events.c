/* The outbox: events written in the transaction of the change that caused them (see
 * nm/outbox.h); the delivery workers claim them from store/deliveries.c. */
#include "nm/outbox.h"

#include <stdlib.h>

#include "nm/crypto.h"
#include "nm/db.h"
#include "nm/webhook_worker.h"

/* One statement: the event row, its fan-out to the endpoints subscribed now, and a
 * NOTIFY (delivered at commit) that wakes the delivery workers. The NOTIFY is skipped
 * when nobody subscribed, since a notifying commit takes a global lock. */
static struct nm_sql q_emit = {
	"outbox_emit",
	"WITH e AS (INSERT INTO events (msg_id, type, data) VALUES ($1, $2, $3::jsonb) "
	"RETURNING id), "
	"d AS (INSERT INTO webhook_deliveries (event_id, endpoint_id) "
	"SELECT e.id, w.id FROM e, webhook_endpoints w "
	"WHERE w.status <> 'disabled' AND ($2 = ANY (w.events) OR '*' = ANY (w.events)) "
	"RETURNING 1) "
	"SELECT pg_notify('" NM_WEBHOOK_CHANNEL "', '') WHERE EXISTS (SELECT 1 FROM d)",
	3, 0};

bool nm_outbox_emit(struct nm_pg *pg, const char *type, const json_t *data)
{
	char msg_id[64];
	if (!nm_random_token("msg_", 18, msg_id, sizeof msg_id))
		return false;
	char *payload = json_dumps(data, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
	if (!payload)
		return false;
	const char *p[] = {msg_id, type, payload};
	PGresult *res = nm_db_exec(pg, &q_emit, p);
	bool ok = nm_db_ok(res);
	PQclear(res);
	free(payload);
	return ok;
}
