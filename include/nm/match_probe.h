/* Scores given creators for brands over the in-memory ranking index (src/match/probe.c),
 * with the rules and the scoring of a match run (nm_index_rank): what match alerts
 * (nm/alerts.h) need to tell whether a creator that just changed would enter a brand's
 * top matches, without ranking the whole index for every brand.
 *
 * Cost: every brand term's posting lists are read once per probe (as a run reads them),
 * but only the given creators are scored. Thread-safe (the index's read lock, held for
 * the whole call so that every probe sees the same index). */
#ifndef NM_MATCH_PROBE_H
#define NM_MATCH_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nm/match_index.h"
#include "nm/niche.h"
#include "nm/score.h"

/* One brand's question. The caller sets q, terms, ex (may be NULL), above and k, and
 * out with room for k hits; the call sets n. */
struct nm_index_probe {
	const struct nm_score_query *q;
	const struct nm_niche_terms *terms;
	const struct nm_index_exclusions *ex;
	double above;		  /* keep only scores that, rounded to 2 decimals as results
				   * show them, are strictly above this (< 0: any score) */
	size_t k;		  /* keep the k best of them */
	struct nm_index_hit *out; /* best first, as nm_index_rank writes hits */
	long n;			  /* hits written */
};

/* For each probe, the creators among ids (any order; ids not in the index, deleted
 * ones included, are skipped) that pass every rule of a run for it, scored. False when
 * memory ran out (the probes' n are then 0). */
bool nm_index_probe(const int64_t *ids, size_t n_ids, struct nm_index_probe *probes,
		    size_t n_probes);

#endif
