/* Budget plans (docs/api.md §5b, docs/scoring.md §11): POST /v1/brands/{id}/plans answers
 * "whom do I book for this budget, what will I get, and how does that compare with one big
 * account?", stores the plan and emits plan.created; GET lists and reads stored plans.
 *
 * The candidates are the brand's ranked pool exactly as a match run gets it
 * (nm/match_pool.h: the effective brand, the index; declined and excluded creators, the
 * brand's exclude_keywords and exclude_handles and, in require mode, creators outside
 * target_countries out, and no must_include brings them back),
 * the best NM_PLAN_POOL by match score; a second ranking of the same query above 100k
 * followers gives the single-account alternatives. Prices and expected figures come from
 * nm_plan_estimate, the portfolio from nm_plan_solve (src/score/plan.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nm/brand.h"
#include "nm/confidence.h"
#include "nm/handlers.h"
#include "nm/http.h"
#include "nm/log.h"
#include "nm/match_pool.h"
#include "nm/merge_patch.h"
#include "nm/outbox.h"
#include "nm/plan.h"
#include "nm/store.h"
#include "nm/store_matches.h"
#include "nm/store_plans.h"
#include "nm/taxonomy.h"
#include "nm/verr.h"

#define NM_PLAN_POOL	 100000 /* best matches by score the solver chooses from */
#define PLAN_BIG_POOL	 1000	/* best big accounts considered for the alternative */
#define DEFAULT_MAX	 20
#define DEFAULT_SHARE	 0.5
#define MAX_BUDGET_CENTS 100000000000LL /* $1,000,000,000 */
#define MUST_MAX	 NM_PLAN_MAX_CREATORS

/* Pipeline statuses as bits (order of docs/api.md §5). */
static const char *const status_words[] = {"shortlisted", "contacted", "accepted", "declined",
					   "excluded"};
#define N_STATUS   5
#define ALWAYS_OUT ((1u << 3) | (1u << 4)) /* declined, excluded */

static int status_bit(const char *s)
{
	for (int i = 0; s && i < N_STATUS; i++)
		if (strcmp(s, status_words[i]) == 0)
			return i;
	return -1;
}

/* ------------------------------------------------------------------ the request */

struct plan_req {
	int64_t budget;
	const char *goal; /* NULL: the brand's */
	int max_creators;
	double max_share;
	json_t *platforms; /* borrowed, NULL: the brand's */
	/* borrowed, NULL: the brand's (issue 16); validated with the effective brand */
	json_t *max_data_age_days, *min_confidence;
	double min_score;
	bool has_include;
	unsigned include_mask, exclude_mask;
	int64_t must[MUST_MAX];
	size_t n_must;
};

static void parse_statuses(json_t *v, const char *field, bool include, unsigned *mask,
			   json_t *errors)
{
	if (!json_is_array(v) || json_array_size(v) > N_STATUS * 4) {
		nm_verr_add(errors, field, "must be an array of pipeline statuses");
		return;
	}
	size_t i;
	json_t *e;
	char path[64];
	json_array_foreach(v, i, e)
	{
		nm_verr_path(path, sizeof path, field, (long)i, NULL);
		int b = status_bit(json_string_value(e));
		if (b < 0)
			nm_verr_add(errors, path,
				    "must be one of shortlisted, contacted, accepted, declined, "
				    "excluded");
		else if (include && ((1u << b) & ALWAYS_OUT))
			nm_verr_add(errors, path,
				    "declined and excluded creators are always out of a plan");
		else
			*mask |= 1u << b;
	}
}

static void parse_must(json_t *v, struct plan_req *q, json_t *errors)
{
	if (!json_is_array(v)) {
		nm_verr_add(errors, "must_include", "must be an array of creator ids");
		return;
	}
	if (json_array_size(v) > MUST_MAX) {
		nm_verr_add(errors, "must_include", "must have at most %d items", MUST_MAX);
		return;
	}
	size_t i;
	json_t *e;
	char path[64];
	json_array_foreach(v, i, e)
	{
		nm_verr_path(path, sizeof path, "must_include", (long)i, NULL);
		if (!json_is_integer(e) || json_integer_value(e) < 1) {
			nm_verr_add(errors, path, "must be a creator id (a positive integer)");
			continue;
		}
		int64_t id = json_integer_value(e);
		bool dup = false;
		for (size_t k = 0; k < q->n_must && !dup; k++)
			dup = q->must[k] == id;
		if (!dup)
			q->must[q->n_must++] = id;
	}
}

/* One body member into q; unknown members are errors (docs/api.md §7). */
static void parse_member(const char *key, json_t *v, struct plan_req *q, json_t *errors)
{
	if (strcmp(key, "budget_cents") == 0) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > MAX_BUDGET_CENTS)
			nm_verr_add(errors, key, "must be an integer from 1 to %lld (cents)",
				    (long long)MAX_BUDGET_CENTS);
		else
			q->budget = json_integer_value(v);
	} else if (strcmp(key, "goal") == 0) {
		enum nm_score_goal g;
		if (!json_is_string(v) || !nm_score_goal_parse(json_string_value(v), &g))
			nm_verr_add(errors, key,
				    "must be one of engagement, awareness, conversions");
		else
			q->goal = nm_score_goal_name(g);
	} else if (strcmp(key, "max_creators") == 0) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > NM_PLAN_MAX_CREATORS)
			nm_verr_add(errors, key, "must be an integer from 1 to %d",
				    NM_PLAN_MAX_CREATORS);
		else
			q->max_creators = (int)json_integer_value(v);
	} else if (strcmp(key, "max_share_per_creator") == 0) {
		double s = json_number_value(v);
		if (!json_is_number(v) || !(s > 0 && s <= 1))
			nm_verr_add(errors, key,
				    "must be a number above 0 and at most 1 (0.5: no creator takes "
				    "more than half the budget)");
		else
			q->max_share = s;
	} else if (strcmp(key, "platforms") == 0) {
		q->platforms = v; /* validated with the effective brand */
	} else if (strcmp(key, "max_data_age_days") == 0) {
		q->max_data_age_days = v;
	} else if (strcmp(key, "min_confidence") == 0) {
		q->min_confidence = v;
	} else if (strcmp(key, "min_score") == 0) {
		double s = json_number_value(v);
		if (!json_is_number(v) || !(s >= 0 && s <= 100))
			nm_verr_add(errors, key, "must be a number from 0 to 100");
		else
			q->min_score = s;
	} else if (strcmp(key, "include_statuses") == 0) {
		q->has_include = true;
		parse_statuses(v, key, true, &q->include_mask, errors);
	} else if (strcmp(key, "exclude_statuses") == 0) {
		parse_statuses(v, key, false, &q->exclude_mask, errors);
	} else if (strcmp(key, "must_include") == 0) {
		parse_must(v, q, errors);
	} else {
		nm_verr_add(errors, key,
			    "unknown field (a plan accepts budget_cents, goal, max_creators, "
			    "max_share_per_creator, platforms, min_score, include_statuses, "
			    "exclude_statuses, must_include, max_data_age_days, min_confidence)");
	}
}

static void parse_request(json_t *body, struct plan_req *q, json_t *errors)
{
	*q = (struct plan_req){.max_creators = DEFAULT_MAX, .max_share = DEFAULT_SHARE};
	if (!json_is_object(body)) {
		nm_verr_add(errors, NULL, "body must be a JSON object");
		return;
	}
	const char *key;
	json_t *v;
	json_object_foreach(body, key, v)
	{
		if (!json_is_null(v))
			parse_member(key, v, q, errors);
	}
	if (!json_object_get(body, "budget_cents") ||
	    json_is_null(json_object_get(body, "budget_cents")))
		nm_verr_add(errors, "budget_cents", "is required");
}

static json_t *status_list(unsigned mask)
{
	json_t *a = json_array();
	for (int i = 0; i < N_STATUS; i++)
		if (mask & (1u << i))
			json_array_append_new(a, json_string(status_words[i]));
	return a;
}

/* The request as stored and replied: every field with its effective value. */
static json_t *request_json(const struct plan_req *q, const json_t *eff)
{
	json_t *must = json_array();
	for (size_t i = 0; i < q->n_must; i++)
		json_array_append_new(must, json_integer(q->must[i]));
	json_t *pl = json_object_get(eff, "platforms");
	json_t *o = json_pack(
		"{s:I, s:s, s:i, s:f, s:o, s:f, s:o, s:o, s:o}", "budget_cents",
		(json_int_t)q->budget, "goal", json_string_value(json_object_get(eff, "goal")),
		"max_creators", q->max_creators, "max_share_per_creator", q->max_share, "platforms",
		pl ? json_deep_copy(pl) : json_null(), "min_score", q->min_score,
		"include_statuses", q->has_include ? status_list(q->include_mask) : json_null(),
		"exclude_statuses", status_list(q->exclude_mask | ALWAYS_OUT), "must_include",
		must);
	/* the freshness filters in effect (the brand's or the request's), null when none */
	json_t *age = json_object_get(eff, "max_data_age_days");
	json_t *conf = json_object_get(eff, "min_confidence");
	json_object_set_new(o, "max_data_age_days", age ? json_incref(age) : json_null());
	json_object_set_new(o, "min_confidence", conf ? json_incref(conf) : json_null());
	return o;
}

/* ------------------------------------------------------------------ the plan */

/* One plan, from the request to the reply; plan_free releases what the steps got to. */
struct plan {
	struct nm_req *r;
	struct nm_pg *pg;
	int64_t brand_id;
	struct plan_req req;
	json_t *eff;
	struct nm_match_pool pool;
	struct nm_score_query big_q;
	struct nm_index_hit *big;
	long n_big;
	/* candidates: c[i] with its hit (copied) and where it was ranked */
	struct nm_plan_candidate *c;
	const struct nm_index_hit **hit; /* into pool.hits or big */
	struct nm_plan_estimate *est;
	bool *from_big;
	size_t n;
	size_t pool_n; /* candidates before the shortlist */
	struct nm_plan_constraints k;
	struct nm_plan_result res;
	bool solved;
	json_t *request;
	json_t *result;	 /* goal, portfolio, totals, alternative, comparison, solver */
	json_t *summary; /* the stored plan without its portfolio: plan.created's data */
	json_t *reply;
	int64_t plan_id;
	/* phase timings for the log (ms): prepare, sync, rank, big, posts, solve, docs, store */
	struct timespec tl;
	double t[9];
};

enum { T_PREP, T_SYNC, T_RANK, T_BIG, T_SHORT, T_POSTS, T_SOLVE, T_DOCS, T_STORE };

/* Milliseconds since p->tl, which moves to now. */
static double lap(struct plan *p)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	double ms = (double)(now.tv_sec - p->tl.tv_sec) * 1e3 +
		    (double)(now.tv_nsec - p->tl.tv_nsec) / 1e6;
	p->tl = now;
	return ms;
}

static void plan_free(struct plan *p)
{
	json_decref(p->eff);
	nm_match_pool_free(&p->pool);
	free(p->big);
	free(p->c);
	free(p->hit);
	free(p->est);
	free(p->from_big);
	if (p->solved)
		nm_plan_result_free(&p->res);
	json_decref(p->request);
	json_decref(p->result);
	json_decref(p->summary);
	json_decref(p->reply);
}

static void reply_oom(struct nm_req *r, const char *what)
{
	nm_reply_problem(r, NM_P_INTERNAL, NULL, "Out of memory while %s.", what);
}

/* The body, the brand and the effective brand (stored doc + goal and platforms). */
static bool plan_prepare(struct plan *p)
{
	struct nm_req *r = p->r;
	json_t *doc = nm_match_pool_brand(r, p->pg, p->brand_id);
	if (!doc)
		return false;
	json_t *errors = json_array();
	parse_request(nm_req_json(r), &p->req, errors);
	if (!json_array_size(errors)) {
		json_t *over = json_object();
		if (p->req.goal)
			json_object_set_new(over, "goal", json_string(p->req.goal));
		if (p->req.platforms)
			json_object_set(over, "platforms", p->req.platforms);
		if (p->req.max_data_age_days)
			json_object_set(over, "max_data_age_days", p->req.max_data_age_days);
		if (p->req.min_confidence)
			json_object_set(over, "min_confidence", p->req.min_confidence);
		json_t *merged = nm_merge_patch(doc, over);
		p->eff = nm_brand_normalize(merged, errors);
		json_decref(merged);
		json_decref(over);
	}
	json_decref(doc);
	if (!p->eff) {
		nm_reply_problem(r, NM_P_VALIDATION, errors,
				 "The plan request has invalid fields.");
		return false;
	}
	json_decref(errors);
	p->request = request_json(&p->req, p->eff);
	if (p->request)
		return true;
	reply_oom(r, "reading the request");
	return false;
}

/* Statuses out of the ranking: declined, excluded and exclude_statuses. The pool's list
 * is rewritten in place (its capacity is every status of the brand; ids stay ascending). */
static void set_exclusions(struct plan *p)
{
	struct nm_match_statuses *s = &p->pool.statuses;
	unsigned out = ALWAYS_OUT | p->req.exclude_mask;
	s->n_excluded = 0;
	for (size_t i = 0; i < s->n; i++) {
		int b = status_bit(s->status[i]);
		if (b >= 0 && (out & (1u << b)))
			s->excluded[s->n_excluded++] = s->id[i];
	}
}

static bool is_must(const struct plan *p, int64_t id)
{
	for (size_t i = 0; i < p->req.n_must; i++)
		if (p->req.must[i] == id)
			return true;
	return false;
}

/* Ranks the pool and the big accounts (same query above NM_PLAN_BIG_FOLLOWERS, any size). */
static bool plan_rank(struct plan *p)
{
	p->t[T_PREP] = lap(p);
	bool ok = nm_match_pool_prepare(p->r, p->pg, p->brand_id, p->eff, &p->pool);
	p->t[T_SYNC] = lap(p);
	if (!ok)
		return false;
	set_exclusions(p);
	ok = nm_match_pool_rank(p->r, &p->pool, NM_PLAN_POOL);
	p->t[T_RANK] = lap(p);
	if (!ok)
		return false;
	p->big_q = p->pool.q;
	p->big_q.follower_min = NM_PLAN_BIG_FOLLOWERS + 1;
	p->big_q.follower_max = -1;
	p->big = malloc(PLAN_BIG_POOL * sizeof *p->big);
	size_t cands;
	/* the same exclusions as the pool: a brand-safety exclusion is never planned */
	struct nm_index_exclusions ex = nm_match_pool_exclusions(&p->pool);
	p->n_big = p->big ? nm_index_rank(&p->big_q, &p->pool.terms, &ex, PLAN_BIG_POOL, p->big,
					  &cands, NULL)
			  : -1;
	p->t[T_BIG] = lap(p);
	if (p->n_big < 0) {
		reply_oom(p->r, "ranking");
		return false;
	}
	return true;
}

static int cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return (a > b) - (a < b);
}

static void add_candidate(struct plan *p, const struct nm_index_hit *h, bool from_big)
{
	size_t i = p->n++;
	p->hit[i] = h;
	p->from_big[i] = from_big;
	p->c[i] = (struct nm_plan_candidate){
		.id = h->id,
		.must_include = is_must(p, h->id),
		.big = h->f.followers > NM_PLAN_BIG_FOLLOWERS,
		.alt_only = from_big,
		.score = h->score,
		.followers = h->f.followers,
	};
}

/* Pool hits that pass include_statuses and min_score (must-include creators always do),
 * then the big accounts not already in the pool. */
static bool plan_candidates(struct plan *p)
{
	size_t cap = (size_t)p->pool.nh + (size_t)p->n_big + 1;
	p->c = malloc(cap * sizeof *p->c);
	p->hit = malloc(cap * sizeof *p->hit);
	p->est = malloc(cap * sizeof *p->est);
	p->from_big = malloc(cap * sizeof *p->from_big);
	if (!p->c || !p->hit || !p->est || !p->from_big) {
		reply_oom(p->r, "planning");
		return false;
	}
	for (long i = 0; i < p->pool.nh; i++) {
		const struct nm_index_hit *h = &p->pool.hits[i];
		if (!is_must(p, h->id)) {
			if (h->score < p->req.min_score)
				continue;
			if (p->req.has_include) {
				int b = status_bit(nm_match_status_of(&p->pool.statuses, h->id));
				if (b < 0 || !(p->req.include_mask & (1u << b)))
					continue;
			}
		}
		add_candidate(p, h, false);
	}
	/* the pool's ids, sorted, so that each big account is looked up in log time */
	int64_t *ids = malloc(((size_t)p->pool.nh + 1) * sizeof *ids);
	if (!ids) {
		reply_oom(p->r, "planning");
		return false;
	}
	for (long i = 0; i < p->pool.nh; i++)
		ids[i] = p->pool.hits[i].id;
	qsort(ids, (size_t)p->pool.nh, sizeof *ids, cmp_i64);
	for (long i = 0; i < p->n_big; i++)
		if (!bsearch(&p->big[i].id, ids, (size_t)p->pool.nh, sizeof *ids, cmp_i64))
			add_candidate(p, &p->big[i], true);
	free(ids);
	return true;
}

/* A must-include creator that is not a candidate: 422 naming it and why. */
static bool check_musts(struct plan *p)
{
	json_t *errors = json_array();
	int64_t missing[MUST_MAX];
	size_t where[MUST_MAX], nm = 0;
	for (size_t m = 0; m < p->req.n_must; m++) {
		bool found = false;
		for (size_t i = 0; i < p->n && !found; i++) {
			if (p->c[i].id == p->req.must[m]) {
				found = true;
				p->c[i].alt_only = false; /* a big must-include is in the plan */
			}
		}
		if (!found) {
			missing[nm] = p->req.must[m];
			where[nm++] = m;
		}
	}
	if (nm == 0) {
		json_decref(errors);
		return true;
	}
	bool exists[MUST_MAX];
	struct nm_db_err err;
	if (!nm_store_plan_creators_exist(p->pg, missing, nm, exists, &err)) {
		json_decref(errors);
		if (err.status == NM_DB_OK)
			reply_oom(p->r, "checking must_include");
		else
			nm_reply_db_err(p->r, &err);
		return false;
	}
	/* where[] indexes the de-duplicated list: name the first array position of each id */
	json_t *body = json_object_get(nm_req_json(p->r), "must_include");
	for (size_t j = 0; j < nm; j++) {
		size_t pos = where[j], ai;
		json_t *e;
		json_array_foreach(body, ai, e) if (json_integer_value(e) == missing[j])
		{
			pos = ai;
			break;
		}
		char path[64];
		nm_verr_path(path, sizeof path, "must_include", (long)pos, NULL);
		const char *st = nm_match_status_of(&p->pool.statuses, missing[j]);
		int b = status_bit(st);
		if (!exists[j])
			nm_verr_add(errors, path, "no creator %lld", (long long)missing[j]);
		else if (p->pool.n_handle_ids &&
			 bsearch(&missing[j], p->pool.handle_ids, p->pool.n_handle_ids,
				 sizeof *p->pool.handle_ids, cmp_i64))
			nm_verr_add(errors, path,
				    "creator %lld has a handle in the brand's exclude_handles and "
				    "so is never planned",
				    (long long)missing[j]);
		else if (b >= 0 && ((ALWAYS_OUT | p->req.exclude_mask) & (1u << b)))
			nm_verr_add(
				errors, path,
				"creator %lld is %s for this brand and so out of the plan "
				"(declined and excluded creators always are; see exclude_statuses)",
				(long long)missing[j], st);
		else
			nm_verr_add(
				errors, path,
				"creator %lld does not match the brand (platforms, follower "
				"range, minimum engagement, niche, target_countries in require "
				"mode, exclude_keywords, max_data_age_days or min_confidence) or "
				"is not among its %d best matches",
				(long long)missing[j], NM_PLAN_POOL);
	}
	nm_reply_problem(p->r, NM_P_VALIDATION, errors,
			 "A must_include creator cannot be planned.");
	return false;
}

static enum nm_score_goal plan_goal(const struct plan *p)
{
	enum nm_score_goal goal = NM_GOAL_ENGAGEMENT;
	nm_score_goal_parse(json_string_value(json_object_get(p->eff, "goal")), &goal);
	return goal;
}

/* Candidate i's estimate with posts_count posts. */
static void estimate_one(const struct plan *p, size_t i, int64_t posts_count,
			 const struct nm_plan_prices *prices, const int64_t *over,
			 struct nm_plan_estimate *out)
{
	const struct nm_score_features *f = &p->hit[i]->f;
	struct nm_plan_creator_in in = {
		.platform = (enum nm_platform)f->platform,
		.followers = f->followers,
		.engagement_rate = f->engagement_rate,
		.posts_count = posts_count,
		.price_cents = f->price_cents,
	};
	nm_plan_estimate(prices, &p->pool.bench, over, &in, out);
}

/* Shortlist order: value descending (ties id), or value per cent. */
struct rank_key {
	double key;
	int64_t id;
	size_t i;
};

/* a is worse than b: lower key, then higher id */
static bool worse(const struct rank_key *a, const struct rank_key *b)
{
	return a->key != b->key ? a->key < b->key : a->id > b->id;
}

static void sift_down(struct rank_key *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, w = i;
		if (l < n && worse(&h[l], &h[w]))
			w = l;
		if (l + 1 < n && worse(&h[l + 1], &h[w]))
			w = l + 1;
		if (w == i)
			return;
		struct rank_key t = h[i];
		h[i] = h[w];
		h[w] = t;
		i = w;
	}
}

/* Marks keep[i] for the best m of k[0..n): a heap of the m best seen (worst on top), so
 * O(n log m) rather than a sort of the whole pool. k is reordered. */
static void keep_best(struct rank_key *k, size_t n, size_t m, bool *keep)
{
	size_t h = n < m ? n : m;
	for (size_t i = h / 2; i-- > 0;)
		sift_down(k, h, i);
	for (size_t i = h; i < n; i++) {
		if (worse(&k[i], &k[0]))
			continue;
		k[0] = k[i];
		sift_down(k, h, 0);
	}
	for (size_t i = 0; i < h; i++)
		keep[k[i].i] = true;
}

/* The post counts sit in the database, one random heap read per creator (~30 µs; 11,000 of
 * them took 300 ms at 1M creators). Only the number of posts moves the expected
 * engagements (docs/scoring.md §11.2), never the price, so each candidate is first valued
 * at its most favourable post count; the SHORTLIST best by that value, the SHORTLIST best
 * by value per cent, the BIG_SHORTLIST best big accounts and every must-include creator
 * are kept, their post counts read, and only they go to the solver. A portfolio holds at
 * most 100 creators: one outside both lists is beaten on value and on value per cent by
 * hundreds of others. */
#define SHORTLIST     600
#define BIG_SHORTLIST 100

static size_t shortlist(struct plan *p, const struct nm_plan_prices *prices, const int64_t *over,
			bool *keep)
{
	enum nm_score_goal goal = plan_goal(p);
	struct rank_key *val = malloc((p->n ? p->n : 1) * sizeof *val);
	struct rank_key *den = malloc((p->n ? p->n : 1) * sizeof *den);
	struct rank_key *big = malloc((p->n ? p->n : 1) * sizeof *big);
	if (!val || !den || !big) {
		free(val);
		free(den);
		free(big);
		return (size_t)-1;
	}
	size_t nv = 0, nb = 0;
	for (size_t i = 0; i < p->n; i++) {
		struct nm_plan_estimate lo, hi;
		estimate_one(p, i, 0, prices, over, &lo);
		estimate_one(p, i, 1000000, prices, over, &hi);
		double v0 = nm_plan_value(goal, lo.expected_engagements, lo.expected_reach,
					  p->c[i].score);
		double v1 = nm_plan_value(goal, hi.expected_engagements, hi.expected_reach,
					  p->c[i].score);
		double v = v0 > v1 ? v0 : v1;
		keep[i] = p->c[i].must_include;
		if (p->c[i].big)
			big[nb++] = (struct rank_key){v, p->c[i].id, i};
		if (p->c[i].alt_only || !(v > 0) || lo.price_cents <= 0 ||
		    lo.price_cents > p->req.budget)
			continue;
		val[nv] = (struct rank_key){v, p->c[i].id, i};
		den[nv++] = (struct rank_key){v / (double)lo.price_cents, p->c[i].id, i};
	}
	keep_best(val, nv, SHORTLIST, keep);
	keep_best(den, nv, SHORTLIST, keep);
	keep_best(big, nb, BIG_SHORTLIST, keep);
	free(val);
	free(den);
	free(big);
	size_t m = 0;
	for (size_t i = 0; i < p->n; i++) {
		if (!keep[i])
			continue;
		p->c[m] = p->c[i];
		p->hit[m] = p->hit[i];
		p->from_big[m] = p->from_big[i];
		m++;
	}
	p->pool_n = p->n;
	p->n = m;
	return m;
}

/* Prices and expected figures of the shortlisted candidates. */
static bool plan_estimate(struct plan *p)
{
	struct nm_plan_prices prices;
	nm_store_plan_prices(p->pg, &prices);
	int64_t over[NM_TIER_COUNT];
	json_t *po = json_object_get(p->eff, "price_overrides");
	for (int t = 0; t < NM_TIER_COUNT; t++) {
		json_t *v = json_object_get(po, nm_tier_name((enum nm_tier)t));
		over[t] = json_is_integer(v) ? json_integer_value(v) : -1;
	}
	bool *keep = malloc((p->n ? p->n : 1) * sizeof *keep);
	size_t n = keep ? shortlist(p, &prices, over, keep) : (size_t)-1;
	free(keep);
	p->t[T_SHORT] = lap(p);
	int64_t *ids = n != (size_t)-1 ? malloc((n ? n : 1) * sizeof *ids) : NULL;
	int64_t *posts = ids ? malloc((n ? n : 1) * sizeof *posts) : NULL;
	struct nm_db_err err;
	nm_db_err_set(&err, NM_DB_OK);
	bool ok = posts != NULL;
	if (ok) {
		for (size_t i = 0; i < n; i++)
			ids[i] = p->c[i].id;
		ok = n == 0 || nm_store_plan_posts(p->pg, ids, n, posts, &err);
	}
	p->t[T_POSTS] = lap(p);
	if (!ok) {
		free(ids);
		free(posts);
		if (err.status == NM_DB_OK)
			reply_oom(p->r, "estimating");
		else
			nm_reply_db_err(p->r, &err);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		estimate_one(p, i, posts[i], &prices, over, &p->est[i]);
		p->c[i].price_cents = p->est[i].price_cents;
		p->c[i].price_estimated = p->est[i].price_source != NM_PLAN_PRICE_GIVEN;
		p->c[i].expected_engagements = p->est[i].expected_engagements;
		p->c[i].expected_reach = p->est[i].expected_reach;
	}
	free(ids);
	free(posts);
	return true;
}

static bool plan_solve(struct plan *p)
{
	p->k = (struct nm_plan_constraints){.goal = plan_goal(p),
					    .budget_cents = p->req.budget,
					    .max_creators = p->req.max_creators,
					    .max_share = p->req.max_share};
	enum nm_plan_status st = nm_plan_solve(p->c, p->n, &p->k, &p->res);
	p->solved = true;
	p->t[T_SOLVE] = lap(p);
	switch (st) {
	case NM_PLAN_OK:
		return true;
	case NM_PLAN_ENOMEM:
		reply_oom(p->r, "solving");
		return false;
	case NM_PLAN_EINVAL:
		nm_reply_problem(p->r, NM_P_VALIDATION, NULL, "%s.", p->res.reason);
		return false;
	default: /* a must-include constraint cannot be met */
		nm_reply_problem(p->r, NM_P_VALIDATION,
				 json_pack("[{s:s, s:s}]", "field", "must_include", "message",
					   p->res.reason),
				 "The must_include creators do not fit: %s.", p->res.reason);
		return false;
	}
}

/* ------------------------------------------------------------------ the reply */

static double round_to(double x, double scale)
{
	return round(x * scale) / scale;
}

static const char *source_name(enum nm_plan_price_source s)
{
	return s == NM_PLAN_PRICE_GIVEN ? "given" : "estimated";
}

/* Match documents (creator, score, components, estimates, explanations) of the candidates
 * idx[0..n) that were ranked with q, into docs (an object keyed by creator id). */
static bool match_docs(struct plan *p, const size_t *idx, size_t n, const struct nm_score_query *q,
		       json_t *docs, struct nm_db_err *err)
{
	nm_db_err_set(err, NM_DB_OK);
	if (n == 0)
		return true;
	struct nm_index_hit *h = malloc(n * sizeof *h);
	if (!h)
		return false;
	for (size_t i = 0; i < n; i++)
		h[i] = *p->hit[idx[i]];
	struct nm_match_summaries sums;
	struct nm_match_results rs = {0};
	bool ok = nm_store_match_summaries(p->pg, h, (long)n, &sums, err);
	if (ok) {
		ok = nm_match_results_build(h, (long)n, sums.row, sums.n, q, &p->pool.terms, &rs);
		nm_store_match_summaries_free(&sums);
	}
	for (size_t i = 0; ok && i < rs.n; i++) {
		json_t *d = json_loads(nm_match_result_doc(&rs, i), 0, NULL);
		char key[24];
		snprintf(key, sizeof key, "%lld", (long long)rs.at[i].creator_id);
		ok = d != NULL;
		if (d) {
			json_object_del(d, "rank");
			json_object_set_new(docs, key, d);
		}
	}
	nm_match_results_free(&rs);
	free(h);
	return ok;
}

/* The reasons of a match document: since the match pages (issue 12) a stored document
 * carries explanations, and the reasons are their sentences (a page splices them in when it
 * is written, nm_match_with_status); a plan reads the document itself, so it takes them from
 * the explanations the same way. New reference, or NULL when out of memory. */
static json_t *doc_reasons(json_t *d)
{
	json_t *given = json_object_get(d, "reasons");
	if (given)
		return json_incref(given);
	json_t *out = json_array();
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(d, "explanations"), i, x)
	{
		json_t *text = json_object_get(x, "text");
		if (json_is_string(text) && json_array_append(out, text) != 0) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

/* confidence and confidence_codes as a creator reply has them (docs/scoring.md §12.1),
 * from the index's inputs at the time of the ranking. */
static void add_confidence(json_t *o, const struct nm_index_hit *h)
{
	struct nm_confidence c;
	nm_confidence_packed_eval(h->conf, h->data_age_days, &c);
	const char *names[NM_CONF_CODE_COUNT];
	size_t n = nm_confidence_code_names(c.codes, names, NM_CONF_CODE_COUNT);
	json_t *codes = json_array();
	for (size_t k = 0; k < n; k++)
		json_array_append_new(codes, json_string(names[k]));
	json_object_set_new(o, "confidence", json_string(nm_confidence_level_name(c.level)));
	json_object_set_new(o, "confidence_codes", codes);
}

/* One portfolio entry (or the alternative): the match document plus the plan's figures;
 * NULL when the creator was deleted since the ranking. */
static json_t *entry(const struct plan *p, size_t i, json_t *docs)
{
	char key[24];
	snprintf(key, sizeof key, "%lld", (long long)p->c[i].id);
	json_t *d = json_object_get(docs, key);
	if (!d)
		return NULL;
	const struct nm_plan_estimate *e = &p->est[i];
	json_t *o =
		json_pack("{s:O, s:I, s:s, s:b, s:f, s:f, s:f}", "creator",
			  json_object_get(d, "creator"), "price_cents", (json_int_t)e->price_cents,
			  "price_source", source_name(e->price_source), "price_override",
			  e->price_source == NM_PLAN_PRICE_OVERRIDE, "expected_engagements",
			  round_to(e->expected_engagements, 10), "expected_reach",
			  round_to(e->expected_reach, 1), "score",
			  json_number_value(json_object_get(d, "score")));
	if (!o)
		return NULL;
	json_object_set(o, "components", json_object_get(d, "components"));
	json_t *reasons = doc_reasons(d);
	if (!reasons) {
		json_decref(o);
		return NULL;
	}
	json_object_set_new(o, "reasons", reasons);
	const char *st = nm_match_status_of(&p->pool.statuses, p->c[i].id);
	json_object_set_new(o, "status", st ? json_string(st) : json_null());
	add_confidence(o, p->hit[i]);
	return o;
}

static json_t *totals_json(const struct nm_plan_totals *t)
{
	return json_pack("{s:i, s:I, s:f, s:f, s:o}", "creators", t->creators, "cost_cents",
			 (json_int_t)t->cost_cents, "engagements", round_to(t->engagements, 1),
			 "reach", round_to(t->reach, 1), "cost_per_engagement_cents",
			 t->cost_per_engagement_cents >= 0
				 ? json_real(round_to(t->cost_per_engagement_cents, 100))
				 : json_null());
}

static const char *alt_reason_text(enum nm_plan_alt_reason a)
{
	return a == NM_PLAN_ALT_NONE_FITS
		       ? "no on-niche account above 100,000 followers is priced within the budget"
		       : "no on-niche account above 100,000 followers matches the brand";
}

/* Split the chosen creators by the query they were ranked with and read their docs. */
static bool chosen_docs(struct plan *p, json_t *docs, struct nm_db_err *err)
{
	size_t n = p->res.n_members + 1;
	size_t *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b), na = 0, nb = 0;
	bool ok = a && b;
	for (size_t j = 0; ok && j < n; j++) {
		size_t i;
		if (j < p->res.n_members)
			i = p->res.members[j];
		else if (p->res.alt_reason == NM_PLAN_ALT_FOUND)
			i = p->res.alternative;
		else
			break;
		if (p->from_big[i])
			b[nb++] = i;
		else
			a[na++] = i;
	}
	nm_db_err_set(err, NM_DB_OK);
	ok = ok && match_docs(p, a, na, &p->pool.q, docs, err) &&
	     match_docs(p, b, nb, &p->big_q, docs, err);
	free(a);
	free(b);
	return ok;
}

static bool plan_result(struct plan *p)
{
	json_t *docs = json_object();
	struct nm_db_err err;
	if (!chosen_docs(p, docs, &err)) {
		json_decref(docs);
		if (err.status == NM_DB_OK)
			reply_oom(p->r, "building the plan");
		else
			nm_reply_db_err(p->r, &err);
		return false;
	}
	p->t[T_DOCS] = lap(p);
	const struct nm_plan_result *s = &p->res;
	/* the summary sentence names the alternative by its handle (borrowed from docs) */
	if (s->alt_reason == NM_PLAN_ALT_FOUND) {
		char key[24];
		snprintf(key, sizeof key, "%lld", (long long)p->c[s->alternative].id);
		json_t *cr = json_object_get(json_object_get(docs, key), "creator");
		p->c[s->alternative].handle = json_string_value(json_object_get(cr, "handle"));
	}
	json_t *portfolio = json_array();
	for (size_t j = 0; j < s->n_members; j++) {
		json_t *e = entry(p, s->members[j], docs);
		if (e)
			json_array_append_new(portfolio, e);
	}
	json_t *alt = json_null(), *cmp;
	char sentence[512];
	nm_plan_summary(p->c, &p->k, s, sentence, sizeof sentence);
	if (s->alt_reason == NM_PLAN_ALT_FOUND) {
		json_decref(alt);
		alt = entry(p, s->alternative, docs);
		if (alt)
			json_object_set_new(alt, "totals", totals_json(&s->alt_totals));
		else
			alt = json_null();
		cmp = json_pack("{s:f, s:f, s:f, s:b, s:s}", "engagements_ratio",
				round_to(s->comparison.engagements_ratio, 100),
				"cost_per_engagement_ratio",
				round_to(s->comparison.cost_per_engagement_ratio, 100),
				"reach_ratio", round_to(s->comparison.reach_ratio, 100),
				"big_wins_on_reach", s->big_wins_on_reach, "summary", sentence);
	} else {
		cmp = json_pack("{s:n, s:n, s:n, s:b, s:s}", "engagements_ratio",
				"cost_per_engagement_ratio", "reach_ratio", "big_wins_on_reach", 0,
				"summary", sentence);
	}
	json_decref(docs);
	p->result = json_pack(
		"{s:s, s:o, s:o, s:o, s:o, s:o, s:{s:s, s:b, s:f, s:I, s:I, s:I}}", "goal",
		nm_score_goal_name(p->k.goal), "portfolio", portfolio, "totals",
		totals_json(&s->totals), "alternative", alt, "alternative_reason",
		s->alt_reason == NM_PLAN_ALT_FOUND ? json_null()
						   : json_string(alt_reason_text(s->alt_reason)),
		"comparison", cmp, "solver", "method", s->method, "exact", s->exact, "gap",
		round_to(s->gap, 1e6), "candidates", (json_int_t)p->pool_n, "shortlisted",
		(json_int_t)p->n, "eligible", (json_int_t)s->eligible);
	if (!p->result) {
		reply_oom(p->r, "building the plan");
		return false;
	}
	return true;
}

/* The transaction: the plan and plan.created, or neither. May run more than once. */
static bool save_tx(struct nm_pg *pg, void *cls, struct nm_db_err *err)
{
	struct plan *p = cls;
	json_decref(p->summary);
	json_decref(p->reply);
	p->summary = p->reply = NULL;
	char *req = json_dumps(p->request, JSON_COMPACT | JSON_SORT_KEYS);
	char *res = json_dumps(p->result, JSON_COMPACT | JSON_REAL_PRECISION(15));
	struct nm_plan_rec rec = {.brand_id = p->brand_id,
				  .key_id = nm_req_auth(p->r)->key_id,
				  .request = req,
				  .result = res,
				  .budget_cents = p->req.budget,
				  .cost_cents = p->res.totals.cost_cents};
	char created_at[40];
	bool ok = req && res && nm_store_plan_insert(pg, &rec, &p->plan_id, created_at, err);
	free(req);
	free(res);
	if (!ok)
		return false; /* err NM_DB_OK when out of memory */
	int64_t key = nm_req_auth(p->r)->key_id;
	p->reply = json_pack("{s:I, s:I, s:s, s:o, s:O}", "id", (json_int_t)p->plan_id, "brand_id",
			     (json_int_t)p->brand_id, "created_at", created_at, "created_by_key_id",
			     key ? json_integer(key) : json_null(), "request", p->request);
	if (!p->reply)
		return false;
	json_object_update(p->reply, p->result);
	p->summary = json_deep_copy(p->reply);
	if (!p->summary)
		return false;
	json_object_del(p->summary, "portfolio");
	/* docs/webhooks.md: the plan as listed (without its portfolio). */
	if (!nm_outbox_emit(pg, "plan.created", p->summary, err))
		return false;
	return true;
}

static bool plan_store(struct plan *p)
{
	struct nm_db_err err;
	if (nm_tx_run(p->pg, NM_TX_READ_COMMITTED, save_tx, p, &err))
		return true;
	if (err.status == NM_DB_OK)
		reply_oom(p->r, "storing the plan");
	else
		nm_reply_db_err(p->r, &err);
	return false;
}

/* POST /v1/brands/{id}/plans */
void nm_h_plans_create(struct nm_req *r)
{
	struct plan p = {.r = r, .brand_id = nm_req_id_param(r, 0)};
	clock_gettime(CLOCK_MONOTONIC, &p.tl);
	p.pg = nm_req_db(r);
	if (p.pg && plan_prepare(&p) && plan_rank(&p) && plan_candidates(&p) && check_musts(&p) &&
	    plan_estimate(&p) && plan_solve(&p) && plan_result(&p) && plan_store(&p)) {
		p.t[T_STORE] = lap(&p);
		nm_log_json(NM_LOG_INFO, "plan",
			    json_pack("{s:s, s:I, s:I, s:I, s:s, s:f, s:f, s:f, s:f, s:f, s:f, "
				      "s:f, s:f, s:f}",
				      "request_id", nm_req_request_id(r), "plan_id",
				      (json_int_t)p.plan_id, "candidates", (json_int_t)p.n,
				      "eligible", (json_int_t)p.res.eligible, "method",
				      p.res.method, "prepare_ms", p.t[T_PREP], "sync_ms",
				      p.t[T_SYNC], "rank_ms", p.t[T_RANK], "big_ms", p.t[T_BIG],
				      "shortlist_ms", p.t[T_SHORT], "posts_ms", p.t[T_POSTS],
				      "solve_ms", p.t[T_SOLVE], "docs_ms", p.t[T_DOCS], "store_ms",
				      p.t[T_STORE]));
		char loc[96];
		snprintf(loc, sizeof loc, "/v1/brands/%lld/plans/%lld", (long long)p.brand_id,
			 (long long)p.plan_id);
		nm_reply_header(r, "Location", loc);
		nm_reply_json(r, 201, p.reply);
		p.reply = NULL;
	}
	plan_free(&p);
}

/* ------------------------------------------------------------------ GET */

/* GET /v1/brands/{id}/plans → the brand's plans, newest first, without portfolios. */
void nm_h_plans_list(struct nm_req *r)
{
	int64_t brand_id = nm_req_id_param(r, 0);
	struct nm_page_req pr;
	if (!nm_req_page(r, &pr.limit, &pr.after))
		return;
	struct nm_pg *pg = nm_req_db(r);
	if (!pg || !nm_brand_found(r, pg, brand_id))
		return;
	struct nm_db_err err;
	struct nm_page page;
	if (nm_store_plans_list(pg, brand_id, &pr, &page, &err))
		nm_reply_json_page(r, &page);
	else
		nm_reply_db_err(r, &err);
}

/* GET /v1/brands/{id}/plans/{plan_id} */
void nm_h_plans_get(struct nm_req *r)
{
	int64_t brand_id = nm_req_id_param(r, 0), plan_id = nm_req_id_param(r, 1);
	struct nm_pg *pg = nm_req_db(r);
	if (!pg || !nm_brand_found(r, pg, brand_id))
		return;
	struct nm_db_err err;
	json_t *plan = nm_store_plan_get(pg, brand_id, plan_id, &err);
	if (plan)
		nm_reply_json(r, 200, plan);
	else if (err.status == NM_DB_NOT_FOUND)
		nm_reply_problem(r, NM_P_NOT_FOUND, NULL, "No plan %lld for brand %lld.",
				 (long long)plan_id, (long long)brand_id);
	else
		nm_reply_db_err(r, &err);
}
