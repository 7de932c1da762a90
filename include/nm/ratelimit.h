/* Per-key token buckets (SPEC §7): `rate` tokens per second, burst of 2 x rate.
 * In-process: with several instances each enforces its own budget (documented). */
#ifndef NM_RATELIMIT_H
#define NM_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

/* Takes one token for key. rate <= 0 disables limiting (always true). On false,
 * *retry_after is the seconds until a token is available. *remaining receives the
 * whole tokens left (for RateLimit-Remaining). */
bool nm_ratelimit_take(int64_t key, double rate, double *retry_after, int *remaining);

#endif
