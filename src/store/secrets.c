/* Sealing the secrets stored before NICHEMATCH_SECRETS_KEY was set (see nm/store.h). */
#include <libpq-fe.h>
#include <stdio.h>

#include "internal.h"
#include "nm/db.h"
#include "nm/secretbox.h"
#include "nm/store.h"

static struct nm_sql q_clear_webhooks = {
	"secrets_clear_webhooks",
	"SELECT id, secret FROM webhook_endpoints WHERE secret NOT LIKE '" NM_SECRETBOX_PREFIX
	"%' FOR UPDATE",
	0, 0};
static struct nm_sql q_clear_sources = {
	"secrets_clear_sources",
	"SELECT id, secret FROM inbound_sources WHERE secret NOT LIKE '" NM_SECRETBOX_PREFIX
	"%' FOR UPDATE",
	0, 0};
static struct nm_sql q_seal_webhook = {
	"secrets_seal_webhook", "UPDATE webhook_endpoints SET secret = $2 WHERE id = $1", 2, 0};
static struct nm_sql q_seal_source = {"secrets_seal_source",
				      "UPDATE inbound_sources SET secret = $2 WHERE id = $1", 2, 0};

static bool seal_table(struct nm_pg *pg, struct nm_sql *select, struct nm_sql *update, int *sealed,
		       struct nm_db_err *err)
{
	PGresult *res = nm_db_exec(pg, select, NULL);
	nm_db_err_from(err, res);
	bool ok = err->status == NM_DB_OK;
	for (int i = 0; ok && i < PQntuples(res); i++) {
		char *stored = nm_secretbox_seal(PQgetvalue(res, i, 1));
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
		*sealed += ok;
	}
	PQclear(res);
	return ok;
}

static bool seal_tx(struct nm_pg *pg, void *cls, struct nm_db_err *err)
{
	int *sealed = cls;
	*sealed = 0;
	return seal_table(pg, &q_clear_webhooks, &q_seal_webhook, sealed, err) &&
	       seal_table(pg, &q_clear_sources, &q_seal_source, sealed, err);
}

bool nm_store_seal_secrets(struct nm_pg *pg, int *sealed, struct nm_db_err *err)
{
	*sealed = 0;
	if (!nm_secretbox_enabled())
		return true;
	return nm_tx_run(pg, NM_TX_READ_COMMITTED, seal_tx, sealed, err);
}
