/* Baseline: the fastest libmicrohttpd endpoint we can write, for comparison with nichematch's
 * own /healthz and GET latencies (docs/performance.md, PERFORMANCE.md targets table).
 *
 * usage: bare_mhd PORT [pool|tpc]
 *   pool  internal polling thread + epoll, thread pool of 2 (default)
 *   tpc   thread per connection with poll
 * Answers every request with {"status":"ok"} until SIGINT or SIGTERM.
 * Measure with e.g.: wrk -t2 -c32 -d5s --latency http://127.0.0.1:PORT/ping
 * With -c1 the result depends on whether wrk and the server thread share a CPU (about 10 us
 * p50) or not (about 70-110 us p50, far heavier tail); pin both with taskset to compare like
 * with like. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

static const char body[] = "{\"status\":\"ok\"}";

/* Any non-NULL value: it only marks "the first call for this request has happened". */
static int seen_marker;

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **con_cls)
{
	struct MHD_Response *resp = cls;
	(void)url, (void)method, (void)version, (void)upload;
	/* Queueing on the first call, before MHD has finished reading the request, makes
	 * MHD 0.9.75 answer with "Connection: close" and keep-alive throughput collapses. */
	if (!*con_cls) {
		*con_cls = &seen_marker;
		return MHD_YES;
	}
	/* A body (none expected) is consumed and ignored so the connection stays usable. */
	if (*upload_size) {
		*upload_size = 0;
		return MHD_YES;
	}
	return MHD_queue_response(conn, MHD_HTTP_OK, resp);
}

/* One response shared by all connections: MHD reference-counts it, so this is the
 * cheapest possible reply and the right baseline. */
static struct MHD_Response *make_response(void)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(sizeof body - 1, (void *)body,
								 MHD_RESPMEM_PERSISTENT);
	if (r && MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
					 "application/json; charset=utf-8") != MHD_YES) {
		MHD_destroy_response(r);
		r = NULL;
	}
	return r;
}

static int parse_port(const char *s)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < 1 || v > 65535)
		return -1;
	return (int)v;
}

/* Loopback only: a benchmark has no business listening on every interface. */
static struct MHD_Daemon *start(int port, int tpc, struct MHD_Response *resp)
{
	static struct sockaddr_in addr;
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (tpc)
		return MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION |
						MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL,
					(uint16_t)port, NULL, NULL, answer, resp,
					MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
					MHD_OPTION_END);
	return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, (uint16_t)port,
				NULL, NULL, answer, resp, MHD_OPTION_SOCK_ADDR,
				(struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE,
				(unsigned int)2, MHD_OPTION_END);
}

int main(int argc, char **argv)
{
	int port = argc >= 2 ? parse_port(argv[1]) : -1;
	const char *mode = argc >= 3 ? argv[2] : "pool";
	int tpc = strcmp(mode, "tpc") == 0;
	if (port < 0 || argc > 3 || (!tpc && strcmp(mode, "pool") != 0)) {
		fprintf(stderr, "usage: %s PORT [pool|tpc]\n", argv[0]);
		return 2;
	}

	/* Block the signals before MHD starts its threads so they inherit the mask and only
	 * sigwait() below ever sees SIGINT/SIGTERM. */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	struct MHD_Response *resp = make_response();
	struct MHD_Daemon *d = resp ? start(port, tpc, resp) : NULL;
	if (!d) {
		fprintf(stderr, "bare_mhd: cannot start on port %d (%s)\n", port, mode);
		if (resp)
			MHD_destroy_response(resp);
		return 1;
	}
	fprintf(stderr, "bare_mhd: listening on 127.0.0.1:%d, mode %s\n", port, mode);

	int sig;
	sigwait(&sigs, &sig);
	MHD_stop_daemon(d);
	MHD_destroy_response(resp);
	return 0;
}
