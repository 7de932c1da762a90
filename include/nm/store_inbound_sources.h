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

#endif
