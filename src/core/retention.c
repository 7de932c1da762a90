#include "nm/retention.h"

#include <stdio.h>
#include <string.h>

static const struct {
	char unit;
	long long seconds;
} units[] = {{'d', NM_RETAIN_DAY}, {'h', 3600}, {'m', 60}, {'s', 1}};

bool nm_duration_parse(const char *s, long long *seconds)
{
	if (!s || !*s)
		return false;
	if (strcmp(s, "0") == 0) {
		*seconds = 0;
		return true;
	}
	long long n = 0;
	const char *p = s;
	for (; *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (*p - '0');
		if (n > NM_RETAIN_MAX_S)
			return false;
	}
	if (p == s || p[0] == '\0' || p[1] != '\0')
		return false;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (units[i].unit != *p)
			continue;
		if (n > NM_RETAIN_MAX_S / units[i].seconds)
			return false;
		*seconds = n * units[i].seconds;
		return true;
	}
	return false;
}

const char *nm_duration_format(long long seconds, char *buf)
{
	if (seconds <= 0) {
		snprintf(buf, 24, "0");
		return buf;
	}
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (seconds % units[i].seconds == 0) {
			snprintf(buf, 24, "%lld%c", seconds / units[i].seconds, units[i].unit);
			break;
		}
	return buf;
}

long long nm_retain_resync_margin_s(long long retain_s)
{
	long long half = retain_s / 2;
	return half < NM_RETAIN_DAY ? half : NM_RETAIN_DAY;
}
