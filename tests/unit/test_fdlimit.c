/* Unit tests of the RLIMIT_NOFILE plan: the soft limit serve asks for and the connection
 * cap that fits when the hard limit is too low. */
#include "check.h"
#include "nm/fdlimit.h"

int main(void)
{
	/* The defaults, set here so that the environment cannot change them. */
	struct nm_config cfg = {.max_connections = 1024, .db_pool_size = 16, .webhook_workers = 4};
	long reserve = nm_fd_reserve(&cfg);
	CHECK(reserve >= 16 + 4 + 3);
	rlim_t needed = (rlim_t)cfg.max_connections + (rlim_t)reserve;
	CHECK(needed > 1024);

	/* Debian: soft 1024, hard 524288 (systemd) or 1048576 (docker): raised to needed. */
	CHECK(nm_fd_soft_target(1024, 524288, needed) == needed);
	CHECK(nm_fd_soft_target(1024, RLIM_INFINITY, needed) == needed);
	/* Never lowered. */
	CHECK(nm_fd_soft_target(65536, 524288, needed) == 65536);
	CHECK(nm_fd_soft_target(RLIM_INFINITY, RLIM_INFINITY, needed) == RLIM_INFINITY);
	CHECK(nm_fd_soft_target(needed, needed, needed) == needed);
	/* A hard limit too low: as far as it goes. */
	CHECK(nm_fd_soft_target(256, 1024, needed) == 1024);
	CHECK(nm_fd_soft_target(256, 256, needed) == 256);

	/* What fits: the reserve comes off, but HTTP keeps at least half. */
	CHECK(nm_fd_connections_that_fit(1024, reserve) == 1024 - reserve);
	CHECK(nm_fd_connections_that_fit(needed, reserve) == cfg.max_connections);
	CHECK(nm_fd_connections_that_fit(64, reserve) == 32);
	CHECK(nm_fd_connections_that_fit(2, reserve) == 1);
	CHECK(nm_fd_connections_that_fit(RLIM_INFINITY, reserve) > 100000);
	CHECK_DONE();
}
