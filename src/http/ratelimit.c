/* Token buckets in fixed open-addressing tables, one per purpose, and a table of
 * in-flight counters per API key. Every table is small and bounded whatever the
 * number of distinct keys (random bearer strings, many client addresses). */
#include "nm/ratelimit.h"

#include <netinet/in.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define BUCKETS 4096
#define PROBES	16

struct bucket {
	uint64_t key;
	double tokens;
	double last;
};

static struct bucket tables[NM_RL_TABLES][BUCKETS];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned home(uint64_t key)
{
	return (unsigned)((key * 0x9E3779B97F4A7C15ull) >> 52) % BUCKETS;
}

/* The bucket of key, refilled up to now. Caller holds mu. */
static struct bucket *find(struct bucket *table, uint64_t key, double rate, double burst,
			   double now)
{
	unsigned h = home(key);
	struct bucket *b = NULL, *oldest = &table[h];
	for (int i = 0; i < PROBES && !b; i++) {
		struct bucket *c = &table[(h + (unsigned)i) % BUCKETS];
		if (c->key == key)
			b = c;
		else if (c->key == 0)
			break;
		else if (c->last < oldest->last)
			oldest = c;
	}
	if (!b) {
		for (int i = 0; i < PROBES; i++) {
			struct bucket *c = &table[(h + (unsigned)i) % BUCKETS];
			if (c->key == 0) {
				oldest = c;
				break;
			}
		}
		b = oldest;
		b->key = key;
		b->tokens = burst;
		b->last = now;
	}
	b->tokens += (now - b->last) * rate;
	if (b->tokens > burst)
		b->tokens = burst;
	b->last = now;
	return b;
}

static bool use(enum nm_rl_table t, uint64_t key, double rate, double burst, bool take,
		double *retry_after, int *remaining)
{
	*retry_after = 0;
	if (remaining)
		*remaining = 0;
	if (rate <= 0 || (unsigned)t >= NM_RL_TABLES)
		return true;
	if (burst < 1)
		burst = 1;
	if (!key)
		key = ~0ull;
	pthread_mutex_lock(&mu);
	struct bucket *b = find(tables[t], key, rate, burst, now_s());
	bool ok = b->tokens >= 1.0;
	if (ok && take)
		b->tokens -= 1.0;
	else if (!ok)
		*retry_after = (1.0 - b->tokens) / rate;
	if (remaining)
		*remaining = (int)b->tokens;
	pthread_mutex_unlock(&mu);
	return ok;
}

bool nm_ratelimit_take_in(enum nm_rl_table t, uint64_t key, double rate, double burst,
			  double *retry_after, int *remaining)
{
	return use(t, key, rate, burst, true, retry_after, remaining);
}

bool nm_ratelimit_peek(enum nm_rl_table t, uint64_t key, double rate, double burst,
		       double *retry_after)
{
	return use(t, key, rate, burst, false, retry_after, NULL);
}

bool nm_ratelimit_take(int64_t key, double rate, double *retry_after, int *remaining)
{
	return nm_ratelimit_take_in(NM_RL_KEY, (uint64_t)key, rate, 2 * rate, retry_after,
				    remaining);
}

uint64_t nm_ratelimit_addr_key(const struct sockaddr *sa)
{
	if (sa && sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		return (uint64_t)ntohl(in->sin_addr.s_addr) + 1;
	}
	if (sa && sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		uint64_t k;
		memcpy(&k, in6->sin6_addr.s6_addr, sizeof k);
		return k | (1ull << 63) | 1;
	}
	return ~0ull;
}

/* ---------------------------------------------------------------- in flight */

static struct flight {
	int64_t key;
	int n;
} flights[BUCKETS];

bool nm_inflight_enter(int64_t key, int max, int *slot)
{
	*slot = -1;
	if (max <= 0 || key == 0)
		return true;
	unsigned h = home((uint64_t)key);
	pthread_mutex_lock(&mu);
	int found = -1, free_slot = -1;
	for (int i = 0; i < PROBES; i++) {
		int s = (int)((h + (unsigned)i) % BUCKETS);
		if (flights[s].key == key) {
			found = s;
			break;
		}
		if (flights[s].n == 0 && free_slot < 0)
			free_slot = s;
	}
	if (found < 0 && free_slot >= 0) {
		found = free_slot;
		flights[found].key = key;
		flights[found].n = 0;
	}
	bool ok = true;
	if (found >= 0) { /* else: all probed slots busy; the request goes uncounted */
		ok = flights[found].n < max;
		if (ok) {
			flights[found].n++;
			*slot = found;
		}
	}
	pthread_mutex_unlock(&mu);
	return ok;
}

void nm_inflight_leave(int slot)
{
	if (slot < 0 || slot >= BUCKETS)
		return;
	pthread_mutex_lock(&mu);
	if (flights[slot].n > 0)
		flights[slot].n--;
	pthread_mutex_unlock(&mu);
}
