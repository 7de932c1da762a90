/* Sealing stored secrets under the current NICHEMATCH_SECRETS_KEY: those stored before a key
 * was set and those sealed by a previous key (see nm/store.h). */
#include <libpq-fe.h>
#include <stdio.h>

#include "internal.h"
#include "nm/db.h"
#include "nm/secretbox.h"
#include "nm/store.h"

/* Every column that holds a secret. The tables are small (one row per endpoint or
 * source), so each pass reads them whole and locks them while it writes. */
static struct nm_sql q_webhook_secrets = {
	"secrets_webhooks", "SELECT id, secret FROM webhook_endpoints FOR UPDATE", 0, 0};
static struct nm_sql q_webhook_previous = {
	"secrets_webhooks_previous",
	"SELECT id, previous_secret FROM webhook_endpoints WHERE previous_secret IS NOT NULL "
	"FOR UPDATE",
	0, 0};
static struct nm_sql q_source_secrets = {"secrets_sources",
					 "SELECT id, secret FROM inbound_sources FOR UPDATE", 0, 0};
static struct nm_sql q_set_webhook = {
	"secrets_set_webhook", "UPDATE webhook_endpoints SET secret = $2 WHERE id = $1", 2, 0};
static struct nm_sql q_set_webhook_previous = {
	"secrets_set_webhook_previous",
	"UPDATE webhook_endpoints SET previous_secret = $2 WHERE id = $1", 2, 0};
static struct nm_sql q_set_source = {"secrets_set_source",
				     "UPDATE inbound_sources SET secret = $2 WHERE id = $1", 2, 0};

struct reseal {
	int sealed, unreadable;
};

static bool reseal_column(struct nm_pg *pg, struct nm_sql *select, struct nm_sql *update,
			  struct reseal *n, struct nm_db_err *err)
{
	PGresult *res = nm_db_exec(pg, select, NULL);
	nm_db_err_from(err, res);
	bool ok = err->status == NM_DB_OK;
	for (int i = 0; ok && i < PQntuples(res); i++) {
		const char *now = PQgetvalue(res, i, 1);
		if (!nm_secretbox_needs_reseal(now))
			continue;
		char *plain = nm_secretbox_open(now);
		if (!plain) {
			/* sealed by a key we were not given: left as it is, and counted */
			n->unreadable++;
			continue;
		}
		char *stored = nm_secretbox_seal(plain);
		nm_secretbox_free(plain);
		if (!stored) {
			nm_db_err_set(err, NM_DB_ERROR);
			ok = false;
			break;
		}
		const char *p[] = {PQgetvalue(res, i, 0), stored};
		PGresult *u = nm_db_exec(pg, update, p);
		nm_secretbox_free(stored);
		nm_db_err_from(err, u);
		PQclear(u);
		ok = err->status == NM_DB_OK;
		n->sealed += ok;
	}
	PQclear(res);
	return ok;
}

static bool reseal_tx(struct nm_pg *pg, void *cls, struct nm_db_err *err)
{
	struct reseal *n = cls;
	*n = (struct reseal){0, 0};
	return reseal_column(pg, &q_webhook_secrets, &q_set_webhook, n, err) &&
	       reseal_column(pg, &q_webhook_previous, &q_set_webhook_previous, n, err) &&
	       reseal_column(pg, &q_source_secrets, &q_set_source, n, err);
}

bool nm_store_seal_secrets(struct nm_pg *pg, int *sealed, int *unreadable, struct nm_db_err *err)
{
	struct reseal n = {0, 0};
	bool ok =
		!nm_secretbox_enabled() || nm_tx_run(pg, NM_TX_READ_COMMITTED, reseal_tx, &n, err);
	*sealed = n.sealed;
	*unreadable = n.unreadable;
	return ok;
}
