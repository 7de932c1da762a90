/* Idempotency-Key records in PostgreSQL (docs/api.md §2; the protocol is http/idempotency.c).
 * A record is keyed by (API key id, Idempotency-Key); status 0 is the placeholder of
 * a request still running. Bodies are stored as given: removing secrets from them is
 * the caller's job. */
#ifndef NM_STORE_IDEMPOTENCY_H
#define NM_STORE_IDEMPOTENCY_H

#include <stdbool.h>
#include <stdint.h>

struct nm_pg;
struct nm_db_err;

/* Writes the placeholder for (key_id, idem_key), or takes over a record older than
 * 24 h: true with *claimed; *claimed false when a live record exists. */
bool nm_store_idem_claim(struct nm_pg *pg, int64_t key_id, const char *idem_key, const char *method,
			 const char *path, const char *request_hash, bool *claimed,
			 struct nm_db_err *err);

/* A stored record; strings are malloc'd (NULL when SQL NULL), freed by
 * nm_store_idem_record_clear. */
struct nm_idem_record {
	char request_hash[65];
	int status; /* 0: still in progress */
	char *content_type, *location, *body;
	char *method, *path;
};

/* False with err NM_DB_NOT_FOUND when there is no record. */
bool nm_store_idem_get(struct nm_pg *pg, int64_t key_id, const char *idem_key,
		       struct nm_idem_record *out, struct nm_db_err *err);
void nm_store_idem_record_clear(struct nm_idem_record *rec);

/* Fills the record with the final reply and the request's fingerprint. */
bool nm_store_idem_store(struct nm_pg *pg, int64_t key_id, const char *idem_key, int status,
			 const char *content_type, const char *location, const char *body,
			 const char *request_hash, struct nm_db_err *err);

/* Forgets the record (the reply said "try again", or the request was abandoned). */
bool nm_store_idem_drop(struct nm_pg *pg, int64_t key_id, const char *idem_key,
			struct nm_db_err *err);

#endif
