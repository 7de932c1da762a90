/* A thread that runs a pass every interval (see nm/periodic.h). */
#include "nm/periodic.h"

#include <time.h>

static void *periodic_main(void *arg)
{
	struct nm_periodic *p = arg;
	bool run = p->first_at_once;
	pthread_mutex_lock(&p->mu);
	while (!atomic_load(&p->stop)) {
		if (run) {
			pthread_mutex_unlock(&p->mu);
			p->pass(p->arg, &p->stop);
			pthread_mutex_lock(&p->mu);
		}
		run = true;
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += p->interval_s;
		while (!atomic_load(&p->stop) &&
		       pthread_cond_timedwait(&p->cv, &p->mu, &until) == 0)
			;
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

bool nm_periodic_start(struct nm_periodic *p)
{
	atomic_store(&p->stop, false);
	pthread_mutex_init(&p->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->cv, &ca);
	pthread_condattr_destroy(&ca);
	p->started = pthread_create(&p->thread, NULL, periodic_main, p) == 0;
	if (!p->started) {
		pthread_cond_destroy(&p->cv);
		pthread_mutex_destroy(&p->mu);
	}
	return p->started;
}

void nm_periodic_stop(struct nm_periodic *p)
{
	if (!p->started)
		return;
	pthread_mutex_lock(&p->mu);
	atomic_store(&p->stop, true);
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	p->started = false;
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
}
