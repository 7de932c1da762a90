/* A background thread that runs a pass every interval_s seconds until stopped
 * (src/db/periodic.c): what the pruner and the import reaper of `serve` share. The wait
 * between passes is on a monotonic clock, and nm_periodic_stop wakes it at once, so
 * stopping never waits out an interval; it does wait for a pass that is running, which
 * may look at the stop flag it is given to end early. */
#ifndef NM_PERIODIC_H
#define NM_PERIODIC_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

struct nm_periodic {
	/* Set by the caller before nm_periodic_start. */
	void (*pass)(void *arg, const atomic_bool *stop); /* stop: set once stopping */
	void *arg;
	int interval_s;
	bool first_at_once; /* the first pass at start, else after one interval */
	/* Private to src/db/periodic.c. */
	pthread_t thread;
	bool started;
	atomic_bool stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

/* Starts the thread; false if it could not be created (the caller says what is lost).
 * p must stay in place until nm_periodic_stop returns. */
bool nm_periodic_start(struct nm_periodic *p);
/* Stops the thread and waits for it; nothing if it was not started. */
void nm_periodic_stop(struct nm_periodic *p);

#endif
