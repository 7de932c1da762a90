/* The import formats behind one ops table (nm/import_parser.h): each format's rows come
 * out through the same sink, and failures read the same way. */
#include <stdlib.h>

#include "check.h"
#include "nm/import_parser.h"

struct seen {
	int records, elements, bad;
	char first_cell[32];
	char last_handle[32];
};

static int on_record(void *cls, size_t line, size_t n, const char *const *cells, const size_t *lens)
{
	(void)line;
	(void)lens;
	struct seen *s = cls;
	if (s->records++ == 0 && n)
		snprintf(s->first_cell, sizeof s->first_cell, "%s", cells[0]);
	if (n > 1)
		snprintf(s->last_handle, sizeof s->last_handle, "%s", cells[1]);
	return 0;
}

static int on_element(void *cls, size_t pos, json_t *value, const char *err)
{
	(void)pos;
	(void)err;
	struct seen *s = cls;
	s->elements++;
	if (!value)
		s->bad++;
	else if (json_is_object(value))
		snprintf(s->last_handle, sizeof s->last_handle, "%s",
			 json_string_value(json_object_get(value, "handle")));
	return 0;
}

/* Feeds body through ops in chunks of `chunk` bytes (the CSV delimiter is sniffed from
 * the first chunk); returns feed's or finish's first code. */
static size_t chunk = 3;
static int run(const struct nm_import_parser_ops *ops, const char *body, struct seen *s, char *msg,
	       size_t n)
{
	memset(s, 0, sizeof *s);
	struct nm_import_sink sink = {s, on_record, on_element};
	struct nm_import_parser *p = ops->create(&sink, 64);
	CHECK(p != NULL);
	int rc = 0;
	size_t len = strlen(body);
	for (size_t off = 0; !rc && off < len; off += chunk)
		rc = ops->feed(p, body + off, len - off < chunk ? len - off : chunk);
	bool finishing = !rc;
	if (!rc)
		rc = ops->finish(p);
	if (rc)
		ops->error(p, rc, finishing, msg, n);
	ops->destroy(p);
	return rc;
}

int main(void)
{
	struct seen s;
	char msg[256] = "";
	/* CSV sniffs its delimiter from the first chunk: ';' (European Excel). */
	chunk = 4096;
	CHECK(run(&nm_import_csv, "platform;handle\ninstagram;anna\ntiktok;bo\n", &s, msg,
		  sizeof msg) == 0);
	CHECK(s.records == 3);
	CHECK_STR(s.first_cell, "platform");
	CHECK_STR(s.last_handle, "bo");
	chunk = 3;
	/* An empty CSV body has no records and no error. */
	CHECK(run(&nm_import_csv, "", &s, msg, sizeof msg) == 0 && s.records == 0);
	CHECK(run(&nm_import_tsv, "platform\thandle\ninstagram\tcy", &s, msg, sizeof msg) == 0);
	CHECK(s.records == 2);
	CHECK_STR(s.last_handle, "cy");
	/* A record past the bound stops the body with the CSV message. */
	CHECK(run(&nm_import_csv,
		  "a,\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
		  &s, msg, sizeof msg) == NM_CSV_TOO_LONG);
	CHECK(strstr(msg, "longer than 64 bytes") != NULL);
	CHECK(!nm_import_csv.json_rows && nm_import_ndjson.json_rows && nm_import_json.json_rows);

	CHECK(run(&nm_import_ndjson, "{\"handle\":\"di\"}\n{bad}\n\n{\"handle\":\"ed\"}", &s, msg,
		  sizeof msg) == 0);
	CHECK(s.elements == 3 && s.bad == 1);
	CHECK_STR(s.last_handle, "ed");
	CHECK(run(&nm_import_json, "[{\"handle\":\"fa\"}, 3]", &s, msg, sizeof msg) == 0);
	CHECK(s.elements == 2);
	CHECK_STR(s.last_handle, "fa");
	/* Not an array: the JSON reader says why. */
	CHECK(run(&nm_import_json, "{\"handle\":\"x\"}", &s, msg, sizeof msg) != 0);
	CHECK(msg[0] != '\0' && strcmp(msg, "the body could not be parsed") != 0);
	CHECK_STR(nm_import_ndjson.name, "ndjson");
	CHECK_DONE();
}
