/* Number cells of real-world exports (docs/api.md §4): counts like "12,400", "3.4k", "1.2M",
 * "1 234", rates like "4.1%" or "0.041". Pure C, no allocation. */
#ifndef NM_NUMPARSE_H
#define NM_NUMPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A non-negative count: digits with optional ',' or '_' or ' ' thousands separators,
 * optional decimal part, optional suffix k/K (1e3), m/M (1e6), b/B (1e9), surrounding
 * spaces allowed. "3.4k" -> 3400, "1.2M" -> 1200000, "12,400" -> 12400. A fractional
 * result is rounded to nearest (half up). When separators are used, groups after the first
 * have exactly 3 digits ("1,5" is refused, not read as 15), and one number uses one kind
 * (',' '_' or a space, including U+00A0/U+202F). Scientific notation ("8e-05", "1.2e4") is
 * accepted by all three functions, without a suffix after it. Rejects empty, negative,
 * overflow (> INT64_MAX/2), junk.
 * s need not be NUL-terminated (len bytes). */
bool nm_num_parse_count(const char *s, size_t len, int64_t *out);

/* A decimal number (may be negative when allow_negative), with the same separators and
 * suffixes as counts; used for averages (avg_likes "1.2k"). Rejects NaN/inf/junk. */
bool nm_num_parse_decimal(const char *s, size_t len, bool allow_negative, double *out);

/* A rate: "4.1%" -> 0.041; "0.041" -> 0.041. A bare number is a fraction as written
 * ("4.1" stays 4.1 and then fails the 0–1 range check with a message suggesting "4.1%"):
 * guessing would silently corrupt real outliers. allow_negative for growth ("-2.5%"). */
bool nm_num_parse_rate(const char *s, size_t len, bool allow_negative, double *out);

#endif
