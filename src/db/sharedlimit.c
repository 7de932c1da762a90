/* See nm/sharedlimit.h. A small fixed table of local leases, keyed like the in-process
 * buckets; the database is asked only when a lease is spent. */
#include "nm/sharedlimit.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "nm/db.h"
#include "nm/log.h"
#include "nm/metrics.h"

#define LEASES 4096
#define PROBES 16

struct lease {
	int scope;
	uint64_t subject;
	int64_t window_no;
	int tokens;	/* leased here, not spent yet */
	int left;	/* what the shared count left for others, at the last lease */
	bool exhausted; /* the shared count is spent for window_no */
};

static struct lease leases[LEASES];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int64_t last_prune;

static struct nm_sql q_lease = {
	"rate_windows_lease",
	"INSERT INTO rate_windows AS w (scope, subject, window_no, used, expires_at) "
	"VALUES ($1, $2, $3, $4, $5) ON CONFLICT (scope, subject, window_no) "
	"DO UPDATE SET used = w.used + excluded.used RETURNING used",
	5, 0};
static struct nm_sql q_prune = {"rate_windows_prune",
				"DELETE FROM rate_windows WHERE expires_at < $1", 1, 0};

static struct lease *find(int scope, uint64_t subject)
{
	unsigned h = (unsigned)(((subject ^ (uint64_t)scope << 60) * 0x9E3779B97F4A7C15ull) >> 52) %
		     LEASES;
	struct lease *victim = &leases[h];
	for (int i = 0; i < PROBES; i++) {
		struct lease *l = &leases[(h + (unsigned)i) % LEASES];
		if (l->scope == scope && l->subject == subject)
			return l;
		if (l->scope == 0 || l->window_no < victim->window_no)
			victim = l;
		if (l->scope == 0)
			break;
	}
	*victim = (struct lease){.scope = scope, .subject = subject};
	return victim;
}

/* Leases up to want units of the window; returns how many were granted (>= 0), or -1
 * when the database failed. *left: what the shared count leaves after this lease. */
static int lease_from_db(int scope, uint64_t subject, int64_t window_no, int64_t expires,
			 int budget, int want, int *left)
{
	struct nm_pg *pg = nm_db_acquire();
	if (!pg)
		return -1;
	char s[8], k[24], w[24], n[16], e[24];
	snprintf(s, sizeof s, "%d", scope);
	snprintf(k, sizeof k, "%lld", (long long)subject);
	snprintf(w, sizeof w, "%lld", (long long)window_no);
	snprintf(n, sizeof n, "%d", want);
	snprintf(e, sizeof e, "%lld", (long long)expires);
	const char *p[] = {s, k, w, n, e};
	PGresult *res = nm_db_exec(pg, &q_lease, p);
	int granted = -1;
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
		long used = (long)nm_db_i64(res, 0, 0);
		long before = used - want;
		long g = budget - before;
		granted = g < 0 ? 0 : g > want ? want : (int)g;
		*left = used >= budget ? 0 : (int)(budget - used);
	}
	PQclear(res);
	/* Old windows go now and then: one statement a minute per instance at most. */
	pthread_mutex_lock(&mu);
	bool prune = granted >= 0 && expires - last_prune > 60;
	if (prune)
		last_prune = expires;
	pthread_mutex_unlock(&mu);
	if (prune) {
		char cut[24];
		snprintf(cut, sizeof cut, "%lld", (long long)(time(NULL) - 60));
		const char *pp[] = {cut};
		PQclear(nm_db_exec(pg, &q_prune, pp));
	}
	nm_db_release(pg);
	nm_metrics_add("nichematch_shared_limit_leases_total",
		       "Leases of shared rate-limit units taken from PostgreSQL.",
		       granted < 0 ? "result=\"db_failed\"" : "result=\"ok\"", 1);
	return granted;
}

/* -1: the database failed (the caller falls back to the local bucket). */
static int shared_take(int scope, uint64_t subject, double rate, double burst, double *retry_after,
		       int *remaining)
{
	int budget = (int)floor(burst + 1e-9);
	if (budget < 1)
		budget = 1;
	int64_t window_s = (int64_t)ceil(budget / rate - 1e-9);
	if (window_s < 1)
		window_s = 1;
	int lease = budget / 20 > 1 ? budget / 20 : 1;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	double now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	int64_t window_no = (int64_t)(now / (double)window_s);
	int64_t expires = (window_no + 1) * window_s;

	pthread_mutex_lock(&mu);
	struct lease *l = find(scope, subject);
	if (l->window_no != window_no)
		*l = (struct lease){.scope = scope, .subject = subject, .window_no = window_no};
	bool ask = l->tokens == 0 && !l->exhausted;
	pthread_mutex_unlock(&mu);

	int granted = 0, left = 0;
	if (ask) {
		granted = lease_from_db(scope, subject, window_no, expires, budget, lease, &left);
		if (granted < 0)
			return -1;
	}

	pthread_mutex_lock(&mu);
	l = find(scope, subject); /* the slot may have been recycled meanwhile */
	if (l->window_no < window_no)
		*l = (struct lease){.scope = scope, .subject = subject, .window_no = window_no};
	bool ok;
	if (l->window_no > window_no) {
		ok = granted > 0; /* another thread moved on to the next window: spend one of
				     ours, the rest of that old lease is worthless */
	} else {
		if (ask) {
			l->tokens += granted;
			l->left = left;
			if (granted < lease)
				l->exhausted = true;
		}
		ok = l->tokens > 0;
		if (ok)
			l->tokens--;
	}
	*remaining = ok ? l->tokens + l->left : 0;
	pthread_mutex_unlock(&mu);
	*retry_after = ok ? 0 : (double)expires - now;
	return ok;
}

bool nm_limit_take(const struct nm_config *cfg, enum nm_rl_table t, uint64_t key, double rate,
		   double burst, double *retry_after, int *remaining)
{
	int scope = t == NM_RL_KEY ? 1 : t == NM_RL_MATCH_RUNS ? 2 : 0;
	if (cfg->shared_limits && scope && rate > 0) {
		int rem = 0;
		int rc = shared_take(scope, key, rate, burst, retry_after, &rem);
		if (remaining)
			*remaining = rem;
		if (rc >= 0)
			return rc == 1;
	}
	return nm_ratelimit_take_in(t, key, rate, burst, retry_after, remaining);
}
