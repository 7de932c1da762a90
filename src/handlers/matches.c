/* Matching (SPEC §5): POST /v1/brands/{id}/matches ranks the creator pool for the
 * brand and stores the run; GET pages through a stored run; GET match-runs lists runs.
 *
 * Ranking runs over the in-memory index (src/match/index.c), synced with every commit
 * before the run; the database supplies the brand, the exclusions and the creator
 * summaries of the hits. The run, its results and the match_run.completed event are
 * written in one transaction. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nm/brand.h"
#include "nm/db.h"
#include "nm/handlers.h"
#include "nm/log.h"
#include "nm/merge_patch.h"
#include "nm/niche.h"
#include "nm/outbox.h"
#include "nm/pgarray.h"
#include "nm/rankindex.h"
#include "nm/ratelimit.h"
#include "nm/score.h"
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
					    "keywords"};

/* ------------------------------------------------------------------ SQL */

static struct nm_sql q_brand = {"matches_brand", "SELECT doc FROM brands WHERE id = $1", 1, 0};
static struct nm_sql q_bench = {
	"matches_bench", "SELECT platform, tier, median_rate FROM engagement_benchmarks", 0, 0};

/* Every pipeline status of the brand: declined/excluded creators leave the run, the
 * others label the first page. */
static struct nm_sql q_statuses = {
	"matches_statuses",
	"SELECT creator_id, status FROM creator_statuses WHERE brand_id = $1 ORDER BY creator_id",
	1, 0};

/* What a result shows of its creator, for the hits only; sorted by id so that each hit
 * finds its row by binary search (find_id). */
static struct nm_sql q_summaries = {
	"matches_summaries",
	"SELECT id, platform, handle, display_name, followers, categories, country "
	"FROM creators WHERE id = ANY ($1::bigint[]) ORDER BY id",
	1, 0};

static struct nm_sql q_run_insert = {
	"matches_run_insert",
	"INSERT INTO match_runs (brand_id, goal, weights, query, candidates, stored, duration_ms) "
	"VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6, $7) RETURNING id, " NM_SQL_TS("created_at"),
	7, 0};

/* COPY text rows: run_id, rank, creator_id, score, doc (docs/performance.md). */
#define RESULTS_COPY "COPY match_results (run_id, rank, creator_id, score, doc) FROM STDIN"

static struct nm_sql q_page = {"matches_page",
			       "SELECT r.rank, r.doc::text, s.status "
			       "FROM match_results r LEFT JOIN creator_statuses s "
			       "ON s.brand_id = $1 AND s.creator_id = r.creator_id "
			       "WHERE r.run_id = $2 AND r.rank > $3 ORDER BY r.rank LIMIT $4",
			       4, 0};

static struct nm_sql q_latest = {
	"matches_latest", "SELECT id FROM match_runs WHERE brand_id = $1 ORDER BY id DESC LIMIT 1",
	1, 0};
static struct nm_sql q_run_of_brand = {
	"matches_run_of_brand", "SELECT id FROM match_runs WHERE id = $1 AND brand_id = $2", 2, 0};

#define RUN_COLS                                                                                   \
	"id, brand_id, " NM_SQL_TS("created_at") ", candidates, stored, weights::text, goal, "     \
						 "query::text, duration_ms"
static struct nm_sql q_runs = {
	"matches_runs",
	"SELECT " RUN_COLS " FROM match_runs WHERE brand_id = $1 AND ($2::bigint = 0 OR id < $2) "
	"ORDER BY id DESC LIMIT $3",
	3, 0};

/* ------------------------------------------------------------------ helpers */

static void i64s(char *buf, size_t n, long long v)
{
	snprintf(buf, n, "%lld", v);
}

/* Loads the brand's canonical doc, or replies 404. */
static json_t *load_brand(struct nm_req *r, struct nm_pg *pg, int64_t id)
{
	if (!nm_brand_visible(r, id)) {
		nm_reply_problem(r, NM_P_NOT_FOUND, NULL, "No brand %lld.", (long long)id);
		return NULL;
	}
	char ib[24];
	i64s(ib, sizeof ib, id);
	const char *p[] = {ib};
	PGresult *res = nm_db_exec(pg, &q_brand, p);
	json_t *doc = NULL;
	if (!nm_db_ok(res))
		nm_reply_db_error(r, res);
	else if (PQntuples(res) == 0)
		nm_reply_problem(r, NM_P_NOT_FOUND, NULL, "No brand %lld.", (long long)id);
	else
		doc = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
	PQclear(res);
	return doc;
}

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

static void load_bench(struct nm_pg *pg, struct nm_score_bench *b)
{
	nm_score_bench_init(b);
	PGresult *res = nm_db_exec(pg, &q_bench, NULL);
	if (nm_db_ok(res))
		for (int i = 0; i < PQntuples(res); i++)
			nm_score_bench_set(b, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
					   strtod(PQgetvalue(res, i, 2), NULL));
	PQclear(res);
}

static void build_query(json_t *eff, const struct nm_score_bench *bench, struct nm_score_query *q,
			struct nm_niche_terms *terms)
{
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
	q->bench = bench;
	json_array_foreach(json_object_get(eff, "niches"), i, v)
		nm_niche_add(terms, json_string_value(v));
	json_array_foreach(json_object_get(eff, "keywords"), i, v)
		nm_niche_add(terms, json_string_value(v));
	q->n_terms = terms->n ? (unsigned)terms->n : 1;
}

static json_t *weights_json(enum nm_score_goal g)
{
	json_t *w = json_object();
	for (int c = 0; c < NM_COMP_COUNT; c++)
		json_object_set_new(w, nm_score_comp_name((enum nm_score_comp)c),
				    json_real(nm_score_weight(g, (enum nm_score_comp)c)));
	return w;
}

/* ------------------------------------------------------------------ result text
 *
 * A run writes its result documents as text directly rather than building jansson
 * objects and dumping them: with 200 results that was ~4 ms of allocations, hashtable
 * inserts (jansson's loop check per object) and printf's floating-point path. The text
 * is what jansson wrote (JSON_COMPACT | JSON_REAL_PRECISION(15), same key order):
 * - keys, component and tier names and statuses are fixed ASCII words, written as is;
 * - every string that comes from data (the creator's fields, reasons) and every other
 *   real is encoded by jansson itself (put_json);
 * - reals that are short decimals (components, score, cost per engagement, most
 *   engagement rates) get their digits from integers (put_decimal). */

/* A growable text; after a failed allocation it stays short and oom is set. */
struct text {
	char *s;
	size_t len, cap;
	bool oom;
};

/* Appends n bytes; also jansson's dump callback (data is the text). */
static int put_bytes(const char *b, size_t n, void *data)
{
	struct text *t = data;
	if (t->len + n >= t->cap && !t->oom) {
		size_t cap = t->cap ? t->cap : 4096;
		while (t->len + n >= cap)
			cap *= 2;
		char *s = realloc(t->s, cap);
		t->oom = !s;
		if (s) {
			t->s = s;
			t->cap = cap;
		}
	}
	if (t->oom)
		return -1;
	memcpy(t->s + t->len, b, n);
	t->len += n;
	return 0;
}

static void put(struct text *t, const char *s)
{
	put_bytes(s, strlen(s), t);
}

/* Writes the decimal digits of k backwards, ending before end; returns the first. Numbers
 * are written without printf, which costs ~100 ns a call and a run writes ~3,000. */
static char *digits(char *end, unsigned long long k)
{
	do {
		*--end = (char)('0' + k % 10);
		k /= 10;
	} while (k);
	return end;
}

static void put_int(struct text *t, long long v)
{
	char b[24], *p = digits(b + sizeof b,
				v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v);
	if (v < 0)
		*--p = '-';
	put_bytes(p, (size_t)(b + sizeof b - p), t);
}

/* v encoded by jansson (NULL, e.g. a SQL NULL string, is null); takes the reference. A
 * failed dump may have written part of v: that part is dropped. */
static void put_json(struct text *t, json_t *v)
{
	size_t len = t->len;
	if (!v || json_dump_callback(v, put_bytes, t, JSON_ENCODE_ANY | JSON_REAL_PRECISION(15))) {
		t->len = len;
		put(t, "null");
	}
	json_decref(v);
}

static void put_str(struct text *t, const char *s)
{
	put_json(t, s ? json_string(s) : NULL);
}

/* v as jansson prints a real: "%.15g", plus ".0" when that looks like an integer. When v
 * is the double nearest to a decimal k / 10^decimals with k < 10^15, "%.15g" prints
 * exactly that decimal (≤ 15 digits survive a trip through a double: DBL_DIG), so the
 * digits come from k without printf's floating-point path (~0.5 µs a number); below
 * 1e-4 "%.15g" switches to an exponent, so those go to jansson, as does anything not
 * such a decimal. Components, score and cost per engagement are such decimals
 * (docs/scoring.md §1, §8), engagement rates mostly. */
static void put_decimal(struct text *t, double v, int decimals)
{
	static const long long unit[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
	long long u = unit[decimals];
	double scaled = v * (double)u;
	long long k = v >= 0 && !signbit(v) && scaled < 1e15 ? llround(scaled) : -1;
	if (k < 0 || (v != 0 && (v < 1e-4 || (double)k / (double)u != v))) {
		put_json(t, json_real(v));
		return;
	}
	/* k with a point before its last `decimals` digits, and the point's trailing zeros
	 * dropped but one: 683 → 0.683, 830 → 0.83, 1000 → 1.0 (decimals 3). */
	int frac = decimals;
	while (frac > 1 && k % 10 == 0) {
		k /= 10;
		frac--;
	}
	char b[32], *p = b + sizeof b;
	if (frac == 0)
		*--p = '0';
	for (int i = 0; i < frac; i++, k /= 10)
		*--p = (char)('0' + k % 10);
	*--p = '.';
	p = digits(p, (unsigned long long)k);
	put_bytes(p, (size_t)(b + sizeof b - p), t);
}

/* open (e.g. ',"reasons":[') then the n strings as a JSON array's elements, then ']'. */
static void put_strings(struct text *t, const char *open, const char *const *v, size_t n)
{
	put(t, open);
	for (size_t i = 0; i < n; i++) {
		if (i)
			put(t, ",");
		put_str(t, v[i]);
	}
	put(t, "]");
}

/* "categories":[...] from the row's text[] literal. */
static void put_categories(struct text *t, const char *literal)
{
	char *s = strdup(literal);
	char *v[32];
	if (!s)
		t->oom = true; /* not an empty list: the run fails rather than store a wrong one */
	size_t n = s ? nm_pgarray_split(s, v, 32) : 0;
	put_strings(t, ",\"categories\":[", (const char *const *)v, n);
	free(s);
}

/* "creator":{...}: row is the creator's q_summaries row. */
static void put_creator(struct text *t, const PGresult *res, int row, const struct nm_index_hit *h)
{
	const struct nm_score_features *f = &h->f;
	put(t, ",\"creator\":{\"id\":");
	put_int(t, (long long)h->id);
	put(t, ",\"platform\":");
	put_str(t, PQgetvalue(res, row, 1));
	put(t, ",\"handle\":");
	put_str(t, PQgetvalue(res, row, 2));
	put(t, ",\"display_name\":");
	put_str(t, nm_db_str(res, row, 3));
	put(t, ",\"followers\":");
	put_int(t, (long long)nm_db_i64(res, row, 4));
	put(t, ",\"tier\":\"");
	put(t, nm_tier_name(nm_tier_of(nm_db_i64(res, row, 4))));
	put(t, "\",\"engagement_rate\":");
	if (f->engagement_rate >= 0)
		put_decimal(t, f->engagement_rate, 6);
	else
		put(t, "null");
	put_categories(t, PQgetvalue(res, row, 5));
	put(t, ",\"country\":");
	put_str(t, nm_db_str(res, row, 6));
	put(t, ",\"price_per_post_cents\":");
	if (f->price_cents >= 0)
		put_int(t, f->price_cents);
	else
		put(t, "null");
	put(t, "}");
}

/* "components":{...},"estimates":{...} */
static void put_components(struct text *t, const struct nm_score_query *q,
			   const struct nm_score_features *f)
{
	double comp[NM_COMP_COUNT];
	nm_score_creator(q, f, comp);
	for (int c = 0; c < NM_COMP_COUNT; c++) {
		put(t, c ? ",\"" : ",\"components\":{\"");
		put(t, nm_score_comp_name((enum nm_score_comp)c));
		put(t, "\":");
		put_decimal(t, comp[c], 3);
	}
	struct nm_score_estimates est;
	nm_score_estimate(f, &est);
	put(t, "},\"estimates\":{\"engagements_per_post\":");
	if (est.has_engagements)
		put_int(t, (long long)est.engagements_per_post);
	else
		put(t, "null");
	put(t, ",\"cost_per_engagement_cents\":");
	if (est.has_cpe)
		put_decimal(t, est.cost_per_engagement_cents, 2);
	else
		put(t, "null");
	put(t, "}");
}

static void put_reasons(struct text *t, const struct nm_score_query *q,
			const struct nm_index_hit *h, const struct nm_niche_terms *terms)
{
	const char *matched_terms[NM_NICHE_MAX_TERMS];
	size_t n_matched = 0;
	for (size_t i = 0; i < terms->n; i++)
		if (h->matched & (1ull << i))
			matched_terms[n_matched++] = terms->term[i];
	char buf[2048];
	const char *reasons[16];
	size_t nr =
		nm_score_reasons(q, &h->f, matched_terms, n_matched, buf, sizeof buf, reasons, 16);
	put_strings(t, ",\"reasons\":[", reasons, nr);
}

/* One stored result (without the live status), NUL-terminated; row is the creator's
 * q_summaries row. */
static void put_result(struct text *t, const PGresult *res, int row, long rank,
		       const struct nm_score_query *q, const struct nm_index_hit *h,
		       const struct nm_niche_terms *terms)
{
	put(t, "{\"rank\":");
	put_int(t, rank);
	put(t, ",\"score\":");
	put_decimal(t, h->score, 2);
	put_creator(t, res, row, h);
	put_components(t, q, &h->f);
	put_reasons(t, q, h, terms);
	put_bytes("}", 2, t);
}

/* A stored document with the creator's live status spliced in before its closing
 * brace (no reparse); statuses are plain words that need no escaping. Appends to w
 * (room for strlen(doc) + 32) and returns the new end. */
static char *with_status(char *w, const char *doc, const char *status)
{
	size_t len = strlen(doc);
	while (len && doc[len - 1] != '}')
		len--;
	if (len)
		len--;
	memcpy(w, doc, len);
	w += len;
	return w + (status ? sprintf(w, ",\"status\":\"%s\"}", status)
			   : sprintf(w, ",\"status\":null}"));
}

/* An allocation failed: a 500 problem (the request is lost, the server keeps serving). */
static void reply_oom(struct nm_req *r, const char *what)
{
	nm_reply_problem(r, NM_P_INTERNAL, NULL, "Out of memory while %s.", what);
}

/* Appends a page of run results as JSON text: '[...]' plus the next cursor. */
static bool page_text(struct nm_req *r, struct nm_pg *pg, int64_t brand_id, int64_t run_id,
		      int64_t after_rank, int limit, char **out, json_t **next)
{
	char b[24], ru[24], a[24], l[16];
	i64s(b, sizeof b, brand_id);
	i64s(ru, sizeof ru, run_id);
	i64s(a, sizeof a, after_rank);
	i64s(l, sizeof l, limit + 1);
	const char *p[] = {b, ru, a, l};
	PGresult *res = nm_db_exec(pg, &q_page, p);
	if (!nm_db_ok(res)) {
		nm_reply_db_error(r, res);
		PQclear(res);
		return false;
	}
	int n = PQntuples(res);
	size_t cap = 3;
	for (int i = 0; i < n && i < limit; i++)
		cap += (size_t)PQgetlength(res, i, 1) + 32;
	char *s = malloc(cap), *w = s;
	if (!s) {
		PQclear(res);
		reply_oom(r, "reading the results");
		return false;
	}
	*w++ = '[';
	for (int i = 0; i < n && i < limit; i++) {
		if (i)
			*w++ = ',';
		w = with_status(w, PQgetvalue(res, i, 1), nm_db_str(res, i, 2));
	}
	*w++ = ']';
	*w = '\0';
	char cur[48];
	*next = n > limit ? json_string(
				    nm_cursor_encode(nm_db_i64(res, limit - 1, 0), cur, sizeof cur))
			  : json_null();
	PQclear(res);
	*out = s;
	return true;
}

/* ------------------------------------------------------------------ POST */

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

/* The brand's statuses (res, kept for status_of) and, from them, the declined/excluded
 * creators as a sorted id list (caller frees). */
static PGresult *load_statuses(struct nm_req *r, struct nm_pg *pg, const char *bid, int64_t **ids,
			       size_t *n)
{
	const char *p[] = {bid};
	PGresult *res = nm_db_exec(pg, &q_statuses, p);
	if (!nm_db_ok(res)) {
		nm_reply_db_error(r, res);
		PQclear(res);
		return NULL;
	}
	int rows = PQntuples(res);
	*ids = malloc((size_t)(rows ? rows : 1) * sizeof **ids);
	*n = 0;
	if (!*ids) {
		PQclear(res);
		reply_oom(r, "reading the brand's statuses");
		return NULL;
	}
	for (int i = 0; i < rows; i++) {
		const char *st = PQgetvalue(res, i, 1);
		if (strcmp(st, "declined") == 0 || strcmp(st, "excluded") == 0)
			(*ids)[(*n)++] = nm_db_i64(res, i, 0);
	}
	return res;
}

/* The status of creator id in the sorted statuses result, or NULL. */
static const char *status_of(const PGresult *res, int64_t id)
{
	int lo = 0, hi = PQntuples(res);
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		int64_t v = nm_db_i64(res, mid, 0);
		if (v == id)
			return PQgetvalue(res, mid, 1);
		if (v < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The position of id in the ascending ids[0, n), or -1. */
static int find_id(const int64_t *ids, int n, int64_t id)
{
	int lo = 0, hi = n;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (ids[mid] == id)
			return mid;
		if (ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* What a result's COPY row needs beside its document. */
struct result {
	size_t doc; /* offset of the document in results.text */
	int64_t creator_id;
	double score;
};

/* A run's results in rank order: the documents back to back in text, each
 * NUL-terminated. */
struct results {
	struct text text;
	struct result *at;
	size_t n;
};

static void results_free(struct results *rs)
{
	free(rs->text.s);
	free(rs->at);
}

static const char *doc_of(const struct results *rs, size_t i)
{
	return rs->text.s + rs->at[i].doc;
}

/* The hits' creator summaries (rows ascending by id), or NULL after a reply. */
static PGresult *load_summaries(struct nm_req *r, struct nm_pg *pg, const struct nm_index_hit *hits,
				long nh)
{
	struct text ids = {0};
	put(&ids, "{");
	for (long i = 0; i < nh; i++) {
		if (i)
			put(&ids, ",");
		put_int(&ids, (long long)hits[i].id);
	}
	put_bytes("}", 2, &ids);
	if (ids.oom) {
		free(ids.s);
		nm_reply_problem(r, NM_P_INTERNAL, NULL, "Out of memory while storing the run.");
		return NULL;
	}
	const char *p[] = {ids.s};
	PGresult *res = nm_db_exec(pg, &q_summaries, p);
	free(ids.s);
	if (!nm_db_ok(res)) {
		nm_reply_db_error(r, res);
		PQclear(res);
		return NULL;
	}
	return res;
}

/* Results for the hits, in rank order; a creator deleted since the sync is skipped.
 * False after a reply. */
static bool build_results(struct nm_req *r, struct nm_pg *pg, const struct nm_index_hit *hits,
			  long nh, const struct nm_score_query *q,
			  const struct nm_niche_terms *terms, struct results *rs)
{
	PGresult *res = load_summaries(r, pg, hits, nh);
	if (!res)
		return false;
	/* Row ids parsed once; rows come back ascending by id, hits in rank order. */
	int rows = PQntuples(res);
	int64_t *ids = malloc((size_t)(rows ? rows : 1) * sizeof *ids);
	for (int k = 0; ids && k < rows; k++)
		ids[k] = nm_db_i64(res, k, 0);
	*rs = (struct results){.at = malloc((size_t)(nh ? nh : 1) * sizeof *rs->at)};
	for (long i = 0; ids && rs->at && i < nh; i++) {
		int row = find_id(ids, rows, hits[i].id);
		if (row < 0)
			continue;
		rs->at[rs->n] = (struct result){rs->text.len, hits[i].id, hits[i].score};
		put_result(&rs->text, res, row, (long)++rs->n, q, &hits[i], terms);
	}
	PQclear(res);
	bool oom = !ids || !rs->at || rs->text.oom;
	free(ids);
	if (oom) {
		results_free(rs);
		nm_reply_problem(r, NM_P_INTERNAL, NULL, "Out of memory while storing the run.");
		return false;
	}
	return true;
}

/* The run's results as COPY text rows. A document holds no control characters
 * (jansson escapes them inside strings), so a backslash is the only byte that COPY's
 * text format needs escaped. The score column gets the same digits as the document. */
static void copy_rows(const char *run_id, const struct results *rs, struct text *rows)
{
	for (size_t i = 0; i < rs->n; i++) {
		put(rows, run_id);
		put(rows, "\t");
		put_int(rows, (long long)i + 1);
		put(rows, "\t");
		put_int(rows, (long long)rs->at[i].creator_id);
		put(rows, "\t");
		put_decimal(rows, rs->at[i].score, 2);
		put(rows, "\t");
		const char *d = doc_of(rs, i);
		for (const char *b; (b = strchr(d, '\\')); d = b + 1) {
			put_bytes(d, (size_t)(b - d) + 1, rows);
			put(rows, "\\");
		}
		put(rows, d);
		put(rows, "\n");
	}
}

/* The POST's first page, labelled with the statuses read before the run (the same
 * transaction-start view a GET would join). Caller frees; NULL when out of memory. */
static char *first_page(const struct results *rs, const PGresult *statuses)
{
	size_t first = rs->n < PAGE_DEFAULT ? rs->n : PAGE_DEFAULT, cap = 3;
	for (size_t i = 0; i < first; i++)
		cap += strlen(doc_of(rs, i)) + 32;
	char *page = malloc(cap), *w = page;
	if (!page)
		return NULL;
	*w++ = '[';
	for (size_t i = 0; i < first; i++) {
		if (i)
			*w++ = ',';
		w = with_status(w, doc_of(rs, i), status_of(statuses, rs->at[i].creator_id));
	}
	*w++ = ']';
	*w = '\0';
	return page;
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
	if (nm_ratelimit_take_in(NM_RL_MATCH_RUNS, (uint64_t)brand_id, per_min / 60.0, per_min,
				 &retry, &left))
		return true;
	char ra[24];
	snprintf(ra, sizeof ra, "%d", (int)(retry + 0.999) > 0 ? (int)(retry + 0.999) : 1);
	nm_reply_header(r, "Retry-After", ra);
	nm_reply_problem(r, NM_P_RATE_LIMITED, NULL,
			 "Brand %lld has used its %d match runs a minute. Retry in %s s.",
			 (long long)brand_id, per_min, ra);
	return false;
}

/* POST /v1/brands/{id}/matches → 201 {"run":{...},"data":[first page],"next_cursor"} */
void nm_h_matches_run(struct nm_req *r)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int64_t brand_id = nm_req_id_param(r, 0);
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return;
	json_t *doc = load_brand(r, pg, brand_id);
	if (!doc)
		return;
	if (!run_quota_left(r, brand_id)) {
		json_decref(doc);
		return;
	}
	long stored_max;
	json_t *eff = effective_brand(r, doc, &stored_max);
	json_decref(doc);
	if (!eff)
		return;
	struct timespec tl = t0;
	double t_prep = lap(&tl);
	/* Every creator committed before this request takes part in the run. */
	bool synced = nm_index_sync(pg);
	double t_sync = lap(&tl), t_rank = 0, t_results = 0;
	if (!synced) {
		json_decref(eff);
		nm_reply_db_down(r);
		return;
	}
	struct nm_score_bench bench;
	load_bench(pg, &bench);
	struct nm_score_query q;
	struct nm_niche_terms terms = {0};
	build_query(eff, &bench, &q, &terms);
	char bid[24];
	i64s(bid, sizeof bid, brand_id);
	int64_t *excl = NULL;
	size_t n_excl = 0;
	struct nm_index_hit *hits = NULL;
	long nh = -1;
	size_t candidates = 0;
	struct results results;
	bool built = false;
	PGresult *statuses = load_statuses(r, pg, bid, &excl, &n_excl);
	if (statuses) {
		hits = malloc((size_t)stored_max * sizeof *hits);
		nh = hits ? nm_index_rank(&q, &terms, excl, n_excl, (size_t)stored_max, hits,
					  &candidates)
			  : -1;
		t_rank = lap(&tl);
		if (nh < 0)
			nm_reply_problem(r, NM_P_INTERNAL, NULL, "Out of memory while ranking.");
		else
			built = build_results(r, pg, hits, nh, &q, &terms, &results);
		t_results = lap(&tl);
	}
	free(excl);
	free(hits);
	nm_niche_free(&terms);
	if (!built) {
		PQclear(statuses);
		json_decref(eff);
		return;
	}
	size_t stored = results.n;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	json_t *weights = weights_json(q.goal);
	char *wtext = json_dumps(weights, JSON_COMPACT);
	char *qtext = json_dumps(eff, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(eff);
	char cands[24], st[24], dur[32];
	i64s(cands, sizeof cands, (long long)candidates);
	i64s(st, sizeof st, (long long)stored);
	snprintf(dur, sizeof dur, "%.3f", ms);
	const char *rp[] = {bid, nm_score_goal_name(q.goal), wtext, qtext, cands, st, dur};
	bool ok = nm_db_begin(pg);
	PGresult *res = ok ? nm_db_exec(pg, &q_run_insert, rp) : NULL;
	free(wtext);
	free(qtext);
	json_t *run = NULL;
	int64_t run_id = 0;
	if (res && nm_db_ok(res)) {
		run_id = nm_db_i64(res, 0, 0);
		run = json_pack("{s:I, s:I, s:s, s:I, s:I, s:O, s:s}", "id", (json_int_t)run_id,
				"brand_id", (json_int_t)brand_id, "created_at",
				PQgetvalue(res, 0, 1), "candidates", (json_int_t)candidates,
				"stored", (json_int_t)stored, "weights", weights, "goal",
				nm_score_goal_name(q.goal));
	} else if (res) {
		nm_reply_db_error(r, res);
	} else {
		nm_reply_db_down(r);
	}
	PQclear(res);
	json_decref(weights);
	if (!run) {
		results_free(&results);
		PQclear(statuses);
		nm_db_rollback(pg);
		return;
	}
	char rid[24];
	i64s(rid, sizeof rid, run_id);
	/* Each result was written once: the stored rows and the first page share the text. */
	struct text rows = {0};
	copy_rows(rid, &results, &rows);
	char *page = rows.oom ? NULL : first_page(&results, statuses);
	results_free(&results);
	PQclear(statuses);
	if (!page) {
		free(rows.s);
		json_decref(run);
		nm_db_rollback(pg);
		nm_reply_problem(r, NM_P_INTERNAL, NULL, "Out of memory while storing the run.");
		return;
	}
	res = nm_db_copy_in(pg, RESULTS_COPY, rows.s ? rows.s : "", rows.len);
	free(rows.s);
	ok = nm_db_ok(res);
	if (!ok)
		nm_reply_db_error(r, res);
	PQclear(res);
	/* docs/webhooks.md: the event's data is the run summary itself. */
	ok = ok && nm_outbox_emit(pg, "match_run.completed", run);
	if (!ok || !nm_db_commit(pg)) {
		nm_db_rollback(pg);
		if (!nm_req_replied(r))
			nm_reply_db_down(r);
		free(page);
		json_decref(run);
		return;
	}
	nm_log_json(NM_LOG_INFO, "match run",
		    json_pack("{s:s, s:I, s:I, s:I, s:f, s:f, s:f, s:f, s:f}", "request_id",
			      nm_req_request_id(r), "run_id", (json_int_t)run_id, "candidates",
			      (json_int_t)candidates, "stored", (json_int_t)stored, "prepare_ms",
			      t_prep, "sync_ms", t_sync, "rank_ms", t_rank, "results_ms", t_results,
			      "store_ms", lap(&tl)));
	char *run_text = json_dumps(run, JSON_COMPACT | JSON_REAL_PRECISION(15));
	json_decref(run);
	char cur[48];
	const char *next =
		stored > PAGE_DEFAULT ? nm_cursor_encode(PAGE_DEFAULT, cur, sizeof cur) : NULL;
	size_t len = strlen(page) + (run_text ? strlen(run_text) : 0) + 128;
	char *body = malloc(len);
	if (!run_text || !body) {
		free(run_text);
		free(page);
		free(body);
		nm_reply_problem(r, NM_P_INTERNAL, NULL, "Out of memory while replying.");
		return;
	}
	int n = next ? snprintf(body, len, "{\"run\":%s,\"data\":%s,\"next_cursor\":\"%s\"}",
				run_text, page, next)
		     : snprintf(body, len, "{\"run\":%s,\"data\":%s,\"next_cursor\":null}",
				run_text, page);
	free(run_text);
	free(page);
	char loc[96];
	snprintf(loc, sizeof loc, "/v1/brands/%lld/matches?run_id=%lld", (long long)brand_id,
		 (long long)run_id);
	nm_reply_header(r, "Location", loc);
	nm_reply_text(r, 201, "application/json; charset=utf-8", body, (size_t)n);
}

/* ------------------------------------------------------------------ GET */

/* GET /v1/brands/{id}/matches[?run_id=] → a page of the latest (or given) stored run. */
void nm_h_matches_page(struct nm_req *r)
{
	int64_t brand_id = nm_req_id_param(r, 0);
	int limit;
	int64_t after;
	if (!nm_req_page(r, &limit, &after))
		return;
	const char *run_q = nm_req_query(r, "run_id");
	long long run_id = 0;
	if (run_q) {
		char *end;
		run_id = strtoll(run_q, &end, 10);
		if (!*run_q || *end || run_id <= 0) {
			nm_reply_problem(r, NM_P_BAD_QUERY,
					 json_pack("[{s:s,s:s}]", "field", "run_id", "message",
						   "must be a positive integer"),
					 "run_id must be a positive integer");
			return;
		}
	}
	if (!nm_brand_visible(r, brand_id)) {
		nm_reply_problem(r, NM_P_NOT_FOUND, NULL, "No brand %lld.", (long long)brand_id);
		return;
	}
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return;
	char b[24], ru[24];
	i64s(b, sizeof b, brand_id);
	i64s(ru, sizeof ru, run_id);
	PGresult *res;
	if (run_id) {
		const char *p[] = {ru, b};
		res = nm_db_exec(pg, &q_run_of_brand, p);
	} else {
		const char *p[] = {b};
		res = nm_db_exec(pg, &q_latest, p);
	}
	if (!nm_db_ok(res)) {
		nm_reply_db_error(r, res);
		PQclear(res);
		return;
	}
	if (PQntuples(res) == 0) {
		nm_reply_problem(r, NM_P_NOT_FOUND, NULL,
				 run_id ? "No match run %s for brand %s."
					: "Brand %s%s has no match runs yet.",
				 run_id ? ru : b, run_id ? b : "");
		PQclear(res);
		return;
	}
	run_id = nm_db_i64(res, 0, 0);
	PQclear(res);
	char *page;
	json_t *next;
	if (!page_text(r, pg, brand_id, run_id, after, limit, &page, &next))
		return;
	char *next_s = next ? json_dumps(next, JSON_ENCODE_ANY) : NULL;
	json_decref(next);
	size_t len = strlen(page) + (next_s ? strlen(next_s) : 0) + 64;
	char *body = next_s ? malloc(len) : NULL;
	if (!body) {
		free(page);
		free(next_s);
		reply_oom(r, "replying");
		return;
	}
	int n = snprintf(body, len, "{\"run_id\":%lld,\"data\":%s,\"next_cursor\":%s}", run_id,
			 page, next_s);
	free(page);
	free(next_s);
	nm_reply_text(r, 200, "application/json; charset=utf-8", body, (size_t)n);
}

static json_t *run_row(const PGresult *res, int i)
{
	return json_pack("{s:I, s:I, s:s, s:I, s:I, s:o, s:s, s:o, s:f}", "id",
			 (json_int_t)nm_db_i64(res, i, 0), "brand_id",
			 (json_int_t)nm_db_i64(res, i, 1), "created_at", PQgetvalue(res, i, 2),
			 "candidates", (json_int_t)nm_db_i64(res, i, 3), "stored",
			 (json_int_t)nm_db_i64(res, i, 4), "weights",
			 json_loads(PQgetvalue(res, i, 5), 0, NULL), "goal", PQgetvalue(res, i, 6),
			 "query", json_loads(PQgetvalue(res, i, 7), 0, NULL), "duration_ms",
			 strtod(PQgetvalue(res, i, 8), NULL));
}

/* GET /v1/brands/{id}/match-runs → runs, newest first. */
void nm_h_match_runs_list(struct nm_req *r)
{
	int64_t brand_id = nm_req_id_param(r, 0);
	int limit;
	int64_t after;
	if (!nm_req_page(r, &limit, &after))
		return;
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return;
	json_t *doc = load_brand(r, pg, brand_id);
	if (!doc)
		return;
	json_decref(doc);
	char b[24], a[24], l[16];
	i64s(b, sizeof b, brand_id);
	i64s(a, sizeof a, after);
	i64s(l, sizeof l, limit + 1);
	const char *p[] = {b, a, l};
	PGresult *res = nm_db_exec(pg, &q_runs, p);
	if (!nm_db_ok(res)) {
		nm_reply_db_error(r, res);
		PQclear(res);
		return;
	}
	nm_reply_page(r, res, limit, 0, run_row);
}
