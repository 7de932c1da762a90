/* Bulk import (docs/api.md §4): POST /v1/creators/import streams the body through a push
 * parser picked by Content-Type (nm/import_parser.h: CSV/TSV, NDJSON or JSON array),
 * validates each row with the creator model, and hands valid rows to the store's
 * staging protocol (nm/store_imports.h: COPY into a staging table, batched merges into
 * creators, all in one transaction, so an import lands whole or not at all: client gone,
 * server stopped, ?on_error=abort with a bad row). Memory is bounded by one batch of
 * COPY text, one record of the parser and the bounded list of ignored names.
 *
 * Progress is written to the imports row through a second, autocommit connection,
 * so GET /v1/imports/{id} shows it while the import's own transaction is open. That
 * connection also holds the import's lease (nm/store_imports.h), so that an import whose
 * server dies is marked failed by the reaper (nm/import_reaper.h).
 *
 * Browser uploads (docs/api.md §4): a body whose Content-Type names no format we read
 * (application/vnd.ms-excel, text/plain, application/octet-stream) is sniffed from its
 * first bytes; multipart/form-data is read with libmicrohttpd's post processor, still
 * streamed, and its one file part is the body. The import's row, transaction and parser
 * are then made when the format is known (start()), on the first bytes of the body.
 * POST /v1/imports makes a pending import whose id a client knows before it sends the
 * body with PUT /v1/imports/{id}/body. */
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "nm/colmap.h"
#include "nm/creator.h"
#include "nm/handlers.h"
#include "nm/import_parser.h"
#include "nm/log.h"
#include "nm/metrics.h"
#include "nm/store.h"
#include "nm/store_imports.h"
#include "nm/taxonomy.h"
#include "nm/verr.h"

#define MAX_REPORTED_ERRORS 100
#define MAX_RECORD_BYTES    (1024 * 1024)
#define MAX_COLUMNS	    256
/* Unknown JSON member names listed in the report (as many as CSV columns are read), and
 * the bytes of name text they may take: 256 names of up to 1 MiB each would otherwise be
 * 256 MiB kept for the import and copied into its reply, record and event. */
#define MAX_IGNORED_NAMES 256
#define MAX_IGNORED_BYTES (64 * 1024)
#define PROGRESS_EVERY_S  1

/* Imports running in this process. Each holds two pooled connections for as long as its
 * body takes to arrive, and a slow or stalled client keeps them until the inactivity
 * timeout. Without a cap, eight stalled uploads with a write key took the whole default
 * pool of 16 and every other DB route (and /readyz) answered 503 after the acquisition
 * timeout. At most a quarter of the pool's size may run at once (half its connections);
 * beyond that the import is refused with 429 + Retry-After before its body is read. */
static atomic_int running_imports;

/* libmicrohttpd's multipart buffer: a part's data reaches the parser in pieces of up to
 * this size. */
#define MULTIPART_BUFFER (64 * 1024)

struct import {
	struct nm_req *r;
	struct nm_pg *pg;	 /* the request's connection */
	struct nm_import_tx *tx; /* the import's transaction (on pg) */
	struct nm_pg *side;	 /* autocommit: the imports row, its progress and lease */
	char id[24];		 /* "" until the imports row exists */
	int64_t key_id;
	bool pending;		    /* PUT /v1/imports/{id}/body: the row exists, pending */
	bool started;		    /* the row is running, the transaction and parser made */
	struct nm_db_err start_err; /* why start() failed (dead: the body is dropped) */
	bool dead;
	/* NULL until known: from Content-Type, a part's Content-Type or file name, or a
	 * sniff of the first NM_IMPORT_SNIFF_BYTES. */
	const struct nm_import_parser_ops *ops;
	char *sniff; /* the first bytes while the format is sniffed */
	size_t sniff_len;
	/* multipart/form-data */
	struct MHD_PostProcessor *pp;
	int file_parts;
	bool part_open; /* a file part is being read */
	unsigned long long part_bytes;
	char body_problem[160]; /* a multipart body that is not one file: why */
	struct nm_import_parser *parser;
	struct nm_import_sink sink;
	bool abort_on_error;
	char platform[16]; /* ?platform= canonical name, "" when absent */

	int stop_code; /* a parser-level failure (not a row error) */
	char stop_msg[256];

	/* CSV header mapping */
	bool have_header;
	const char *fields[MAX_COLUMNS];
	size_t n_fields;
	json_t *ignored;	 /* array of ignored column names, in order */
	struct nm_names unknown; /* unknown JSON member names, bounded */
	bool csv_truncated;	 /* the header had columns past MAX_COLUMNS */

	long long received, inserted, updated, rejected;
	unsigned long long bytes;
	json_t *errors; /* first MAX_REPORTED_ERRORS {line, field, message} */
	time_t last_progress;
};

/* ------------------------------------------------------------------ rows */

static void progress(struct import *im, bool force)
{
	time_t now = time(NULL);
	if (!im->side || (!force && now - im->last_progress < PROGRESS_EVERY_S))
		return;
	im->last_progress = now;
	nm_store_import_progress(im->side, im->id, im->received, im->rejected, im->bytes);
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
				      im->ops->json_rows ? &im->unknown : NULL);
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
	nm_store_import_stage(im->tx, &c, im->received);
	nm_creator_clear(&c);
}

static void reject(struct import *im, long long line, const char *field, const char *msg)
{
	im->received++;
	im->rejected++;
	add_error(im, line, field, msg);
}

/* ------------------------------------------------------------------ parser sink */

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
	if (im->pp)
		MHD_destroy_post_processor(im->pp);
	if (im->parser)
		im->ops->destroy(im->parser);
	nm_store_import_free(im->tx);
	json_decref(im->ignored);
	nm_names_free(&im->unknown);
	json_decref(im->errors);
	nm_store_import_release(im->side, im->id);
	free(im->sniff);
	free(im);
	atomic_fetch_sub(&running_imports, 1);
}

static bool content_is(const char *ct, const char *want)
{
	size_t n = strlen(want);
	return ct && strncasecmp(ct, want, n) == 0 &&
	       (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* How the body's format is found. */
enum body_kind { BODY_REFUSED, BODY_NAMED, BODY_SNIFFED, BODY_MULTIPART };

static enum body_kind body_kind(struct nm_req *r, const struct nm_import_parser_ops **ops)
{
	const char *ct = nm_req_header(r, "Content-Type");
	if ((*ops = nm_import_by_media(ct)))
		return BODY_NAMED;
	if (nm_import_sniffable_media(ct))
		return BODY_SNIFFED;
	if (content_is(ct, "multipart/form-data"))
		return BODY_MULTIPART;
	return BODY_REFUSED;
}

/* Ignored names for the report: CSV columns in header order, or unknown JSON members
 * in the order first seen; at most MAX_IGNORED_NAMES either way. New reference. */
static json_t *ignored_names(const struct import *im)
{
	if (!im->ops->json_rows)
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

/* The imports row's fields for status; errors and ignored are JSON text the caller
 * frees. */
static struct nm_import_record record_of(const struct import *im, const char *status,
					 const char *failure, const json_t *ignored)
{
	return (struct nm_import_record){
		.id = im->id,
		.status = status,
		.received = im->received,
		.inserted = im->inserted,
		.updated = im->updated,
		.rejected = im->rejected,
		.bytes = im->bytes,
		.errors = json_dumps(im->errors, JSON_COMPACT),
		.ignored = json_dumps(ignored, JSON_COMPACT),
		.failure = failure,
		.ignored_truncated = ignored_truncated(im),
	};
}

static void record_free(struct nm_import_record *rec)
{
	free((char *)rec->errors);
	free((char *)rec->ignored);
}

static void mark_failed(struct import *im, const char *why)
{
	if (!im->side || !im->ops)
		return;
	json_t *names = ignored_names(im);
	/* Nothing was written: a failed import records no inserts or updates. */
	struct nm_import_record rec = record_of(im, "failed", why, names);
	rec.inserted = rec.updated = 0;
	json_decref(names);
	nm_store_import_mark_failed(im->side, &rec);
	record_free(&rec);
}

/* The query parameters on_error and platform (pq). */
static bool import_params_ok(struct nm_req *r, const char *on_error, const char *pq,
			     bool *abort_on_error, const char **platform)
{
	if (on_error && strcmp(on_error, "abort") != 0 && strcmp(on_error, "skip") != 0) {
		nm_reply_problem(r, NM_P_BAD_QUERY,
				 json_pack("[{s:s,s:s}]", "field", "on_error", "message",
					   "must be skip or abort"),
				 "on_error must be skip or abort");
		return false;
	}
	*abort_on_error = on_error && strcmp(on_error, "abort") == 0;
	enum nm_platform pl;
	if (pq && !nm_platform_parse(pq, &pl)) {
		nm_reply_problem(r, NM_P_BAD_QUERY,
				 json_pack("[{s:s,s:s}]", "field", "platform", "message",
					   "unknown platform"),
				 "platform is not one of the known platforms");
		return false;
	}
	*platform = pq ? nm_platform_name(pl) : NULL;
	return true;
}

/* The request's checks, before anything is allocated: scope, format, the running-import
 * cap. */
static bool import_allowed(struct nm_req *r, const struct nm_import_parser_ops **ops,
			   enum body_kind *kind)
{
	if (nm_req_auth(r)->brand_id) {
		nm_reply_problem(
			r, NM_P_FORBIDDEN, NULL,
			"A key bound to a brand reads the creator pool but cannot import.");
		return false;
	}
	if ((*kind = body_kind(r, ops)) == BODY_REFUSED) {
		nm_reply_problem(
			r, NM_P_UNSUPPORTED_MEDIA_TYPE, NULL,
			"Send text/csv, text/tab-separated-values, application/x-ndjson, "
			"application/json (an array), multipart/form-data with one file, or a "
			"body to sniff as application/vnd.ms-excel, text/plain or "
			"application/octet-stream.");
		return false;
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
		return false;
	}
	return true;
}

/* The format is known (im->ops): the imports row becomes running with its lease (made,
 * or the pending one claimed), the transaction opens and the parser is made. False with
 * im->start_err when the database failed; nothing is then left open. */
static bool start(struct import *im)
{
	struct nm_db_err err = {0};
	if (im->pending)
		im->side = nm_store_import_claim(im->id, im->ops->name, im->abort_on_error,
						 im->platform[0] ? im->platform : NULL, &err);
	else
		im->side =
			nm_store_import_create(im->key_id, im->ops->name, im->abort_on_error,
					       im->platform[0] ? im->platform : NULL, im->id, &err);
	if (!im->side) {
		im->start_err = err;
		return false;
	}
	if (!(im->tx = nm_store_import_begin(im->pg, im->id))) {
		mark_failed(im, "database unavailable at start");
		nm_db_err_set(&im->start_err, NM_DB_UNAVAILABLE);
		return false;
	}
	im->sink = (struct nm_import_sink){im, on_csv_record, on_element};
	if (!(im->parser = im->ops->create(&im->sink, MAX_RECORD_BYTES))) {
		im->stop_code = NM_IMPORT_PARSER_OOM;
		snprintf(im->stop_msg, sizeof im->stop_msg, "out of memory");
	}
	im->last_progress = time(NULL);
	im->started = true;
	return true;
}

static void feed_parser(struct import *im, const char *data, size_t len)
{
	if (im->stop_code || !len)
		return;
	int rc = im->ops->feed(im->parser, data, len);
	if (rc) {
		im->stop_code = rc;
		im->ops->error(im->parser, rc, false, im->stop_msg, sizeof im->stop_msg);
	}
}

/* The sniffed bytes decide the format (when no header did), the import starts and reads
 * them. */
static void start_sniffed(struct import *im)
{
	if (!im->ops)
		im->ops = nm_import_sniff(im->sniff, im->sniff_len);
	if (!start(im)) {
		im->dead = true;
		return;
	}
	feed_parser(im, im->sniff, im->sniff_len);
	free(im->sniff);
	im->sniff = NULL;
	im->sniff_len = 0;
}

/* The body proper (a multipart file part's content): sniffed until the format is known,
 * then parsed. */
static void feed_payload(struct import *im, const char *data, size_t len)
{
	if (im->dead || im->body_problem[0])
		return;
	if (!im->started && im->ops && !im->sniff_len && !start(im)) {
		im->dead = true; /* named by the file part: no sniff */
		return;
	}
	if (im->started) {
		feed_parser(im, data, len);
		return;
	}
	if (!len)
		return; /* an empty call of the multipart reader (data may be NULL) */
	if (!im->sniff && !(im->sniff = malloc(NM_IMPORT_SNIFF_BYTES))) {
		im->stop_code = NM_IMPORT_PARSER_OOM;
		snprintf(im->stop_msg, sizeof im->stop_msg, "out of memory");
		im->dead = true;
		nm_db_err_set(&im->start_err, NM_DB_ERROR);
		return;
	}
	size_t n = NM_IMPORT_SNIFF_BYTES - im->sniff_len;
	if (n > len)
		n = len;
	memcpy(im->sniff + im->sniff_len, data, n);
	im->sniff_len += n;
	if (im->sniff_len < NM_IMPORT_SNIFF_BYTES)
		return;
	start_sniffed(im);
	if (im->started)
		feed_parser(im, data + n, len - n);
}

/* libmicrohttpd's multipart iterator: form fields are ignored, the one file part is the
 * body. off is the offset in the current part: 0 starts a part (a part may be announced
 * by an empty call first, so an empty part does not count twice). */
static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key,
			       const char *filename, const char *content_type,
			       const char *transfer_encoding, const char *data, uint64_t off,
			       size_t size)
{
	(void)kind;
	(void)key;
	(void)transfer_encoding;
	struct import *im = cls;
	if (off == 0 && !(im->part_open && im->part_bytes == 0)) {
		im->part_open = filename != NULL;
		im->part_bytes = 0;
		if (im->part_open && ++im->file_parts > 1) {
			snprintf(im->body_problem, sizeof im->body_problem,
				 "the multipart body has more than one file part; send one "
				 "file per import");
			return MHD_NO;
		}
		if (im->part_open && !im->ops) {
			im->ops = nm_import_by_media(content_type);
			if (!im->ops)
				im->ops = nm_import_by_filename(filename);
		}
	}
	if (!im->part_open)
		return MHD_YES;
	im->part_bytes += size;
	feed_payload(im, data, size);
	return MHD_YES;
}

static void import_begin(struct nm_req *r)
{
	const struct nm_import_parser_ops *ops;
	enum body_kind kind;
	bool abort_on_error = false;
	const char *platform = NULL;
	int64_t pending_id = strncmp(nm_req_route(r)->pattern, "/v1/imports/", 12) == 0
				     ? nm_req_id_param(r, 0)
				     : 0;
	const char *on_error_q = nm_req_query(r, "on_error");
	if (!import_params_ok(r, on_error_q, nm_req_query(r, "platform"), &abort_on_error,
			      &platform))
		return;
	if (!import_allowed(r, &ops, &kind))
		return;
	/* From here on running_imports counts this import: import_free releases it. */
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
	im->ops = ops;
	im->key_id = nm_req_auth(r)->key_id;
	im->abort_on_error = abort_on_error;
	if (platform)
		snprintf(im->platform, sizeof im->platform, "%s", platform);
	im->ignored = json_array();
	im->errors = json_array();
	if (!im->ignored || !im->errors ||
	    !nm_names_init(&im->unknown, MAX_IGNORED_NAMES, MAX_IGNORED_BYTES)) {
		import_free(im);
		nm_reply_problem(r, NM_P_INTERNAL, NULL, "Out of memory.");
		return;
	}
	struct nm_db_err err;
	if (pending_id) {
		/* The body of a pending import: its options were given when it was made. */
		if (!nm_store_import_pending(pg, pending_id, &im->abort_on_error, im->platform,
					     sizeof im->platform, &err)) {
			import_free(im);
			if (err.status == NM_DB_NOT_FOUND)
				nm_reply_problem(r, NM_P_NOT_FOUND, NULL, "No import %lld.",
						 (long long)pending_id);
			else if (err.status == NM_DB_CONFLICT)
				nm_reply_problem(r, NM_P_CONFLICT, NULL,
						 "Import %lld already has its body; make a new "
						 "import with POST /v1/imports.",
						 (long long)pending_id);
			else
				nm_reply_db_err(r, &err);
			return;
		}
		/* Given again with the body, they override those given to POST /v1/imports. */
		if (on_error_q)
			im->abort_on_error = abort_on_error;
		if (platform)
			snprintf(im->platform, sizeof im->platform, "%s", platform);
		im->pending = true;
		snprintf(im->id, sizeof im->id, "%lld", (long long)pending_id);
	}
	if (kind == BODY_MULTIPART &&
	    !(im->pp = MHD_create_post_processor(nm_req_mhd_conn(r), MULTIPART_BUFFER, on_part,
						 im))) {
		import_free(im);
		nm_reply_problem(r, NM_P_BAD_REQUEST, NULL,
				 "multipart/form-data needs a boundary parameter (2 to 70 "
				 "characters).");
		return;
	}
	if (kind == BODY_NAMED && !start(im)) {
		err = im->start_err;
		import_free(im);
		nm_reply_db_err(r, &err);
		return;
	}
	nm_req_set_state(r, im);
}

static void import_chunk(struct nm_req *r, const char *data, size_t len)
{
	struct import *im = nm_req_state(r);
	if (!im || im->stop_code || im->dead || im->body_problem[0])
		return;
	im->bytes += len;
	if (!im->pp) {
		feed_payload(im, data, len);
		return;
	}
	if (MHD_post_process(im->pp, data, len) != MHD_YES && !im->body_problem[0])
		snprintf(im->body_problem, sizeof im->body_problem,
			 "the multipart/form-data body could not be read");
}

/* The end of the body: the multipart reader is finished, a format still unknown is
 * sniffed from what came. False when the import cannot go on: the reply is set. */
static bool body_ended(struct nm_req *r, struct import *im)
{
	if (im->pp) {
		enum MHD_Result ok = MHD_destroy_post_processor(im->pp);
		im->pp = NULL;
		if (ok != MHD_YES && !im->body_problem[0] && !im->dead)
			snprintf(im->body_problem, sizeof im->body_problem,
				 "the multipart/form-data body ended before its closing boundary");
		if (!im->file_parts && !im->body_problem[0])
			snprintf(im->body_problem, sizeof im->body_problem,
				 "the multipart/form-data body has no file part");
	}
	if (!im->started && !im->dead && !im->body_problem[0])
		start_sniffed(im);
	if (im->dead) {
		nm_reply_db_err(r, &im->start_err);
		return false;
	}
	if (im->body_problem[0]) {
		if (im->started) {
			nm_store_import_rollback(im->tx);
			mark_failed(im, im->body_problem);
		}
		if (im->id[0])
			nm_reply_problem(r, NM_P_BAD_REQUEST, NULL,
					 "Import %s failed: %s. Nothing was imported.", im->id,
					 im->body_problem);
		else
			nm_reply_problem(r, NM_P_BAD_REQUEST, NULL, "%s. Nothing was imported.",
					 im->body_problem);
		return false;
	}
	return true;
}

static json_t *report(struct import *im, const char *status)
{
	return json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:O, s:o, s:b}", "id",
			 (json_int_t)strtoll(im->id, NULL, 10), "status", status, "format",
			 im->ops->name, "bytes", (json_int_t)im->bytes, "received",
			 (json_int_t)im->received, "inserted", (json_int_t)im->inserted, "updated",
			 (json_int_t)im->updated, "rejected", (json_int_t)im->rejected, "errors",
			 im->errors, "ignored_columns", ignored_names(im),
			 "ignored_columns_truncated", ignored_truncated(im));
}

/* The body could not be read, or a bad row with on_error=abort: nothing is written. */
static bool refused(struct nm_req *r, struct import *im)
{
	if (im->stop_code) {
		nm_store_import_rollback(im->tx);
		mark_failed(im, im->stop_msg);
		/* A body that is not a JSON array is malformed JSON; a bad CSV or NDJSON
		 * body a bad request. */
		nm_reply_problem(r, im->ops == &nm_import_json ? NM_P_BAD_JSON : NM_P_BAD_REQUEST,
				 NULL, "Import %s failed: %s. Nothing was imported.", im->id,
				 im->stop_msg);
		return true;
	}
	if (im->abort_on_error && im->rejected) {
		nm_store_import_rollback(im->tx);
		mark_failed(im, "rejected rows with on_error=abort");
		json_t *errs = json_incref(im->errors);
		nm_reply_problem(
			r, NM_P_VALIDATION, errs,
			"Import %s aborted: %lld of %lld rows are invalid (on_error=abort); "
			"nothing was imported.",
			im->id, im->rejected, im->received);
		return true;
	}
	return false;
}

static void import_end(struct nm_req *r)
{
	struct import *im = nm_req_state(r);
	nm_req_set_state(r, NULL);
	if (!im) {
		nm_reply_problem(r, NM_P_INTERNAL, NULL, "The import lost its state.");
		return;
	}
	if (!body_ended(r, im)) {
		import_free(im);
		return;
	}
	if (!im->stop_code) {
		int rc = im->ops->finish(im->parser);
		if (rc) {
			im->stop_code = rc;
			im->ops->error(im->parser, rc, true, im->stop_msg, sizeof im->stop_msg);
		}
	}
	if (refused(r, im)) {
		import_free(im);
		return;
	}
	nm_store_import_flush(im->tx, &im->inserted, &im->updated);
	json_t *rep = report(im, "completed");
	struct nm_import_record rec =
		record_of(im, "completed", NULL, json_object_get(rep, "ignored_columns"));
	bool ok = nm_store_import_commit(im->tx, &rec, rep);
	record_free(&rec);
	if (!ok) {
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
	nm_reply_json(r, im->pending ? 200 : 201, rep);
	import_free(im);
}

static void import_abort(struct nm_req *r)
{
	struct import *im = nm_req_state(r);
	nm_req_set_state(r, NULL);
	if (!im)
		return;
	if (im->tx)
		nm_store_import_abort(im->tx);
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

/* POST /v1/imports: an import whose body comes later (PUT upload_url), so that a client
 * knows its id, and can poll its progress, before and while the body is sent. */
void nm_h_imports_create(struct nm_req *r)
{
	bool abort_on_error;
	const char *platform;
	if (nm_req_auth(r)->brand_id) {
		nm_reply_problem(
			r, NM_P_FORBIDDEN, NULL,
			"A key bound to a brand reads the creator pool but cannot import.");
		return;
	}
	if (!import_params_ok(r, nm_req_query(r, "on_error"), nm_req_query(r, "platform"),
			      &abort_on_error, &platform))
		return;
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return;
	struct nm_db_err err;
	json_t *row = nm_store_import_create_pending(pg, nm_req_auth(r)->key_id, abort_on_error,
						     platform, &err);
	if (!row) {
		nm_reply_db_err(r, &err);
		return;
	}
	char loc[48];
	snprintf(loc, sizeof loc, "/v1/imports/%lld",
		 (long long)json_integer_value(json_object_get(row, "id")));
	nm_reply_header(r, "Location", loc);
	nm_reply_json(r, 201, row);
}

/* GET /v1/imports/{id} */
void nm_h_imports_get(struct nm_req *r)
{
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return;
	int64_t id = nm_req_id_param(r, 0);
	struct nm_db_err err;
	json_t *row = nm_store_import_get(pg, id, &err);
	if (row)
		nm_reply_json(r, 200, row);
	else if (err.status == NM_DB_NOT_FOUND)
		nm_reply_problem(r, NM_P_NOT_FOUND, NULL, "No import %lld.", (long long)id);
	else
		nm_reply_db_err(r, &err);
}

/* GET /v1/imports */
void nm_h_imports_list(struct nm_req *r)
{
	nm_reply_store_list(r, nm_store_imports_list);
}
