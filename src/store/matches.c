/* Match runs in PostgreSQL (see nm/store_matches.h). */
#include "nm/store_matches.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

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

/* The ids of creators with one of the handles (a JSON array of strings, as brands store
 * exclude_handles), any platform, ascending. */
static struct nm_sql q_handle_ids = {
	"matches_handle_ids",
	"SELECT id FROM creators WHERE handle IN (SELECT json_array_elements_text($1::json)) "
	"ORDER BY id",
	1, 0};

static struct nm_sql q_run_insert = {
	"matches_run_insert",
	"INSERT INTO match_runs (brand_id, goal, weights, query, candidates, stored, duration_ms, "
	"funnel) VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6, $7, $8::json) RETURNING "
	"id, " NM_SQL_TS("created_at"),
	8, 0};

/* COPY text rows: run_id, rank, creator_id, score, platform, tier, country, doc
 * (docs/performance.md). */
#define RESULTS_COPY                                                                               \
	"COPY match_results (run_id, rank, creator_id, score, platform, tier, country, doc) "      \
	"FROM STDIN"

/* A page of a run with the page filters: each list is a JSON array of words (NULL: no
 * filter); status 'none' is a creator without a status. Rows stored before migration
 * 0021 have no platform/tier/country columns and are filtered by their document. */
static struct nm_sql q_page = {
	"matches_page",
	"SELECT r.rank, r.doc::text, s.status "
	"FROM match_results r LEFT JOIN creator_statuses s "
	"ON s.brand_id = $1 AND s.creator_id = r.creator_id "
	"WHERE r.run_id = $2 AND r.rank > $3 "
	"AND ($5::text IS NULL OR coalesce(s.status, 'none') IN "
	"(SELECT json_array_elements_text($5::json))) "
	"AND ($6::text IS NULL OR coalesce(r.tier, r.doc::json->'creator'->>'tier') IN "
	"(SELECT json_array_elements_text($6::json))) "
	"AND ($7::text IS NULL OR coalesce(r.platform, r.doc::json->'creator'->>'platform') IN "
	"(SELECT json_array_elements_text($7::json))) "
	"AND ($8::text IS NULL OR coalesce(r.country, r.doc::json->'creator'->>'country') IN "
	"(SELECT json_array_elements_text($8::json))) "
	"AND ($9::float8 IS NULL OR r.score >= $9::float8) "
	"ORDER BY r.rank LIMIT $4",
	9, 0};

static struct nm_sql q_latest = {
	"matches_latest", "SELECT id FROM match_runs WHERE brand_id = $1 ORDER BY id DESC LIMIT 1",
	1, 0};
static struct nm_sql q_run_of_brand = {
	"matches_run_of_brand", "SELECT id FROM match_runs WHERE id = $1 AND brand_id = $2", 2, 0};

#define RUN_COLS                                                                                   \
	"id, brand_id, " NM_SQL_TS("created_at") ", candidates, stored, weights::text, goal, "     \
						 "query::text, duration_ms, funnel::text"
static struct nm_sql q_runs = {
	"matches_runs",
	"SELECT " RUN_COLS " FROM match_runs WHERE brand_id = $1 AND ($2::bigint = 0 OR id < $2) "
	"ORDER BY id DESC LIMIT $3",
	3, 0};
static struct nm_sql q_run_get = {"matches_run_get",
				  "SELECT " RUN_COLS " FROM match_runs WHERE brand_id = $1 "
				  "AND ($2::bigint = 0 OR id = $2) ORDER BY id DESC LIMIT 1",
				  2, 0};

json_t *nm_store_match_brand(struct nm_pg *pg, int64_t brand_id, struct nm_db_err *err)
{
	char b[24];
	const char *p[] = {nm_store_i64(b, brand_id)};
	PGresult *res = nm_store_row(pg, &q_brand, p, err);
	if (!res)
		return NULL;
	json_t *doc = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
	PQclear(res);
	if (!doc)
		nm_db_err_set(err, NM_DB_ERROR);
	return doc;
}

void nm_store_match_bench(struct nm_pg *pg, struct nm_score_bench *b)
{
	nm_score_bench_init(b);
	PGresult *res = nm_db_exec(pg, &q_bench, NULL);
	if (nm_db_ok(res))
		for (int i = 0; i < PQntuples(res); i++)
			nm_score_bench_set(b, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
					   strtod(PQgetvalue(res, i, 2), NULL));
	PQclear(res);
}

/* The status words as static strings, so that the statuses outlive their result. */
static const char *status_word(const char *s)
{
	static const char *const words[] = {"shortlisted", "contacted", "accepted", "declined",
					    "excluded"};
	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (strcmp(s, words[i]) == 0)
			return words[i];
	return "unknown"; /* the column's CHECK allows only the words above */
}

bool nm_store_match_statuses(struct nm_pg *pg, int64_t brand_id, struct nm_match_statuses *out,
			     struct nm_db_err *err)
{
	memset(out, 0, sizeof *out);
	char b[24];
	const char *p[] = {nm_store_i64(b, brand_id)};
	PGresult *res = nm_store_rows(pg, &q_statuses, p, err);
	if (!res)
		return false;
	size_t rows = (size_t)PQntuples(res), cap = rows ? rows : 1;
	out->id = malloc(cap * sizeof *out->id);
	out->status = malloc(cap * sizeof *out->status);
	out->excluded = malloc(cap * sizeof *out->excluded);
	if (!out->id || !out->status || !out->excluded) {
		PQclear(res);
		nm_match_statuses_free(out);
		return false; /* err NM_DB_OK: out of memory */
	}
	for (size_t i = 0; i < rows; i++) {
		int64_t id = nm_db_i64(res, (int)i, 0);
		const char *st = status_word(PQgetvalue(res, (int)i, 1));
		out->id[i] = id;
		out->status[i] = st;
		if (strcmp(st, "declined") == 0 || strcmp(st, "excluded") == 0)
			out->excluded[out->n_excluded++] = id;
	}
	out->n = rows;
	PQclear(res);
	return true;
}

bool nm_store_match_summaries(struct nm_pg *pg, const struct nm_index_hit *hits, long nh,
			      struct nm_match_summaries *out, struct nm_db_err *err)
{
	memset(out, 0, sizeof *out);
	nm_db_err_set(err, NM_DB_OK);
	char *ids = nm_match_ids_literal(hits, nh);
	if (!ids)
		return false;
	const char *p[] = {ids};
	PGresult *res = nm_store_rows(pg, &q_summaries, p, err);
	free(ids);
	if (!res)
		return false;
	int rows = PQntuples(res);
	out->row = malloc((size_t)(rows ? rows : 1) * sizeof *out->row);
	if (!out->row) {
		PQclear(res);
		return false;
	}
	for (int i = 0; i < rows; i++)
		out->row[i] = (struct nm_creator_summary){
			.id = nm_db_i64(res, i, 0),
			.platform = PQgetvalue(res, i, 1),
			.handle = PQgetvalue(res, i, 2),
			.display_name = nm_db_str(res, i, 3),
			.followers = nm_db_i64(res, i, 4),
			.categories = PQgetvalue(res, i, 5),
			.country = nm_db_str(res, i, 6),
		};
	out->n = (size_t)rows;
	out->keep = res;
	return true;
}

void nm_store_match_summaries_free(struct nm_match_summaries *s)
{
	PQclear(s->keep);
	free(s->row);
	memset(s, 0, sizeof *s);
}

bool nm_store_match_run_save(struct nm_pg *pg, const struct nm_match_run_rec *rec,
			     const struct nm_match_results *rs, int64_t *run_id, char *created_at,
			     struct nm_db_err *err)
{
	char bid[24], cands[24], st[24], dur[32];
	snprintf(dur, sizeof dur, "%.3f", rec->duration_ms);
	const char *rp[] = {nm_store_i64(bid, rec->brand_id),
			    rec->goal,
			    rec->weights,
			    rec->query,
			    nm_store_i64(cands, (int64_t)rec->candidates),
			    nm_store_i64(st, (int64_t)rec->stored),
			    dur,
			    rec->funnel};
	PGresult *res = nm_store_row(pg, &q_run_insert, rp, err);
	if (!res)
		return false;
	*run_id = nm_db_i64(res, 0, 0);
	snprintf(created_at, 40, "%s", PQgetvalue(res, 0, 1));
	PQclear(res);
	struct nm_buf rows = {0};
	nm_match_results_copy_rows(rs, *run_id, &rows);
	if (rows.oom) {
		nm_buf_free(&rows);
		nm_db_err_set(err, NM_DB_OK);
		return false;
	}
	res = nm_db_copy_in(pg, RESULTS_COPY, rows.data ? rows.data : "", rows.len);
	nm_buf_free(&rows);
	nm_db_err_from(err, res);
	PQclear(res);
	return err->status == NM_DB_OK;
}

bool nm_store_match_run_find(struct nm_pg *pg, int64_t brand_id, int64_t run_id, int64_t *found,
			     struct nm_db_err *err)
{
	char b[24], ru[24];
	nm_store_i64(b, brand_id);
	nm_store_i64(ru, run_id);
	const char *by_id[] = {ru, b}, *latest[] = {b};
	PGresult *res = run_id ? nm_store_row(pg, &q_run_of_brand, by_id, err)
			       : nm_store_row(pg, &q_latest, latest, err);
	if (!res)
		return false;
	*found = nm_db_i64(res, 0, 0);
	PQclear(res);
	return true;
}

bool nm_store_match_handle_ids(struct nm_pg *pg, const char *handles_json, int64_t **ids, size_t *n,
			       struct nm_db_err *err)
{
	*ids = NULL;
	*n = 0;
	const char *p[] = {handles_json};
	PGresult *res = nm_store_rows(pg, &q_handle_ids, p, err);
	if (!res)
		return false;
	int rows = PQntuples(res);
	*ids = malloc((size_t)(rows ? rows : 1) * sizeof **ids);
	if (!*ids) {
		PQclear(res);
		return false; /* err NM_DB_OK: out of memory */
	}
	for (int i = 0; i < rows; i++)
		(*ids)[i] = nm_db_i64(res, i, 0);
	*n = (size_t)rows;
	PQclear(res);
	return true;
}

bool nm_store_match_page(struct nm_pg *pg, int64_t brand_id, int64_t run_id, int64_t after,
			 int limit, const struct nm_match_filter *f, struct nm_match_page *out,
			 struct nm_db_err *err)
{
	memset(out, 0, sizeof *out);
	char b[24], ru[24], a[24], l[24];
	const char *p[] = {nm_store_i64(b, brand_id), nm_store_i64(ru, run_id),
			   nm_store_i64(a, after),    nm_store_i64(l, (int64_t)limit + 1),
			   f ? f->statuses : NULL,    f ? f->tiers : NULL,
			   f ? f->platforms : NULL,   f ? f->countries : NULL,
			   f ? f->min_score : NULL};
	PGresult *res = nm_store_rows(pg, &q_page, p, err);
	if (!res)
		return false;
	int n = PQntuples(res);
	size_t rows = (size_t)(n < limit ? n : limit), cap = rows ? rows : 1;
	out->doc = malloc(cap * sizeof *out->doc);
	out->status = malloc(cap * sizeof *out->status);
	out->doc_len = malloc(cap * sizeof *out->doc_len);
	out->keep = res;
	if (!out->doc || !out->status || !out->doc_len) {
		nm_store_match_page_free(out);
		return false; /* err NM_DB_OK: out of memory */
	}
	for (size_t i = 0; i < rows; i++) {
		out->doc[i] = PQgetvalue(res, (int)i, 1);
		out->doc_len[i] = (size_t)PQgetlength(res, (int)i, 1);
		out->status[i] = nm_db_str(res, (int)i, 2);
	}
	out->n = rows;
	out->next_after = n > limit ? nm_db_i64(res, limit - 1, 0) : 0;
	return true;
}

void nm_store_match_page_free(struct nm_match_page *p)
{
	PQclear(p->keep);
	free(p->doc);
	free(p->status);
	free(p->doc_len);
	memset(p, 0, sizeof *p);
}

static json_t *run_row(const PGresult *res, int i)
{
	json_t *funnel = PQgetisnull(res, i, 9) ? NULL : json_loads(PQgetvalue(res, i, 9), 0, NULL);
	return json_pack(
		"{s:I, s:I, s:s, s:I, s:I, s:o, s:s, s:o, s:f, s:o}", "id",
		(json_int_t)nm_db_i64(res, i, 0), "brand_id", (json_int_t)nm_db_i64(res, i, 1),
		"created_at", PQgetvalue(res, i, 2), "candidates", (json_int_t)nm_db_i64(res, i, 3),
		"stored", (json_int_t)nm_db_i64(res, i, 4), "weights",
		json_loads(PQgetvalue(res, i, 5), 0, NULL), "goal", PQgetvalue(res, i, 6), "query",
		json_loads(PQgetvalue(res, i, 7), 0, NULL), "duration_ms",
		strtod(PQgetvalue(res, i, 8), NULL), "funnel", funnel ? funnel : json_null());
}

json_t *nm_store_match_run_get(struct nm_pg *pg, int64_t brand_id, int64_t run_id,
			       struct nm_db_err *err)
{
	char b[24], ru[24];
	const char *p[] = {nm_store_i64(b, brand_id), nm_store_i64(ru, run_id)};
	PGresult *res = nm_store_row(pg, &q_run_get, p, err);
	if (!res)
		return NULL;
	json_t *run = run_row(res, 0);
	PQclear(res);
	if (!run)
		nm_db_err_set(err, NM_DB_OK); /* out of memory */
	return run;
}

bool nm_store_match_runs_list(struct nm_pg *pg, int64_t brand_id, const struct nm_page_req *pr,
			      struct nm_page *out, struct nm_db_err *err)
{
	char b[24], a[24], l[24];
	const char *p[] = {nm_store_i64(b, brand_id), nm_store_i64(a, pr->after),
			   nm_store_i64(l, (int64_t)pr->limit + 1)};
	return nm_store_list(pg, &q_runs, p, pr->limit, 0, run_row, out, err);
}
