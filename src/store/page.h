/* Private to src/store: one page of a list result (see nm/store.h). */
#ifndef NM_STORE_PAGE_H
#define NM_STORE_PAGE_H

#include <libpq-fe.h>

#include "nm/store.h"

/* List statements take ($after, $limit + 1): one row more than the page tells whether
 * another follows. Fills out from res (rows 0..limit-1 through row(), next_after from
 * column cursor_col of the last of them when res has limit + 1 rows); consumes res. */
void nm_store_page_from(PGresult *res, int limit, int cursor_col,
			json_t *(*row)(const PGresult *res, int i), struct nm_page *out);

/* Decimal text of v in buf (>= 24 bytes), for statement parameters. */
const char *nm_store_i64(char *buf, int64_t v);

#endif
