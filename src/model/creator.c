/* The creator model of docs/api.md §4. One pass over the members of the input object; each
 * member is dispatched to its checker, which fills the struct or appends an error, so a
 * row costs a few microseconds (the importer runs this for up to a million rows).
 *
 * Strict mode (REST, inbound webhooks) takes JSON types as they are: a number written
 * as a string is an error there. Lenient mode (imports) also takes the string forms real
 * exports carry ("12,400", "3.4k", "4.1%", "a|b;c") and treats empty strings as absent. */
#include "nm/creator.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "field.h"
#include "nm/numparse.h"
#include "nm/verr.h"

#define DISPLAY_NAME_MAX    200
#define EXTERNAL_ID_MAX	    200
#define EMAIL_MAX	    254
#define URL_MAX		    2048
#define RAW_LIST_FACTOR	    4
#define SHARE_SUM_TOLERANCE 1e-6
/* Counts above this are not real audiences and would overflow sums downstream; it is
 * also nm_num_parse_count's limit, so JSON and string inputs agree. */
#define COUNT_MAX (INT64_MAX / 2)

struct ctx {
	enum nm_creator_mode mode;
	struct nm_creator *c;
	json_t *errors;
	json_t *unknown;	/* lenient: unknown names, unbounded (or NULL) */
	struct nm_names *names; /* lenient: unknown names, bounded (or NULL) */
	bool bad;
	size_t n_errors;
	bool has_followers, has_platform;
	bool reported_platform, reported_handle, reported_followers;
};

static void err(struct ctx *x, const char *field, const char *msg)
{
	nm_verr_add(x->errors, field, "%s", msg);
	x->bad = true;
	x->n_errors++;
}

static bool lenient(const struct ctx *x)
{
	return x->mode == NM_CREATOR_LENIENT;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static char *dup_span(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (!p)
		abort(); /* as jansson's own allocations: no way to report it from here */
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* Reads a string member, trimmed. Returns 1 with the span, 0 when it counts as absent
 * (an empty string in lenient mode: an empty CSV cell), -1 after reporting an error. */
static int get_string(struct ctx *x, const char *name, const json_t *v, const char **s, size_t *n)
{
	if (!json_is_string(v)) {
		err(x, name, "must be a string");
		return -1;
	}
	*s = json_string_value(v);
	*n = json_string_length(v);
	nm_trim(s, n);
	if (*n)
		return 1;
	if (lenient(x))
		return 0;
	err(x, name, "must not be empty (send null to leave it unset)");
	return -1;
}

/* Free text kept as written (trimmed), limited in code points. */
static void set_text(struct ctx *x, const char *name, const json_t *v, size_t max_chars, char **dst)
{
	const char *s;
	size_t n;
	if (get_string(x, name, v, &s, &n) <= 0)
		return;
	if (nm_utf8_chars(s, n) > max_chars) {
		char msg[64];
		snprintf(msg, sizeof msg, "must be at most %zu characters", max_chars);
		err(x, name, msg);
		return;
	}
	*dst = dup_span(s, n);
}

static bool has_space_or_ctl(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return true;
	return false;
}

static void f_platform(struct ctx *x, const char *name, const json_t *v)
{
	const char *s;
	size_t n;
	if (get_string(x, name, v, &s, &n) <= 0)
		return;
	if (!nm_platform_parse(json_string_value(v), &x->c->platform)) {
		err(x, name,
		    "must be one of instagram, tiktok, youtube, twitter (or x), facebook, "
		    "twitch, linkedin, pinterest, other");
		return;
	}
	x->has_platform = true;
}

/* Stored lower-case without one leading '@', so "@Foo" and "foo" are one account. */
static void f_handle(struct ctx *x, const char *name, const json_t *v)
{
	const char *s;
	size_t n;
	if (get_string(x, name, v, &s, &n) <= 0)
		return;
	if (*s == '@') {
		s++;
		n--;
	}
	if (n == 0) {
		err(x, name, "must not be empty");
		return;
	}
	if (*s == '@') {
		/* "@@a" stored as "@a" would name a different account when sent again. */
		err(x, name, "must not start with more than one '@'");
		return;
	}
	if (has_space_or_ctl(s, n)) {
		err(x, name, "must not contain spaces");
		return;
	}
	if (nm_utf8_chars(s, n) > NM_CREATOR_HANDLE_MAX) {
		err(x, name, "must be at most 100 characters");
		return;
	}
	char *h = dup_span(s, n);
	for (char *p = h; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	x->c->handle = h;
}

static void f_display_name(struct ctx *x, const char *name, const json_t *v)
{
	set_text(x, name, v, DISPLAY_NAME_MAX, &x->c->display_name);
}

static void f_bio(struct ctx *x, const char *name, const json_t *v)
{
	set_text(x, name, v, NM_CREATOR_BIO_MAX, &x->c->bio);
}

static void f_external_id(struct ctx *x, const char *name, const json_t *v)
{
	set_text(x, name, v, EXTERNAL_ID_MAX, &x->c->external_id);
}

static void f_profile_url(struct ctx *x, const char *name, const json_t *v)
{
	const char *s;
	size_t n;
	if (get_string(x, name, v, &s, &n) <= 0)
		return;
	size_t scheme = n > 7 && strncasecmp(s, "http://", 7) == 0    ? 7
			: n > 8 && strncasecmp(s, "https://", 8) == 0 ? 8
								      : 0;
	if (!scheme || n > URL_MAX || has_space_or_ctl(s, n)) {
		err(x, name, "must be an http:// or https:// URL");
		return;
	}
	x->c->profile_url = dup_span(s, n);
}

/* Deliberately loose (one '@', both sides non-empty, no spaces): real address syntax is
 * for the mail server to judge; this only catches cells that are not addresses at all. */
static void f_email(struct ctx *x, const char *name, const json_t *v)
{
	const char *s;
	size_t n;
	if (get_string(x, name, v, &s, &n) <= 0)
		return;
	const char *at = memchr(s, '@', n);
	bool ok = at && at > s && at < s + n - 1 &&
		  !memchr(at + 1, '@', (size_t)(s + n - at - 1)) && n <= EMAIL_MAX &&
		  !has_space_or_ctl(s, n);
	if (!ok) {
		err(x, name, "must be an email address");
		return;
	}
	x->c->email = dup_span(s, n);
}

/* Integer counts. Lenient mode also takes "12,400"/"3.4k" strings and rounds JSON reals
 * (exports write 12400.0), as nm_num_parse_count rounds "3.45k". */
static void set_count(struct ctx *x, const char *name, const json_t *v, int64_t *dst, bool *has)
{
	int64_t val;
	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0) {
			err(x, name, "must be at least 0");
			return;
		}
		if (json_integer_value(v) > COUNT_MAX) {
			err(x, name, "is too large");
			return;
		}
		val = json_integer_value(v);
	} else if (lenient(x) && json_is_real(v)) {
		double d = json_real_value(v);
		if (!(d >= 0 && d <= (double)COUNT_MAX)) {
			err(x, name, "must be a whole number of at least 0");
			return;
		}
		val = (int64_t)llround(d);
	} else if (lenient(x) && json_is_string(v)) {
		const char *s;
		size_t n;
		if (get_string(x, name, v, &s, &n) <= 0)
			return;
		if (!nm_num_parse_count(s, n, &val)) {
			err(x, name,
			    "must be a whole number of at least 0 (like 12400, 12,400 or 3.4k)");
			return;
		}
	} else {
		err(x, name, "must be an integer");
		return;
	}
	*dst = val;
	if (has)
		*has = true;
}

static void f_followers(struct ctx *x, const char *name, const json_t *v)
{
	set_count(x, name, v, &x->c->followers, &x->has_followers);
}

static void f_following(struct ctx *x, const char *name, const json_t *v)
{
	set_count(x, name, v, &x->c->following, &x->c->has_following);
}

static void f_posts_count(struct ctx *x, const char *name, const json_t *v)
{
	set_count(x, name, v, &x->c->posts_count, &x->c->has_posts_count);
}

static void f_price(struct ctx *x, const char *name, const json_t *v)
{
	set_count(x, name, v, &x->c->price_per_post_cents, &x->c->has_price_per_post_cents);
}

enum num_kind {
	NUM_AVERAGE, /* >= 0, "1.2k" in lenient strings */
	NUM_SHARE,   /* 0–1, "42%" in lenient strings */
	NUM_GROWTH,  /* any finite, "-2.5%" in lenient strings */
};

/* Reads a JSON number, or in lenient mode a string in the form kind allows. Returns
 * false when absent or after reporting an error. */
static bool get_number(struct ctx *x, const char *name, const json_t *v, enum num_kind kind,
		       double *out)
{
	if (json_is_number(v)) {
		*out = json_number_value(v);
		return true;
	}
	if (!lenient(x) || !json_is_string(v)) {
		err(x, name, "must be a number");
		return false;
	}
	const char *s;
	size_t n;
	if (get_string(x, name, v, &s, &n) <= 0)
		return false;
	bool ok = kind == NUM_AVERAGE ? nm_num_parse_decimal(s, n, false, out)
				      : nm_num_parse_rate(s, n, kind == NUM_GROWTH, out);
	if (!ok)
		err(x, name,
		    kind == NUM_AVERAGE ? "must be a number of at least 0 (like 1200 or 1.2k)"
					: "must be a number (like 0.041 or 4.1%)");
	return ok;
}

static void set_average(struct ctx *x, const char *name, const json_t *v, double *dst, bool *has)
{
	double d;
	if (!get_number(x, name, v, NUM_AVERAGE, &d))
		return;
	if (!(d >= 0) || !isfinite(d)) {
		err(x, name, "must be at least 0");
		return;
	}
	*dst = d;
	*has = true;
}

static void f_avg_likes(struct ctx *x, const char *name, const json_t *v)
{
	set_average(x, name, v, &x->c->avg_likes, &x->c->has_avg_likes);
}

static void f_avg_comments(struct ctx *x, const char *name, const json_t *v)
{
	set_average(x, name, v, &x->c->avg_comments, &x->c->has_avg_comments);
}

static void f_avg_shares(struct ctx *x, const char *name, const json_t *v)
{
	set_average(x, name, v, &x->c->avg_shares, &x->c->has_avg_shares);
}

static void f_avg_views(struct ctx *x, const char *name, const json_t *v)
{
	set_average(x, name, v, &x->c->avg_views, &x->c->has_avg_views);
}

/* A share/rate in 0–1. A bare 4.1 is not guessed to mean 4.1%: the message says how to
 * write a percentage instead, since guessing would corrupt real outliers. */
static bool get_share(struct ctx *x, const char *name, const json_t *v, double *out)
{
	if (!get_number(x, name, v, NUM_SHARE, out))
		return false;
	if (*out >= 0 && *out <= 1)
		return true;
	/* The percentage form exists only where numbers arrive as text (imports). */
	if (x->mode == NM_CREATOR_LENIENT)
		err(x, name, "must be between 0 and 1 (write 4.1% for percentages)");
	else
		err(x, name, "must be between 0 and 1 (a fraction, e.g. 0.041)");
	return false;
}

static void f_engagement_rate(struct ctx *x, const char *name, const json_t *v)
{
	if (get_share(x, name, v, &x->c->engagement_rate))
		x->c->has_engagement_rate = true;
}

static void f_female_share(struct ctx *x, const char *name, const json_t *v)
{
	if (get_share(x, name, v, &x->c->audience_female_share))
		x->c->has_audience_female_share = true;
}

static void f_growth(struct ctx *x, const char *name, const json_t *v)
{
	double d;
	if (!get_number(x, name, v, NUM_GROWTH, &d))
		return;
	if (!isfinite(d)) {
		err(x, name, "must be a finite number");
		return;
	}
	x->c->follower_growth_30d = d;
	x->c->has_follower_growth_30d = true;
}

/* Copies the terms out of t into a malloc'd array owned by the creator. */
static void take_terms(struct nm_terms *t, char ***dst, size_t *n)
{
	if (t->n == 0)
		return;
	*dst = malloc(t->n * sizeof **dst);
	if (!*dst)
		abort();
	memcpy(*dst, t->items, t->n * sizeof **dst);
	*n = t->n;
	t->n = 0;
}

/* One list element; returns false when the list must stop (too many items). */
static bool add_term(struct ctx *x, const char *name, size_t index, struct nm_terms *t,
		     const char *s, size_t n, bool hashtag, size_t max)
{
	enum nm_term_res r = nm_terms_add(t, s, n, hashtag, max);
	if (r == NM_TERM_ADDED || r == NM_TERM_DUP || (r == NM_TERM_EMPTY && lenient(x)))
		return true;
	if (r == NM_TERM_TOO_MANY) {
		char msg[48];
		snprintf(msg, sizeof msg, "must have at most %zu items", max);
		err(x, name, msg);
		return false;
	}
	char path[64];
	err(x, nm_verr_path(path, sizeof path, name, (long)index, NULL), nm_term_message(r));
	return true;
}

static bool list_sep(char c, bool hashtag)
{
	/* Hashtags cannot contain spaces or commas, so "#a #b, #c" splits safely too. */
	return c == '|' || c == ';' || (hashtag && (c == ',' || is_ws(c)));
}

static void split_terms(struct ctx *x, const char *name, const json_t *v, struct nm_terms *t,
			bool hashtag, size_t max)
{
	const char *s = json_string_value(v), *end = s + json_string_length(v);
	size_t index = 0;
	while (s <= end) {
		const char *p = s;
		while (p < end && !list_sep(*p, hashtag))
			p++;
		if (p > s && !add_term(x, name, index, t, s, (size_t)(p - s), hashtag, max))
			return;
		index += p > s;
		s = p + 1;
	}
}

static void set_terms(struct ctx *x, const char *name, const json_t *v, bool hashtag, size_t max,
		      char ***dst, size_t *n)
{
	struct nm_terms t = {.n = 0};
	if (lenient(x) && json_is_string(v)) {
		split_terms(x, name, v, &t, hashtag, max);
	} else if (!json_is_array(v)) {
		err(x, name, "must be an array of strings");
	} else if (json_array_size(v) > max * RAW_LIST_FACTOR) {
		char msg[48];
		snprintf(msg, sizeof msg, "must have at most %zu items", max);
		err(x, name, msg);
	} else {
		size_t i;
		json_t *e;
		char path[64];
		json_array_foreach(v, i, e)
		{
			if (!json_is_string(e)) {
				err(x, nm_verr_path(path, sizeof path, name, (long)i, NULL),
				    "must be a string");
				continue;
			}
			if (!add_term(x, name, i, &t, json_string_value(e), json_string_length(e),
				      hashtag, max))
				break;
		}
	}
	take_terms(&t, dst, n);
	nm_terms_free(&t);
}

static void f_categories(struct ctx *x, const char *name, const json_t *v)
{
	set_terms(x, name, v, false, NM_CREATOR_CATEGORIES_MAX, &x->c->categories,
		  &x->c->n_categories);
}

static void f_hashtags(struct ctx *x, const char *name, const json_t *v)
{
	set_terms(x, name, v, true, NM_CREATOR_HASHTAGS_MAX, &x->c->hashtags, &x->c->n_hashtags);
}

/* Copies a trimmed span of at most 2 bytes into a C string for the ISO lookups. */
static bool iso_code(const char *s, size_t n, bool (*valid)(const char *, char[3]), char out[3])
{
	char tmp[3];
	if (n != 2)
		return false;
	tmp[0] = s[0];
	tmp[1] = s[1];
	tmp[2] = '\0';
	return valid(tmp, out);
}

static void f_country(struct ctx *x, const char *name, const json_t *v)
{
	const char *s;
	size_t n;
	if (get_string(x, name, v, &s, &n) > 0 && !iso_code(s, n, nm_country_valid, x->c->country))
		err(x, name, "must be an ISO 3166-1 alpha-2 country code");
}

static void f_language(struct ctx *x, const char *name, const json_t *v)
{
	const char *s;
	size_t n;
	if (get_string(x, name, v, &s, &n) > 0 &&
	    !iso_code(s, n, nm_language_valid, x->c->language))
		err(x, name, "must be an ISO 639-1 language code");
}

/* One "country: share" entry of audience_countries; adds to *sum. */
static void add_share(struct ctx *x, json_t *obj, const char *key, size_t klen, const json_t *share,
		      double *sum)
{
	char path[96], code[3], keybuf[33];
	size_t kl = klen < sizeof keybuf - 1 ? klen : sizeof keybuf - 1;
	memcpy(keybuf, key, kl);
	keybuf[kl] = '\0';
	nm_verr_path(path, sizeof path, "audience_countries", -1, keybuf);
	if (!iso_code(key, klen, nm_country_valid, code)) {
		err(x, path, "must be keyed by ISO 3166-1 alpha-2 country codes");
		return;
	}
	if (json_object_get(obj, code)) {
		err(x, path, "duplicate country");
		return;
	}
	double d;
	if (!get_share(x, path, share, &d))
		return;
	*sum += d;
	json_object_set_new(obj, code, json_real(d));
}

/* Lenient cell form: "US:0.42|GB:10%". */
static void split_shares(struct ctx *x, const char *name, const json_t *v, json_t *obj, double *sum)
{
	const char *s = json_string_value(v), *end = s + json_string_length(v);
	while (s < end) {
		const char *p = s;
		while (p < end && *p != '|' && *p != ';')
			p++;
		const char *key = s;
		size_t n = (size_t)(p - s);
		nm_trim(&key, &n);
		const char *colon = memchr(key, ':', n);
		if (n && !colon) {
			err(x, name, "must look like US:0.42|GB:10%");
			return;
		}
		if (n) {
			size_t klen = (size_t)(colon - key);
			nm_trim(&key, &klen);
			json_t *share = json_stringn(colon + 1, (size_t)(key + n - colon - 1));
			add_share(x, obj, key, klen, share, sum);
			json_decref(share);
		}
		s = p + 1;
	}
}

static void f_audience_countries(struct ctx *x, const char *name, const json_t *v)
{
	json_t *obj = json_object();
	double sum = 0;
	if (lenient(x) && json_is_string(v)) {
		split_shares(x, name, v, obj, &sum);
	} else if (json_is_object(v)) {
		const char *key;
		json_t *share;
		json_object_foreach((json_t *)v, key, share)
			add_share(x, obj, key, strlen(key), share, &sum);
	} else {
		err(x, name, "must be an object like {\"US\":0.42}");
	}
	if (sum > 1 + SHARE_SUM_TOLERANCE)
		err(x, name, "shares must add up to at most 1");
	if (json_object_size(obj) == 0 || x->bad) {
		json_decref(obj);
		return;
	}
	x->c->audience_countries = obj;
}

static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static bool valid_date(int y, int m, int d)
{
	static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 0 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return !(m == 2 && d == 29 && !leap);
}

/* Time zone suffix at s[0..n): "Z" or "+HH:MM"/"-HH:MM"; offset in seconds east. */
static bool parse_zone(const char *s, size_t n, int64_t *offset)
{
	if (n == 1 && (*s == 'Z' || *s == 'z')) {
		*offset = 0;
		return true;
	}
	if (n != 6 || (*s != '+' && *s != '-') || s[3] != ':')
		return false;
	int h = digits(s + 1, 2), mi = digits(s + 4, 2);
	if (h < 0 || h > 23 || mi < 0 || mi > 59)
		return false;
	*offset = (*s == '-' ? -1 : 1) * (h * 3600 + mi * 60);
	return true;
}

/* Writes v (0 <= v < 10^width) zero-padded in exactly width characters. */
static void put_digits(char *out, int v, int width)
{
	for (int i = width - 1; i >= 0; i--, v /= 10)
		out[i] = (char)('0' + v % 10);
}

/* RFC 3339 date-time (offsets and fractional seconds accepted, leap seconds not) to UTC
 * "YYYY-MM-DDTHH:MM:SSZ"; fractions are truncated. date_only also takes "YYYY-MM-DD"
 * as midnight UTC (spreadsheet exports). */
static bool parse_time(const char *s, size_t n, bool date_only, char out[32])
{
	if (n < 10 || s[4] != '-' || s[7] != '-')
		return false;
	int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
	if (!valid_date(y, mo, d))
		return false;
	int h = 0, mi = 0, sec = 0;
	int64_t offset = 0;
	if (n == 10) {
		if (!date_only)
			return false;
	} else {
		if (n < 20 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' ||
		    s[16] != ':')
			return false;
		h = digits(s + 11, 2);
		mi = digits(s + 14, 2);
		sec = digits(s + 17, 2);
		if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59)
			return false;
		size_t i = 19;
		if (s[i] == '.') {
			size_t f = ++i;
			while (i < n && s[i] >= '0' && s[i] <= '9')
				i++;
			if (i == f)
				return false;
		}
		if (!parse_zone(s + i, n - i, &offset))
			return false;
	}
	int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	int64_t rem = t - days * 86400, yy;
	int m2, d2;
	civil_from_days(days, &yy, &m2, &d2);
	if (yy < 0 || yy > 9999)
		return false;
	put_digits(out, (int)yy, 4);
	out[4] = '-';
	put_digits(out + 5, m2, 2);
	out[7] = '-';
	put_digits(out + 8, d2, 2);
	out[10] = 'T';
	put_digits(out + 11, (int)(rem / 3600), 2);
	out[13] = ':';
	put_digits(out + 14, (int)(rem / 60 % 60), 2);
	out[16] = ':';
	put_digits(out + 17, (int)(rem % 60), 2);
	out[19] = 'Z';
	out[20] = '\0';
	return true;
}

static void f_last_post_at(struct ctx *x, const char *name, const json_t *v)
{
	const char *s;
	size_t n;
	if (get_string(x, name, v, &s, &n) > 0 && !parse_time(s, n, lenient(x), x->c->last_post_at))
		err(x, name, "must be an RFC 3339 date-time like 2024-05-01T12:00:00Z");
}

/* When the numbers were measured. A time in the future is a mistake of the export (a
 * wrong year or a local time taken for UTC): stored, it would make data look fresher
 * than anything measured today, so it is refused, with a few minutes of clock skew. */
static void f_data_as_of(struct ctx *x, const char *name, const json_t *v)
{
	const char *s;
	size_t n;
	char out[32];
	if (get_string(x, name, v, &s, &n) <= 0)
		return;
	if (!parse_time(s, n, lenient(x), out)) {
		err(x, name, "must be an RFC 3339 date-time like 2024-05-01T12:00:00Z");
		return;
	}
	int y = digits(out, 4), mo = digits(out + 5, 2), d = digits(out + 8, 2);
	int64_t t = days_from_civil(y, mo, d) * 86400 + digits(out + 11, 2) * 3600 +
		    digits(out + 14, 2) * 60 + digits(out + 17, 2);
	if (t > (int64_t)time(NULL) + NM_CREATOR_FUTURE_SLACK_S) {
		err(x, name, "must not be in the future");
		return;
	}
	memcpy(x->c->data_as_of, out, sizeof out);
}

static void f_sample_posts(struct ctx *x, const char *name, const json_t *v)
{
	set_count(x, name, v, &x->c->sample_posts, &x->c->has_sample_posts);
}

static void f_sponsored_posts(struct ctx *x, const char *name, const json_t *v)
{
	set_count(x, name, v, &x->c->sponsored_posts, &x->c->has_sponsored_posts);
}

/* JSON true/false; imports also take the spellings exports use (1/0, yes/no, true/false). */
static void f_verified(struct ctx *x, const char *name, const json_t *v)
{
	if (json_is_boolean(v)) {
		x->c->verified = json_is_true(v);
		x->c->has_verified = true;
		return;
	}
	if (lenient(x) && json_is_integer(v) &&
	    (json_integer_value(v) == 0 || json_integer_value(v) == 1)) {
		x->c->verified = json_integer_value(v) == 1;
		x->c->has_verified = true;
		return;
	}
	const char *s;
	size_t n;
	if (!lenient(x) || !json_is_string(v)) {
		err(x, name, "must be true or false");
		return;
	}
	if (get_string(x, name, v, &s, &n) <= 0)
		return;
	static const char *const yes[] = {"1", "true", "yes", "y", "t"};
	static const char *const no[] = {"0", "false", "no", "n", "f"};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (strlen(yes[i]) == n && strncasecmp(s, yes[i], n) == 0) {
			x->c->verified = x->c->has_verified = true;
			return;
		}
		if (strlen(no[i]) == n && strncasecmp(s, no[i], n) == 0) {
			x->c->verified = false;
			x->c->has_verified = true;
			return;
		}
	}
	err(x, name, "must be true or false (or 1/0, yes/no)");
}

/* Platforms tag places in Kosovo as XK (a user-assigned code that the EU and banks use
 * too, not in ISO 3166-1): a geotag names a place, so XK is accepted here (one row of
 * the dev file), while a stated country keeps the strict list. */
static bool geotag_country_valid(const char *code, char out[3])
{
	if ((code[0] == 'X' || code[0] == 'x') && (code[1] == 'K' || code[1] == 'k')) {
		memcpy(out, "XK", 3);
		return true;
	}
	return nm_country_valid(code, out);
}

static void f_content_country(struct ctx *x, const char *name, const json_t *v)
{
	const char *s;
	size_t n;
	if (get_string(x, name, v, &s, &n) > 0 &&
	    !iso_code(s, n, geotag_country_valid, x->c->content_country))
		err(x, name, "must be an ISO 3166-1 alpha-2 country code");
}

static void f_caption(struct ctx *x, const char *name, const json_t *v)
{
	set_text(x, name, v, NM_CREATOR_CAPTION_MAX, &x->c->caption);
}

typedef void (*field_fn)(struct ctx *x, const char *name, const json_t *v);

struct field {
	const char *name;
	unsigned char len;
	field_fn fn;
};

#define F(n, fn)                                                                                   \
	{                                                                                          \
		n, sizeof n - 1, fn                                                                \
	}
static const struct field fields[] = {
	F("platform", f_platform),
	F("handle", f_handle),
	F("display_name", f_display_name),
	F("profile_url", f_profile_url),
	F("email", f_email),
	F("followers", f_followers),
	F("following", f_following),
	F("posts_count", f_posts_count),
	F("avg_likes", f_avg_likes),
	F("avg_comments", f_avg_comments),
	F("avg_shares", f_avg_shares),
	F("avg_views", f_avg_views),
	F("engagement_rate", f_engagement_rate),
	F("categories", f_categories),
	F("hashtags", f_hashtags),
	F("bio", f_bio),
	F("country", f_country),
	F("language", f_language),
	F("audience_countries", f_audience_countries),
	F("audience_female_share", f_female_share),
	F("price_per_post_cents", f_price),
	F("follower_growth_30d", f_growth),
	F("last_post_at", f_last_post_at),
	F("external_id", f_external_id),
	F("data_as_of", f_data_as_of),
	F("sample_posts", f_sample_posts),
	F("sponsored_posts", f_sponsored_posts),
	F("verified", f_verified),
	F("content_country", f_content_country),
	F("caption", f_caption),
	/* Server-set members: refused in REST bodies, ignored (and listed) in imports. */
	F("id", NULL),
	F("created_at", NULL),
	F("updated_at", NULL),
	F("tier", NULL),
	F("er_source", NULL),
	F("confidence", NULL),
	F("confidence_codes", NULL),
	F("sponsored_share", NULL),
	F("flags", NULL),
};
#undef F

/* Length and first byte filter the table before any strcmp: this runs per member of
 * every imported row. */
static const struct field *find_field(const char *key, size_t len)
{
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (fields[i].len == len && fields[i].name[0] == key[0] &&
		    memcmp(fields[i].name, key, len) == 0)
			return &fields[i];
	return NULL;
}

bool nm_creator_input_field(const char *name)
{
	const struct field *f = find_field(name, strlen(name));
	return f && f->fn;
}

static void call_field(struct ctx *x, const struct field *f, const char *key, const json_t *v)
{
	size_t before = x->n_errors;
	f->fn(x, key, v);
	if (x->n_errors == before)
		return;
	if (f->fn == f_platform)
		x->reported_platform = true;
	else if (f->fn == f_handle)
		x->reported_handle = true;
	else if (f->fn == f_followers)
		x->reported_followers = true;
}

static void unknown_member(struct ctx *x, const char *key, const struct field *f)
{
	if (!lenient(x))
		err(x, key, f ? "read-only field" : "unknown field");
	else if (x->names)
		nm_names_add(x->names, key);
	else if (x->unknown)
		json_object_set_new(x->unknown, key, json_true());
}

bool nm_names_init(struct nm_names *s, size_t max, size_t max_bytes)
{
	*s = (struct nm_names){.names = json_object(), .max = max, .max_bytes = max_bytes};
	return s->names != NULL;
}

void nm_names_free(struct nm_names *s)
{
	json_decref(s->names);
	s->names = NULL;
}

void nm_names_add(struct nm_names *s, const char *name)
{
	if (json_object_get(s->names, name))
		return;
	size_t n = strlen(name);
	if (json_object_size(s->names) >= s->max || n > s->max_bytes - s->bytes) {
		s->truncated = true;
		return;
	}
	if (json_object_set_new(s->names, name, json_true()) == 0)
		s->bytes += n;
	else
		s->truncated = true; /* out of memory: the name is not listed */
}

/* docs/api.md §4: absent engagement_rate is (likes+comments+shares)/followers. A ratio above 1
 * happens (a viral post reaches beyond the followers: one row of the real dev file), but
 * the field's contract is 0–1, so the derived value is capped at 1. Nothing is lost: the
 * averages it came from are kept as given, and engagement_derived marks the value. A
 * given engagement_rate above 1 is still an error, since there the client wrote it. */
static void derive_engagement(struct nm_creator *c)
{
	if (c->has_engagement_rate || c->followers <= 0 ||
	    !(c->has_avg_likes || c->has_avg_comments || c->has_avg_shares))
		return;
	double sum = (c->has_avg_likes ? c->avg_likes : 0) +
		     (c->has_avg_comments ? c->avg_comments : 0) +
		     (c->has_avg_shares ? c->avg_shares : 0);
	double r = sum / (double)c->followers;
	c->engagement_rate = r > 1 ? 1 : r;
	c->has_engagement_rate = true;
	c->engagement_derived = true;
}

/* Required members that are missing; a member already reported as invalid is not
 * reported a second time as missing. */
static void check_required(struct ctx *x, const char *default_platform)
{
	if (!x->has_platform && !x->reported_platform) {
		if (!default_platform)
			err(x, "platform", "is required");
		else if (nm_platform_parse(default_platform, &x->c->platform))
			x->has_platform = true;
		else
			err(x, "platform",
			    "is required (the default platform given is not one of "
			    "the known platforms)");
	}
	if (!x->c->handle && !x->reported_handle)
		err(x, "handle", "is required");
	if (!x->has_followers && !x->reported_followers)
		err(x, "followers", "is required");
	if (x->c->has_sponsored_posts && x->c->has_sample_posts &&
	    x->c->sponsored_posts > x->c->sample_posts)
		err(x, "sponsored_posts", "must not exceed sample_posts");
}

/* The one pass of both entry points; x carries the mode and where unknown names go. */
static bool from_json(const json_t *in, struct ctx *x, const char *default_platform)
{
	memset(x->c, 0, sizeof *x->c);
	if (!json_is_object(in)) {
		err(x, NULL, "must be a JSON object");
		return false;
	}
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)in, key, v)
	{
		const struct field *f = find_field(key, strlen(key));
		if (!f || !f->fn)
			unknown_member(x, key, f);
		else if (!json_is_null(v))
			call_field(x, f, key, v);
	}
	check_required(x, default_platform);
	if (x->bad) {
		nm_creator_clear(x->c);
		return false;
	}
	derive_engagement(x->c);
	return true;
}

bool nm_creator_from_json(const json_t *in, enum nm_creator_mode mode, const char *default_platform,
			  struct nm_creator *out, json_t *errors, json_t *unknown)
{
	struct ctx x = {.mode = mode, .c = out, .errors = errors, .unknown = unknown};
	return from_json(in, &x, default_platform);
}

bool nm_creator_from_row(const json_t *in, const char *default_platform, struct nm_creator *out,
			 json_t *errors, struct nm_names *unknown)
{
	struct ctx x = {.mode = NM_CREATOR_LENIENT, .c = out, .errors = errors, .names = unknown};
	return from_json(in, &x, default_platform);
}

static void free_list(char **items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(items[i]);
	free(items);
}

void nm_creator_clear(struct nm_creator *c)
{
	free(c->handle);
	free(c->display_name);
	free(c->profile_url);
	free(c->email);
	free(c->bio);
	free(c->external_id);
	free(c->caption);
	free_list(c->categories, c->n_categories);
	free_list(c->hashtags, c->n_hashtags);
	json_decref(c->audience_countries);
	memset(c, 0, sizeof *c);
}

static json_t *opt_string(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static json_t *opt_int(bool has, int64_t v)
{
	return has ? json_integer(v) : json_null();
}

static json_t *opt_real(bool has, double v)
{
	return has ? json_real(v) : json_null();
}

static json_t *string_list(char **items, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(items[i]));
	return a;
}

json_t *nm_creator_to_json(const struct nm_creator *c)
{
	json_t *o = json_object();
	json_object_set_new(o, "platform", json_string(nm_platform_name(c->platform)));
	json_object_set_new(o, "handle", opt_string(c->handle));
	json_object_set_new(o, "display_name", opt_string(c->display_name));
	json_object_set_new(o, "profile_url", opt_string(c->profile_url));
	json_object_set_new(o, "email", opt_string(c->email));
	json_object_set_new(o, "followers", json_integer(c->followers));
	json_object_set_new(o, "tier", json_string(nm_tier_name(nm_tier_of(c->followers))));
	json_object_set_new(o, "following", opt_int(c->has_following, c->following));
	json_object_set_new(o, "posts_count", opt_int(c->has_posts_count, c->posts_count));
	json_object_set_new(o, "avg_likes", opt_real(c->has_avg_likes, c->avg_likes));
	json_object_set_new(o, "avg_comments", opt_real(c->has_avg_comments, c->avg_comments));
	json_object_set_new(o, "avg_shares", opt_real(c->has_avg_shares, c->avg_shares));
	json_object_set_new(o, "avg_views", opt_real(c->has_avg_views, c->avg_views));
	json_object_set_new(o, "engagement_rate",
			    opt_real(c->has_engagement_rate, c->engagement_rate));
	json_object_set_new(o, "categories", string_list(c->categories, c->n_categories));
	json_object_set_new(o, "hashtags", string_list(c->hashtags, c->n_hashtags));
	json_object_set_new(o, "bio", opt_string(c->bio));
	json_object_set_new(o, "country", opt_string(c->country));
	json_object_set_new(o, "language", opt_string(c->language));
	json_object_set_new(o, "audience_countries",
			    c->audience_countries ? json_deep_copy(c->audience_countries)
						  : json_null());
	json_object_set_new(o, "audience_female_share",
			    opt_real(c->has_audience_female_share, c->audience_female_share));
	json_object_set_new(o, "price_per_post_cents",
			    opt_int(c->has_price_per_post_cents, c->price_per_post_cents));
	json_object_set_new(o, "follower_growth_30d",
			    opt_real(c->has_follower_growth_30d, c->follower_growth_30d));
	json_object_set_new(o, "last_post_at", opt_string(c->last_post_at));
	json_object_set_new(o, "external_id", opt_string(c->external_id));
	json_object_set_new(o, "data_as_of", opt_string(c->data_as_of));
	json_object_set_new(o, "sample_posts", opt_int(c->has_sample_posts, c->sample_posts));
	json_object_set_new(o, "sponsored_posts",
			    opt_int(c->has_sponsored_posts, c->sponsored_posts));
	json_object_set_new(o, "verified",
			    c->has_verified ? json_boolean(c->verified) : json_null());
	json_object_set_new(o, "content_country", opt_string(c->content_country));
	json_object_set_new(o, "caption", opt_string(c->caption));
	return o;
}
