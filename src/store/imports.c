/* Bulk imports in PostgreSQL (see nm/store_imports.h). */
#include "nm/store_imports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "nm/db_listener.h"
#include "nm/log.h"
#include "nm/metrics.h"
#include "nm/outbox.h"
#include "nm/store_creators.h"

#define COPY_FLUSH_BYTES (256 * 1024)

struct nm_import_tx {
	struct nm_pg *pg;
	char id[24];
	char as_of[32]; /* the import's time: data_as_of of rows that do not say */
	bool copy_open;
	bool merging;		/* a merge was sent and its result is pending */
	long long merging_rows; /* rows of that merge */
	bool failed;		/* the transaction is lost */
	long long batch_rows, inserted, updated;
	size_t batch_bytes; /* COPY text of the current batch, sent or buffered */
	char *copybuf;
	size_t copylen, copycap;
};

/* The lease (docs/api-decisions.md, "Imports that lose their server"): a session
 * advisory lock keyed by the import's id, taken on the autocommit connection that writes
 * the imports row, in the same statement that makes the row running (so no instance can
 * see it running and unlocked), and held until the import ends. PostgreSQL drops it with
 * that connection's backend when the server dies; nm_store_imports_reap then finds it
 * free. Two int4 keys: a space of their own, apart from the bigint keys of the migrator
 * and the pruner. Ids past 2^31 - 1 wrap (a shared key only delays a reap). */
#define LEASE_NS      "1313688917"
#define LEASE_KEY(id) LEASE_NS ", ((" id ") % 2147483647)::int4"

static struct nm_sql q_create = {
	"imports_create",
	"WITH i AS (INSERT INTO imports (api_key_id, format, on_error, default_platform) "
	"VALUES ($1, $2, $3, $4) RETURNING id) "
	"SELECT id, pg_try_advisory_lock(" LEASE_KEY("id") ") FROM i",
	4, 0};
static struct nm_sql q_create_pending = {
	"imports_create_pending",
	"INSERT INTO imports (api_key_id, format, on_error, default_platform, status) "
	"VALUES ($1, NULL, $2, $3, 'pending') RETURNING id",
	3, 0};
static struct nm_sql q_pending = {
	"imports_pending",
	"SELECT status = 'pending', on_error, default_platform FROM imports "
	"WHERE id = $1",
	1, 0};
static struct nm_sql q_claim = {
	"imports_claim",
	"UPDATE imports SET status = 'running', format = $2, on_error = $3, default_platform = $4, "
	"heartbeat_at = now() WHERE id = $1 AND status = 'pending' "
	"RETURNING pg_try_advisory_lock(" LEASE_KEY("id") ")",
	4, 0};
static struct nm_sql q_unlease = {"imports_unlease",
				  "SELECT pg_advisory_unlock(" LEASE_KEY("$1::bigint") ")", 1, 0};
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
	"external_id text, data_as_of timestamptz, sample_posts integer, sponsored_posts "         \
	"integer, "                                                                                \
	"verified boolean, content_country text, caption text"

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

/* ------------------------------------------------------------------ the imports row */

struct nm_pg *nm_store_import_create(int64_t key_id, const char *format, bool abort_on_error,
				     const char *platform, char *id, struct nm_db_err *err)
{
	struct nm_pg *side = nm_db_acquire();
	if (!side) {
		nm_db_err_set(err, NM_DB_UNAVAILABLE);
		return NULL;
	}
	char kid[24];
	const char *p[] = {nm_store_i64(kid, key_id), format, abort_on_error ? "abort" : "skip",
			   platform};
	PGresult *res = nm_store_row(side, &q_create, p, err);
	if (!res) {
		nm_db_release(side);
		return NULL;
	}
	snprintf(id, 24, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return side;
}

json_t *nm_store_import_create_pending(struct nm_pg *pg, int64_t key_id, bool abort_on_error,
				       const char *platform, struct nm_db_err *err)
{
	char kid[24];
	const char *p[] = {nm_store_i64(kid, key_id), abort_on_error ? "abort" : "skip", platform};
	PGresult *res = nm_store_row(pg, &q_create_pending, p, err);
	if (!res)
		return NULL;
	int64_t id = nm_db_i64(res, 0, 0);
	PQclear(res);
	return nm_store_import_get(pg, id, err);
}

bool nm_store_import_pending(struct nm_pg *pg, int64_t id, bool *abort_on_error, char *platform,
			     size_t platform_n, struct nm_db_err *err)
{
	char b[24];
	const char *p[] = {nm_store_i64(b, id)};
	PGresult *res = nm_store_row(pg, &q_pending, p, err);
	if (!res)
		return false;
	bool pending = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	*abort_on_error = strcmp(PQgetvalue(res, 0, 1), "abort") == 0;
	snprintf(platform, platform_n, "%s", PQgetvalue(res, 0, 2));
	PQclear(res);
	if (!pending)
		nm_db_err_set(err, NM_DB_CONFLICT);
	return pending;
}

struct nm_pg *nm_store_import_claim(const char *id, const char *format, bool abort_on_error,
				    const char *platform, struct nm_db_err *err)
{
	struct nm_pg *side = nm_db_acquire();
	if (!side) {
		nm_db_err_set(err, NM_DB_UNAVAILABLE);
		return NULL;
	}
	const char *p[] = {id, format, abort_on_error ? "abort" : "skip", platform};
	PGresult *res = nm_store_row(side, &q_claim, p, err);
	if (!res) {
		if (err->status == NM_DB_NOT_FOUND)
			nm_db_err_set(err, NM_DB_CONFLICT); /* another upload took it first */
		nm_db_release(side);
		return NULL;
	}
	PQclear(res);
	return side;
}

void nm_store_import_release(struct nm_pg *side, const char *id)
{
	if (!side)
		return;
	/* A pooled connection outlives the import: its lease must not. */
	const char *p[] = {id};
	PQclear(nm_db_exec(side, &q_unlease, p));
	nm_db_release(side);
}

void nm_store_import_progress(struct nm_pg *side, const char *id, long long received,
			      long long rejected, unsigned long long bytes)
{
	char rec[24], rej[24], b[24];
	snprintf(rec, sizeof rec, "%lld", received);
	snprintf(rej, sizeof rej, "%lld", rejected);
	snprintf(b, sizeof b, "%llu", bytes);
	const char *p[] = {id, rec, rej, b};
	PQclear(nm_db_exec(side, &q_progress, p));
}

/* Runs q_finish for rec on pg. */
static PGresult *finish_exec(struct nm_pg *pg, const struct nm_import_record *rec)
{
	char received[24], inserted[24], updated[24], rejected[24], bytes[24];
	snprintf(received, sizeof received, "%lld", rec->received);
	snprintf(inserted, sizeof inserted, "%lld", rec->inserted);
	snprintf(updated, sizeof updated, "%lld", rec->updated);
	snprintf(rejected, sizeof rejected, "%lld", rec->rejected);
	snprintf(bytes, sizeof bytes, "%llu", rec->bytes);
	const char *p[] = {rec->id,
			   rec->status,
			   received,
			   inserted,
			   updated,
			   rejected,
			   bytes,
			   rec->errors,
			   rec->ignored,
			   rec->failure,
			   rec->ignored_truncated ? "true" : "false"};
	return nm_db_exec(pg, &q_finish, p);
}

void nm_store_import_mark_failed(struct nm_pg *side, const struct nm_import_record *rec)
{
	PQclear(finish_exec(side, rec));
	/* import.failed (issue 18; src/store/events.c). */
	nm_outbox_import_failed(side, rec->id, rec->failure, rec->received, rec->rejected);
}

/* ------------------------------------------------------------------ staging */

static bool exec_ok(struct nm_import_tx *t, const char *sql)
{
	PGresult *res = nm_db_exec_simple(t->pg, sql);
	bool ok = nm_db_ok(res);
	if (!ok) {
		char safe[NM_DB_ERR_SAFE_MAX];
		nm_log(NM_LOG_WARN, "import %s: %s: %s", t->id, sql,
		       nm_db_error_safe(res, nm_db_conn(t->pg), safe, sizeof safe));
	}
	PQclear(res);
	return ok;
}

static void fail_db(struct nm_import_tx *t, const char *what)
{
	char safe[NM_DB_ERR_SAFE_MAX];
	if (!t->failed)
		nm_log(NM_LOG_WARN, "import %s: database failure during %s: %s", t->id, what,
		       nm_db_error_safe(NULL, nm_db_conn(t->pg), safe, sizeof safe));
	t->failed = true;
}

static bool copy_start(struct nm_import_tx *t)
{
	PGresult *res = nm_db_exec_simple(t->pg, "COPY nm_import_stage FROM STDIN");
	bool ok = PQresultStatus(res) == PGRES_COPY_IN;
	PQclear(res);
	if (!ok)
		fail_db(t, "COPY");
	t->copy_open = ok;
	return ok;
}

/* Sends the buffered COPY text in COPY_FLUSH_BYTES messages: libpq grows its output
 * buffer to hold a whole message, so one message of a batch buffered during a merge
 * (up to NM_IMPORT_BATCH_BYTES) would hold the batch a second time. */
static void copy_flush_buffer(struct nm_import_tx *t)
{
	if (!t->copylen || t->failed)
		return;
	PGconn *c = nm_db_conn(t->pg);
	for (size_t off = 0; off < t->copylen;) {
		size_t n =
			t->copylen - off < COPY_FLUSH_BYTES ? t->copylen - off : COPY_FLUSH_BYTES;
		if (PQputCopyData(c, t->copybuf + off, (int)n) != 1) {
			fail_db(t, "COPY data");
			break;
		}
		off += n;
	}
	t->copylen = 0;
}

/* Waits for the merge in flight and books its counts; the stage is emptied for the
 * next batch. */
static void finish_merge(struct nm_import_tx *t)
{
	if (!t->merging)
		return;
	t->merging = false;
	PGconn *c = nm_db_conn(t->pg);
	PGresult *res;
	char safe[NM_DB_ERR_SAFE_MAX];
	long long ins = -1;
	while ((res = PQgetResult(c))) {
		if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
			ins = nm_db_i64(res, 0, 0);
		else if (!nm_db_ok(res))
			nm_log(NM_LOG_WARN, "import %s: merge: %s", t->id,
			       nm_db_error_safe(res, c, safe, sizeof safe));
		PQclear(res);
	}
	if (ins < 0) {
		fail_db(t, "merge");
		return;
	}
	/* Rows that matched an existing creator count as updated whether or not anything
	 * changed (docs/api.md §4): only the inserts are read back. */
	t->inserted += ins;
	t->updated += t->merging_rows - ins;
	nm_metrics_add("nichematch_import_rows_total", "Rows read by bulk imports by outcome.",
		       "outcome=\"stored\"", (double)t->merging_rows);
	if (!exec_ok(t, "TRUNCATE nm_import_stage"))
		fail_db(t, "truncate");
}

/* Moves the current batch into creators: COPY what is still buffered, end the COPY and
 * send the merge. Without wait the merge runs while the caller parses the next batch
 * (PostgreSQL merges on one core while this thread parses on the other); the next call
 * waits for it first. */
static void flush_batch(struct nm_import_tx *t, bool wait)
{
	finish_merge(t);
	if (t->failed)
		return;
	if (!t->copy_open && !copy_start(t))
		return;
	copy_flush_buffer(t);
	PGconn *c = nm_db_conn(t->pg);
	t->copy_open = false;
	if (PQputCopyEnd(c, NULL) != 1) {
		fail_db(t, "COPY end");
		return;
	}
	PGresult *res;
	char safe[NM_DB_ERR_SAFE_MAX];
	bool ok = true;
	while ((res = PQgetResult(c))) {
		if (!nm_db_ok(res)) {
			ok = false;
			nm_log(NM_LOG_WARN, "import %s: COPY: %s", t->id,
			       nm_db_error_safe(res, c, safe, sizeof safe));
		}
		PQclear(res);
	}
	if (!ok) {
		fail_db(t, "COPY");
		return;
	}
	if (t->batch_rows > 0) {
		if (!PQsendQuery(c, q_merge.sql)) {
			fail_db(t, "merge");
			return;
		}
		t->merging = true;
		t->merging_rows = t->batch_rows;
		t->batch_rows = 0;
	}
	t->batch_bytes = 0;
	if (wait)
		finish_merge(t);
}

struct nm_import_tx *nm_store_import_begin(struct nm_pg *pg, const char *id)
{
	struct nm_import_tx *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->pg = pg;
	snprintf(t->id, sizeof t->id, "%s", id);
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(t->as_of, sizeof t->as_of, "%Y-%m-%dT%H:%M:%SZ", &tm);
	/* The import runs as long as its body takes to arrive; per-statement limits
	 * still apply to each batch. */
	if (!nm_db_begin(pg) || !exec_ok(t, "SET LOCAL statement_timeout = '120s'") ||
	    !exec_ok(t, "CREATE TEMP TABLE nm_import_stage (" STAGE_COLS ") ON COMMIT DROP") ||
	    !copy_start(t)) {
		free(t);
		return NULL;
	}
	return t;
}

void nm_store_import_stage(struct nm_import_tx *t, const struct nm_creator *c, long long seq)
{
	if (t->failed)
		return;
	size_t before = t->copylen;
	struct nm_creator dated;
	if (!c->data_as_of[0]) {
		/* A shallow copy: only the date differs, the pointers stay c's. */
		dated = *c;
		memcpy(dated.data_as_of, t->as_of, sizeof t->as_of);
		c = &dated;
	}
	if (!nm_creator_copy_line(c, seq, &t->copybuf, &t->copylen, &t->copycap))
		fail_db(t, "out of memory");
	t->batch_rows++;
	t->batch_bytes += t->copylen - before;
	/* Stream to PostgreSQL while it is free; during a merge, buffer. */
	if (!t->merging && t->copylen >= COPY_FLUSH_BYTES && (t->copy_open || copy_start(t)))
		copy_flush_buffer(t);
	if (t->batch_rows >= NM_IMPORT_BATCH_ROWS || t->batch_bytes >= NM_IMPORT_BATCH_BYTES)
		flush_batch(t, false);
}

bool nm_store_import_failed(const struct nm_import_tx *t)
{
	return t->failed;
}

bool nm_store_import_flush(struct nm_import_tx *t, long long *inserted, long long *updated)
{
	flush_batch(t, true);
	*inserted = t->inserted;
	*updated = t->updated;
	return !t->failed;
}

/* Every instance's listener hears it at the commit and brings its index up to date in the
 * background (nm/db_listener.h), so the first search after a large import does not wait
 * for the whole delta. */
static bool notify_imported(struct nm_pg *pg)
{
	PGresult *res =
		nm_db_exec_simple(pg, "SELECT pg_notify('" NM_INVALIDATE_CHANNEL "', 'creators')");
	bool ok = nm_db_ok(res);
	PQclear(res);
	return ok;
}

bool nm_store_import_commit(struct nm_import_tx *t, const struct nm_import_record *rec,
			    json_t *report)
{
	/* The completed record and the event commit with the rows, or none of them do. */
	PGresult *res = t->failed ? NULL : finish_exec(t->pg, rec);
	bool ok = res && nm_db_ok(res);
	if (ok) {
		json_object_set_new(report, "created_at", json_string(PQgetvalue(res, 0, 0)));
		json_object_set_new(report, "finished_at", json_string(PQgetvalue(res, 0, 1)));
	}
	PQclear(res);
	struct nm_db_err err; /* the import reports its failure by its own path */
	ok = ok && nm_outbox_emit(t->pg, "import.completed", report, &err) &&
	     notify_imported(t->pg) && nm_db_commit(t->pg);
	if (!ok)
		nm_db_rollback(t->pg);
	return ok;
}

void nm_store_import_rollback(struct nm_import_tx *t)
{
	nm_db_rollback(t->pg);
}

void nm_store_import_abort(struct nm_import_tx *t)
{
	PGconn *c = nm_db_conn(t->pg);
	if (t->merging) {
		/* Do not wait for a merge whose work is about to be rolled back. */
		PGcancel *cancel = PQgetCancel(c);
		char err[128];
		if (cancel) {
			PQcancel(cancel, err, sizeof err);
			PQfreeCancel(cancel);
		}
	}
	if (t->copy_open)
		PQputCopyEnd(c, "import aborted");
	PGresult *res;
	while ((res = PQgetResult(c)))
		PQclear(res);
	nm_db_rollback(t->pg);
}

void nm_store_import_free(struct nm_import_tx *t)
{
	if (!t)
		return;
	free(t->copybuf);
	free(t);
}

/* ------------------------------------------------------------------ reading imports */

#define IMPORT_COLS                                                                                \
	"id, CASE WHEN status = 'running' AND heartbeat_at < now() - interval '2 minutes' "        \
	"THEN 'failed' ELSE status END, format, on_error, default_platform, received, inserted, "  \
	"updated, rejected, errors, ignored_columns, failure, " NM_SQL_TS(                         \
		"created_at") ", " NM_SQL_TS("finished_at") ", ignored_columns_truncated, bytes"

static struct nm_sql q_get = {"imports_get", "SELECT " IMPORT_COLS " FROM imports WHERE id = $1", 1,
			      0};
static struct nm_sql q_list = {
	"imports_list", "SELECT " IMPORT_COLS " FROM imports WHERE id > $1 ORDER BY id LIMIT $2", 2,
	0};

static json_t *import_row(const PGresult *res, int i)
{
	json_t *errs = json_loads(PQgetvalue(res, i, 9), 0, NULL);
	json_t *ign = json_loads(PQgetvalue(res, i, 10), 0, NULL);
	json_t *row = json_pack(
		"{s:I, s:s, s:s?, s:s, s:s?, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:b, s:s?, s:s, "
		"s:s?}",
		"id", (json_int_t)nm_db_i64(res, i, 0), "status", PQgetvalue(res, i, 1), "format",
		nm_db_str(res, i, 2), "on_error", PQgetvalue(res, i, 3), "platform",
		nm_db_str(res, i, 4), "bytes", (json_int_t)nm_db_i64(res, i, 15), "received",
		(json_int_t)nm_db_i64(res, i, 5), "inserted", (json_int_t)nm_db_i64(res, i, 6),
		"updated", (json_int_t)nm_db_i64(res, i, 7), "rejected",
		(json_int_t)nm_db_i64(res, i, 8), "errors", errs ? errs : json_array(),
		"ignored_columns", ign ? ign : json_array(), "ignored_columns_truncated",
		strcmp(PQgetvalue(res, i, 14), "t") == 0, "failure", nm_db_str(res, i, 11),
		"created_at", PQgetvalue(res, i, 12), "finished_at", nm_db_str(res, i, 13));
	if (row && strcmp(PQgetvalue(res, i, 1), "pending") == 0) {
		/* Where its body goes (PUT): docs/api.md §4, "Uploads". */
		char url[64];
		snprintf(url, sizeof url, "/v1/imports/%s/body", PQgetvalue(res, i, 0));
		json_object_set_new(row, "upload_url", json_string(url));
	}
	return row;
}

json_t *nm_store_import_get(struct nm_pg *pg, int64_t id, struct nm_db_err *err)
{
	char b[24];
	const char *p[] = {nm_store_i64(b, id)};
	PGresult *res = nm_store_row(pg, &q_get, p, err);
	if (!res)
		return NULL;
	json_t *row = import_row(res, 0);
	PQclear(res);
	return row;
}

bool nm_store_imports_list(struct nm_pg *pg, const struct nm_page_req *pr, struct nm_page *out,
			   struct nm_db_err *err)
{
	char a[24], l[24];
	const char *p[] = {nm_store_i64(a, pr->after), nm_store_i64(l, (int64_t)pr->limit + 1)};
	return nm_store_list(pg, &q_list, p, pr->limit, 0, import_row, out, err);
}

/* ------------------------------------------------------------------ the reaper */

static const char q_reap_candidates[] =
	"SELECT id FROM imports WHERE status = 'running' ORDER BY id LIMIT 1000";
/* Taking the lease proves its holder gone; it is given back at once. */
static const char q_reap_one[] = "WITH l AS (SELECT pg_try_advisory_lock(" LEASE_KEY(
	"$1::bigint") ") AS free), "
		      "u AS (UPDATE imports SET status = 'failed', failure = $2, inserted = 0, "
		      "updated = 0, "
		      "  finished_at = clock_timestamp() "
		      "  WHERE id = $1 AND status = 'running' AND (SELECT free FROM l) RETURNING "
		      "id) "
		      "SELECT (SELECT free FROM l), (SELECT count(*) FROM u)";
static const char q_reap_unlock[] = "SELECT pg_advisory_unlock(" LEASE_KEY("$1::bigint") ")";
static const char q_reap_pending[] =
	"UPDATE imports SET status = 'failed', failure = $1, finished_at = clock_timestamp() "
	"WHERE status = 'pending' AND created_at < now() - make_interval(secs => $2)";

int nm_store_imports_reap(PGconn *c, int pending_ttl_s)
{
	PGresult *res = PQexec(c, q_reap_candidates);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		PQclear(res);
		return -1;
	}
	int reaped = 0;
	for (int i = 0; i < PQntuples(res); i++) {
		const char *p[] = {PQgetvalue(res, i, 0), NM_IMPORT_LOST_SERVER};
		PGresult *r = PQexecParams(c, q_reap_one, 2, NULL, p, NULL, NULL, 0);
		bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
		bool locked = ok && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
		if (ok && strcmp(PQgetvalue(r, 0, 1), "1") == 0) {
			reaped++;
			nm_log(NM_LOG_WARN,
			       "import %s: its server stopped before it finished; "
			       "marked failed",
			       p[0]);
		}
		PQclear(r);
		if (locked)
			PQclear(PQexecParams(c, q_reap_unlock, 1, NULL, p, NULL, NULL, 0));
	}
	PQclear(res);
	char ttl[24];
	snprintf(ttl, sizeof ttl, "%d", pending_ttl_s);
	const char *pp[] = {"no body was uploaded for this import in time", ttl};
	PQclear(PQexecParams(c, q_reap_pending, 2, NULL, pp, NULL, NULL, 0));
	return reaped;
}
