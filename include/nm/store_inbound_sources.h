/* Inbound event sources in PostgreSQL (docs/api.md §6): a name, and the signing secret that
 * authenticates its events. Rows come back as the API replies them (id, name,
 * inbound_path, created_at); the secret only through nm_store_inbound_source_secret. */
#ifndef NM_STORE_INBOUND_SOURCES_H
#define NM_STORE_INBOUND_SOURCES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct nm_pg;
struct nm_db_err;
struct nm_page_req;
struct nm_page;

/* The new source's row (caller owns), or NULL with err (NM_DB_CONFLICT: the name is
 * taken). */
json_t *nm_store_inbound_source_create(struct nm_pg *pg, const char *name, const char *secret,
				       const char *scheme, const json_t *field_map,
				       struct nm_db_err *err);
bool nm_store_inbound_sources_list(struct nm_pg *pg, const struct nm_page_req *pr,
				   struct nm_page *out, struct nm_db_err *err);
/* One source (caller owns), or NULL with err (NM_DB_NOT_FOUND when absent). */
json_t *nm_store_inbound_source_get(struct nm_pg *pg, int64_t id, struct nm_db_err *err);
/* False with err NM_DB_NOT_FOUND when there was none; its dedupe records go with it. */
bool nm_store_inbound_source_delete(struct nm_pg *pg, int64_t id, struct nm_db_err *err);

/* The id and signing secret of the source named name: true with *id and *secret
 * (malloc'd; the caller wipes and frees it with nm_store_secret_free); false with err
 * (NM_DB_NOT_FOUND when there is no such source). */
bool nm_store_inbound_source_secret(struct nm_pg *pg, const char *name, int64_t *id, char **secret,
				    struct nm_db_err *err);
void nm_store_secret_free(char *secret);

/* What authenticating a request to source `name` needs: its id, secret (malloc'd, free
 * with nm_store_secret_free), scheme (standard, hubspot_v3, bearer) and field map (owned;
 * NULL when none). False with err (NM_DB_NOT_FOUND: no such source). */
struct nm_inbound_source_auth {
	int64_t id;
	char *secret;
	char scheme[16];
	json_t *field_map;
};
bool nm_store_inbound_source_auth(struct nm_pg *pg, const char *name,
				  struct nm_inbound_source_auth *a, struct nm_db_err *err);

/* Records one authenticated event's outcome (status applied | duplicate | rejected,
 * errors NULL or the validation errors), autocommit, best effort. */
void nm_store_inbound_log(struct nm_pg *pg, int64_t source_id, const char *msg_id, const char *type,
			  const char *status, const json_t *errors);
/* The source's log, newest first (pr->after: continue below that id). */
bool nm_store_inbound_log_list(struct nm_pg *pg, int64_t source_id, const struct nm_page_req *pr,
			       struct nm_page *out, struct nm_db_err *err);

#endif
