/* Loggable descriptions of database errors. libpq's message text is not safe to log:
 * a unique violation's DETAIL quotes the row ("Key (platform, handle)=(instagram, jane)
 * already exists"), a check or not-null violation prints the whole failing row, COPY
 * errors add a CONTEXT line with the offending input, and even primary messages quote
 * input ('invalid input syntax for type bigint: "..."'). So only the diagnostic fields
 * that name things, never values, are used (issue 10 item 7). */
#include <stdio.h>
#include <string.h>

#include "nm/db.h"

/* Appends ", <label> <value>" when the field is present. */
static void add_field(const PGresult *res, int code, const char *label, char *buf, size_t n)
{
	const char *v = PQresultErrorField(res, code);
	size_t used = strlen(buf);
	if (v && *v && used < n)
		snprintf(buf + used, n - used, ", %s %s", label, v);
}

/* The first line of a broken connection's reason ("server closed the connection
 * unexpectedly", "connection to server at ... failed"): about the transport, no rows. */
static void connection_reason(PGconn *conn, char *buf, size_t n)
{
	const char *m = conn ? PQerrorMessage(conn) : "";
	size_t len = strcspn(m, "\n");
	snprintf(buf, n, "connection lost: %.*s", (int)(len > 200 ? 200 : len), m);
}

const char *nm_db_error_safe(const PGresult *res, PGconn *conn, char *buf, size_t n)
{
	if (!buf || n == 0)
		return "";
	buf[0] = '\0';
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (!state || !*state) {
		if (conn && PQstatus(conn) == CONNECTION_BAD)
			connection_reason(conn, buf, n);
		else if (res)
			snprintf(buf, n, "%s (no SQLSTATE)", PQresStatus(PQresultStatus(res)));
		else
			snprintf(buf, n, "no result (connection %s)",
				 conn && PQstatus(conn) == CONNECTION_OK ? "ok" : "not ok");
		return buf;
	}
	snprintf(buf, n, "SQLSTATE %s", state);
	add_field(res, PG_DIAG_SCHEMA_NAME, "schema", buf, n);
	add_field(res, PG_DIAG_TABLE_NAME, "table", buf, n);
	add_field(res, PG_DIAG_COLUMN_NAME, "column", buf, n);
	add_field(res, PG_DIAG_DATATYPE_NAME, "type", buf, n);
	add_field(res, PG_DIAG_CONSTRAINT_NAME, "constraint", buf, n);
	return buf;
}
