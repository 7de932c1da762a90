/* Matching (docs/api.md §5): POST /v1/brands/{id}/matches ranks the creator pool for the
 * brand and stores the run; GET pages through a stored run; GET match-runs lists runs.
 *
 * Ranking runs over the in-memory index (src/match/index.c), synced with every commit
 * before the run; the database supplies the brand, the exclusions and the creator
 * summaries of the hits. The run, its results and the match_run.completed event are
 * written in one transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nm/brand.h"
#include "nm/handlers.h"
#include "nm/log.h"
#include "nm/match_index.h"
#include "nm/match_pool.h"
#include "nm/match_results.h"
#include "nm/merge_patch.h"
#include "nm/niche.h"
#include "nm/outbox.h"
#include "nm/ratelimit.h"
#include "nm/score.h"
#include "nm/sharedlimit.h"
#include "nm/store.h"
#include "nm/store_matches.h"
#include "nm/taxonomy.h"
#include "nm/verr.h"

#define DEFAULT_STORED 200
#define MAX_STORED     1000
#define PAGE_DEFAULT   50

static const char *const override_keys[] = {"platforms",
					    "follower_min",
					    "follower_max",
					    "min_engagement_rate",
					    "target_countries",
					    "target_languages",
					    "target_gender",
					    "goal",
					    "budget_per_post_cents",
					    "niches",
					    "keywords",
					    "target_countries_mode",
					    "min_audience_share",
					    "exclude_keywords",
					    "exclude_handles",
					    "max_data_age_days",
					    "min_confidence"};

/* ------------------------------------------------------------------ helpers */

/* The effective brand of this run: stored doc + body overrides, validated as a brand. */
static json_t *effective_brand(struct nm_req *r, json_t *doc, long *stored)
{
	json_t *body = nm_req_json(r);
	json_t *errors = json_array();
	json_t *overrides = json_object();
	*stored = DEFAULT_STORED;
	const char *key;
	json_t *v;
	json_object_foreach(body, key, v)
	{
		if (strcmp(key, "limit") == 0) {
			if (!json_is_integer(v) || json_integer_value(v) < 1 ||
			    json_integer_value(v) > MAX_STORED)
				nm_verr_add(errors, "limit", "must be an integer from 1 to %d",
					    MAX_STORED);
			else
				*stored = (long)json_integer_value(v);
			continue;
		}
		bool allowed = false;
		for (size_t i = 0; i < sizeof override_keys / sizeof *override_keys; i++)
			allowed = allowed || strcmp(key, override_keys[i]) == 0;
		if (allowed)
			json_object_set(overrides, key, v);
		else
			nm_verr_add(errors, key,
				    "unknown field (a run accepts limit and brand filters)");
	}
	json_t *eff = NULL;
	if (!json_array_size(errors)) {
		json_t *merged = nm_merge_patch(doc, overrides);
		eff = nm_brand_normalize(merged, errors);
		json_decref(merged);
	}
	json_decref(overrides);
	if (!eff)
		nm_reply_problem(r, NM_P_VALIDATION, errors, "The run request has invalid fields.");
	else
		json_decref(errors);
	return eff;
}

static json_t *weights_json(enum nm_score_goal g)
{
	json_t *w = json_object();
	for (int c = 0; c < NM_COMP_COUNT; c++)
		json_object_set_new(w, nm_score_comp_name((enum nm_score_comp)c),
				    json_real(nm_score_weight(g, (enum nm_score_comp)c)));
	return w;
}

/* An allocation failed: a 500 problem (the request is lost, the server keeps serving). */
static void reply_oom(struct nm_req *r, const char *what)
{
	nm_reply_problem(r, NM_P_INTERNAL, NULL, "Out of memory while %s.", what);
}

/* Milliseconds since *since, and *since moves to now: phase timings for the run's log. */
static double lap(struct timespec *since)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	double ms = (double)(now.tv_sec - since->tv_sec) * 1e3 +
		    (double)(now.tv_nsec - since->tv_nsec) / 1e6;
	*since = now;
	return ms;
}

/* NICHEMATCH_MATCH_RUNS_PER_MINUTE per brand (a bucket of that many, refilled over a
 * minute): each run ranks the pool and stores up to 1,000 rows kept for months, so one
 * write key must not be able to run them back to back. Checked once the brand is known
 * to exist and be visible, so a 429 reveals nothing a 404 would hide. */
static bool run_quota_left(struct nm_req *r, int64_t brand_id)
{
	int per_min = nm_req_config(r)->match_runs_per_minute;
	double retry;
	int left;
	if (nm_limit_take(nm_req_config(r), NM_RL_MATCH_RUNS, (uint64_t)brand_id, per_min / 60.0,
			  per_min, &retry, &left))
		return true;
	char ra[24];
	snprintf(ra, sizeof ra, "%d", (int)(retry + 0.999) > 0 ? (int)(retry + 0.999) : 1);
	nm_reply_header(r, "Retry-After", ra);
	nm_reply_problem(r, NM_P_RATE_LIMITED, NULL,
			 "Brand %lld has used its %d match runs a minute. Retry in %s s.",
			 (long long)brand_id, per_min, ra);
	return false;
}

/* ------------------------------------------------------------------ POST */

/* One run, from the request to the reply. Each step replies itself when it fails;
 * run_free releases whatever the steps got to. */
struct run {
	struct nm_req *r;
	struct nm_pg *pg;
	int64_t brand_id;
	long stored_max;
	json_t *eff;		   /* the effective brand */
	struct nm_match_pool pool; /* query, exclusions, hits, funnel (nm/match_pool.h) */
	struct nm_match_results results;
	/* the stored run */
	json_t *weights;
	json_t *funnel_doc;
	struct nm_match_run_rec rec;
	json_t *summary; /* the run as replied and sent in match_run.completed */
	int64_t run_id;
	/* phase timings for the log */
	struct timespec t0, tl;
	double t_prep, t_sync, t_rank, t_results;
};

static void run_free(struct run *run)
{
	json_decref(run->eff);
	nm_match_pool_free(&run->pool);
	nm_match_results_free(&run->results);
	json_decref(run->weights);
	json_decref(run->funnel_doc);
	free((char *)run->rec.weights);
	free((char *)run->rec.query);
	free((char *)run->rec.funnel);
	json_decref(run->summary);
}

/* The brand (404 when invisible or missing), the quota, the effective brand. */
static bool run_prepare(struct run *run)
{
	struct nm_req *r = run->r;
	json_t *doc = nm_match_pool_brand(r, run->pg, run->brand_id);
	if (!doc)
		return false;
	bool ok = run_quota_left(r, run->brand_id) &&
		  (run->eff = effective_brand(r, doc, &run->stored_max)) != NULL;
	json_decref(doc);
	run->t_prep = lap(&run->tl);
	return ok;
}

/* {"pool","rules":[{"rule","before","removed","after"}],"candidates"}: every rule in the
 * order it is applied, so that before − removed = after, and the next rule's before. */
static json_t *funnel_json(const struct nm_funnel *f)
{
	json_t *rules = json_array();
	size_t left = f->pool;
	for (int i = 0; i < NM_FUNNEL_COUNT; i++) {
		size_t removed = f->removed[i] < left ? f->removed[i] : left;
		json_array_append_new(rules, json_pack("{s:s, s:I, s:I, s:I}", "rule",
						       nm_funnel_rule_name((enum nm_funnel_rule)i),
						       "before", (json_int_t)left, "removed",
						       (json_int_t)removed, "after",
						       (json_int_t)(left - removed)));
		left -= removed;
	}
	return json_pack("{s:I, s:o, s:I}", "pool", (json_int_t)f->pool, "rules", rules,
			 "candidates", (json_int_t)left);
}

/* Syncs the index and ranks the pool without the brand's exclusions (nm/match_pool.h). */
static bool run_rank(struct run *run)
{
	bool ok = nm_match_pool_prepare(run->r, run->pg, run->brand_id, run->eff, &run->pool);
	run->t_sync = run->pool.sync_ms;
	if (ok)
		ok = nm_match_pool_rank(run->r, &run->pool, (size_t)run->stored_max);
	run->t_rank = lap(&run->tl) - run->t_sync;
	return ok;
}

/* The result documents of the hits. */
static bool run_results(struct run *run)
{
	struct nm_match_summaries sums;
	struct nm_db_err err;
	bool ok = nm_store_match_summaries(run->pg, run->pool.hits, run->pool.nh, &sums, &err);
	if (ok) {
		ok = nm_match_results_build(run->pool.hits, run->pool.nh, sums.row, sums.n,
					    &run->pool.q, &run->pool.terms, &run->results);
		nm_store_match_summaries_free(&sums);
		nm_db_err_set(&err, NM_DB_OK);
	}
	run->t_results = lap(&run->tl);
	if (ok)
		return true;
	if (err.status == NM_DB_OK)
		reply_oom(run->r, "storing the run");
	else
		nm_reply_db_err(run->r, &err);
	return false;
}

/* The transaction: the run, its results and match_run.completed, or none of them. May
 * run more than once (nm_tx_run retries conflicts). */
static bool save_tx(struct nm_pg *pg, void *cls, struct nm_db_err *err)
{
	struct run *run = cls;
	json_decref(run->summary);
	run->summary = NULL;
	char created_at[40];
	if (!nm_store_match_run_save(pg, &run->rec, &run->results, &run->run_id, created_at, err))
		return false;
	run->summary = json_pack(
		"{s:I, s:I, s:s, s:I, s:I, s:O, s:s, s:O, s:O}", "id", (json_int_t)run->run_id,
		"brand_id", (json_int_t)run->brand_id, "created_at", created_at, "candidates",
		(json_int_t)run->pool.candidates, "stored", (json_int_t)run->results.n, "weights",
		run->weights, "goal", nm_score_goal_name(run->pool.q.goal), "query", run->eff,
		"funnel", run->funnel_doc);
	if (!run->summary)
		return false; /* err NM_DB_OK: out of memory */
	/* docs/webhooks.md: the event's data is the run summary itself. */
	if (!nm_outbox_emit(pg, "match_run.completed", run->summary, err))
		return false;
	return true;
}

static bool run_store(struct run *run)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	run->weights = weights_json(run->pool.q.goal);
	run->funnel_doc = funnel_json(&run->pool.funnel);
	run->rec = (struct nm_match_run_rec){
		.brand_id = run->brand_id,
		.goal = nm_score_goal_name(run->pool.q.goal),
		.weights = json_dumps(run->weights, JSON_COMPACT),
		.query = json_dumps(run->eff, JSON_COMPACT | JSON_SORT_KEYS),
		.candidates = run->pool.candidates,
		.stored = run->results.n,
		.duration_ms = (double)(t1.tv_sec - run->t0.tv_sec) * 1e3 +
			       (double)(t1.tv_nsec - run->t0.tv_nsec) / 1e6,
		.funnel = json_dumps(run->funnel_doc, JSON_COMPACT),
	};
	struct nm_db_err err;
	if (!run->rec.weights || !run->rec.query || !run->rec.funnel) {
		reply_oom(run->r, "storing the run");
		return false;
	}
	if (nm_tx_run(run->pg, NM_TX_READ_COMMITTED, save_tx, run, &err))
		return true;
	if (err.status == NM_DB_OK)
		reply_oom(run->r, "storing the run");
	else
		nm_reply_db_err(run->r, &err);
	return false;
}

/* 201 {"run":{...},"data":[first page],"next_cursor"}; the first page is labelled with
 * the statuses read before the run (the same view a GET would join). */
static void run_reply(struct run *run)
{
	struct nm_req *r = run->r;
	size_t stored = run->results.n;
	nm_log_json(NM_LOG_INFO, "match run",
		    json_pack("{s:s, s:I, s:I, s:I, s:f, s:f, s:f, s:f, s:f}", "request_id",
			      nm_req_request_id(r), "run_id", (json_int_t)run->run_id, "candidates",
			      (json_int_t)run->pool.candidates, "stored", (json_int_t)stored,
			      "prepare_ms", run->t_prep, "sync_ms", run->t_sync, "rank_ms",
			      run->t_rank, "results_ms", run->t_results, "store_ms",
			      lap(&run->tl)));
	char *page = nm_match_results_page(&run->results, PAGE_DEFAULT, &run->pool.statuses);
	char *run_text = json_dumps(run->summary, JSON_COMPACT | JSON_REAL_PRECISION(15));
	char cur[48];
	const char *next =
		stored > PAGE_DEFAULT ? nm_cursor_encode(PAGE_DEFAULT, cur, sizeof cur) : NULL;
	size_t len = (page ? strlen(page) : 0) + (run_text ? strlen(run_text) : 0) + 128;
	char *body = page && run_text ? malloc(len) : NULL;
	if (!body) {
		free(run_text);
		free(page);
		reply_oom(r, "replying");
		return;
	}
	int n = next ? snprintf(body, len, "{\"run\":%s,\"data\":%s,\"next_cursor\":\"%s\"}",
				run_text, page, next)
		     : snprintf(body, len, "{\"run\":%s,\"data\":%s,\"next_cursor\":null}",
				run_text, page);
	free(run_text);
	free(page);
	char loc[96];
	snprintf(loc, sizeof loc, "/v1/brands/%lld/matches?run_id=%lld", (long long)run->brand_id,
		 (long long)run->run_id);
	nm_reply_header(r, "Location", loc);
	nm_reply_text(r, 201, "application/json; charset=utf-8", body, (size_t)n);
}

/* POST /v1/brands/{id}/matches */
void nm_h_matches_run(struct nm_req *r)
{
	struct run run = {.r = r, .brand_id = nm_req_id_param(r, 0)};
	clock_gettime(CLOCK_MONOTONIC, &run.t0);
	run.tl = run.t0;
	run.pg = nm_req_db(r);
	if (run.pg && run_prepare(&run) && run_rank(&run) && run_results(&run) && run_store(&run))
		run_reply(&run);
	run_free(&run);
}

/* ------------------------------------------------------------------ GET */

/* '[' the page's documents with their live statuses ']', NULL when out of memory. */
static char *page_text(const struct nm_match_page *p)
{
	size_t cap = 3;
	for (size_t i = 0; i < p->n; i++)
		cap += 2 * p->doc_len[i] + 32; /* + the reasons spliced in */
	char *s = malloc(cap), *w = s;
	if (!s)
		return NULL;
	*w++ = '[';
	for (size_t i = 0; i < p->n; i++) {
		if (i)
			*w++ = ',';
		w = nm_match_with_status(w, p->doc[i], p->status[i]);
	}
	*w++ = ']';
	*w = '\0';
	return s;
}

/* ------------------------------------------------------------------ page filters */

/* One page filter being read: the canonical words given (any-of), or the first bad one. */
struct filter_words {
	const char *param;
	json_t *words; /* NULL until a value is given */
	bool (*canon)(const char *word, char out[24]);
	char bad[64];
};

static bool lower_word(const char *w, char out[24])
{
	size_t n = strlen(w);
	if (n == 0 || n >= 24)
		return false;
	for (size_t i = 0; i <= n; i++)
		out[i] = (char)(w[i] >= 'A' && w[i] <= 'Z' ? w[i] - 'A' + 'a' : w[i]);
	return true;
}

/* The route row lists the allowed words (params.c has checked them): only case and the
 * x/twitter alias are left to settle. */
static bool canon_platform(const char *w, char out[24])
{
	enum nm_platform p;
	if (!nm_platform_parse(w, &p))
		return false;
	snprintf(out, 24, "%s", nm_platform_name(p));
	return true;
}

static bool canon_country(const char *w, char out[24])
{
	char cc[3];
	if (!nm_country_valid(w, cc))
		return false;
	memcpy(out, cc, 3);
	return true;
}

/* Each comma-separated word of one value of the parameter, spaces around it ignored. */
static void filter_value(const char *value, void *cls)
{
	struct filter_words *fw = cls;
	const char *s = value;
	for (;;) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		while (len && *s == ' ')
			s++, len--;
		while (len && s[len - 1] == ' ')
			len--;
		char word[64], canon[24];
		snprintf(word, sizeof word, "%.*s", (int)(len < 63 ? len : 63), s);
		if (!fw->words)
			fw->words = json_array();
		if (fw->canon(word, canon))
			json_array_append_new(fw->words, json_string(canon));
		else if (!fw->bad[0])
			snprintf(fw->bad, sizeof fw->bad, "%s", word[0] ? word : "(empty)");
		if (!comma)
			break;
		s = comma + 1;
	}
}

/* The words of the page filter `name` as a JSON array text into *out (NULL when the
 * parameter is absent; caller frees); false after replying 400 for a word the route
 * table could not check (a country code). */
static bool filter_param(struct nm_req *r, const char *name,
			 bool (*canon)(const char *word, char out[24]), const char **out)
{
	*out = NULL;
	if (!nm_req_query(r, name))
		return true;
	struct filter_words fw = {name, NULL, canon, ""};
	nm_req_query_each(r, name, filter_value, &fw);
	if (fw.bad[0]) {
		json_decref(fw.words);
		nm_reply_problem(r, NM_P_BAD_QUERY,
				 json_pack("[{s:s,s:s}]", "field", name, "message",
					   "must be an ISO 3166-1 alpha-2 country code"),
				 "%s '%s' is not an ISO 3166-1 alpha-2 country code.", name,
				 fw.bad);
		return false;
	}
	*out = json_dumps(fw.words, JSON_COMPACT);
	json_decref(fw.words);
	return true;
}

static void filter_free(struct nm_match_filter *f)
{
	free((char *)f->statuses);
	free((char *)f->tiers);
	free((char *)f->platforms);
	free((char *)f->countries);
}

/* The brand's run (0: latest), or NULL after replying 404/503. */
static json_t *find_run(struct nm_req *r, struct nm_pg *pg, int64_t brand_id, long long run_id)
{
	struct nm_db_err err;
	json_t *run = nm_store_match_run_get(pg, brand_id, run_id, &err);
	if (run)
		return run;
	if (err.status == NM_DB_OK)
		reply_oom(r, "reading the run");
	else if (err.status != NM_DB_NOT_FOUND)
		nm_reply_db_err(r, &err);
	else if (run_id)
		nm_reply_problem(r, NM_P_NOT_FOUND, NULL, "No match run %lld for brand %lld.",
				 run_id, (long long)brand_id);
	else
		nm_reply_problem(r, NM_P_NOT_FOUND, NULL, "Brand %lld has no match runs yet.",
				 (long long)brand_id);
	return NULL;
}

/* GET /v1/brands/{id}/matches[?run_id=&status=&tier=&platform=&country=&min_score=] →
 * a page of the latest (or given) stored run, filtered, with the run itself. */
void nm_h_matches_page(struct nm_req *r)
{
	int64_t brand_id = nm_req_id_param(r, 0);
	int limit;
	int64_t after;
	if (!nm_req_page(r, &limit, &after))
		return;
	const char *run_q = nm_req_query(r, "run_id");
	long long run_id = run_q ? strtoll(run_q, NULL, 10) : 0; /* params.c checked it */
	if (!nm_brand_visible(r, brand_id)) {
		nm_reply_problem(r, NM_P_NOT_FOUND, NULL, "No brand %lld.", (long long)brand_id);
		return;
	}
	struct nm_match_filter filter = {.min_score = nm_req_query(r, "min_score")};
	if (!filter_param(r, "status", lower_word, &filter.statuses) ||
	    !filter_param(r, "tier", lower_word, &filter.tiers) ||
	    !filter_param(r, "platform", canon_platform, &filter.platforms) ||
	    !filter_param(r, "country", canon_country, &filter.countries)) {
		filter_free(&filter);
		return;
	}
	struct nm_pg *pg = nm_req_db(r);
	json_t *run = pg ? find_run(r, pg, brand_id, run_id) : NULL;
	if (!run) {
		filter_free(&filter);
		return;
	}
	int64_t found = json_integer_value(json_object_get(run, "id"));
	struct nm_db_err err;
	struct nm_match_page p;
	bool ok = nm_store_match_page(pg, brand_id, found, after, limit, &filter, &p, &err);
	filter_free(&filter);
	if (!ok) {
		json_decref(run);
		if (err.status == NM_DB_OK)
			reply_oom(r, "reading the results");
		else
			nm_reply_db_err(r, &err);
		return;
	}
	char *page = page_text(&p);
	char cur[48];
	const char *next = p.next_after ? nm_cursor_encode(p.next_after, cur, sizeof cur) : NULL;
	nm_store_match_page_free(&p);
	char *run_text = json_dumps(run, JSON_COMPACT | JSON_REAL_PRECISION(15));
	json_decref(run);
	size_t len = (page ? strlen(page) : 0) + (run_text ? strlen(run_text) : 0) + 128;
	char *body = page && run_text ? malloc(len) : NULL;
	if (!body) {
		free(page);
		free(run_text);
		reply_oom(r, "replying");
		return;
	}
	/* A cursor is base64url text: no escaping needed. */
	int n = next ? snprintf(body, len,
				"{\"run_id\":%lld,\"run\":%s,\"data\":%s,\"next_cursor\":\"%s\"}",
				(long long)found, run_text, page, next)
		     : snprintf(body, len,
				"{\"run_id\":%lld,\"run\":%s,\"data\":%s,\"next_cursor\":null}",
				(long long)found, run_text, page);
	free(page);
	free(run_text);
	nm_reply_text(r, 200, "application/json; charset=utf-8", body, (size_t)n);
}

/* GET /v1/brands/{id}/match-runs/{run_id} → the run with its funnel. */
void nm_h_match_run_get(struct nm_req *r)
{
	int64_t brand_id = nm_req_id_param(r, 0), run_id = nm_req_id_param(r, 1);
	if (!nm_brand_visible(r, brand_id)) {
		nm_reply_problem(r, NM_P_NOT_FOUND, NULL, "No brand %lld.", (long long)brand_id);
		return;
	}
	struct nm_pg *pg = nm_req_db(r);
	json_t *run = pg ? find_run(r, pg, brand_id, run_id) : NULL;
	if (run)
		nm_reply_json(r, 200, run);
}

/* GET /v1/brands/{id}/match-runs → runs, newest first. */
void nm_h_match_runs_list(struct nm_req *r)
{
	int64_t brand_id = nm_req_id_param(r, 0);
	struct nm_page_req pr;
	struct nm_pg *pg = nm_list_begin(r, &pr);
	if (!pg || !nm_brand_found(r, pg, brand_id))
		return;
	struct nm_db_err err;
	struct nm_page page;
	nm_reply_list(r, nm_store_match_runs_list(pg, brand_id, &pr, &page, &err), &page, &err);
}
