/* The filters of a creator search, read from the query string: shared by GET /v1/creators
 * and GET /v1/creators.csv so that both select the same creators (nm/creator_filters.h). */
#include "nm/creator_filters.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nm/confidence.h"
#include "nm/creator.h"
#include "nm/handlers.h"
#include "nm/http.h"
#include "nm/taxonomy.h"

/* A list value in canonical form into out (>= 256 bytes); false when it is not valid. */
typedef bool (*canon_fn)(const char *in, char *out);

static bool canon_platform(const char *in, char *out)
{
	enum nm_platform p;
	if (!nm_platform_parse(in, &p))
		return false;
	snprintf(out, 256, "%s", nm_platform_name(p));
	return true;
}

static bool canon_tier(const char *in, char *out)
{
	enum nm_tier t;
	if (!nm_tier_parse(in, &t))
		return false;
	snprintf(out, 256, "%s", nm_tier_name(t));
	return true;
}

static bool canon_country(const char *in, char *out)
{
	return nm_country_valid(in, out);
}

static bool canon_language(const char *in, char *out)
{
	return nm_language_valid(in, out);
}

static bool canon_category(const char *in, char *out)
{
	snprintf(out, 256, "%s", in);
	return strlen(in) < 256 && nm_term_normalize(out, false) > 0;
}

#define LIST_MAX 64 /* values per list filter */

/* A repeatable, comma-separated any-of filter → a PostgreSQL array literal in lit
 * (NULL when absent). Replies 400 naming the parameter and returns false on a bad value. */
static bool query_list(struct nm_req *r, const char *name, canon_fn canon, const char *what,
		       struct nm_buf *lit, const char **out)
{
	*out = NULL;
	if (!nm_req_query(r, name))
		return true;
	const char *vals[LIST_MAX];
	size_t n = nm_req_query_all(r, name, vals, LIST_MAX), count = 0;
	if (n > LIST_MAX) {
		nm_reply_bad_query(r, name, "is given too many times");
		return false;
	}
	nm_buf_str(lit, "{");
	for (size_t i = 0; i < n; i++) {
		const char *s = vals[i];
		for (;;) {
			const char *comma = strchr(s, ',');
			size_t len = comma ? (size_t)(comma - s) : strlen(s);
			char tok[256], canonical[256];
			while (len && *s == ' ')
				s++, len--;
			while (len && s[len - 1] == ' ')
				len--;
			if (len >= sizeof tok || !len || ++count > LIST_MAX) {
				nm_reply_bad_query(r, name,
						   len ? "has a value too long or too many values"
						       : "has an empty value");
				return false;
			}
			memcpy(tok, s, len);
			tok[len] = '\0';
			if (!canon(tok, canonical)) {
				nm_reply_bad_query(r, name, what);
				return false;
			}
			nm_buf_str(lit, count > 1 ? ",\"" : "\"");
			for (const char *c = canonical; *c; c++) {
				if (*c == '"' || *c == '\\')
					nm_buf_add(lit, "\\", 1);
				nm_buf_add(lit, c, 1);
			}
			nm_buf_str(lit, "\"");
			if (!comma)
				break;
			s = comma + 1;
		}
	}
	nm_buf_add(lit, "}", 2);
	if (lit->oom) { /* never search without a filter the client gave */
		nm_reply_problem(r, NM_P_INTERNAL, NULL, "Out of memory reading %s.", name);
		return false;
	}
	*out = lit->data;
	return true;
}

/* A scalar filter passed through as text: the route table has checked its type and bounds. */
static const char *query_text(struct nm_req *r, const char *name)
{
	const char *v = nm_req_query(r, name);
	return v && *v ? v : NULL;
}

static const char *query_bool(struct nm_req *r, const char *name)
{
	const char *v = nm_req_query(r, name);
	if (!v)
		return NULL;
	return strcmp(v, "true") == 0 || strcmp(v, "1") == 0 ? "true" : "false";
}

bool nm_creator_filters_parse(struct nm_req *r, struct nm_creator_search *s,
			      struct nm_creator_filter_bufs *b)
{
	if (!(query_list(r, "platform", canon_platform, "must be a list of known platforms",
			 &b->lits[0], &s->platforms) &&
	      query_list(r, "tier", canon_tier, "must be a list of nano, micro, mid, macro, mega",
			 &b->lits[1], &s->tiers) &&
	      query_list(r, "country", canon_country, "must be a list of ISO 3166-1 alpha-2 codes",
			 &b->lits[2], &s->countries) &&
	      query_list(r, "language", canon_language,
			 "must be a list of ISO 639-1 language codes", &b->lits[3],
			 &s->languages) &&
	      query_list(r, "category", canon_category, "must be a list of non-empty categories",
			 &b->lits[4], &s->categories)))
		return false;
	/* Handles are stored lower-case without a leading '@'. */
	const char *hq = nm_req_query(r, "handle");
	if (hq) {
		snprintf(b->handle, sizeof b->handle, "%s", hq[0] == '@' ? hq + 1 : hq);
		for (char *p = b->handle; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p + 32);
		s->handle = b->handle;
	}
	s->min_followers = query_text(r, "min_followers");
	s->max_followers = query_text(r, "max_followers");
	s->min_engagement_rate = query_text(r, "min_engagement_rate");
	s->max_engagement_rate = query_text(r, "max_engagement_rate");
	s->max_price = query_text(r, "max_price_per_post_cents");
	s->has_email = query_bool(r, "has_email");
	s->has_price = query_bool(r, "has_price");
	s->active_within_days = query_text(r, "active_within_days");
	const char *growth = nm_req_query(r, "min_follower_growth_30d");
	s->min_growth = growth && *growth ? growth : NULL;
	s->q = query_text(r, "q");
	/* Data freshness (issue 16): the route table has checked the number and the word. */
	s->max_data_age_days = query_text(r, "max_data_age_days");
	static const char *const level_text[] = {"0", "1", "2"};
	enum nm_conf_level level;
	const char *mc = nm_req_query(r, "min_confidence");
	if (mc && !nm_confidence_level_parse(mc, &level)) {
		nm_reply_bad_query(r, "min_confidence", "must be one of high, medium, low");
		return false;
	}
	s->max_conf_level = mc && level != NM_CONF_LOW ? level_text[level] : NULL;
	return true;
}

void nm_creator_filter_bufs_free(struct nm_creator_filter_bufs *b)
{
	for (size_t i = 0; i < sizeof b->lits / sizeof *b->lits; i++) {
		free(b->lits[i].data);
		b->lits[i].data = NULL;
	}
}
