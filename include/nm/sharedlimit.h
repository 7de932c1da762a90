/* Rate limits and quotas held across instances (NICHEMATCH_SHARED_LIMITS=1;
 * docs/operations.md "Running several instances"). The per-key request rate and the
 * match-run quota per brand become fixed windows counted in PostgreSQL (migration 0029,
 * table rate_windows): `burst` units per window of burst/rate seconds, the same average
 * rate and burst as the in-process token bucket (a fixed window lets up to twice the
 * burst through across a window's edge).
 *
 * Cheap by leases: an instance takes max(1, budget/20) units with one UPSERT ... RETURNING
 * and spends them locally; once the shared count says the window is spent, it refuses
 * locally until the window ends. Units leased but not spent by one instance are lost to
 * the others for that window (at most one lease per instance: the limit errs on the
 * strict side by that much, never on the generous side). When the database cannot be
 * reached the in-process bucket answers instead. */
#ifndef NM_SHAREDLIMIT_H
#define NM_SHAREDLIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "nm/config.h"
#include "nm/ratelimit.h"

/* As nm_ratelimit_take_in, shared across instances when cfg->shared_limits and t is
 * NM_RL_KEY or NM_RL_MATCH_RUNS; otherwise exactly nm_ratelimit_take_in. */
bool nm_limit_take(const struct nm_config *cfg, enum nm_rl_table t, uint64_t key, double rate,
		   double burst, double *retry_after, int *remaining);

#endif
