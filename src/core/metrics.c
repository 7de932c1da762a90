/* Named counters every layer may add to (see nm/metrics.h). Series are keyed by static
 * strings, so a lookup is mostly a pointer compare; there are a few dozen series. */
#include "nm/metrics.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#define MAX_COUNTERS 128

static struct counter {
	const char *name, *help, *labels;
	double value;
} counters[MAX_COUNTERS];
static int n_counters;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static bool same(const char *a, const char *b)
{
	return a == b || strcmp(a, b) == 0;
}

void nm_metrics_add(const char *name, const char *help, const char *labels, double delta)
{
	pthread_mutex_lock(&mu);
	int i;
	for (i = 0; i < n_counters; i++)
		if (same(counters[i].name, name) && same(counters[i].labels, labels))
			break;
	if (i == n_counters && n_counters < MAX_COUNTERS)
		counters[n_counters++] = (struct counter){name, help, labels, 0};
	if (i < MAX_COUNTERS)
		counters[i].value += delta;
	pthread_mutex_unlock(&mu);
}

void nm_metrics_render_counters(struct nm_buf *o)
{
	pthread_mutex_lock(&mu);
	/* Group each family's series under one HELP/TYPE header, as the format requires. */
	for (int i = 0; i < n_counters; i++) {
		bool first = true;
		for (int j = 0; j < i && first; j++)
			first = !same(counters[j].name, counters[i].name);
		if (!first)
			continue;
		nm_buf_printf(o, "# HELP %s %s\n# TYPE %s counter\n", counters[i].name,
			      counters[i].help, counters[i].name);
		for (int j = i; j < n_counters; j++) {
			if (!same(counters[j].name, counters[i].name))
				continue;
			if (*counters[j].labels)
				nm_buf_printf(o, "%s{%s} %.0f\n", counters[j].name,
					      counters[j].labels, counters[j].value);
			else
				nm_buf_printf(o, "%s %.0f\n", counters[j].name, counters[j].value);
		}
	}
	pthread_mutex_unlock(&mu);
}
