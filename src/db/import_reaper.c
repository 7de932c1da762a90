/* The import reaper (see nm/import_reaper.h). Like the pruner, a connection is opened for
 * each pass and closed after it, so nothing is held between passes. */
#include "nm/import_reaper.h"

#include "nm/db_admin.h"
#include "nm/log.h"
#include "nm/periodic.h"
#include "nm/store_imports.h"

static struct nm_periodic R;

static void one_pass(void *arg, const atomic_bool *stop)
{
	(void)stop; /* a pass is a few indexed queries: not worth ending early */
	const struct nm_config *cfg = arg;
	char err[256];
	struct pg_conn *c = nm_db_connect_raw(cfg, err, sizeof err);
	if (!c) {
		nm_log(NM_LOG_WARN, "import reaper: cannot connect: %s", err);
		return;
	}
	if (nm_store_imports_reap(c, NM_IMPORT_PENDING_TTL_S) < 0)
		nm_log(NM_LOG_WARN, "import reaper: the pass failed");
	nm_db_close(c);
}

void nm_import_reaper_start(const struct nm_config *cfg)
{
	R = (struct nm_periodic){.pass = one_pass,
				 .arg = (void *)cfg,
				 .interval_s = NM_IMPORT_REAP_INTERVAL_S,
				 .first_at_once = true};
	if (!nm_periodic_start(&R))
		nm_log(NM_LOG_WARN, "cannot start the import reaper: this instance will not mark "
				    "imports of dead servers failed");
}

void nm_import_reaper_stop(void)
{
	nm_periodic_stop(&R);
}
