#include "nm/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static enum nm_log_level min_level = NM_LOG_INFO;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

void nm_log_init(void)
{
	const char *v = getenv("NICHEMATCH_LOG_LEVEL");
	if (!v)
		return;
	for (int i = 0; i < 4; i++)
		if (strcmp(v, level_names[i]) == 0)
			min_level = (enum nm_log_level)i;
}

const char *nm_time_rfc3339(char *buf, long long sec, long usec)
{
	time_t t = (time_t)sec;
	struct tm tm;
	gmtime_r(&t, &tm);
	size_t n = strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, 32 - n, ".%03ldZ", usec / 1000);
	return buf;
}

void nm_log_json(enum nm_log_level lvl, const char *msg, json_t *fields)
{
	if (lvl < min_level) {
		json_decref(fields);
		return;
	}
	struct timeval tv;
	gettimeofday(&tv, NULL);
	char ts[32];
	json_t *o = json_object();
	json_object_set_new(o, "ts", json_string(nm_time_rfc3339(ts, tv.tv_sec, tv.tv_usec)));
	json_object_set_new(o, "level", json_string(level_names[lvl]));
	json_object_set_new(o, "msg", json_string(msg));
	if (fields)
		json_object_update_missing(o, fields);
	json_decref(fields);
	char *line = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!line)
		return;
	/* One write per line under a lock so concurrent threads never interleave. */
	pthread_mutex_lock(&log_lock);
	fputs(line, stderr);
	fputc('\n', stderr);
	fflush(stderr);
	pthread_mutex_unlock(&log_lock);
	free(line);
}

void nm_log(enum nm_log_level lvl, const char *fmt, ...)
{
	if (lvl < min_level)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	nm_log_json(lvl, msg, NULL);
}

bool nm_log_enabled(enum nm_log_level lvl)
{
	return lvl >= min_level;
}

void nm_log_raw(const char *line, size_t len)
{
	while (len) {
		ssize_t n = write(STDERR_FILENO, line, len);
		if (n <= 0)
			return; /* nowhere to report a failing log */
		line += n;
		len -= (size_t)n;
	}
}

size_t nm_json_escape(char *out, size_t len, size_t cap, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	for (; *s && len + 7 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			out[len++] = '\\';
			out[len++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			memcpy(out + len, "\\u00", 4);
			out[len + 4] = hex[c >> 4];
			out[len + 5] = hex[c & 15];
			len += 6;
		} else {
			out[len++] =
				(char)c; /* UTF-8 passes through; MHD rejects raw bytes < 0x20 */
		}
	}
	out[len] = '\0';
	return len;
}
