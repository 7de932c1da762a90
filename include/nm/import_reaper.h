/* The import reaper of `serve` (src/db/import_reaper.c): marks failed the imports whose
 * server died while they ran (docs/api-decisions.md, "Imports that lose their server").
 * A running import's side connection holds a lease on it (nm/store_imports.h); a pass
 * finds the running imports whose lease is free, so their server is gone, and records
 * NM_IMPORT_LOST_SERVER as their failure. Passes run at start and every
 * NM_IMPORT_REAP_INTERVAL_S seconds on every instance (a pass is a few indexed queries),
 * so an import is marked within that interval of any instance noticing. Pending imports
 * (POST /v1/imports) whose body never came are failed after NM_IMPORT_PENDING_TTL_S. */
#ifndef NM_IMPORT_REAPER_H
#define NM_IMPORT_REAPER_H

#include "nm/config.h"

#define NM_IMPORT_REAP_INTERVAL_S 15
#define NM_IMPORT_PENDING_TTL_S	  3600

/* Starts the reaper thread (its first pass at once). cfg must outlive it. */
void nm_import_reaper_start(const struct nm_config *cfg);
/* Stops it and waits. */
void nm_import_reaper_stop(void);

#endif
