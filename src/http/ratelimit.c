/* Token buckets in a fixed open-addressing table keyed by API key id. The table is
 * small and bounded: when full, the stalest bucket is recycled (a recycled key starts
 * with a full bucket, which errs on the generous side). */
#include "nm/ratelimit.h"

#include <pthread.h>
#include <time.h>

#define BUCKETS 4096

static struct bucket {
	int64_t key;
	double tokens;
	double last;
} table[BUCKETS];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct bucket *find(int64_t key, double burst, double now)
{
	unsigned h = (unsigned)((uint64_t)key * 0x9E3779B97F4A7C15ull >> 52) % BUCKETS;
	struct bucket *oldest = &table[h];
	for (int i = 0; i < 16; i++) {
		struct bucket *b = &table[(h + (unsigned)i) % BUCKETS];
		if (b->key == key)
			return b;
		if (b->key == 0) {
			b->key = key;
			b->tokens = burst;
			b->last = now;
			return b;
		}
		if (b->last < oldest->last)
			oldest = b;
	}
	oldest->key = key;
	oldest->tokens = burst;
	oldest->last = now;
	return oldest;
}

bool nm_ratelimit_take(int64_t key, double rate, double *retry_after, int *remaining)
{
	*retry_after = 0;
	*remaining = 0;
	if (rate <= 0)
		return true;
	double burst = 2 * rate, now = now_s();
	pthread_mutex_lock(&mu);
	struct bucket *b = find(key, burst, now);
	b->tokens += (now - b->last) * rate;
	if (b->tokens > burst)
		b->tokens = burst;
	b->last = now;
	bool ok = b->tokens >= 1.0;
	if (ok)
		b->tokens -= 1.0;
	else
		*retry_after = (1.0 - b->tokens) / rate;
	*remaining = (int)b->tokens;
	pthread_mutex_unlock(&mu);
	return ok;
}
