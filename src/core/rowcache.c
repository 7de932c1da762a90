/* The row cache (nm/rowcache.h): sets of WAYS entries, the set chosen by a hash of the id,
 * each entry stamped with its last use; a put replaces the id's entry or the set's oldest. */
#include "nm/rowcache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define WAYS 8

struct entry {
	int64_t id; /* 0: empty (creator ids start at 1) */
	uint32_t stamp;
	uint64_t used; /* the clock at its last get or put */
	char *text;
	size_t len;
	json_t *facts;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct entry *entries; /* n_sets * WAYS */
static size_t n_sets;
static uint64_t clock_now;

static void entry_clear(struct entry *e)
{
	free(e->text);
	json_decref(e->facts);
	memset(e, 0, sizeof *e);
}

static void free_locked(void)
{
	for (size_t i = 0; i < n_sets * WAYS; i++)
		entry_clear(&entries[i]);
	free(entries);
	entries = NULL;
	n_sets = 0;
}

void nm_rowcache_configure(size_t rows)
{
	pthread_mutex_lock(&mu);
	free_locked();
	size_t sets = (rows + WAYS - 1) / WAYS;
	entries = sets ? calloc(sets * WAYS, sizeof *entries) : NULL;
	n_sets = entries ? sets : 0;
	pthread_mutex_unlock(&mu);
}

bool nm_rowcache_enabled(void)
{
	pthread_mutex_lock(&mu);
	bool on = n_sets > 0;
	pthread_mutex_unlock(&mu);
	return on;
}

static struct entry *set_of(int64_t id)
{
	uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ull;
	return &entries[((h ^ (h >> 29)) % n_sets) * WAYS];
}

json_t *nm_rowcache_get(int64_t id, uint32_t stamp, struct nm_buf *out)
{
	json_t *facts = NULL;
	pthread_mutex_lock(&mu);
	struct entry *set = n_sets ? set_of(id) : NULL;
	for (int w = 0; set && w < WAYS; w++) {
		struct entry *e = &set[w];
		if (e->id != id || e->stamp != stamp)
			continue;
		size_t before = out->len;
		nm_buf_add(out, e->text, e->len);
		if (out->oom) {
			nm_buf_truncate(out, before);
			break;
		}
		e->used = ++clock_now;
		facts = json_incref(e->facts);
		break;
	}
	pthread_mutex_unlock(&mu);
	return facts;
}

void nm_rowcache_put(int64_t id, uint32_t stamp, const char *text, size_t len, json_t *facts)
{
	char *copy = malloc(len + 1);
	if (!copy)
		return;
	memcpy(copy, text, len);
	copy[len] = '\0';
	pthread_mutex_lock(&mu);
	struct entry *set = n_sets ? set_of(id) : NULL, *victim = NULL;
	for (int w = 0; set && w < WAYS; w++) {
		struct entry *e = &set[w];
		if (e->id == id) { /* the id's older version */
			victim = e;
			break;
		}
		if (!victim || e->used < victim->used)
			victim = e; /* an empty entry has used 0: first choice */
	}
	if (victim) {
		entry_clear(victim);
		*victim = (struct entry){id, stamp, ++clock_now, copy, len, json_incref(facts)};
		copy = NULL;
	}
	pthread_mutex_unlock(&mu);
	free(copy);
}

void nm_rowcache_free(void)
{
	pthread_mutex_lock(&mu);
	free_locked();
	pthread_mutex_unlock(&mu);
}
