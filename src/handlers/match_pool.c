/* The ranked pool of a brand, shared by match runs and budget plans (nm/match_pool.h). */
#include "nm/match_pool.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nm/brand.h"
#include "nm/handlers.h"
#include "nm/http.h"
#include "nm/store.h"
#include "nm/store_matches.h"
#include "nm/taxonomy.h"

json_t *nm_match_pool_brand(struct nm_req *r, struct nm_pg *pg, int64_t brand_id)
{
	if (!nm_brand_visible(r, brand_id)) {
		nm_reply_problem(r, NM_P_NOT_FOUND, NULL, "No brand %lld.", (long long)brand_id);
		return NULL;
	}
	struct nm_db_err err;
	json_t *doc = nm_store_match_brand(pg, brand_id, &err);
	if (!doc) {
		if (err.status == NM_DB_NOT_FOUND)
			nm_reply_problem(r, NM_P_NOT_FOUND, NULL, "No brand %lld.",
					 (long long)brand_id);
		else
			nm_reply_db_err(r, &err);
	}
	return doc;
}

void nm_match_query_build(const json_t *eff_c, const struct nm_score_bench *bench,
			  struct nm_score_query *q, struct nm_niche_terms *terms,
			  struct nm_niche_terms *ban)
{
	json_t *eff = (json_t *)eff_c; /* jansson's getters take non-const */
	enum nm_score_goal goal = NM_GOAL_ENGAGEMENT;
	nm_score_goal_parse(json_string_value(json_object_get(eff, "goal")), &goal);
	nm_score_query_init(q, goal);
	long long fmin, fmax;
	nm_brand_follower_range(eff, &fmin, &fmax);
	q->follower_min = fmin;
	q->follower_max = fmax;
	json_t *mer = json_object_get(eff, "min_engagement_rate");
	q->min_engagement_rate = mer ? json_number_value(mer) : -1;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(eff, "platforms"), i, v)
	{
		enum nm_platform p;
		if (nm_platform_parse(json_string_value(v), &p))
			q->platform_mask |= 1u << p;
	}
	const char *g = json_string_value(json_object_get(eff, "target_gender"));
	q->gender = g && strcmp(g, "female") == 0 ? NM_GENDER_FEMALE
		    : g && strcmp(g, "male") == 0 ? NM_GENDER_MALE
						  : NM_GENDER_ANY;
	json_t *budget = json_object_get(eff, "budget_per_post_cents");
	q->budget_per_post_cents = budget ? json_integer_value(budget) : -1;
	json_array_foreach(json_object_get(eff, "target_countries"), i, v)
		nm_score_query_add_country(q, json_string_value(v));
	json_array_foreach(json_object_get(eff, "target_languages"), i, v)
		nm_score_query_add_language(q, json_string_value(v));
	const char *mode = json_string_value(json_object_get(eff, "target_countries_mode"));
	q->require_countries = mode && strcmp(mode, "require") == 0 && q->has_countries;
	json_t *share = json_object_get(eff, "min_audience_share");
	double sh = share ? json_number_value(share) : NM_BRAND_MIN_AUDIENCE_SHARE;
	q->min_audience_share = (uint16_t)(sh * 10000.0 + 0.5);
	json_array_foreach(json_object_get(eff, "exclude_keywords"), i, v)
		nm_niche_add(ban, json_string_value(v));
	q->bench = bench;
	json_array_foreach(json_object_get(eff, "niches"), i, v)
		nm_niche_add(terms, json_string_value(v));
	json_array_foreach(json_object_get(eff, "keywords"), i, v)
		nm_niche_add(terms, json_string_value(v));
	q->n_terms = terms->n ? (unsigned)terms->n : 1;
}

void nm_match_fresh_filter_build(const json_t *eff_c, struct nm_fresh_filter *fr)
{
	json_t *eff = (json_t *)eff_c;
	json_t *age = json_object_get(eff, "max_data_age_days");
	enum nm_conf_level level = NM_CONF_LOW;
	*fr = (struct nm_fresh_filter){.now_s = (int64_t)time(NULL), .min_conf = NM_CONF_LOW};
	if (json_is_integer(age)) {
		fr->by_age = true;
		fr->max_age_days = (int64_t)json_integer_value(age);
	}
	if (nm_confidence_level_parse(json_string_value(json_object_get(eff, "min_confidence")),
				      &level) &&
	    level != NM_CONF_LOW) {
		fr->by_conf = true;
		fr->min_conf = level;
	}
}

static double ms_since(const struct timespec *t0)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) * 1e3 + (double)(now.tv_nsec - t0->tv_nsec) / 1e6;
}

/* The ids of the brand's exclude_handles (none: nothing to read). */
static bool excluded_handles(struct nm_pg *pg, const json_t *eff, struct nm_match_pool *p,
			     struct nm_db_err *err)
{
	json_t *handles = json_object_get(eff, "exclude_handles");
	if (!json_array_size(handles))
		return true;
	char *text = json_dumps(handles, JSON_COMPACT);
	nm_db_err_set(err, NM_DB_OK);
	bool ok =
		text && nm_store_match_handle_ids(pg, text, &p->handle_ids, &p->n_handle_ids, err);
	free(text);
	return ok;
}

bool nm_match_pool_prepare(struct nm_req *r, struct nm_pg *pg, int64_t brand_id, const json_t *eff,
			   struct nm_match_pool *p)
{
	/* Every creator committed before this request takes part. */
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	bool synced = nm_index_sync(pg);
	p->sync_ms = ms_since(&t0);
	if (!synced) {
		nm_reply_db_down(r);
		return false;
	}
	nm_store_match_bench(pg, &p->bench);
	nm_match_query_build(eff, &p->bench, &p->q, &p->terms, &p->ban);
	nm_match_fresh_filter_build(eff, &p->fresh);
	struct nm_db_err err;
	if (nm_store_match_statuses(pg, brand_id, &p->statuses, &err) &&
	    excluded_handles(pg, eff, p, &err))
		return true;
	if (err.status == NM_DB_OK)
		nm_reply_problem(r, NM_P_INTERNAL, NULL,
				 "Out of memory while reading the brand's exclusions.");
	else
		nm_reply_db_err(r, &err);
	return false;
}

struct nm_index_exclusions nm_match_pool_exclusions(const struct nm_match_pool *p)
{
	return (struct nm_index_exclusions){p->statuses.excluded,
					    p->statuses.n_excluded,
					    p->handle_ids,
					    p->n_handle_ids,
					    &p->ban,
					    p->fresh};
}

bool nm_match_pool_rank(struct nm_req *r, struct nm_match_pool *p, size_t k)
{
	struct nm_index_exclusions ex = nm_match_pool_exclusions(p);
	p->hits = malloc((k ? k : 1) * sizeof *p->hits);
	p->nh = p->hits ? nm_index_rank(&p->q, &p->terms, &ex, k, p->hits, &p->candidates,
					&p->funnel)
			: -1;
	if (p->nh >= 0)
		return true;
	nm_reply_problem(r, NM_P_INTERNAL, NULL, "Out of memory while ranking.");
	return false;
}

void nm_match_pool_free(struct nm_match_pool *p)
{
	nm_niche_free(&p->terms);
	nm_niche_free(&p->ban);
	free(p->handle_ids);
	nm_match_statuses_free(&p->statuses);
	free(p->hits);
	memset(p, 0, sizeof *p);
}
