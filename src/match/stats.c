/* GET /v1/stats from the index (see nm/match_index.h): one pass over the slots' platform
 * and tier columns and freshness arrays, instead of a grouped scan of the creators table. */
#include "nm/match_index.h"

#include <string.h>

#include "index_internal.h"
#include "nm/stats_grid.h"

bool nm_index_creator_stats(int64_t now_s, struct nm_stats_grid *g)
{
	memset(g, 0, sizeof *g);
	pthread_rwlock_rdlock(&nm_idx_lock);
	const struct index *ix = &nm_idx;
	bool ok = ix->loaded;
	for (uint32_t s = 0; ok && s < ix->n_slots; s++) {
		if (!(ix->ver[s] & 0x80))
			continue;
		int pl = ix->s_platform[s] < NM_PLATFORM_COUNT ? ix->s_platform[s]
							       : NM_PLATFORM_OTHER;
		size_t age = nm_stats_age_bucket(nm_confidence_age_days(ix->as_of_s[s], now_s));
		g->n[pl][ix->s_tier[s]][age][nm_idx_conf_level(ix, s, now_s)]++;
	}
	pthread_rwlock_unlock(&nm_idx_lock);
	return ok;
}
