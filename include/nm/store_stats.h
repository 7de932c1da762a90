/* GET /v1/stats (issue 16): how many creators the pool holds per platform and tier, by
 * data age and by confidence, for a dashboard's "data health" panel. */
#ifndef NM_STORE_STATS_H
#define NM_STORE_STATS_H

#include <stdbool.h>

struct nm_pg;
struct nm_db_err;
struct nm_stats_grid;

/* The counts of GET /v1/stats (docs/api.md "Stats") into *g; false with err on a
 * database failure. One grouped query: confidence is computed per group by
 * nm_confidence_eval, with age and sample grouped at the rules' own thresholds, so the
 * counts equal what each creator's reply says. The in-memory index counts the same
 * (nm_index_creator_stats) without reading the table. */
bool nm_store_creator_stats(struct nm_pg *pg, struct nm_stats_grid *g, struct nm_db_err *err);

#endif
