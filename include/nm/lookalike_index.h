/* Lookalikes over the in-memory ranking index (docs/matching.md "Lookalikes";
 * src/match/lookalike.c): the seeds' terms (a finished struct nm_lk_profile) are looked
 * up in the index's dictionary and weighted by rarity; their posting lists accumulate each
 * candidate's weighted overlap; the NM_LK_RESCORE best candidates by content similarity
 * that pass the filters get the full similarity (nm/lookalike.h) and the best k are
 * returned, similarity descending, creator id ascending.
 *
 * Thread-safe (the index's read lock). Call nm_index_sync first. */
#ifndef NM_LOOKALIKE_INDEX_H
#define NM_LOOKALIKE_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nm/lookalike.h"
#include "nm/score.h"

/* Filters on the results; a zero member does not filter (max_followers: INT64_MAX). */
struct nm_lk_filter {
	uint32_t platforms;    /* bit per enum nm_platform */
	int64_t min_followers; /* inclusive */
	int64_t max_followers; /* inclusive */
	char country[2];       /* ISO 3166-1, upper-case: the stated country */
};

struct nm_lk_hit {
	int64_t id;
	double similarity, content;
	unsigned facts; /* NM_LK_SAME_TIER_COUNTRY | NM_LK_ENGAGEMENT_CLOSE for some seed */
};

/* Fills prof's df and weight, then ranks. seeds: the seeds' creator ids (their features
 * come from the index; a seed missing there adds no attribute part). exclude: ids that
 * never come back, strictly ascending (the caller puts the seeds in). Writes up to k hits
 * into out. Returns the count, -1 when out of memory, -2 when the index is not loaded. */
long nm_index_lookalikes(struct nm_lk_profile *prof, const int64_t *seeds, size_t n_seeds,
			 const struct nm_lk_filter *flt, const int64_t *exclude, size_t n_exclude,
			 const struct nm_score_bench *bench, size_t k, struct nm_lk_hit *out);

#endif
