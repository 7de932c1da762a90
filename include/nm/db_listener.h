/* Cross-instance invalidation with PostgreSQL's LISTEN/NOTIFY (docs/operations.md
 * "Running several instances"). A key revocation and a brand deletion send
 * NOTIFY nm_invalidate in the transaction that makes them (the store's statements do),
 * so that every instance hears of it when, and only if, it commits. Each `serve` keeps
 * one dedicated connection that LISTENs and forgets its cached key checks on every
 * notification (nm/authcache.h). When that connection breaks, the thread reconnects
 * (every second) and clears the cache once it listens again, since it may have missed
 * notifications meanwhile; the cache TTL bounds what a lost notification can cost. */
#ifndef NM_DB_LISTENER_H
#define NM_DB_LISTENER_H

#include <stdbool.h>

#include "nm/config.h"

/* The channel the store notifies on. */
#define NM_INVALIDATE_CHANNEL "nm_invalidate"

/* Starts the listener thread (false: it could not be created; caches then expire by
 * their TTL only, as before). */
bool nm_listener_start(const struct nm_config *cfg);
/* fn runs on the listener thread when a bulk import commits on any instance (NOTIFY
 * nm_invalidate 'creators'), and once more whenever the listener connects again (it may
 * have missed one): main wires the index's background sync here. Set it before starting. */
void nm_listener_on_creators(void (*fn)(void));
/* Stops and joins it. */
void nm_listener_stop(void);
/* True while the listener connection is up and listening. */
bool nm_listener_listening(void);

#endif
