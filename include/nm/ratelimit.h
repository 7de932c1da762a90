/* Token buckets and in-flight counters, in fixed bounded tables (docs/api.md §7).
 * In-process: with several instances each enforces its own budget (documented).
 *
 * Buckets: `rate` tokens per second up to `burst`. Tables are keyed by a non-zero
 * 64-bit key (an API key id, a brand id, a client address from nm_ratelimit_addr_key).
 * When a table is full, the stalest bucket is recycled (a recycled key starts with a
 * full bucket, which errs on the generous side). */
#ifndef NM_RATELIMIT_H
#define NM_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct sockaddr;

enum nm_rl_table {
	NM_RL_KEY,	  /* requests per API key (NICHEMATCH_RATE_LIMIT) */
	NM_RL_AUTH_FAIL,  /* 401s per client address (NICHEMATCH_AUTH_FAIL_LIMIT) */
	NM_RL_INBOUND,	  /* inbound events per client address (NICHEMATCH_INBOUND_RATE_LIMIT) */
	NM_RL_MATCH_RUNS, /* match runs per brand (NICHEMATCH_MATCH_RUNS_PER_MINUTE) */
	NM_RL_TABLES
};

/* Takes one token for key in table t. rate <= 0 disables limiting (always true). On
 * false, *retry_after is the seconds until a token is available. *remaining receives
 * the whole tokens left. */
bool nm_ratelimit_take_in(enum nm_rl_table t, uint64_t key, double rate, double burst,
			  double *retry_after, int *remaining);

/* True when key has a whole token in table t, without taking it; else *retry_after is
 * the seconds until it has. rate <= 0: always true. */
bool nm_ratelimit_peek(enum nm_rl_table t, uint64_t key, double rate, double burst,
		       double *retry_after);

/* The per-API-key bucket: `rate` per second, burst 2 x rate. */
bool nm_ratelimit_take(int64_t key, double rate, double *retry_after, int *remaining);

/* A non-zero table key for a client address: the IPv4 address, or an IPv6 /64 (one
 * subscriber's usual allocation). NULL or another family: one shared key. */
uint64_t nm_ratelimit_addr_key(const struct sockaddr *sa);

/* Requests in flight per API key. enter returns false when key already has max in
 * flight (max <= 0: no limit). On true, *slot must be passed to leave when the request
 * ends (it is -1 when the request is not counted: no limit, or the table is full). */
bool nm_inflight_enter(int64_t key, int max, int *slot);
void nm_inflight_leave(int slot);

#endif
