/* The open-file limit (RLIMIT_NOFILE) that `serve` needs: a descriptor per HTTP
 * connection plus the database pool, the webhook workers and a margin. Debian logins
 * and systemd services start with a soft limit of 1024, below what the default
 * connection cap (1024) needs, while the hard limit is usually far higher; the soft
 * limit may be raised up to the hard one without privileges. Pure: no libmicrohttpd,
 * no libpq. */
#ifndef NM_FDLIMIT_H
#define NM_FDLIMIT_H

#include <sys/resource.h>

#include "nm/config.h"

/* Descriptors serve uses besides its HTTP connections. */
long nm_fd_reserve(const struct nm_config *cfg);

/* The soft limit to set: needed, capped by hard; never lower than soft. RLIM_INFINITY
 * stands for unlimited, as in struct rlimit. */
rlim_t nm_fd_soft_target(rlim_t soft, rlim_t hard, rlim_t needed);

/* The connection cap that fits a soft limit (> 0 for soft >= 2). */
long nm_fd_connections_that_fit(rlim_t soft, long reserve);

/* Raises the soft RLIMIT_NOFILE to fit cfg->max_connections and the reserve, and logs
 * the change. When even the hard limit is too low it logs a warning and lowers
 * cfg->max_connections to what fits, so that database and webhook connections still
 * find descriptors instead of failing with EMFILE once HTTP clients took them all. */
void nm_fd_limit_apply(struct nm_config *cfg);

#endif
