/* Helpers shared by the store's list functions (see page.h). */
#include "page.h"

#include <stdio.h>

#include "nm/db.h"

void nm_store_page_from(PGresult *res, int limit, int cursor_col,
			json_t *(*row)(const PGresult *res, int i), struct nm_page *out)
{
	int n = PQntuples(res);
	out->data = json_array();
	for (int i = 0; i < n && i < limit; i++)
		json_array_append_new(out->data, row(res, i));
	out->next_after = n > limit ? nm_db_i64(res, limit - 1, cursor_col) : 0;
	PQclear(res);
}

const char *nm_store_i64(char *buf, int64_t v)
{
	snprintf(buf, 24, "%lld", (long long)v);
	return buf;
}
