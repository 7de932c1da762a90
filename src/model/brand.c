/* The brand model of docs/api.md §3. Fields are checked one by one from a table so that every
 * problem is reported at once, and the canonical object is built in table order so that
 * replies list fields in the same order whatever order the client used. */
#include "nm/brand.h"

#include <math.h>
#include <string.h>
#include <strings.h>

#include "field.h"
#include "nm/taxonomy.h"
#include "nm/verr.h"

#define TEXT_MAX	      200
#define FOLLOWERS_DEFAULT_MIN 10000
#define FOLLOWERS_DEFAULT_MAX 100000
/* Raw arrays longer than this many times the limit are refused without looking at their
 * elements: de-duplication is quadratic and a 1 MiB body holds 100k tiny strings. */
#define RAW_LIST_FACTOR 4
#define CODE_LIST_MAX	300

struct field;
typedef void (*field_fn)(const struct field *f, const json_t *v, json_t *out, json_t *errors);
typedef bool (*code_fn)(const char *s, char out[3]);

struct field {
	const char *name;
	field_fn check;
	bool required;
	const char *dflt; /* value when absent or null, kept in table order */
	/* What some checks take, from the table rather than a wrapper function each: */
	size_t max;		    /* check_terms, check_handles: at most this many items */
	code_fn code;		    /* check_codes: NULL for platform names */
	const char *const *allowed; /* check_enum: the values, NULL-terminated */
	const char *msg;	    /* check_codes, check_enum: what a wrong value is told */
};

static const char *const read_only[] = {"id", "created_at", "updated_at"};

/* The string v without surrounding white space in *s, *n; false (and a problem on name)
 * when v is not a string. */
static bool trimmed_string(const char *name, const json_t *v, const char **s, size_t *n,
			   json_t *errors)
{
	if (!json_is_string(v)) {
		nm_verr_add(errors, name, "must be a string");
		return false;
	}
	*s = json_string_value(v);
	*n = json_string_length(v);
	nm_trim(s, n);
	return true;
}

/* name, industry, external_id: trimmed text of 1–200 code points. */
static void check_text(const struct field *f, const json_t *v, json_t *out, json_t *errors)
{
	const char *name = f->name, *s;
	size_t n;
	if (!trimmed_string(name, v, &s, &n, errors))
		return;
	size_t chars = nm_utf8_chars(s, n);
	if (chars == 0)
		nm_verr_add(errors, name, "must not be empty");
	else if (chars > TEXT_MAX)
		nm_verr_add(errors, name, "must be at most %d characters", TEXT_MAX);
	else
		json_object_set_new(out, name, json_stringn(s, n));
}

/* Common front of every list field: an array of at most `cap` raw elements. */
static bool list_shape(const char *name, const json_t *v, size_t cap, json_t *errors)
{
	if (!json_is_array(v)) {
		nm_verr_add(errors, name, "must be an array");
		return false;
	}
	if (json_array_size(v) > cap) {
		nm_verr_add(errors, name, "must have at most %zu items", cap / RAW_LIST_FACTOR);
		return false;
	}
	return true;
}

/* niches, keywords, exclude_keywords: lists of at most f->max distinct terms; niches must
 * have one (f->required). */
static void check_terms(const struct field *f, const json_t *v, json_t *out, json_t *errors)
{
	const char *name = f->name;
	size_t max = f->max;
	bool required = f->required;
	if (!list_shape(name, v, max * RAW_LIST_FACTOR, errors))
		return;
	struct nm_terms t = {.n = 0};
	size_t i;
	json_t *e;
	bool bad = false, too_many = false;
	char path[64];
	json_array_foreach(v, i, e)
	{
		nm_verr_path(path, sizeof path, name, (long)i, NULL);
		if (!json_is_string(e)) {
			nm_verr_add(errors, path, "must be a string");
			bad = true;
			continue;
		}
		enum nm_term_res r =
			nm_terms_add(&t, json_string_value(e), json_string_length(e), false, max);
		if (r == NM_TERM_TOO_MANY)
			too_many = true;
		else if (r != NM_TERM_ADDED && r != NM_TERM_DUP) {
			nm_verr_add(errors, path, "%s", nm_term_message(r));
			bad = true;
		}
	}
	if (too_many)
		nm_verr_add(errors, name, "must have at most %zu items", max);
	else if (!bad && required && t.n == 0)
		nm_verr_add(errors, name, "must have at least 1 item");
	if (!bad && !too_many && t.n) {
		json_t *arr = json_array();
		for (size_t k = 0; k < t.n; k++)
			json_array_append_new(arr, json_string(t.items[k]));
		json_object_set_new(out, name, arr);
	}
	nm_terms_free(&t);
}

/* Appends s to arr unless already there; the lists are short (≤ 249). */
static void append_unique(json_t *arr, const char *s)
{
	size_t i;
	json_t *e;
	json_array_foreach(arr, i, e) if (strcmp(json_string_value(e), s) == 0) return;
	json_array_append_new(arr, json_string(s));
}

static bool platform_code(const char *s, const char **canon)
{
	enum nm_platform p;
	if (!nm_platform_parse(s, &p))
		return false;
	*canon = nm_platform_name(p);
	return true;
}

/* One element of a list of codes or handles: its canonical form (in buf, of HANDLE_BUF
 * bytes, or a constant), or NULL with the problem in *why. */
#define HANDLE_BUF (NM_BRAND_HANDLE_MAX * 4 + 1)
typedef const char *(*item_fn)(const struct field *f, const json_t *e, char buf[HANDLE_BUF],
			       const char **why);

/* Lists of at most cap raw elements, each canonical by item, stored once each; with f->max,
 * at most that many after that. */
static void check_list(const struct field *f, const json_t *v, size_t cap, item_fn item,
		       json_t *out, json_t *errors)
{
	const char *name = f->name;
	if (!list_shape(name, v, cap, errors))
		return;
	json_t *arr = json_array();
	size_t i;
	json_t *e;
	bool bad = false;
	char path[64], buf[HANDLE_BUF];
	json_array_foreach(v, i, e)
	{
		const char *why = NULL;
		const char *canon = item(f, e, buf, &why);
		if (!canon) {
			nm_verr_path(path, sizeof path, name, (long)i, NULL);
			nm_verr_add(errors, path, "%s", why);
			bad = true;
			continue;
		}
		append_unique(arr, canon);
	}
	if (!bad && f->max && json_array_size(arr) > f->max) {
		nm_verr_add(errors, name, "must have at most %zu items", f->max);
		bad = true;
	}
	if (!bad && json_array_size(arr))
		json_object_set_new(out, name, arr);
	else
		json_decref(arr);
}

/* A platform name (f->code NULL) or an ISO code (f->code). */
static const char *code_of(const struct field *f, const json_t *e, char buf[HANDLE_BUF],
			   const char **why)
{
	if (!json_is_string(e)) {
		*why = "must be a string";
		return NULL;
	}
	const char *canon = buf;
	if (f->code ? f->code(json_string_value(e), buf)
		    : platform_code(json_string_value(e), &canon))
		return canon;
	*why = f->msg;
	return NULL;
}

/* platforms, target_countries, target_languages: arrays of enum-like codes. */
static void check_codes(const struct field *f, const json_t *v, json_t *out, json_t *errors)
{
	check_list(f, v, CODE_LIST_MAX, code_of, out, errors);
}

/* target_gender, goal, target_countries_mode: one of f->allowed, any case, stored as
 * written there. */
static void check_enum(const struct field *f, const json_t *v, json_t *out, json_t *errors)
{
	const char *s;
	size_t n;
	if (!trimmed_string(f->name, v, &s, &n, errors))
		return;
	for (const char *const *a = f->allowed; *a; a++) {
		if (strlen(*a) == n && strncasecmp(s, *a, n) == 0) {
			json_object_set_new(out, f->name, json_string(*a));
			return;
		}
	}
	nm_verr_add(errors, f->name, "%s", f->msg);
}

/* follower_min, follower_max, budget_per_post_cents: JSON integers >= 0. A number in a
 * string is refused here (REST bodies are typed; only imports are lenient). */
static void check_count(const struct field *f, const json_t *v, json_t *out, json_t *errors)
{
	const char *name = f->name;
	if (!json_is_integer(v))
		nm_verr_add(errors, name, "must be an integer");
	else if (json_integer_value(v) < 0)
		nm_verr_add(errors, name, "must be at least 0");
	else
		json_object_set(out, name, (json_t *)v);
}

static void check_rate(const struct field *f, const json_t *v, json_t *out, json_t *errors)
{
	const char *name = f->name;
	if (!json_is_number(v)) {
		nm_verr_add(errors, name, "must be a number");
		return;
	}
	double r = json_number_value(v);
	if (!(r >= 0 && r <= 1))
		nm_verr_add(errors, name, "must be between 0 and 1 (write 0.041 for 4.1%%)");
	else
		json_object_set_new(out, name, json_real(r));
}

/* One handle as creators store it (src/model/creator.c): one leading '@' dropped,
 * lower-cased ASCII, no spaces; NULL with the problem in *why otherwise. */
static const char *handle_of(const struct field *f, const json_t *e, char h[HANDLE_BUF],
			     const char **why)
{
	(void)f;
	if (!json_is_string(e)) {
		*why = "must be a string";
		return NULL;
	}
	const char *s = json_string_value(e);
	size_t n = json_string_length(e);
	nm_trim(&s, &n);
	if (n && *s == '@')
		s++, n--;
	size_t chars = nm_utf8_chars(s, n);
	if (chars == 0 || *s == '@') {
		*why = chars ? "must not start with more than one '@'" : "must not be empty";
		return NULL;
	}
	if (chars > NM_BRAND_HANDLE_MAX || n >= HANDLE_BUF) {
		*why = "must be at most 100 characters";
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= ' ' || c == 0x7f) {
			*why = "must not contain spaces";
			return NULL;
		}
		h[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	h[n] = '\0';
	return h;
}

/* exclude_handles: creators' handles (any platform), normalised as imports store them. */
static void check_handles(const struct field *f, const json_t *v, json_t *out, json_t *errors)
{
	check_list(f, v, f->max * RAW_LIST_FACTOR, handle_of, out, errors);
}

/* price_overrides: {"nano"|"micro"|"mid"|"macro"|"mega": price per post in cents}, the
 * brand's own rates for creators without a price (budget plans, docs/scoring.md §11.1). */
static void check_price_overrides(const struct field *f, const json_t *v, json_t *out,
				  json_t *errors)
{
	const char *name = f->name;
	static const char *const tiers[] = {"nano", "micro", "mid", "macro", "mega"};
	if (!json_is_object(v)) {
		nm_verr_add(errors, name, "must be an object of tier -> price per post in cents");
		return;
	}
	json_t *o = json_object();
	bool bad = false;
	const char *key;
	json_t *e;
	char path[64];
	json_object_foreach((json_t *)v, key, e)
	{
		nm_verr_path(path, sizeof path, name, -1, key);
		bool known = false;
		for (size_t i = 0; i < sizeof tiers / sizeof *tiers && !known; i++)
			known = strcmp(key, tiers[i]) == 0;
		if (!known) {
			nm_verr_add(errors, path, "unknown tier (nano, micro, mid, macro, mega)");
			bad = true;
		} else if (json_is_null(e)) {
			continue; /* a merge patch's null removes the tier */
		} else if (!json_is_integer(e) || json_integer_value(e) < 1 ||
			   json_integer_value(e) > NM_BRAND_PRICE_OVERRIDE_MAX) {
			nm_verr_add(errors, path,
				    "must be an integer from 1 to %lld (cents per post)",
				    (long long)NM_BRAND_PRICE_OVERRIDE_MAX);
			bad = true;
		} else {
			json_object_set(o, key, e);
		}
	}
	if (!bad && json_object_size(o))
		json_object_set_new(out, name, o);
	else
		json_decref(o);
}

/* alerts: {"top_n": 1..NM_BRAND_ALERTS_TOP_N_MAX} turns match.new_candidate on for the
 * brand (docs/webhooks.md); JSON null (or a merge patch's null) turns it off. */
static void check_alerts(const struct field *f, const json_t *v, json_t *out, json_t *errors)
{
	if (!json_is_object(v)) {
		nm_verr_add(errors, f->name,
			    "must be an object like {\"top_n\": 20}, or null (off)");
		return;
	}
	bool bad = false;
	const char *key;
	json_t *e;
	char path[64];
	json_object_foreach((json_t *)v, key, e)
	{
		if (strcmp(key, "top_n") == 0)
			continue;
		nm_verr_path(path, sizeof path, f->name, -1, key);
		nm_verr_add(errors, path, "unknown field");
		bad = true;
	}
	json_t *n = json_object_get(v, "top_n");
	if (!n || json_is_null(n)) {
		nm_verr_add(errors, "alerts.top_n", "is required");
		bad = true;
	} else if (!json_is_integer(n) || json_integer_value(n) < 1 ||
		   json_integer_value(n) > NM_BRAND_ALERTS_TOP_N_MAX) {
		nm_verr_add(errors, "alerts.top_n", "must be an integer from 1 to %d",
			    NM_BRAND_ALERTS_TOP_N_MAX);
		bad = true;
	}
	if (!bad)
		json_object_set_new(out, f->name, json_pack("{s:O}", "top_n", n));
}

static const char *const genders[] = {"female", "male", "any", NULL};
static const char *const goals[] = {"engagement", "awareness", "conversions", NULL};
static const char *const countries_modes[] = {"prefer", "require", NULL};
static const char *const confidence_levels[] = {"high", "medium", "low", NULL};

static const struct field fields[] = {
	{.name = "name", .check = check_text, .required = true},
	{.name = "industry", .check = check_text},
	{.name = "niches", .check = check_terms, .required = true, .max = NM_BRAND_NICHES_MAX},
	{.name = "keywords", .check = check_terms, .max = NM_BRAND_KEYWORDS_MAX},
	{.name = "platforms",
	 .check = check_codes,
	 .msg = "must be one of instagram, tiktok, youtube, twitter (or x), facebook, twitch, "
		"linkedin, pinterest, other"},
	{.name = "target_countries",
	 .check = check_codes,
	 .code = nm_country_valid,
	 .msg = "must be an ISO 3166-1 alpha-2 country code"},
	{.name = "target_languages",
	 .check = check_codes,
	 .code = nm_language_valid,
	 .msg = "must be an ISO 639-1 language code"},
	{.name = "target_gender",
	 .check = check_enum,
	 .dflt = "any",
	 .allowed = genders,
	 .msg = "must be one of female, male, any"},
	{.name = "goal",
	 .check = check_enum,
	 .dflt = "engagement",
	 .allowed = goals,
	 .msg = "must be one of engagement, awareness, conversions"},
	{.name = "follower_min", .check = check_count},
	{.name = "follower_max", .check = check_count},
	{.name = "min_engagement_rate", .check = check_rate},
	{.name = "budget_per_post_cents", .check = check_count},
	{.name = "price_overrides", .check = check_price_overrides},
	{.name = "external_id", .check = check_text},
	{.name = "target_countries_mode",
	 .check = check_enum,
	 .allowed = countries_modes,
	 .msg = "must be one of prefer, require"},
	{.name = "min_audience_share", .check = check_rate},
	{.name = "exclude_keywords", .check = check_terms, .max = NM_BRAND_EXCLUDE_KEYWORDS_MAX},
	{.name = "exclude_handles", .check = check_handles, .max = NM_BRAND_EXCLUDE_HANDLES_MAX},
	/* Data freshness filters of runs and plans (issue 16, docs/scoring.md §12). */
	{.name = "max_data_age_days", .check = check_count},
	{.name = "min_confidence",
	 .check = check_enum,
	 .allowed = confidence_levels,
	 .msg = "must be one of high, medium, low"},
	{.name = "alerts", .check = check_alerts},
};

#define N_FIELDS (sizeof fields / sizeof fields[0])

/* Members that are not writable fields: reported, never silently dropped (docs/api.md §7). */
static void check_members(const json_t *in, json_t *errors)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)in, key, v)
	{
		bool known = false;
		for (size_t i = 0; i < N_FIELDS && !known; i++)
			known = strcmp(key, fields[i].name) == 0;
		if (known)
			continue;
		bool ro = false;
		for (size_t i = 0; i < sizeof read_only / sizeof read_only[0] && !ro; i++)
			ro = strcmp(key, read_only[i]) == 0;
		nm_verr_add(errors, key, ro ? "read-only field" : "unknown field");
	}
}

static bool is_awareness(const json_t *canonical)
{
	const char *goal = json_string_value(json_object_get(canonical, "goal"));
	return goal && strcmp(goal, "awareness") == 0;
}

void nm_brand_follower_range(const json_t *canonical, long long *min, long long *max)
{
	json_t *lo = json_object_get(canonical, "follower_min");
	json_t *hi = json_object_get(canonical, "follower_max");
	*min = json_is_integer(lo) ? json_integer_value(lo) : FOLLOWERS_DEFAULT_MIN;
	if (json_is_integer(hi))
		*max = json_integer_value(hi);
	else
		*max = is_awareness(canonical) ? -1 : FOLLOWERS_DEFAULT_MAX;
}

/* min <= max on the effective values: a lone follower_min above the goal's default
 * maximum is as wrong as an explicit inversion, and the message says where the other
 * bound came from. The error goes on the field the client actually set. */
static void check_range(const json_t *out, json_t *errors)
{
	const char *goal = json_string_value(json_object_get(out, "goal"));
	if (!goal)
		return; /* the goal itself was invalid: its default range means nothing */
	long long lo, hi;
	nm_brand_follower_range(out, &lo, &hi);
	if (hi < 0 || lo <= hi)
		return;
	bool has_lo = json_object_get(out, "follower_min") != NULL;
	bool has_hi = json_object_get(out, "follower_max") != NULL;
	if (has_lo && has_hi)
		nm_verr_add(errors, "follower_min", "must not exceed follower_max (%lld)", hi);
	else if (has_lo)
		nm_verr_add(errors, "follower_min",
			    "must not exceed follower_max (%lld, the default for goal %s); "
			    "set follower_max too",
			    hi, goal);
	else
		nm_verr_add(errors, "follower_max",
			    "must be at least follower_min (%lld, the default for goal %s); "
			    "set follower_min too",
			    lo, goal);
}

json_t *nm_brand_normalize(const json_t *in, json_t *errors)
{
	if (!json_is_object(in)) {
		nm_verr_add(errors, NULL, "body must be a JSON object");
		return NULL;
	}
	size_t errors_before = json_array_size(errors);
	check_members(in, errors);
	json_t *out = json_object();
	for (size_t i = 0; i < N_FIELDS; i++) {
		json_t *v = json_object_get(in, fields[i].name);
		if (v && !json_is_null(v))
			fields[i].check(&fields[i], v, out, errors);
		else if (fields[i].required)
			nm_verr_add(errors, fields[i].name, "is required");
		else if (fields[i].dflt)
			json_object_set_new(out, fields[i].name, json_string(fields[i].dflt));
	}
	check_range(out, errors);
	const char *mode = json_string_value(json_object_get(out, "target_countries_mode"));
	if (mode && strcmp(mode, "require") == 0 && !json_object_get(out, "target_countries"))
		nm_verr_add(errors, "target_countries_mode",
			    "require needs target_countries (the countries creators must be in)");
	if (json_array_size(errors) > errors_before) {
		json_decref(out);
		return NULL;
	}
	return out;
}
