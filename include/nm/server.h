/* The HTTP server: starts libmicrohttpd with the route table, and stops it gracefully
 * (quiesce, drain in-flight requests within a deadline). */
#ifndef NM_SERVER_H
#define NM_SERVER_H

#include <stdbool.h>

#include "nm/config.h"

/* Starts listening. Returns false with a reason in err. */
bool nm_server_start(const struct nm_config *cfg, char *err, size_t errsz);
/* The port actually bound (useful with NICHEMATCH_LISTEN=...:0). */
unsigned short nm_server_port(void);
/* Readiness goes false, no new connections are accepted, in-flight requests get up to
 * grace_s seconds to finish, then the daemon stops. */
void nm_server_stop(int grace_s);
/* True once shutdown began (readiness answers 503). */
bool nm_server_stopping(void);
/* Draining (SIGTERM with NICHEMATCH_DRAIN_SECONDS > 0): readiness answers 503 so that a
 * balancer takes the instance out, while every request is still served. */
void nm_server_drain_begin(void);
bool nm_server_draining(void);

#endif
