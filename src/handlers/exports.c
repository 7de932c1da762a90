/* CSV exports (docs/api.md "CSV exports"): GET /v1/creators.csv, /v1/brands/{id}/creators.csv
 * and /v1/brands/{id}/matches.csv. The reply is streamed: the store reads the rows through
 * a cursor a batch at a time (nm/store_exports.h), each batch becomes CSV text
 * (nm/csvout.h) as the client takes the previous one (nm_reply_stream), so the service
 * holds one batch whatever the export's size. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nm/creator_filters.h"
#include "nm/csvout.h"
#include "nm/handlers.h"
#include "nm/log.h"
#include "nm/match_index.h"
#include "nm/searchindex.h"
#include "nm/store.h"
#include "nm/store_creators.h"
#include "nm/store_exports.h"
#include "nm/store_matches.h"
#include "nm/taxonomy.h"
#include "nm/textsearch.h"

#define CSV_MEDIA "text/csv; charset=utf-8; header=present"

struct csv_stream {
	struct nm_export *x;
	struct nm_buf out; /* CSV text made and not yet all handed over */
	size_t sent;	   /* bytes of out handed over */
	bool header_done, end;
	char request_id[72]; /* for the log line of a failure */
};

/* The header row (and the BOM when asked for) into s->out. */
static void write_header(struct csv_stream *s)
{
	const struct nm_export_column *cols;
	size_t n = nm_export_columns(s->x, &cols);
	for (size_t c = 0; c < n; c++)
		nm_csvout_cell(&s->out, c == 0, cols[c].name, strlen(cols[c].name),
			       NM_CSVOUT_NUMBER);
	nm_csvout_row_end(&s->out);
}

/* Rows 0..rows-1 of the current batch into s->out. */
static void write_rows(struct csv_stream *s, int rows)
{
	const struct nm_export_column *cols;
	size_t n = nm_export_columns(s->x, &cols);
	for (int i = 0; i < rows; i++) {
		for (size_t c = 0; c < n; c++) {
			size_t len;
			const char *v = nm_export_cell(s->x, i, (int)c, &len);
			nm_csvout_cell(&s->out, c == 0, v, len,
				       cols[c].number ? NM_CSVOUT_NUMBER : NM_CSVOUT_TEXT);
		}
		nm_csvout_row_end(&s->out);
	}
}

/* Makes the next piece of text: false on a failure (logged). */
static bool refill(struct csv_stream *s)
{
	s->out.len = 0; /* the capacity is kept: one allocation for the whole export */
	s->sent = 0;
	if (!s->header_done) {
		s->header_done = true;
		write_header(s);
	} else {
		struct nm_db_err err;
		int rows = nm_store_export_next(s->x, &err);
		if (rows < 0) {
			nm_log_json(NM_LOG_WARN, "csv export cut",
				    json_pack("{s:s, s:s, s:s}", "request_id", s->request_id,
					      "status", nm_db_status_name(err.status), "sqlstate",
					      err.sqlstate));
			return false;
		}
		if (rows == 0)
			s->end = true;
		write_rows(s, rows);
	}
	if (s->out.oom) {
		nm_log_json(NM_LOG_WARN, "csv export cut",
			    json_pack("{s:s, s:s}", "request_id", s->request_id, "status",
				      "out of memory"));
		return false;
	}
	return true;
}

static long csv_read(void *state, char *buf, size_t max)
{
	struct csv_stream *s = state;
	while (s->sent == s->out.len) {
		if (s->end)
			return 0;
		if (!refill(s))
			return -1;
	}
	size_t n = s->out.len - s->sent;
	if (n > max)
		n = max;
	memcpy(buf, s->out.data + s->sent, n);
	s->sent += n;
	return (long)n;
}

static void csv_done(void *state)
{
	struct csv_stream *s = state;
	nm_store_export_free(s->x);
	nm_buf_free(&s->out);
	free(s);
}

/* Replies the export x (consumed) as a CSV download named filename; bom: ?bom's value. */
static void reply_csv(struct nm_req *r, struct nm_export *x, const char *filename, const char *bom)
{
	struct csv_stream *s = calloc(1, sizeof *s);
	if (!s) {
		nm_store_export_free(x);
		nm_reply_problem(r, NM_P_INTERNAL, NULL, "Out of memory starting the export.");
		return;
	}
	s->x = x;
	snprintf(s->request_id, sizeof s->request_id, "%s", nm_req_request_id(r));
	if (bom && (strcmp(bom, "1") == 0 || strcmp(bom, "true") == 0))
		nm_buf_str(&s->out, NM_CSVOUT_BOM);
	char disp[96];
	snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", filename);
	nm_reply_header(r, "Content-Disposition", disp);
	nm_reply_stream(r, 200, CSV_MEDIA, csv_read, csv_done, s);
}

/* An export that could not start: the failure as a problem (nothing was sent yet). */
static void reply_open_failed(struct nm_req *r, const struct nm_db_err *err)
{
	if (err->status == NM_DB_OK)
		nm_reply_problem(r, NM_P_INTERNAL, NULL, "Out of memory starting the export.");
	else
		nm_reply_db_err(r, err);
}

/* ---- GET /v1/creators.csv: the filters of GET /v1/creators, read by the same code ---- */

/* q matched in the index's text postings (as GET /v1/creators does) rather than by
 * nm_search_hit on every row SQL reads: the matching ids (*ids, caller frees) and f's q
 * left out, or, for a q with a phrase, the candidates with q kept for SQL to check the
 * phrase on them. False (nothing changed) when the index does not serve searches here. */
static bool text_ids_from_index(struct nm_req *r, struct nm_pg *pg, struct nm_creator_search *f,
				int64_t **ids, size_t *n)
{
	*ids = NULL;
	*n = 0;
	struct nm_ts_query tq = {0};
	if (!f->q || !nm_req_config(r)->search_index || !nm_ts_parse(f->q, &tq))
		return false;
	bool ok = tq.n && nm_index_sync(pg) && nm_index_text_ids(&tq, ids, n);
	if (ok && !tq.any_phrase)
		f->q = NULL;
	nm_ts_query_free(&tq);
	return ok;
}

void nm_h_export_creators(struct nm_req *r)
{
	struct nm_creator_search f = {0};
	struct nm_creator_filter_bufs bufs = {0};
	struct nm_pg *pg = nm_creator_filters_parse(r, &f, &bufs) ? nm_req_db(r) : NULL;
	if (pg) {
		struct nm_db_err err;
		int64_t *ids;
		size_t n_ids;
		bool by_ids = text_ids_from_index(r, pg, &f, &ids, &n_ids);
		struct nm_export *x =
			nm_store_export_creators(pg, &f, by_ids ? ids : NULL, n_ids, &err);
		free(ids);
		if (x)
			reply_csv(r, x, "creators.csv", nm_req_query(r, "bom"));
		else
			reply_open_failed(r, &err);
	}
	nm_creator_filter_bufs_free(&bufs);
}

/* True when the words of "{a,b" include w. */
static bool has_word(const char *lit, const char *w)
{
	size_t wl = strlen(w);
	for (const char *p = lit + 1; *p; p += strcspn(p, ","), p += *p == ',')
		if (strncmp(p, w, wl) == 0 && (p[wl] == ',' || p[wl] == '\0'))
			return true;
	return false;
}

/* A list parameter being read into a text[] literal. */
struct list_read {
	const char *(*canon)(const char *v);
	char *lit;
	size_t n, o;
	bool bad;
};

/* One value of the parameter (itself possibly "a,b"): each canonical word once, so the
 * literal stays short whatever the query; a word canon refuses marks the list bad. */
static void list_value(const char *v, void *cls)
{
	struct list_read *l = cls;
	while (*v) {
		size_t len = strcspn(v, ",");
		char word[32];
		snprintf(word, sizeof word, "%.*s", (int)(len < 31 ? len : 31), v);
		const char *c = l->canon(word);
		if (!c)
			l->bad = true;
		else if (!has_word(l->lit, c) && l->o + strlen(c) + 3 < l->n)
			l->o += (size_t)snprintf(l->lit + l->o, l->n - l->o, "%s%s",
						 l->o > 1 ? "," : "", c);
		v += len + (v[len] == ',');
	}
}

/* A repeatable, comma-separated list parameter as a text[] literal of canonical words
 * ({a,b}); NULL when absent, or when a value is not one canon knows (then the 400 is
 * set). canon maps one value (any case) to its canonical word, NULL when unknown. */
static const char *list_literal(struct nm_req *r, const char *name,
				const char *(*canon)(const char *v), char *lit, size_t n)
{
	if (!nm_req_query(r, name))
		return NULL;
	struct list_read l = {canon, lit, n, 1, false};
	strcpy(lit, "{");
	nm_req_query_each(r, name, list_value, &l);
	strcpy(lit + l.o, "}");
	if (!l.bad)
		return lit;
	char msg[64];
	snprintf(msg, sizeof msg, "%s has a value that is not known", name);
	nm_reply_problem(r, NM_P_BAD_QUERY,
			 json_pack("[{s:s,s:s}]", "field", name, "message", "unknown value"), "%s",
			 msg);
	return NULL;
}

static const char *canon_status(const char *v)
{
	static const char *const words[] = {"shortlisted", "contacted", "accepted", "declined",
					    "excluded"};
	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (strcasecmp(v, words[i]) == 0)
			return words[i];
	return NULL;
}

/* The match export's status filter: a pipeline status, or none (no status yet). */
static const char *canon_match_status(const char *v)
{
	return strcasecmp(v, "none") == 0 ? "none" : canon_status(v);
}

/* An ISO 3166-1 alpha-2 country, upper-case; valid until the next call on this thread
 * (list_value copies it at once). */
static const char *canon_country(const char *v)
{
	static _Thread_local char out[3];
	return nm_country_valid(v, out) ? out : NULL;
}

static const char *canon_tier(const char *v)
{
	enum nm_tier t;
	char low[32];
	snprintf(low, sizeof low, "%s", v);
	for (char *p = low; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	return nm_tier_parse(low, &t) ? nm_tier_name(t) : NULL;
}

static const char *canon_platform(const char *v)
{
	enum nm_platform p;
	return nm_platform_parse(v, &p) ? nm_platform_name(p) : NULL;
}

/* GET /v1/brands/{id}/creators.csv[?status=]: the brand's pipeline. */
void nm_h_export_pipeline(struct nm_req *r)
{
	int64_t brand_id = nm_req_id_param(r, 0);
	char statuses[128];
	const char *st = list_literal(r, "status", canon_status, statuses, sizeof statuses);
	if (nm_req_replied(r))
		return;
	struct nm_pg *pg = nm_req_db(r);
	if (!pg || !nm_brand_found(r, pg, brand_id))
		return;
	struct nm_db_err err;
	struct nm_export *x = nm_store_export_pipeline(pg, brand_id, st, &err);
	if (x)
		reply_csv(r, x, "pipeline.csv", nm_req_query(r, "bom"));
	else
		reply_open_failed(r, &err);
}

/* GET /v1/brands/{id}/matches.csv[?run_id=&status=&tier=&platform=&country=&min_score=] */
void nm_h_export_matches(struct nm_req *r)
{
	int64_t brand_id = nm_req_id_param(r, 0);
	const char *run_q = nm_req_query(r, "run_id");
	int64_t run_id = run_q ? strtoll(run_q, NULL, 10) : 0; /* checked by the dispatcher */
	/* Each list holds every canonical word once: 249 countries need 747 bytes. */
	char statuses[128], tiers[128], platforms[256], countries[1024];
	struct nm_match_export_filter f = {
		.statuses =
			list_literal(r, "status", canon_match_status, statuses, sizeof statuses),
		.tiers = list_literal(r, "tier", canon_tier, tiers, sizeof tiers),
		.platforms =
			list_literal(r, "platform", canon_platform, platforms, sizeof platforms),
		.countries = list_literal(r, "country", canon_country, countries, sizeof countries),
		.min_score = nm_req_query(r, "min_score"),
	};
	if (nm_req_replied(r))
		return;
	struct nm_pg *pg = nm_req_db(r);
	if (!pg || !nm_brand_found(r, pg, brand_id))
		return;
	struct nm_db_err err;
	int64_t found;
	if (!nm_store_match_run_find(pg, brand_id, run_id, &found, &err)) {
		if (err.status != NM_DB_NOT_FOUND)
			nm_reply_db_err(r, &err);
		else if (run_id)
			nm_reply_problem(r, NM_P_NOT_FOUND, NULL,
					 "No match run %lld for brand %lld.", (long long)run_id,
					 (long long)brand_id);
		else
			nm_reply_problem(r, NM_P_NOT_FOUND, NULL,
					 "Brand %lld has no match runs yet.", (long long)brand_id);
		return;
	}
	struct nm_export *x = nm_store_export_matches(pg, brand_id, found, &f, &err);
	if (!x) {
		reply_open_failed(r, &err);
		return;
	}
	char run_text[24];
	snprintf(run_text, sizeof run_text, "%lld", (long long)found);
	nm_reply_header(r, "X-Match-Run-Id", run_text);
	reply_csv(r, x, "matches.csv", nm_req_query(r, "bom"));
}
