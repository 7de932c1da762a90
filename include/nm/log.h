/* Structured logs: one JSON object per line on stderr (docs/api.md §2). Thread-safe.
 * Never pass secrets (keys, webhook secrets, Authorization headers) to these. */
#ifndef NM_LOG_H
#define NM_LOG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum nm_log_level { NM_LOG_DEBUG, NM_LOG_INFO, NM_LOG_WARN, NM_LOG_ERROR };

/* Sets the minimum level (NICHEMATCH_LOG_LEVEL: debug|info|warn|error). */
void nm_log_init(void);

/* Writes {"ts","level","msg",...fields}. fields (may be NULL) is consumed (decref'd). */
void nm_log_json(enum nm_log_level lvl, const char *msg, json_t *fields);

/* printf-style message without extra fields. */
void nm_log(enum nm_log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* True when lines of this level are written. */
bool nm_log_enabled(enum nm_log_level lvl);

/* Writes one prepared line (must end in '\n') with a single write(2): lines from
 * concurrent threads never interleave, and no lock is taken (the per-request path). */
void nm_log_raw(const char *line, size_t len);

/* Appends s JSON-escaped (without quotes) to out, never beyond cap - 1; returns the new
 * length. out[return] is NUL. */
size_t nm_json_escape(char *out, size_t len, size_t cap, const char *s);

/* Formats a time (unix seconds + microseconds) as RFC 3339 UTC with milliseconds
 * into buf (>= 32 bytes). Returns buf. */
const char *nm_time_rfc3339(char *buf, long long sec, long usec);

#endif
