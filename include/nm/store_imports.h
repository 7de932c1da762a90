/* Bulk imports in PostgreSQL (src/store/imports.c): the imports row, and the staging
 * protocol of one import's transaction. Valid rows are written as COPY text into a
 * temporary staging table; every NM_IMPORT_BATCH_ROWS rows (or NM_IMPORT_BATCH_BYTES of
 * COPY text) one INSERT ... SELECT ... ON CONFLICT moves them into creators, sent
 * asynchronously so that PostgreSQL merges while the caller parses the next batch. The
 * import lands whole or not at all. Memory: one batch of COPY text (<= 16 MiB plus a row). */
#ifndef NM_STORE_IMPORTS_H
#define NM_STORE_IMPORTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "nm/creator.h"
#include "nm/store.h"

struct nm_pg;
struct pg_conn;

/* Rows per merge. One batch of COPY text is buffered while the previous batch merges
 * (~15 MB at 25,000 typical rows: demo data is ~600 bytes of COPY text a row). */
#define NM_IMPORT_BATCH_ROWS 25000
/* ...and bytes per merge: rows near every field limit are ~45-75 KB of COPY text, and
 * 25,000 of them buffered during a merge would be ~1.9 GB. 16 MiB keeps a typical batch
 * bound by its rows (no extra merges, so no change in speed) and caps what one import
 * buffers at 16 MiB plus one row. */
#define NM_IMPORT_BATCH_BYTES (16u * 1024 * 1024)

/* What the imports row records. errors and ignored are JSON text. */
struct nm_import_record {
	const char *id;
	const char *status; /* "completed", "failed" */
	long long received, inserted, updated, rejected;
	unsigned long long bytes;
	const char *errors, *ignored;
	const char *failure; /* NULL when completed */
	bool ignored_truncated;
};

/* The imports row is written through its own autocommit connection ("side", from the
 * pool), so that GET /v1/imports/{id} shows progress while the import's transaction is
 * open. Acquires it and inserts a running row; its id into id (24 bytes). NULL with
 * err when the database failed (NM_DB_UNAVAILABLE: no connection).
 * The side connection also holds the import's lease (a session advisory lock keyed by
 * its id) until nm_store_import_release: when the server dies, the backend goes and the
 * lease with it, and nm_store_imports_reap marks the import failed. */
struct nm_pg *nm_store_import_create(int64_t key_id, const char *format, bool abort_on_error,
				     const char *platform, char *id, struct nm_db_err *err);
/* POST /v1/imports: a pending import (no body yet; format null) created by key_id, its
 * object (caller owns), or NULL with err. */
json_t *nm_store_import_create_pending(struct nm_pg *pg, int64_t key_id, bool abort_on_error,
				       const char *platform, struct nm_db_err *err);
/* True when import id is pending (its body not yet sent); its on_error and default
 * platform ("" when none) into the out parameters. False with err NM_DB_NOT_FOUND (no
 * such import) or NM_DB_CONFLICT (not pending any more), or the failure. */
bool nm_store_import_pending(struct nm_pg *pg, int64_t id, bool *abort_on_error, char *platform,
			     size_t platform_n, struct nm_db_err *err);
/* As nm_store_import_create for the pending import id, now running with format and these
 * options: the side connection holding its lease, or NULL with err (NM_DB_CONFLICT: not
 * pending any more). */
struct nm_pg *nm_store_import_claim(const char *id, const char *format, bool abort_on_error,
				    const char *platform, struct nm_db_err *err);
/* Gives back import id's lease and returns side to the pool (NULL is ignored). */
void nm_store_import_release(struct nm_pg *side, const char *id);
/* Autocommit on side: the running import's counts and heartbeat (failures ignored: the
 * next progress or the finish writes them again). */
void nm_store_import_progress(struct nm_pg *side, const char *id, long long received,
			      long long rejected, unsigned long long bytes);
/* Autocommit on side: the import failed (rec->status "failed", rec->failure why). */
void nm_store_import_mark_failed(struct nm_pg *side, const struct nm_import_record *rec);

/* One import's transaction on the request's connection. */
struct nm_import_tx;

/* Opens the transaction (statement timeout per batch, the staging table, the COPY);
 * NULL when the database failed (nothing is left open). id is for logs. */
struct nm_import_tx *nm_store_import_begin(struct nm_pg *pg, const char *id);
/* Stages one valid row (seq orders duplicates: the last wins); merges a full batch.
 * A failure is sticky (nm_store_import_failed): the import reads on, then fails. */
void nm_store_import_stage(struct nm_import_tx *t, const struct nm_creator *c, long long seq);
bool nm_store_import_failed(const struct nm_import_tx *t);
/* Merges what is staged and waits; the creators inserted and updated by all merges
 * (rows that matched an existing creator count as updated, changed or not: docs/api.md §4).
 * False when the transaction failed. */
bool nm_store_import_flush(struct nm_import_tx *t, long long *inserted, long long *updated);
/* Records the completed import (rec) and emits import.completed with report, to which
 * created_at and finished_at are added, then commits. False (rolled back) on failure. */
bool nm_store_import_commit(struct nm_import_tx *t, const struct nm_import_record *rec,
			    json_t *report);
/* Rolls back: the body was refused. */
void nm_store_import_rollback(struct nm_import_tx *t);
/* Rolls back an import cut short (client gone, server stopping): a merge in flight is
 * cancelled rather than waited for, an open COPY ended. */
void nm_store_import_abort(struct nm_import_tx *t);
void nm_store_import_free(struct nm_import_tx *t);

/* GET /v1/imports/{id}: the import's report (caller owns), or NULL with err. */
/* The failure recorded for an import whose server died while it ran. */
#define NM_IMPORT_LOST_SERVER                                                                      \
	"the server running this import stopped before it finished (killed, out of memory "        \
	"or lost power); nothing was imported"

/* On c (a standalone connection): marks failed every running import whose lease is free
 * (its server is gone), and every pending import older than pending_ttl_s. The number
 * of running imports marked failed, or -1 when the database failed. */
int nm_store_imports_reap(struct pg_conn *c, int pending_ttl_s);

json_t *nm_store_import_get(struct nm_pg *pg, int64_t id, struct nm_db_err *err);
bool nm_store_imports_list(struct nm_pg *pg, const struct nm_page_req *pr, struct nm_page *out,
			   struct nm_db_err *err);

#endif
