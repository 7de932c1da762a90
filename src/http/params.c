/* Query parameters against the route table: every name a request sends must be one the
 * route declares, given once unless repeatable, with a value of the declared type. A
 * typo such as ?min_follower= would otherwise be ignored and the reply would silently
 * list everything. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

struct walk {
	const struct nm_route *rt;
	const char *bad_name; /* the first offending parameter (borrowed from MHD) */
	char why[160];
	/* Counts per declared parameter, to find repeats; routes declare few. */
	unsigned seen[32];
};

static bool integer_ok(const char *v, const struct nm_param *p, char *why, size_t n)
{
	char *end;
	errno = 0;
	long long x = strtoll(v, &end, 10);
	if (!*v || *end || errno == ERANGE) {
		snprintf(why, n, "must be an integer");
		return false;
	}
	if (p->min < p->max && ((double)x < p->min || (double)x > p->max)) {
		snprintf(why, n, "must be an integer from %.0f to %.0f", p->min, p->max);
		return false;
	}
	return true;
}

static bool number_ok(const char *v, const struct nm_param *p, char *why, size_t n)
{
	char *end;
	double x = strtod(v, &end);
	if (!*v || *end || !isfinite(x)) {
		snprintf(why, n, "must be a number");
		return false;
	}
	if (p->min < p->max && (x < p->min || x > p->max)) {
		snprintf(why, n, "must be a number from %g to %g", p->min, p->max);
		return false;
	}
	return true;
}

/* One enum value of len bytes at s, surrounding spaces ignored (as the parsers do). */
static bool enum_value_ok(const char *s, size_t len, const char *const *values)
{
	while (len && *s == ' ')
		s++, len--;
	while (len && s[len - 1] == ' ')
		len--;
	for (const char *const *e = values; e && *e; e++)
		if (strlen(*e) == len && strncasecmp(*e, s, len) == 0)
			return true;
	return false;
}

static bool enum_ok(const char *v, const struct nm_param *p, char *why, size_t n)
{
	const char *s = v;
	for (;;) {
		const char *comma = p->list ? strchr(s, ',') : NULL;
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		if (!enum_value_ok(s, len, p->values))
			break;
		if (!comma)
			return true;
		s = comma + 1;
	}
	size_t o = (size_t)snprintf(why, n, "must be %s", p->list ? "a list of " : "one of ");
	for (const char *const *e = p->values; e && *e && o < n; e++)
		o += (size_t)snprintf(why + o, n - o, "%s%s", e == p->values ? "" : ", ", *e);
	return false;
}

static bool value_ok(const char *v, const struct nm_param *p, char *why, size_t n)
{
	if (p->max_len && strlen(v) > p->max_len) {
		snprintf(why, n, "must be at most %zu characters", p->max_len);
		return false;
	}
	switch (p->type) {
	case NM_PARAM_STRING:
		return true;
	case NM_PARAM_INTEGER:
		return integer_ok(v, p, why, n);
	case NM_PARAM_NUMBER:
		return number_ok(v, p, why, n);
	case NM_PARAM_BOOLEAN:
		if (!strcmp(v, "true") || !strcmp(v, "false") || !strcmp(v, "1") || !strcmp(v, "0"))
			return true;
		snprintf(why, n, "must be true or false");
		return false;
	case NM_PARAM_ENUM:
		return enum_ok(v, p, why, n);
	}
	return false;
}

static enum MHD_Result check_one(void *cls, enum MHD_ValueKind kind, const char *key,
				 const char *value)
{
	(void)kind;
	struct walk *w = cls;
	size_t i = 0;
	const struct nm_param *p = w->rt->query;
	for (; p && p->name; p++, i++)
		if (strcmp(p->name, key) == 0)
			break;
	if (!p || !p->name) {
		w->bad_name = key;
		snprintf(w->why, sizeof w->why, "is not a parameter of this operation");
		return MHD_NO;
	}
	if (i < sizeof w->seen / sizeof w->seen[0] && ++w->seen[i] > 1 && !p->repeatable) {
		w->bad_name = key;
		snprintf(w->why, sizeof w->why, "is given more than once");
		return MHD_NO;
	}
	if (!value_ok(value ? value : "", p, w->why, sizeof w->why)) {
		w->bad_name = key;
		return MHD_NO;
	}
	return MHD_YES;
}

/* Lists the route's parameter names into buf for the problem's detail. */
static void known_names(const struct nm_route *rt, char *buf, size_t n)
{
	size_t o = 0;
	buf[0] = '\0';
	for (const struct nm_param *p = rt->query; p && p->name && o < n; p++)
		o += (size_t)snprintf(buf + o, n - o, "%s%s", o ? ", " : "", p->name);
}

bool nm_params_check(struct nm_req *r)
{
	struct walk w = {.rt = r->route};
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, check_one, &w);
	if (!w.bad_name) {
		for (const struct nm_param *p = r->route->query; p && p->name; p++) {
			if (p->required && !nm_req_query(r, p->name)) {
				nm_reply_problem(r, NM_P_BAD_QUERY,
						 json_pack("[{s:s,s:s}]", "field", p->name,
							   "message", "is required"),
						 "The query parameter %s is required.", p->name);
				return false;
			}
		}
		return true;
	}
	char name[80];
	snprintf(name, sizeof name, "%s", w.bad_name);
	if (strcmp(w.why, "is not a parameter of this operation") == 0) {
		char known[400];
		known_names(r->route, known, sizeof known);
		nm_reply_problem(
			r, NM_P_BAD_QUERY,
			json_pack("[{s:s,s:s}]", "field", name, "message", w.why),
			"Unknown query parameter '%s'; %s%s.", name,
			known[0] ? "this operation accepts: " : "this operation takes none", known);
		return false;
	}
	nm_reply_problem(r, NM_P_BAD_QUERY,
			 json_pack("[{s:s,s:s}]", "field", name, "message", w.why), "%s %s.", name,
			 w.why);
	return false;
}
