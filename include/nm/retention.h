/* Retention policy arithmetic shared by the configuration, the pruner (nm/prune.h) and
 * the ranking index: durations as operators write them ("90d", "24h"), and the margin
 * that decides when an index must rebuild because tombstones it may still need were
 * pruned (docs/matching.md). Pure: no libpq. */
#ifndef NM_RETENTION_H
#define NM_RETENTION_H

#include <stdbool.h>

#define NM_RETAIN_DAY (24LL * 3600)
/* The longest accepted retention, so that now() - interval never leaves the timestamp
 * range and the seconds fit everywhere they are passed. */
#define NM_RETAIN_MAX_S (36500LL * NM_RETAIN_DAY)

/* Parses "0" (keep forever) or a whole number followed by one unit, s, m, h or d
 * ("45s", "30m", "24h", "90d"), into seconds. A bare number other than 0 is refused:
 * "90" could mean days to one reader and seconds to another. Returns false when s is
 * malformed or above NM_RETAIN_MAX_S. */
bool nm_duration_parse(const char *s, long long *seconds);

/* Writes seconds as the largest unit that divides it exactly ("7d", "36h", "90s", "0")
 * into buf (>= 24 bytes). Returns buf. */
const char *nm_duration_format(long long seconds, char *buf);

/* How long a creator delete may take from the start of its transaction to its commit
 * and still be applied by every ranking index, for a tombstone retention of
 * retain_s > 0: half the retention, at most a day. The pruner records "indexes synced
 * before (cutoff + margin) must rebuild"; a larger margin rebuilds idle instances
 * sooner, a smaller one trusts deletes to commit faster. */
long long nm_retain_resync_margin_s(long long retain_s);

#endif
