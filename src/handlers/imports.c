/* Bulk import (SPEC §4): POST /v1/creators/import streams the body through a push
 * parser (CSV/TSV, NDJSON or JSON array), validates each row with the creator model,
 * and COPYs valid rows into a temporary staging table; every BATCH_ROWS rows (or
 * BATCH_BYTES of COPY text) one INSERT ... SELECT ... ON CONFLICT moves them into
 * creators. All of it is one transaction, so an import lands whole or not at all (client
 * gone, server stopped, ?on_error=abort with a bad row). Memory is bounded by one batch
 * of COPY text, one record of the parser and the bounded list of ignored names.
 *
 * Progress is written to the imports row through a second, autocommit connection,
 * so GET /v1/imports/{id} shows it while the import's own transaction is open. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "nm/colmap.h"
#include "nm/creator.h"
#include "nm/csv.h"
#include "nm/db.h"
#include "nm/handlers.h"
#include "nm/log.h"
#include "nm/metrics.h"
#include "nm/ndjson.h"
#include "nm/outbox.h"
#include "nm/store_creators.h"
#include "nm/taxonomy.h"
#include "nm/verr.h"

/* Rows per merge. One batch of COPY text is buffered while the previous batch merges
 * (~15 MB at 25,000 typical rows: demo data is ~600 bytes of COPY text a row). */
#define BATCH_ROWS 25000
/* ...and bytes per merge: rows near every field limit are ~45-75 KB of COPY text, and
 * 25,000 of them buffered during a merge would be ~1.9 GB. 16 MiB keeps a typical batch
 * bound by its rows (no extra merges, so no change in speed) and caps what one import
 * buffers at 16 MiB plus one row; at most db_pool_size / 4 imports run at once. */
#define BATCH_BYTES	    (16u * 1024 * 1024)
#define COPY_FLUSH_BYTES    (256 * 1024)
#define MAX_REPORTED_ERRORS 100
#define MAX_RECORD_BYTES    (1024 * 1024)
#define MAX_COLUMNS	    256
/* Unknown JSON member names listed in the report (as many as CSV columns are read), and
 * the bytes of name text they may take: 256 names of up to 1 MiB each would otherwise be
 * 256 MiB kept for the import and copied into its reply, record and event. */
#define MAX_IGNORED_NAMES 256
#define MAX_IGNORED_BYTES (64 * 1024)
#define PROGRESS_EVERY_S  1

enum format { F_CSV, F_TSV, F_NDJSON, F_JSON };

/* Imports running in this process. Each holds two pooled connections for as long as its
 * body takes to arrive, and a slow or stalled client keeps them until the inactivity
 * timeout. Without a cap, eight stalled uploads with a write key took the whole default
 * pool of 16 and every other DB route (and /readyz) answered 503 after the acquisition
 * timeout. At most a quarter of the pool's size may run at once (half its connections);
 * beyond that the import is refused with 429 + Retry-After before its body is read. */
static atomic_int running_imports;
static const char *const format_names[] = {"csv", "tsv", "ndjson", "json"};

struct import {
	struct nm_req *r;
	struct nm_pg *pg;   /* the import's transaction (the request's connection) */
	struct nm_pg *side; /* autocommit: the imports row and its progress */
	char id[24];
	enum format fmt;
	bool abort_on_error;
	char platform[16]; /* ?platform= canonical name, "" when absent */

	struct nm_csv *csv;
	struct nm_ndjson *nd;
	struct nm_jsonarr *ja;
	int stop_code; /* a parser-level failure (not a row error) */
	char stop_msg[256];

	/* CSV header mapping */
	bool have_header;
	const char *fields[MAX_COLUMNS];
	size_t n_fields;
	json_t *ignored;	 /* array of ignored column names, in order */
	struct nm_names unknown; /* unknown JSON member names, bounded */
	bool csv_truncated;	 /* the header had columns past MAX_COLUMNS */

	long long received, inserted, updated, rejected, staged, batch_rows;
	size_t batch_bytes; /* COPY text of the current batch, sent or buffered */
	unsigned long long bytes;
	json_t *errors; /* first MAX_REPORTED_ERRORS {line, field, message} */

	bool copy_open;
	bool merging;		/* a merge was sent and its result is pending */
	long long merging_rows; /* rows of that merge */
	bool db_failed;		/* the transaction is lost: finish reading, then 503 */
	char *copybuf;
	size_t copylen, copycap;
	time_t last_progress;
};

/* ------------------------------------------------------------------ SQL */

static struct nm_sql q_create = {
	"imports_create",
	"INSERT INTO imports (api_key_id, format, on_error, default_platform) "
	"VALUES ($1, $2, $3, $4) RETURNING id",
	4, 0};
static struct nm_sql q_progress = {
	"imports_progress",
	"UPDATE imports SET received = $2, rejected = $3, bytes = $4, heartbeat_at = now() "
	"WHERE id = $1",
	4, 0};
static struct nm_sql q_finish = {
	"imports_finish",
	"UPDATE imports SET status = $2, received = $3, inserted = $4, updated = $5, rejected = "
	"$6, "
	"bytes = $7, errors = $8::jsonb, ignored_columns = $9::jsonb, failure = $10, "
	"ignored_columns_truncated = $11, "
	"finished_at = clock_timestamp(), heartbeat_at = clock_timestamp() WHERE id = $1 "
	"RETURNING " NM_SQL_TS("created_at") ", " NM_SQL_TS("finished_at"),
	11, 0};

#define STAGE_COLS                                                                                 \
	"seq bigint, platform text, handle text, display_name text, profile_url text, "            \
	"email text, followers bigint, following bigint, posts_count bigint, avg_likes float8, "   \
	"avg_comments float8, avg_shares float8, avg_views float8, engagement_rate float8, "       \
	"engagement_derived boolean, categories text[], hashtags text[], bio text, country text, " \
	"language text, audience_countries jsonb, audience_female_share float8, "                  \
	"price_per_post_cents bigint, follower_growth_30d float8, last_post_at timestamptz, "      \
	"external_id text"

/* Sent asynchronously with PQsendQuery (nm_db_exec would wait); the struct keeps the
 * text beside the other statements. */
static struct nm_sql q_merge = {
	"imports_merge",
	"WITH src AS (SELECT DISTINCT ON (platform, handle) * FROM nm_import_stage "
	"  ORDER BY platform, handle, seq DESC), "
	"up AS (INSERT INTO creators AS c (" NM_CREATOR_COLUMNS ") "
	"  SELECT " NM_CREATOR_COLUMNS " FROM src ORDER BY platform, handle "
	"  ON CONFLICT (platform, handle) DO UPDATE SET " NM_CREATOR_UPDATE_SET
	"  WHERE " NM_CREATOR_CHANGED "  RETURNING (xmax = 0) AS ins) "
	"SELECT count(*) FILTER (WHERE ins) FROM up",
	0, 0};

/* ------------------------------------------------------------------ helpers */

static bool exec_ok(struct import *im, const char *sql)
{
	PGresult *res = nm_db_exec_simple(im->pg, sql);
	bool ok = nm_db_ok(res);
	if (!ok) {
		char safe[NM_DB_ERR_SAFE_MAX];
		nm_log(NM_LOG_WARN, "import %s: %s: %s", im->id, sql,
		       nm_db_error_safe(res, nm_db_conn(im->pg), safe, sizeof safe));
	}
	PQclear(res);
	return ok;
}

static void fail_db(struct import *im, const char *what)
{
	char safe[NM_DB_ERR_SAFE_MAX];
	if (!im->db_failed)
		nm_log(NM_LOG_WARN, "import %s: database failure during %s: %s", im->id, what,
		       nm_db_error_safe(NULL, nm_db_conn(im->pg), safe, sizeof safe));
	im->db_failed = true;
}

static bool copy_start(struct import *im)
{
	PGresult *res = nm_db_exec_simple(im->pg, "COPY nm_import_stage FROM STDIN");
	bool ok = PQresultStatus(res) == PGRES_COPY_IN;
	PQclear(res);
	if (!ok)
		fail_db(im, "COPY");
	im->copy_open = ok;
	return ok;
}

/* Sends the buffered COPY text in COPY_FLUSH_BYTES messages: libpq grows its output
 * buffer to hold a whole message, so one message of a batch buffered during a merge
 * (up to BATCH_BYTES) would hold the batch a second time. */
static void copy_flush_buffer(struct import *im)
{
	if (!im->copylen || im->db_failed)
		return;
	PGconn *c = nm_db_conn(im->pg);
	for (size_t off = 0; off < im->copylen;) {
		size_t n =
			im->copylen - off < COPY_FLUSH_BYTES ? im->copylen - off : COPY_FLUSH_BYTES;
		if (PQputCopyData(c, im->copybuf + off, (int)n) != 1) {
			fail_db(im, "COPY data");
			break;
		}
		off += n;
	}
	im->copylen = 0;
}

/* Waits for the merge in flight and books its counts; the stage is emptied for the
 * next batch. */
static void finish_merge(struct import *im)
{
	if (!im->merging)
		return;
	im->merging = false;
	PGconn *c = nm_db_conn(im->pg);
	PGresult *res;
	char safe[NM_DB_ERR_SAFE_MAX];
	long long ins = -1;
	while ((res = PQgetResult(c))) {
		if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
			ins = nm_db_i64(res, 0, 0);
		else if (!nm_db_ok(res))
			nm_log(NM_LOG_WARN, "import %s: merge: %s", im->id,
			       nm_db_error_safe(res, c, safe, sizeof safe));
		PQclear(res);
	}
	if (ins < 0) {
		fail_db(im, "merge");
		return;
	}
	/* Rows that matched an existing creator count as updated whether or not anything
	 * changed (SPEC §4): only the inserts are read back. */
	im->inserted += ins;
	im->updated += im->merging_rows - ins;
	nm_metrics_add("nichematch_import_rows_total", "Rows read by bulk imports by outcome.",
		       "outcome=\"stored\"", (double)im->merging_rows);
	if (!exec_ok(im, "TRUNCATE nm_import_stage"))
		fail_db(im, "truncate");
}

/* Moves the current batch into creators: COPY what is still buffered, end the COPY and
 * send the merge. Without wait the merge runs while the caller parses the next batch
 * (PostgreSQL merges on one core while this thread parses on the other); the next call
 * waits for it first. */
static void flush_batch(struct import *im, bool wait)
{
	finish_merge(im);
	if (im->db_failed)
		return;
	if (!im->copy_open && !copy_start(im))
		return;
	copy_flush_buffer(im);
	PGconn *c = nm_db_conn(im->pg);
	im->copy_open = false;
	if (PQputCopyEnd(c, NULL) != 1) {
		fail_db(im, "COPY end");
		return;
	}
	PGresult *res;
	char safe[NM_DB_ERR_SAFE_MAX];
	bool ok = true;
	while ((res = PQgetResult(c))) {
		if (!nm_db_ok(res)) {
			ok = false;
			nm_log(NM_LOG_WARN, "import %s: COPY: %s", im->id,
			       nm_db_error_safe(res, c, safe, sizeof safe));
		}
		PQclear(res);
	}
	if (!ok) {
		fail_db(im, "COPY");
		return;
	}
	if (im->batch_rows > 0) {
		if (!PQsendQuery(c, q_merge.sql)) {
			fail_db(im, "merge");
			return;
		}
		im->merging = true;
		im->merging_rows = im->batch_rows;
		im->batch_rows = 0;
	}
	im->batch_bytes = 0;
	if (wait)
		finish_merge(im);
}

static void progress(struct import *im, bool force)
{
	time_t now = time(NULL);
	if (!im->side || (!force && now - im->last_progress < PROGRESS_EVERY_S))
		return;
	im->last_progress = now;
	char rec[24], rej[24], bytes[24];
	snprintf(rec, sizeof rec, "%lld", im->received);
	snprintf(rej, sizeof rej, "%lld", im->rejected);
	snprintf(bytes, sizeof bytes, "%llu", im->bytes);
	const char *p[] = {im->id, rec, rej, bytes};
	PQclear(nm_db_exec(im->side, &q_progress, p));
}

static void add_error(struct import *im, long long line, const char *field, const char *msg)
{
	if (json_array_size(im->errors) >= MAX_REPORTED_ERRORS)
		return;
	json_t *e = json_object();
	json_object_set_new(e, "line", json_integer(line));
	json_object_set_new(e, "field", field ? json_string(field) : json_null());
	json_object_set_new(e, "message", json_string(msg));
	json_array_append_new(im->errors, e);
}

/* One parsed row (an object from any format): validate, stage or reject. */
static void take_row(struct import *im, long long line, const json_t *obj)
{
	im->received++;
	json_t *errs = json_array();
	struct nm_creator c;
	bool ok = nm_creator_from_row(obj, im->platform[0] ? im->platform : NULL, &c, errs,
				      im->fmt == F_CSV || im->fmt == F_TSV ? NULL : &im->unknown);
	if (!ok) {
		im->rejected++;
		size_t i;
		json_t *e;
		json_array_foreach(errs, i, e)
		{
			add_error(im, line, json_string_value(json_object_get(e, "field")),
				  json_string_value(json_object_get(e, "message")));
		}
		json_decref(errs);
		return;
	}
	json_decref(errs);
	if (im->abort_on_error && im->rejected) {
		nm_creator_clear(&c); /* nothing will be written: skip the work */
		return;
	}
	if (!im->db_failed) {
		size_t before = im->copylen;
		if (!nm_creator_copy_line(&c, im->received, &im->copybuf, &im->copylen,
					  &im->copycap))
			fail_db(im, "out of memory");
		im->staged++;
		im->batch_rows++;
		im->batch_bytes += im->copylen - before;
		/* Stream to PostgreSQL while it is free; during a merge, buffer. */
		if (!im->merging && im->copylen >= COPY_FLUSH_BYTES &&
		    (im->copy_open || copy_start(im)))
			copy_flush_buffer(im);
		if (im->batch_rows >= BATCH_ROWS || im->batch_bytes >= BATCH_BYTES)
			flush_batch(im, false);
	}
	nm_creator_clear(&c);
}

static void reject(struct import *im, long long line, const char *field, const char *msg)
{
	im->received++;
	im->rejected++;
	add_error(im, line, field, msg);
}

/* ------------------------------------------------------------------ parser callbacks */

static int on_csv_record(void *cls, size_t line, size_t n, const char *const *cells,
			 const size_t *lens)
{
	struct import *im = cls;
	if (!im->have_header) {
		im->have_header = true;
		im->n_fields = n < MAX_COLUMNS ? n : MAX_COLUMNS;
		im->csv_truncated = n > MAX_COLUMNS; /* not read, so not listed */
		for (size_t i = 0; i < im->n_fields; i++) {
			im->fields[i] = nm_colmap_field(cells[i], lens[i]);
			if (!im->fields[i] && lens[i])
				json_array_append_new(im->ignored, json_stringn(cells[i], lens[i]));
		}
		return 0;
	}
	size_t filled = 0;
	for (size_t i = 0; i < n; i++)
		filled += lens[i] != 0;
	if (filled == 0)
		return 0; /* ",,,": the empty rows spreadsheets leave below the data */
	json_t *obj = nm_colmap_row(im->fields, im->n_fields, n, cells, lens);
	if (!obj) {
		reject(im, (long long)line, NULL, "out of memory");
		return 0;
	}
	take_row(im, (long long)line, obj);
	json_decref(obj);
	progress(im, false);
	return 0;
}

static int on_element(void *cls, size_t pos, json_t *value, const char *err)
{
	struct import *im = cls;
	if (!value)
		reject(im, (long long)pos, NULL, err ? err : "invalid JSON");
	else if (!json_is_object(value))
		reject(im, (long long)pos, NULL, "expected a JSON object");
	else
		take_row(im, (long long)pos, value);
	progress(im, false);
	return 0;
}

/* ------------------------------------------------------------------ lifecycle */

static void import_free(struct import *im)
{
	if (im->csv)
		nm_csv_free(im->csv);
	if (im->nd)
		nm_ndjson_free(im->nd);
	if (im->ja)
		nm_jsonarr_free(im->ja);
	json_decref(im->ignored);
	nm_names_free(&im->unknown);
	json_decref(im->errors);
	free(im->copybuf);
	if (im->side)
		nm_db_release(im->side);
	free(im);
	atomic_fetch_sub(&running_imports, 1);
}

static bool content_is(const char *ct, const char *want)
{
	size_t n = strlen(want);
	return ct && strncasecmp(ct, want, n) == 0 &&
	       (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static bool pick_format(struct nm_req *r, enum format *f)
{
	const char *ct = nm_req_header(r, "Content-Type");
	if (content_is(ct, "text/csv"))
		*f = F_CSV;
	else if (content_is(ct, "text/tab-separated-values"))
		*f = F_TSV;
	else if (content_is(ct, "application/x-ndjson") || content_is(ct, "application/ndjson") ||
		 content_is(ct, "application/jsonl"))
		*f = F_NDJSON;
	else if (content_is(ct, "application/json"))
		*f = F_JSON;
	else
		return false;
	return true;
}

/* Ignored names for the report: CSV columns in header order, or unknown JSON members
 * in the order first seen; at most MAX_IGNORED_NAMES either way. New reference. */
static json_t *ignored_names(const struct import *im)
{
	if (im->fmt != F_JSON && im->fmt != F_NDJSON)
		return json_incref(im->ignored);
	json_t *a = json_array();
	const char *k;
	json_t *v;
	json_object_foreach(im->unknown.names, k, v) json_array_append_new(a, json_string(k));
	return a;
}

/* More names were ignored than the report lists. */
static bool ignored_truncated(const struct import *im)
{
	return im->csv_truncated || im->unknown.truncated;
}

static void mark_failed(struct import *im, const char *why)
{
	if (!im->side)
		return;
	char rec[24], ins[24] = "0", upd[24] = "0", rej[24], bytes[24];
	snprintf(bytes, sizeof bytes, "%llu", im->bytes);
	snprintf(rec, sizeof rec, "%lld", im->received);
	snprintf(rej, sizeof rej, "%lld", im->rejected);
	char *errs = json_dumps(im->errors, JSON_COMPACT);
	json_t *names = ignored_names(im);
	char *ign = json_dumps(names, JSON_COMPACT);
	json_decref(names);
	const char *p[] = {im->id,
			   "failed",
			   rec,
			   ins,
			   upd,
			   rej,
			   bytes,
			   errs,
			   ign,
			   why,
			   ignored_truncated(im) ? "true" : "false"};
	PQclear(nm_db_exec(im->side, &q_finish, p));
	free(errs);
	free(ign);
}

static void import_begin(struct nm_req *r)
{
	if (nm_req_auth(r)->brand_id) {
		nm_reply_problem(
			r, NM_P_FORBIDDEN, NULL,
			"A key bound to a brand reads the creator pool but cannot import.");
		return;
	}
	enum format fmt;
	if (!pick_format(r, &fmt)) {
		nm_reply_problem(
			r, NM_P_UNSUPPORTED_MEDIA_TYPE, NULL,
			"Send text/csv, text/tab-separated-values, application/x-ndjson or "
			"application/json (an array).");
		return;
	}
	const char *on_error = nm_req_query(r, "on_error");
	if (on_error && strcmp(on_error, "abort") != 0 && strcmp(on_error, "skip") != 0) {
		nm_reply_problem(r, NM_P_BAD_QUERY,
				 json_pack("[{s:s,s:s}]", "field", "on_error", "message",
					   "must be skip or abort"),
				 "on_error must be skip or abort");
		return;
	}
	const char *platform = nm_req_query(r, "platform");
	enum nm_platform pl;
	if (platform && !nm_platform_parse(platform, &pl)) {
		nm_reply_problem(r, NM_P_BAD_QUERY,
				 json_pack("[{s:s,s:s}]", "field", "platform", "message",
					   "unknown platform"),
				 "platform is not one of the known platforms");
		return;
	}
	int max_imports = nm_req_config(r)->db_pool_size / 4;
	if (max_imports < 1)
		max_imports = 1;
	if (atomic_fetch_add(&running_imports, 1) >= max_imports) {
		atomic_fetch_sub(&running_imports, 1);
		nm_reply_header(r, "Retry-After", "5");
		nm_reply_problem(r, NM_P_RATE_LIMITED, NULL,
				 "%d imports are already running on this server; retry shortly.",
				 max_imports);
		return;
	}
	struct nm_pg *pg = nm_req_db(r);
	if (!pg) {
		atomic_fetch_sub(&running_imports, 1);
		return;
	}
	struct import *im = calloc(1, sizeof *im);
	if (!im) {
		atomic_fetch_sub(&running_imports, 1);
		nm_reply_problem(r, NM_P_INTERNAL, NULL, "Out of memory.");
		return;
	}
	im->r = r;
	im->pg = pg;
	im->fmt = fmt;
	im->abort_on_error = on_error && strcmp(on_error, "abort") == 0;
	if (platform)
		snprintf(im->platform, sizeof im->platform, "%s", nm_platform_name(pl));
	im->ignored = json_array();
	im->errors = json_array();
	if (!im->ignored || !im->errors ||
	    !nm_names_init(&im->unknown, MAX_IGNORED_NAMES, MAX_IGNORED_BYTES)) {
		import_free(im);
		nm_reply_problem(r, NM_P_INTERNAL, NULL, "Out of memory.");
		return;
	}
	im->side = nm_db_acquire();
	if (!im->side) {
		import_free(im);
		nm_reply_db_down(r);
		return;
	}
	char kid[24];
	snprintf(kid, sizeof kid, "%lld", (long long)nm_req_auth(r)->key_id);
	const char *p[] = {kid, format_names[fmt], im->abort_on_error ? "abort" : "skip",
			   im->platform[0] ? im->platform : NULL};
	PGresult *res = nm_db_exec(im->side, &q_create, p);
	if (!nm_db_ok(res)) {
		nm_reply_db_error(r, res);
		PQclear(res);
		import_free(im);
		return;
	}
	snprintf(im->id, sizeof im->id, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	/* The import runs as long as its body takes to arrive; per-statement limits
	 * still apply to each batch. */
	if (!nm_db_begin(pg) || !exec_ok(im, "SET LOCAL statement_timeout = '120s'") ||
	    !exec_ok(im, "CREATE TEMP TABLE nm_import_stage (" STAGE_COLS ") ON COMMIT DROP") ||
	    !copy_start(im)) {
		mark_failed(im, "database unavailable at start");
		import_free(im);
		nm_reply_db_down(r);
		return;
	}
	switch (fmt) {
	case F_CSV:
		break; /* created on the first chunk, once the delimiter is sniffed */
	case F_TSV:
		im->csv = nm_csv_new('\t', MAX_RECORD_BYTES, on_csv_record, im);
		break;
	case F_NDJSON:
		im->nd = nm_ndjson_new(MAX_RECORD_BYTES, 32, on_element, im);
		break;
	case F_JSON:
		im->ja = nm_jsonarr_new(MAX_RECORD_BYTES, 32, on_element, im);
		break;
	}
	im->last_progress = time(NULL);
	nm_req_set_state(r, im);
}

static void import_chunk(struct nm_req *r, const char *data, size_t len)
{
	struct import *im = nm_req_state(r);
	if (!im || im->stop_code)
		return;
	im->bytes += len;
	if (im->fmt == F_CSV && !im->csv) {
		/* Exports labelled text/csv are often ';'-separated (European Excel). */
		char delim = nm_csv_sniff_delim(data, len, ',');
		im->csv = nm_csv_new(delim, MAX_RECORD_BYTES, on_csv_record, im);
		if (!im->csv) {
			im->stop_code = -1;
			snprintf(im->stop_msg, sizeof im->stop_msg, "out of memory");
			return;
		}
	}
	int rc = 0;
	if (im->csv)
		rc = nm_csv_feed(im->csv, data, len);
	else if (im->nd)
		rc = nm_ndjson_feed(im->nd, data, len);
	else if (im->ja)
		rc = nm_jsonarr_feed(im->ja, data, len);
	if (rc) {
		im->stop_code = rc;
		if (rc == NM_CSV_TOO_LONG)
			snprintf(im->stop_msg, sizeof im->stop_msg,
				 "a CSV record is longer than %d bytes (an unclosed quote?)",
				 MAX_RECORD_BYTES);
		else if (im->ja)
			snprintf(im->stop_msg, sizeof im->stop_msg, "%s", nm_jsonarr_error(im->ja));
		else
			snprintf(im->stop_msg, sizeof im->stop_msg, "the body could not be parsed");
	}
}

static json_t *report(struct import *im, const char *status)
{
	return json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:I, s:O, s:o, s:b}", "id",
			 (json_int_t)strtoll(im->id, NULL, 10), "status", status, "format",
			 format_names[im->fmt], "received", (json_int_t)im->received, "inserted",
			 (json_int_t)im->inserted, "updated", (json_int_t)im->updated, "rejected",
			 (json_int_t)im->rejected, "errors", im->errors, "ignored_columns",
			 ignored_names(im), "ignored_columns_truncated", ignored_truncated(im));
}

static void import_end(struct nm_req *r)
{
	struct import *im = nm_req_state(r);
	nm_req_set_state(r, NULL);
	if (!im) {
		nm_reply_problem(r, NM_P_INTERNAL, NULL, "The import lost its state.");
		return;
	}
	if (!im->stop_code && (im->csv || im->nd || im->ja)) {
		int rc = im->csv  ? nm_csv_finish(im->csv)
			 : im->nd ? nm_ndjson_finish(im->nd)
				  : nm_jsonarr_finish(im->ja);
		if (rc) {
			im->stop_code = rc;
			snprintf(im->stop_msg, sizeof im->stop_msg, "%s",
				 im->ja ? nm_jsonarr_error(im->ja)
					: "the body could not be parsed");
		}
	}
	if (im->stop_code) {
		nm_db_rollback(im->pg);
		mark_failed(im, im->stop_msg);
		nm_reply_problem(r, im->fmt == F_JSON ? NM_P_BAD_JSON : NM_P_BAD_REQUEST, NULL,
				 "Import %s failed: %s. Nothing was imported.", im->id,
				 im->stop_msg);
		import_free(im);
		return;
	}
	if (im->abort_on_error && im->rejected) {
		nm_db_rollback(im->pg);
		mark_failed(im, "rejected rows with on_error=abort");
		json_t *errs = json_incref(im->errors);
		nm_reply_problem(
			r, NM_P_VALIDATION, errs,
			"Import %s aborted: %lld of %lld rows are invalid (on_error=abort); "
			"nothing was imported.",
			im->id, im->rejected, im->received);
		import_free(im);
		return;
	}
	flush_batch(im, true);
	json_t *rep = report(im, "completed");
	char rec[24], ins[24], upd[24], rej[24], bytes[24];
	snprintf(bytes, sizeof bytes, "%llu", im->bytes);
	snprintf(rec, sizeof rec, "%lld", im->received);
	snprintf(ins, sizeof ins, "%lld", im->inserted);
	snprintf(upd, sizeof upd, "%lld", im->updated);
	snprintf(rej, sizeof rej, "%lld", im->rejected);
	char *errs = json_dumps(im->errors, JSON_COMPACT);
	char *ign = json_dumps(json_object_get(rep, "ignored_columns"), JSON_COMPACT);
	/* The completed record and the event commit with the rows, or none of them do. */
	const char *p[] = {im->id,
			   "completed",
			   rec,
			   ins,
			   upd,
			   rej,
			   bytes,
			   errs,
			   ign,
			   NULL,
			   ignored_truncated(im) ? "true" : "false"};
	PGresult *res = im->db_failed ? NULL : nm_db_exec(im->pg, &q_finish, p);
	bool ok = res && nm_db_ok(res);
	if (ok) {
		json_object_set_new(rep, "created_at", json_string(PQgetvalue(res, 0, 0)));
		json_object_set_new(rep, "finished_at", json_string(PQgetvalue(res, 0, 1)));
	}
	PQclear(res);
	free(errs);
	free(ign);
	ok = ok && nm_outbox_emit(im->pg, "import.completed", rep) && nm_db_commit(im->pg);
	if (!ok) {
		nm_db_rollback(im->pg);
		mark_failed(im, "database failure");
		json_decref(rep);
		nm_reply_db_down(r);
		import_free(im);
		return;
	}
	nm_metrics_add("nichematch_import_rows_total", "Rows read by bulk imports by outcome.",
		       "outcome=\"rejected\"", (double)im->rejected);
	char loc[48];
	snprintf(loc, sizeof loc, "/v1/imports/%s", im->id);
	nm_reply_header(r, "Location", loc);
	nm_reply_json(r, 201, rep);
	import_free(im);
}

static void import_abort(struct nm_req *r)
{
	struct import *im = nm_req_state(r);
	nm_req_set_state(r, NULL);
	if (!im)
		return;
	PGconn *c = nm_db_conn(im->pg);
	if (im->merging) {
		/* Do not wait for a merge whose work is about to be rolled back. */
		PGcancel *cancel = PQgetCancel(c);
		char err[128];
		if (cancel) {
			PQcancel(cancel, err, sizeof err);
			PQfreeCancel(cancel);
		}
	}
	if (im->copy_open)
		PQputCopyEnd(c, "import aborted");
	PGresult *res;
	while ((res = PQgetResult(c)))
		PQclear(res);
	nm_db_rollback(im->pg);
	mark_failed(im, nm_req_cut_reason(r)
				? "the body arrived slower than NICHEMATCH_IMPORT_MIN_BYTES_PER_S"
				: "the client disconnected or the server stopped before the body "
				  "ended");
	nm_log(NM_LOG_WARN, "import %s aborted after %lld rows; nothing was written", im->id,
	       im->received);
	import_free(im);
}

const struct nm_stream_ops nm_import_stream = {import_begin, import_chunk, import_end,
					       import_abort};

/* ------------------------------------------------------------------ reading imports */

#define IMPORT_COLS                                                                                \
	"id, CASE WHEN status = 'running' AND heartbeat_at < now() - interval '2 minutes' "        \
	"THEN 'failed' ELSE status END, format, on_error, default_platform, received, inserted, "  \
	"updated, rejected, errors, ignored_columns, failure, " NM_SQL_TS(                         \
		"created_at") ", " NM_SQL_TS("finished_at") ", ignored_columns_truncated"

static struct nm_sql q_get = {"imports_get", "SELECT " IMPORT_COLS " FROM imports WHERE id = $1", 1,
			      0};
static struct nm_sql q_list = {
	"imports_list", "SELECT " IMPORT_COLS " FROM imports WHERE id > $1 ORDER BY id LIMIT $2", 2,
	0};

static json_t *import_row(const PGresult *res, int i)
{
	json_t *errs = json_loads(PQgetvalue(res, i, 9), 0, NULL);
	json_t *ign = json_loads(PQgetvalue(res, i, 10), 0, NULL);
	return json_pack(
		"{s:I, s:s, s:s, s:s, s:s?, s:I, s:I, s:I, s:I, s:o, s:o, s:b, s:s?, s:s, s:s?}",
		"id", (json_int_t)nm_db_i64(res, i, 0), "status", PQgetvalue(res, i, 1), "format",
		PQgetvalue(res, i, 2), "on_error", PQgetvalue(res, i, 3), "platform",
		nm_db_str(res, i, 4), "received", (json_int_t)nm_db_i64(res, i, 5), "inserted",
		(json_int_t)nm_db_i64(res, i, 6), "updated", (json_int_t)nm_db_i64(res, i, 7),
		"rejected", (json_int_t)nm_db_i64(res, i, 8), "errors", errs ? errs : json_array(),
		"ignored_columns", ign ? ign : json_array(), "ignored_columns_truncated",
		strcmp(PQgetvalue(res, i, 14), "t") == 0, "failure", nm_db_str(res, i, 11),
		"created_at", PQgetvalue(res, i, 12), "finished_at", nm_db_str(res, i, 13));
}

/* GET /v1/imports/{id} */
void nm_h_imports_get(struct nm_req *r)
{
	PGresult *res = nm_fetch_by_id(r, &q_get, "import");
	if (res)
		nm_reply_json(r, 200, import_row(res, 0));
	PQclear(res);
}

/* GET /v1/imports */
void nm_h_imports_list(struct nm_req *r)
{
	nm_reply_list(r, &q_list, import_row);
}
