/* The creator model of docs/api.md §4: one account on one platform, validated and
 * normalised from a JSON object. Pure: jansson only. Used by POST /v1/creators
 * (strict), the bulk importer (lenient about unknown members) and inbound webhooks. */
#ifndef NM_CREATOR_H
#define NM_CREATOR_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "nm/taxonomy.h"

#define NM_CREATOR_HANDLE_MAX	  100
#define NM_CREATOR_BIO_MAX	  2000
#define NM_CREATOR_CATEGORIES_MAX 20
#define NM_CREATOR_HASHTAGS_MAX	  50
#define NM_CREATOR_CAPTION_MAX	  2200 /* Instagram's own caption limit */
/* A data_as_of this far ahead of the server's clock is still accepted (clock skew). */
#define NM_CREATOR_FUTURE_SLACK_S 600

/* Optional numbers carry a has_ flag; optional strings are NULL when absent. */
struct nm_creator {
	enum nm_platform platform;
	char *handle;	    /* lower-case, no leading '@', 1–100 chars */
	char *display_name; /* optional */
	char *profile_url;  /* optional */
	char *email;	    /* optional */
	int64_t followers;
	bool has_following, has_posts_count;
	int64_t following, posts_count;
	bool has_avg_likes, has_avg_comments, has_avg_shares, has_avg_views;
	double avg_likes, avg_comments, avg_shares, avg_views;
	/* Always set after normalisation when derivable: the given value, else
	 * (avg_likes+avg_comments+avg_shares)/followers when followers > 0 and at least one
	 * average is present, capped at 1 (likes above followers happen; the averages are
	 * kept as given). engagement_derived tells which. */
	bool has_engagement_rate, engagement_derived;
	double engagement_rate;
	/* Lists: a malloc'd array of malloc'd strings (NULL when empty); nm_creator_clear
	 * frees both, so code building a struct by hand allocates them the same way. */
	char **categories; /* normalised like brand niches, de-duplicated; n_categories <= 20 */
	size_t n_categories;
	char **hashtags; /* lower-case, without '#', de-duplicated; n_hashtags <= 50 */
	size_t n_hashtags;
	char *bio;		    /* optional, <= 2000 characters (UTF-8 code points) */
	char country[3];	    /* "" when absent, else ISO 3166-1 alpha-2 upper-case */
	char language[3];	    /* "" when absent, else ISO 639-1 lower-case */
	json_t *audience_countries; /* NULL or object {"US":0.42,...}, keys upper-case, sum <= 1;
				       owned */
	bool has_audience_female_share;
	double audience_female_share;
	bool has_price_per_post_cents;
	int64_t price_per_post_cents;
	bool has_follower_growth_30d;
	double follower_growth_30d;
	char last_post_at[32]; /* "" when absent, else RFC 3339 UTC "YYYY-MM-DDTHH:MM:SSZ" */
	char *external_id;     /* optional */
	/* Freshness and sample (issues 16/20, docs/scoring.md "Data confidence"). */
	char data_as_of[32];   /* "" when absent (the store then uses the import's or the
				* request's time), else RFC 3339 UTC; never in the future */
	bool has_sample_posts; /* posts the averages rest on */
	int64_t sample_posts;
	bool has_sponsored_posts; /* sampled posts tagged as paid; <= sample_posts */
	int64_t sponsored_posts;
	bool has_verified;
	bool verified;
	char content_country[3]; /* "" or ISO alpha-2: where the sampled posts are geotagged */
	char *caption;		 /* optional, <= NM_CREATOR_CAPTION_MAX code points */
};

enum nm_creator_mode {
	NM_CREATOR_STRICT,  /* REST: unknown members are 422 errors */
	NM_CREATOR_LENIENT, /* import: unknown members are ignored and reported in `unknown` */
};

/* Fills *out from a JSON object. Every problem appends {"field","message"} to errors
 * (borrowed array; field names as in docs/api.md §2: "categories[2]", "audience_countries.US").
 * In lenient mode the names of unknown members are added as keys of `unknown`
 * (borrowed object, may be NULL; unbounded: the names of this one object, see
 * nm_creator_from_row for a whole import). default_platform (may be NULL) supplies the platform
 * when the object carries none (import ?platform=).
 * Lenient mode only (CSV rows arrive as strings): numbers may also be given as strings
 * in the forms nm_num_parse_count / _decimal / _rate accept ("12,400", "3.4k", "4.1%",
 * "8e-05"), JSON reals are rounded for integer fields, lists may be one string split on
 * '|' or ';' (hashtags also on ',' and whitespace), audience_countries may be a string
 * "US:0.42|GB:10%", last_post_at and data_as_of may be a bare date (midnight UTC),
 * verified may be 1/0, yes/no or true/false as text, and empty strings
 * count as absent. Strict mode refuses all of these ("must be an integer", "must not be
 * empty"). JSON null means absent in both modes. id, created_at, updated_at and tier are
 * "read-only field" errors in strict mode and reported in `unknown` in lenient mode.
 * Returns true when valid. On false, *out is cleared (nothing to free).
 * On true the caller owns *out and calls nm_creator_clear(). */
bool nm_creator_from_json(const json_t *in, enum nm_creator_mode mode, const char *default_platform,
			  struct nm_creator *out, json_t *errors, json_t *unknown);

/* The unknown member names of a whole import, bounded: a body of fresh member names
 * must not grow the server (each name would otherwise be kept for the import's life and
 * copied into its reply, record and event). At most `max` names and `max_bytes` bytes of
 * name text are kept, in the order first seen; a further distinct name is dropped and
 * sets `truncated`. An exact count of the dropped distinct names would need memory in
 * proportion to them, so only the flag is kept. */
struct nm_names {
	json_t *names; /* object used as a set (values true); owned */
	size_t max, max_bytes, bytes;
	bool truncated;
};

/* True when name is a member a client may write (POST /v1/creators); false for the
 * server-set and derived members of a reply (id, tier, flags, ...) and unknown names. */
bool nm_creator_input_field(const char *name);

/* Empty set with these bounds; false when out of memory. nm_names_free releases it. */
bool nm_names_init(struct nm_names *s, size_t max, size_t max_bytes);
void nm_names_free(struct nm_names *s);
/* Adds a name (NUL-terminated, as jansson gives keys) unless present or over a bound. */
void nm_names_add(struct nm_names *s, const char *name);

/* nm_creator_from_json in lenient mode for one import row: unknown member names go into
 * the bounded set `unknown` (may be NULL) instead of an unbounded object. */
bool nm_creator_from_row(const json_t *in, const char *default_platform, struct nm_creator *out,
			 json_t *errors, struct nm_names *unknown);

/* Frees what *c owns and zeroes it. Safe on a zeroed struct. */
void nm_creator_clear(struct nm_creator *c);

/* The canonical JSON of a creator, every docs/api.md §4 field, absent optionals as null,
 * plus "tier". Does not add id/created_at/updated_at. Caller owns the result. */
json_t *nm_creator_to_json(const struct nm_creator *c);

#endif
