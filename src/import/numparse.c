/* Number cells of real-world exports (docs/api.md §4). One scanner checks the shape and copies
 * the significant characters into a small canonical buffer ("-1234.5"); counts are then
 * computed with integer arithmetic (so "1.2M" is exactly 1200000) and decimals with
 * strtod on "<digits>e<exp>" (so "4.1%" is the double nearest 0.041, not 4.1/100). */
#include "nm/numparse.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

/* Longer digit strings are not counts anyone exports; refusing them bounds the buffer. */
#define MAX_DIGITS 40
/* Beyond this every double is 0 or inf anyway; the bound keeps the int from overflowing. */
#define MAX_EXP	    400
#define COUNT_LIMIT ((uint64_t)INT64_MAX / 2)

enum suffix_kind { SUFFIX_MULT, SUFFIX_PERCENT };

struct scanned {
	char buf[MAX_DIGITS + 12]; /* [-]digits[.digits], room for "e-400" and NUL */
	size_t int_end;		   /* index of '.' (or of the NUL) in buf */
	int exp10;		   /* exponent, or 3/6/9 from k/M/B, or -2 from '%' */
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Length of a space-like separator at p: ' ', and the no-break spaces (U+00A0, U+202F)
 * that French and Scandinavian locales write between digit groups. 0 when none. */
static size_t space_len(const char *p, const char *end)
{
	const unsigned char *u = (const unsigned char *)p;
	if (p < end && (*p == ' ' || *p == '\t'))
		return 1;
	if (end - p >= 2 && u[0] == 0xC2 && u[1] == 0xA0)
		return 2;
	if (end - p >= 3 && u[0] == 0xE2 && u[1] == 0x80 && u[2] == 0xAF)
		return 3;
	return 0;
}

/* Separator between digit groups at p (',' '_' or a space), 0 when none. *kind gets a
 * class so one number cannot mix styles ("1,234 567"). */
static size_t sep_len(const char *p, const char *end, char *kind)
{
	if (p < end && (*p == ',' || *p == '_')) {
		*kind = *p;
		return 1;
	}
	size_t n = space_len(p, end);
	if (n)
		*kind = ' ';
	return n;
}

static int suffix_exp(char c)
{
	switch (c) {
	case 'k':
	case 'K':
		return 3;
	case 'm':
	case 'M':
		return 6;
	case 'b':
	case 'B':
		return 9;
	default:
		return -1;
	}
}

/* Appends the digits at *pp to out, stopping at the first non-digit. */
static bool take_digits(const char **pp, const char *end, struct scanned *out, size_t *n,
			size_t *count)
{
	const char *p = *pp;
	size_t c = 0;
	while (p < end && is_digit(*p)) {
		if (*n >= MAX_DIGITS + 2)
			return false;
		out->buf[(*n)++] = *p++;
		c++;
	}
	*pp = p;
	*count = c;
	return true;
}

/* Integer part with optional thousands separators: when separators are used the first
 * group has 1–3 digits and every later group exactly 3, so a European "1,5" is junk
 * rather than fifteen. */
static bool scan_int_part(const char **pp, const char *end, struct scanned *out, size_t *n)
{
	size_t group;
	char style = 0;
	if (!take_digits(pp, end, out, n, &group) || group == 0)
		return false;
	bool grouped = false;
	for (;;) {
		char kind = 0;
		size_t sl = sep_len(*pp, end, &kind);
		if (!sl || *pp + sl >= end || !is_digit((*pp)[sl]))
			break; /* not followed by a digit: a space before a suffix, or junk */
		if ((style && kind != style) || (!grouped && group > 3))
			return false;
		style = kind;
		grouped = true;
		*pp += sl;
		if (!take_digits(pp, end, out, n, &group) || group != 3)
			return false;
	}
	return true;
}

/* "e-05" after the mantissa: spreadsheets and Python write small rates that way. */
static bool scan_exponent(const char **pp, const char *end, int *exp10)
{
	const char *p = *pp + 1;
	int sign = 1, e = 0;
	if (p < end && (*p == '-' || *p == '+'))
		sign = *p++ == '-' ? -1 : 1;
	if (p == end || !is_digit(*p))
		return false;
	while (p < end && is_digit(*p)) {
		e = e * 10 + (*p++ - '0');
		if (e > MAX_EXP)
			return false;
	}
	*exp10 = sign * e;
	*pp = p;
	return true;
}

static bool scan(const char *s, size_t len, bool allow_negative, enum suffix_kind sk,
		 struct scanned *out)
{
	if (!s)
		return false;
	const char *p = s, *end = s + len;
	size_t sl, n = 0;
	while ((sl = space_len(p, end)))
		p += sl;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--; /* trailing no-break spaces are rare enough to count as junk */
	if (p < end && *p == '-') {
		if (!allow_negative)
			return false;
		out->buf[n++] = '-';
		p++;
	}
	if (!scan_int_part(&p, end, out, &n))
		return false;
	out->int_end = n;
	if (p < end && *p == '.') {
		size_t fd;
		out->buf[n++] = *p++;
		if (!take_digits(&p, end, out, &n, &fd) || fd == 0)
			return false;
	}
	out->buf[n] = '\0';
	out->exp10 = 0;
	if (p < end && (*p == 'e' || *p == 'E'))
		return scan_exponent(&p, end, &out->exp10) && p == end; /* no suffix after it */
	while ((sl = space_len(p, end)))
		p += sl;
	if (p < end) {
		if (sk == SUFFIX_PERCENT && *p == '%')
			out->exp10 = -2;
		else if (sk == SUFFIX_MULT && suffix_exp(*p) >= 0)
			out->exp10 = suffix_exp(*p);
		else
			return false;
		p++;
	}
	return p == end;
}

/* Integer value of buf scaled by 10^exp10, rounded half up: the decimal point moves
 * exp10 places and the digit right after it decides the rounding. */
static bool count_value(const struct scanned *sc, uint64_t *out)
{
	char digits[MAX_DIGITS + 4];
	size_t nd = 0;
	for (const char *p = sc->buf; *p; p++)
		if (is_digit(*p))
			digits[nd++] = *p;
	long point = (long)sc->int_end + sc->exp10; /* digits before the decimal point */
	uint64_t v = 0;
	for (long i = 0; i < point; i++) {
		uint64_t d = i < (long)nd ? (uint64_t)(digits[i] - '0') : 0;
		if (v > (COUNT_LIMIT - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (point >= 0 && point < (long)nd && digits[point] >= '5')
		v++;
	if (v > COUNT_LIMIT)
		return false;
	*out = v;
	return true;
}

bool nm_num_parse_count(const char *s, size_t len, int64_t *out)
{
	struct scanned sc;
	uint64_t v;
	if (!scan(s, len, false, SUFFIX_MULT, &sc) || !count_value(&sc, &v))
		return false;
	*out = (int64_t)v;
	return true;
}

static bool decimal_value(struct scanned *sc, double *out)
{
	size_t n = 0;
	while (sc->buf[n])
		n++;
	sc->buf[n++] = 'e';
	if (sc->exp10 < 0)
		sc->buf[n++] = '-';
	int e = abs(sc->exp10);
	if (e >= 100)
		sc->buf[n++] = (char)('0' + e / 100);
	if (e >= 10)
		sc->buf[n++] = (char)('0' + e / 10 % 10);
	sc->buf[n++] = (char)('0' + e % 10);
	sc->buf[n] = '\0';
	errno = 0;
	char *endp;
	double v = strtod(sc->buf, &endp);
	if (*endp != '\0' || !isfinite(v) || errno == ERANGE)
		return false;
	*out = v == 0 ? 0.0 : v; /* "-0" is zero, not a negative growth */
	return true;
}

bool nm_num_parse_decimal(const char *s, size_t len, bool allow_negative, double *out)
{
	struct scanned sc;
	return scan(s, len, allow_negative, SUFFIX_MULT, &sc) && decimal_value(&sc, out);
}

bool nm_num_parse_rate(const char *s, size_t len, bool allow_negative, double *out)
{
	struct scanned sc;
	return scan(s, len, allow_negative, SUFFIX_PERCENT, &sc) && decimal_value(&sc, out);
}
