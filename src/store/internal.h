/* Private to src/store: running a statement into the shapes store functions return. */
#ifndef NM_STORE_INTERNAL_H
#define NM_STORE_INTERNAL_H

#include <libpq-fe.h>

#include "nm/db.h"
#include "nm/store.h"

/* List statements take ($after, $limit + 1): one row more than the page tells whether
 * another follows. Fills out from res (rows 0..limit-1 through row(), next_after from
 * column cursor_col of the last of them when res has limit + 1 rows); consumes res. */
void nm_store_page_from(PGresult *res, int limit, int cursor_col,
			json_t *(*row)(const PGresult *res, int i), struct nm_page *out);

/* Runs a list statement q (params p) and fills out as nm_store_page_from does. False
 * with err on failure. */
bool nm_store_list(struct nm_pg *pg, struct nm_sql *q, const char *const *p, int limit,
		   int cursor_col, json_t *(*row)(const PGresult *res, int i), struct nm_page *out,
		   struct nm_db_err *err);

/* Runs q: returns the result (caller PQclears) when it succeeded, with any number of
 * rows; else clears it and returns NULL with err set. */
PGresult *nm_store_rows(struct nm_pg *pg, struct nm_sql *q, const char *const *p,
			struct nm_db_err *err);
/* The tail of nm_store_rows for a result got another way (a standalone connection). */
PGresult *nm_store_expect_ok(PGresult *res, struct nm_db_err *err);
/* Runs q expecting a row: returns the result (caller PQclears) when it succeeded with at
 * least one row; else NULL with err set (NM_DB_NOT_FOUND when no row came back). */
PGresult *nm_store_row(struct nm_pg *pg, struct nm_sql *q, const char *const *p,
		       struct nm_db_err *err);

/* The tail of nm_store_row for a result got another way (a standalone connection):
 * returns res when it succeeded with a row, else clears it and returns NULL with err. */
PGresult *nm_store_expect_row(PGresult *res, struct nm_db_err *err);

/* Runs q expecting a row and returns row 0 through row() (caller owns), or NULL with err
 * (NM_DB_NOT_FOUND when no row came back). */
json_t *nm_store_one(struct nm_pg *pg, struct nm_sql *q, const char *const *p,
		     json_t *(*row)(const PGresult *res, int i), struct nm_db_err *err);

/* Runs q and tells whether it returned a row (an existence check, or a write with
 * RETURNING): false with err NM_DB_NOT_FOUND when not, or the failure. */
bool nm_store_found(struct nm_pg *pg, struct nm_sql *q, const char *const *p,
		    struct nm_db_err *err);

/* nm_store_found for a statement whose one parameter is an id. */
bool nm_store_found_id(struct nm_pg *pg, struct nm_sql *q, int64_t id, struct nm_db_err *err);
/* ids as a bigint[] literal "{1,2,3}" (caller frees), or NULL with err when memory ran
 * out. */
char *nm_store_id_array(const int64_t *ids, size_t n, struct nm_db_err *err);

/* Decimal text of v in buf (>= 24 bytes), for statement parameters. */
const char *nm_store_i64(char *buf, int64_t v);

#endif
