#include "nm/fdlimit.h"

#include <errno.h>
#include <string.h>

#include "nm/log.h"

/* Per webhook worker: its database connection and stop pipe, and per POST slot
 * (NICHEMATCH_WEBHOOK_CONCURRENCY) a socket in flight, an idle one in libcurl's
 * connection cache (as many as slots) and the socket pair of a threaded DNS lookup. */
#define FDS_PER_WEBHOOK_WORKER 3
#define FDS_PER_WEBHOOK_SLOT   4
/* stdio, the listener, libmicrohttpd's inter-thread channel, a migration file, the
 * OpenSSL random device, and room for what a library opens without telling us. */
#define FDS_MARGIN 64

long nm_fd_reserve(const struct nm_config *cfg)
{
	/* Each read replica has a pool as large as the primary's, plus a probe connection
	 * (nm/db_replicas.h); the invalidation listener's one connection is in the margin. */
	return (long)cfg->db_pool_size * (1 + (long)cfg->n_replicas) + (long)cfg->n_replicas +
	       (long)cfg->webhook_workers *
		       (FDS_PER_WEBHOOK_WORKER +
			(long)cfg->webhook_concurrency * FDS_PER_WEBHOOK_SLOT) +
	       FDS_MARGIN;
}

rlim_t nm_fd_soft_target(rlim_t soft, rlim_t hard, rlim_t needed)
{
	if (soft == RLIM_INFINITY || soft >= needed)
		return soft;
	rlim_t target = needed;
	if (hard != RLIM_INFINITY && hard < target)
		target = hard;
	return target > soft ? target : soft;
}

long nm_fd_connections_that_fit(rlim_t soft, long reserve)
{
	long s = soft > (rlim_t)1 << 30 ? 1L << 30 : (long)soft;
	/* A very low limit still gives HTTP half of it: the margin in the reserve is a guess,
	 * and a server that accepts nobody is worse than one short of descriptors. */
	long fit = s - reserve;
	return fit > s / 2 ? fit : s / 2;
}

static json_t *limit_json(rlim_t v)
{
	return v == RLIM_INFINITY ? json_null() : json_integer((json_int_t)v);
}

void nm_fd_limit_apply(struct nm_config *cfg)
{
	long reserve = nm_fd_reserve(cfg);
	rlim_t needed = (rlim_t)cfg->max_connections + (rlim_t)reserve;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
		nm_log(NM_LOG_WARN, "cannot read RLIMIT_NOFILE: %s", strerror(errno));
		return;
	}
	rlim_t before = rl.rlim_cur;
	rlim_t target = nm_fd_soft_target(rl.rlim_cur, rl.rlim_max, needed);
	if (target != before) {
		rl.rlim_cur = target;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
			nm_log(NM_LOG_WARN, "cannot raise RLIMIT_NOFILE from %llu to %llu: %s",
			       (unsigned long long)before, (unsigned long long)target,
			       strerror(errno));
			rl.rlim_cur = before;
		} else {
			nm_log_json(NM_LOG_INFO, "raised the open-file limit (RLIMIT_NOFILE)",
				    json_pack("{s:o, s:o, s:o}", "from", limit_json(before), "to",
					      limit_json(target), "hard", limit_json(rl.rlim_max)));
		}
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= needed)
		return;
	long fit = nm_fd_connections_that_fit(rl.rlim_cur, reserve);
	if (fit >= cfg->max_connections)
		return;
	nm_log_json(
		NM_LOG_WARN,
		"the open-file limit (RLIMIT_NOFILE) is too low for NICHEMATCH_MAX_CONNECTIONS: "
		"raise the hard limit (ulimit -Hn, systemd LimitNOFILE=, docker --ulimit "
		"nofile=) or lower NICHEMATCH_MAX_CONNECTIONS",
		json_pack("{s:o, s:o, s:I, s:i, s:I}", "soft", limit_json(rl.rlim_cur), "hard",
			  limit_json(rl.rlim_max), "needed", (json_int_t)needed, "max_connections",
			  cfg->max_connections, "max_connections_effective", (json_int_t)fit));
	cfg->max_connections = (int)fit;
}
