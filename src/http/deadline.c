/* Deadlines for slow clients (docs/api.md §7). libmicrohttpd 0.9.75 only closes a connection
 * that sends nothing for NICHEMATCH_CONNECTION_TIMEOUT_S, so a client trickling a byte
 * every few seconds would keep its connection and its thread for ever (slowloris).
 *
 * Each connection gets a slot when MHD reports it started; the connection's own thread
 * moves the slot through phases from the MHD callbacks, and one watchdog thread scans
 * the slots and shuts down the socket of an overdue one. MHD's poll then sees EOF, and
 * the connection ends as if the client had gone (an import is rolled back).
 *
 * A slot's state is a single atomic word: the phase in the low bits and a time in ms
 * above. The watchdog only ever turns a watched phase into CUT, with a compare-and-swap
 * on the word it judged; the connection's thread leaves a watched phase with a CAS too.
 * So a request that has entered the application (its handler, or an import chunk being
 * processed) can never be cut, and a cut is never judged on a stale deadline. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include "internal.h"
#include "nm/log.h"
#include "nm/metrics.h"

enum phase {
	PH_APP = 0,	/* in our code, or nothing to enforce: never cut */
	PH_IDLE = 1,	/* keep-alive between requests; time = deadline (0: none) */
	PH_HEADERS = 2, /* time = deadline for the headers (0: none) */
	PH_BODY = 3,	/* time = deadline for the whole (non-import) body */
	PH_IMPORT = 4,	/* time = when the body started; judged by rate */
	PH_CUT = 7,	/* the watchdog shut the socket down; terminal */
};
#define PH_BITS 3u
#define PH_MASK 7u

enum cut_kind { CUT_HEADER, CUT_BODY, CUT_IMPORT_RATE, CUT_KINDS };
static const char *const cut_names[CUT_KINDS] = {"header", "body", "import_rate"};
static const char *const cut_labels[CUT_KINDS] = {"deadline=\"header\"", "deadline=\"body\"",
						  "deadline=\"import_rate\""};
#define CUT_METRIC "nichematch_http_slow_clients_closed_total"
#define CUT_HELP                                                                                   \
	"Connections closed because headers or a body arrived too slowly, by deadline "            \
	"(NICHEMATCH_HEADER_TIMEOUT_S, NICHEMATCH_BODY_TIMEOUT_S, "                                \
	"NICHEMATCH_IMPORT_MIN_BYTES_PER_S)."

struct nm_conn {
	_Atomic uint64_t state;
	_Atomic uint64_t bytes;	 /* import body bytes so far */
	_Atomic uint64_t app_ms; /* time spent processing import chunks */
	_Atomic int cut_kind;	 /* valid once the state is PH_CUT */
	int fd;
	dev_t dev; /* the socket's identity, checked again before a shutdown */
	ino_t ino;
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} addr;
	size_t index; /* in reg.slots */

	/* Owned by the connection's thread. */
	uint64_t import_word; /* the PH_IMPORT word of the running import */
	uint64_t chunk_t0;
	bool in_chunk;

	/* Owned by the watchdog: the import's current rate window. */
	uint64_t win_word, win_t, win_bytes, win_app;
};

struct cut {
	enum cut_kind kind;
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} addr;
	uint64_t bytes;
};

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct nm_conn **slots;
	size_t n, cap;
	struct cut *cuts; /* the watchdog's scratch list, cap entries */
	pthread_t thread;
	bool stop;
	uint64_t header_ms, body_ms, idle_ms, tick_ms;
	uint64_t min_rate; /* bytes per second */
} reg = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* The coarse clock costs a few ns and ticks every few ms: plenty for deadlines of
 * seconds, and it keeps the per-request cost out of sight. */
static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t word(enum phase p, uint64_t t)
{
	return t << PH_BITS | (uint64_t)p;
}

static enum phase phase_of(uint64_t w)
{
	return (enum phase)(w & PH_MASK);
}

static uint64_t time_of(uint64_t w)
{
	return w >> PH_BITS;
}

static uint64_t deadline_after(uint64_t start, uint64_t limit_ms)
{
	return limit_ms ? start + limit_ms : 0;
}

/* ------------------------------------------------------------ connection thread side */

static struct nm_conn *conn_new(struct MHD_Connection *c)
{
	struct nm_conn *k = calloc(1, sizeof *k);
	if (!k)
		return NULL;
	const union MHD_ConnectionInfo *fi =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct stat st;
	if (!fi || fstat(fi->connect_fd, &st) != 0) {
		free(k);
		return NULL;
	}
	k->fd = fi->connect_fd;
	k->dev = st.st_dev;
	k->ino = st.st_ino;
	const union MHD_ConnectionInfo *ai =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ai && ai->client_addr) {
		size_t n = ai->client_addr->sa_family == AF_INET6 ? sizeof k->addr.in6
								  : sizeof k->addr.in;
		memcpy(&k->addr, ai->client_addr, n);
	}
	/* The first request's headers are due a fixed time after the accept. */
	atomic_init(&k->state, word(PH_HEADERS, deadline_after(now_ms(), reg.header_ms)));
	return k;
}

static bool reg_add(struct nm_conn *k)
{
	pthread_mutex_lock(&reg.mu);
	bool ok = reg.n < reg.cap;
	if (ok) {
		k->index = reg.n;
		reg.slots[reg.n++] = k;
	}
	pthread_mutex_unlock(&reg.mu);
	return ok;
}

/* MHD calls this before it closes the socket (MHD_cleanup_connections), so while a slot
 * is registered its fd cannot have been reused: the watchdog holds reg.mu around every
 * shutdown. */
static void reg_remove(struct nm_conn *k)
{
	pthread_mutex_lock(&reg.mu);
	struct nm_conn *last = reg.slots[--reg.n];
	last->index = k->index;
	reg.slots[k->index] = last;
	pthread_mutex_unlock(&reg.mu);
}

void nm_deadline_notify(void *cls, struct MHD_Connection *c, void **socket_context,
			enum MHD_ConnectionNotificationCode toe)
{
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		struct nm_conn *k = reg.slots ? conn_new(c) : NULL;
		if (k && !reg_add(k)) {
			free(k);
			k = NULL;
		}
		*socket_context = k;
		return;
	}
	struct nm_conn *k = *socket_context;
	if (!k)
		return;
	*socket_context = NULL;
	reg_remove(k);
	free(k);
}

struct nm_conn *nm_deadline_conn(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *i =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return i ? i->socket_context : NULL;
}

/* Moves a watched phase to `to` unless the watchdog cut it first. */
static bool leave_watched(struct nm_conn *k, uint64_t to)
{
	uint64_t s = atomic_load(&k->state);
	do {
		if (phase_of(s) == PH_CUT)
			return false;
	} while (!atomic_compare_exchange_weak(&k->state, &s, to));
	return true;
}

/* The request line has been parsed: the first sign of a request we can see on a
 * keep-alive connection. Its headers are due header_ms from now, and never later than
 * the idle phase allowed (so trickling the request line itself is bounded too). */
void *nm_deadline_uri_log(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct nm_conn *k = nm_deadline_conn(c);
	if (!k || !reg.header_ms)
		return NULL;
	uint64_t s = atomic_load(&k->state), due = now_ms() + reg.header_ms, to;
	do {
		enum phase p = phase_of(s);
		if (p != PH_IDLE && p != PH_HEADERS)
			return NULL;
		uint64_t old = time_of(s);
		to = word(PH_HEADERS, old && old < due ? old : due);
		if (to == s)
			return NULL; /* the first request: due since the accept */
	} while (!atomic_compare_exchange_weak(&k->state, &s, to));
	return NULL;
}

bool nm_deadline_enter_app(struct nm_conn *k)
{
	return !k || leave_watched(k, word(PH_APP, 0));
}

void nm_deadline_body(struct nm_conn *k, bool import)
{
	if (!k || !reg.body_ms)
		return;
	uint64_t now = now_ms();
	if (!import) {
		atomic_store(&k->state, word(PH_BODY, now + reg.body_ms));
		return;
	}
	if (!reg.min_rate)
		return;
	k->import_word = word(PH_IMPORT, now);
	atomic_store_explicit(&k->bytes, 0, memory_order_relaxed);
	atomic_store_explicit(&k->app_ms, 0, memory_order_relaxed);
	atomic_store(&k->state, k->import_word);
}

bool nm_deadline_chunk_begin(struct nm_conn *k)
{
	if (!k)
		return true;
	uint64_t s = atomic_load(&k->state);
	if (phase_of(s) == PH_CUT)
		return false;
	if (phase_of(s) != PH_IMPORT)
		return true;
	if (!leave_watched(k, word(PH_APP, 0)))
		return false;
	k->in_chunk = true;
	k->chunk_t0 = now_ms();
	return true;
}

void nm_deadline_chunk_end(struct nm_conn *k, unsigned long long body_total)
{
	if (!k || !k->in_chunk)
		return;
	k->in_chunk = false;
	atomic_fetch_add_explicit(&k->app_ms, now_ms() - k->chunk_t0, memory_order_relaxed);
	atomic_store_explicit(&k->bytes, body_total, memory_order_relaxed);
	atomic_store(&k->state, k->import_word);
}

const char *nm_deadline_request_done(struct nm_conn *k)
{
	if (!k)
		return NULL;
	/* Between requests MHD's inactivity timeout closes a silent connection; a client
	 * that instead trickles the next request line is cut once that timeout plus the
	 * header allowance has passed. */
	uint64_t idle = word(PH_IDLE, deadline_after(now_ms(), reg.header_ms ? reg.idle_ms : 0));
	if (leave_watched(k, idle))
		return NULL;
	return cut_names[atomic_load(&k->cut_kind)];
}

/* ---------------------------------------------------------------------- watchdog side */

/* Whether an import body is below the minimum rate: its time is cut into windows of
 * body_ms of the client's time (time spent in our own chunk processing does not
 * count, as the client cannot send while we do not read), and each window must bring
 * min_rate bytes per second. */
static bool import_too_slow(struct nm_conn *k, uint64_t w, uint64_t now)
{
	uint64_t bytes = atomic_load_explicit(&k->bytes, memory_order_relaxed);
	uint64_t app = atomic_load_explicit(&k->app_ms, memory_order_relaxed);
	if (k->win_word != w) {
		k->win_word = w;
		k->win_t = time_of(w);
		k->win_bytes = 0;
		k->win_app = 0;
	}
	uint64_t wall = now > k->win_t ? now - k->win_t : 0;
	uint64_t ours = app - k->win_app;
	uint64_t client = wall > ours ? wall - ours : 0;
	if (client < reg.body_ms)
		return false;
	if (bytes - k->win_bytes < reg.min_rate * client / 1000u)
		return true;
	k->win_t = now;
	k->win_bytes = bytes;
	k->win_app = app;
	return false;
}

static bool overdue(struct nm_conn *k, uint64_t w, uint64_t now, enum cut_kind *kind)
{
	*kind = CUT_HEADER;
	switch (phase_of(w)) {
	case PH_IDLE:
	case PH_HEADERS:
		return time_of(w) && now >= time_of(w);
	case PH_BODY:
		*kind = CUT_BODY;
		return now >= time_of(w);
	case PH_IMPORT:
		*kind = CUT_IMPORT_RATE;
		return import_too_slow(k, w, now);
	default:
		return false;
	}
}

/* The socket is checked to still be the one accepted: cheap insurance against ever
 * shutting down a reused descriptor. */
static bool same_socket(const struct nm_conn *k)
{
	struct stat st;
	return fstat(k->fd, &st) == 0 && st.st_dev == k->dev && st.st_ino == k->ino;
}

static size_t scan(uint64_t now)
{
	size_t n_cuts = 0;
	pthread_mutex_lock(&reg.mu);
	for (size_t i = 0; i < reg.n; i++) {
		struct nm_conn *k = reg.slots[i];
		uint64_t w = atomic_load(&k->state);
		enum cut_kind kind;
		if (!overdue(k, w, now, &kind))
			continue;
		atomic_store(&k->cut_kind, (int)kind);
		if (!atomic_compare_exchange_strong(&k->state, &w, word(PH_CUT, now)))
			continue; /* it moved on meanwhile: judged again next tick */
		if (same_socket(k))
			shutdown(k->fd, SHUT_RDWR);
		struct cut *c = &reg.cuts[n_cuts++];
		c->kind = kind;
		memcpy(&c->addr, &k->addr, sizeof c->addr);
		c->bytes = atomic_load_explicit(&k->bytes, memory_order_relaxed);
	}
	pthread_mutex_unlock(&reg.mu);
	return n_cuts;
}

static void report(const struct cut *c)
{
	char ip[INET6_ADDRSTRLEN] = "";
	int port = 0;
	if (c->addr.sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &c->addr.in.sin_addr, ip, sizeof ip);
		port = ntohs(c->addr.in.sin_port);
	} else if (c->addr.sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &c->addr.in6.sin6_addr, ip, sizeof ip);
		port = ntohs(c->addr.in6.sin6_port);
	}
	nm_metrics_add(CUT_METRIC, CUT_HELP, cut_labels[c->kind], 1);
	json_t *f = json_pack("{s:s, s:s, s:i}", "deadline", cut_names[c->kind], "client", ip,
			      "client_port", port);
	if (c->kind == CUT_IMPORT_RATE) {
		json_object_set_new(f, "bytes_in", json_integer((json_int_t)c->bytes));
		json_object_set_new(f, "min_bytes_per_s", json_integer((json_int_t)reg.min_rate));
	} else {
		uint64_t limit = c->kind == CUT_HEADER ? reg.header_ms : reg.body_ms;
		json_object_set_new(f, "limit_s", json_integer((json_int_t)(limit / 1000)));
	}
	nm_log_json(NM_LOG_WARN, "slow client closed", f);
}

static void *watchdog(void *arg)
{
	pthread_mutex_lock(&reg.mu);
	while (!reg.stop) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += (long)(reg.tick_ms % 1000) * 1000000L;
		until.tv_sec += (time_t)(reg.tick_ms / 1000) + until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		while (!reg.stop && pthread_cond_timedwait(&reg.cv, &reg.mu, &until) != ETIMEDOUT)
			;
		if (reg.stop)
			break;
		pthread_mutex_unlock(&reg.mu);
		/* Logging and metrics happen outside reg.mu: accepts never wait on them. */
		size_t n = scan(now_ms());
		for (size_t i = 0; i < n; i++)
			report(&reg.cuts[i]);
		pthread_mutex_lock(&reg.mu);
	}
	pthread_mutex_unlock(&reg.mu);
	return NULL;
}

static uint64_t smallest_nonzero(uint64_t a, uint64_t b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

static void free_slots(void)
{
	free(reg.slots);
	free(reg.cuts);
	reg.slots = NULL;
	reg.cuts = NULL;
	reg.n = reg.cap = 0;
}

bool nm_deadline_start(const struct nm_config *cfg, char *err, size_t errsz)
{
	reg.header_ms = (uint64_t)cfg->header_timeout_s * 1000u;
	reg.body_ms = (uint64_t)cfg->body_timeout_s * 1000u;
	reg.idle_ms = (uint64_t)cfg->connection_timeout_s * 1000u + reg.header_ms;
	reg.min_rate = (uint64_t)cfg->import_min_rate;
	if (!reg.header_ms && !reg.body_ms)
		return true; /* nothing to enforce: no watchdog, no slots */
	/* A tick of a twentieth of the shortest limit: cuts land within 5% of it. */
	uint64_t shortest = smallest_nonzero(reg.header_ms, reg.body_ms);
	reg.tick_ms = shortest / 20 < 50 ? 50 : shortest / 20 > 500 ? 500 : shortest / 20;
	reg.cap = (size_t)cfg->max_connections;
	reg.slots = calloc(reg.cap, sizeof *reg.slots);
	reg.cuts = calloc(reg.cap, sizeof *reg.cuts);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	int rc = reg.slots && reg.cuts ? pthread_cond_init(&reg.cv, &ca) : ENOMEM;
	pthread_condattr_destroy(&ca);
	if (rc == 0) {
		reg.stop = false;
		rc = pthread_create(&reg.thread, NULL, watchdog, NULL);
		if (rc)
			pthread_cond_destroy(&reg.cv);
	}
	if (rc) {
		free_slots();
		snprintf(err, errsz, "cannot start the slow-client watchdog: %s", strerror(rc));
		return false;
	}
	for (int i = 0; i < CUT_KINDS; i++)
		nm_metrics_add(CUT_METRIC, CUT_HELP, cut_labels[i], 0);
	return true;
}

void nm_deadline_stop(void)
{
	if (!reg.slots)
		return;
	pthread_mutex_lock(&reg.mu);
	reg.stop = true;
	pthread_cond_signal(&reg.cv);
	pthread_mutex_unlock(&reg.mu);
	pthread_join(reg.thread, NULL);
	pthread_cond_destroy(&reg.cv);
	free_slots();
}
