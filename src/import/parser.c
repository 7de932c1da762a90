/* The import formats behind one ops table (see nm/import_parser.h). */
#include "nm/import_parser.h"

#include <stdio.h>
#include <stdlib.h>

struct nm_import_parser {
	const struct nm_import_sink *sink;
	size_t max_record_bytes;
	char delim; /* tabular: 0 until the first chunk picks it (CSV sniffs) */
	struct nm_csv *csv;
	struct nm_ndjson *nd;
	struct nm_jsonarr *ja;
};

static struct nm_import_parser *parser_new(const struct nm_import_sink *sink, size_t max)
{
	struct nm_import_parser *p = calloc(1, sizeof *p);
	if (p) {
		p->sink = sink;
		p->max_record_bytes = max;
	}
	return p;
}

static void parser_destroy(struct nm_import_parser *p)
{
	if (!p)
		return;
	if (p->csv)
		nm_csv_free(p->csv);
	if (p->nd)
		nm_ndjson_free(p->nd);
	if (p->ja)
		nm_jsonarr_free(p->ja);
	free(p);
}

/* ------------------------------------------------------------------ CSV and TSV */

static struct nm_import_parser *csv_create(const struct nm_import_sink *sink, size_t max)
{
	return parser_new(sink, max); /* the reader waits for the first chunk's delimiter */
}

static struct nm_import_parser *tsv_create(const struct nm_import_sink *sink, size_t max)
{
	struct nm_import_parser *p = parser_new(sink, max);
	if (p && !(p->csv = nm_csv_new('\t', max, sink->record, sink->cls))) {
		free(p);
		return NULL;
	}
	return p;
}

static int csv_feed(struct nm_import_parser *p, const char *buf, size_t len)
{
	if (!p->csv) {
		/* Exports labelled text/csv are often ';'-separated (European Excel). */
		char delim = nm_csv_sniff_delim(buf, len, ',');
		p->csv = nm_csv_new(delim, p->max_record_bytes, p->sink->record, p->sink->cls);
		if (!p->csv)
			return NM_IMPORT_PARSER_OOM;
	}
	return nm_csv_feed(p->csv, buf, len);
}

static int csv_finish(struct nm_import_parser *p)
{
	return p->csv ? nm_csv_finish(p->csv) : 0; /* an empty body has no records */
}

static const char *csv_error(const struct nm_import_parser *p, int rc, bool finishing, char *buf,
			     size_t n)
{
	if (rc == NM_IMPORT_PARSER_OOM)
		snprintf(buf, n, "out of memory");
	else if (rc == NM_CSV_TOO_LONG && !finishing)
		snprintf(buf, n, "a CSV record is longer than %zu bytes (an unclosed quote?)",
			 p->max_record_bytes);
	else
		snprintf(buf, n, "the body could not be parsed");
	return buf;
}

/* ------------------------------------------------------------------ JSON */

static struct nm_import_parser *ndjson_create(const struct nm_import_sink *sink, size_t max)
{
	struct nm_import_parser *p = parser_new(sink, max);
	if (p && !(p->nd = nm_ndjson_new(max, 32, sink->element, sink->cls))) {
		free(p);
		return NULL;
	}
	return p;
}

static int ndjson_feed(struct nm_import_parser *p, const char *buf, size_t len)
{
	return nm_ndjson_feed(p->nd, buf, len);
}

static int ndjson_finish(struct nm_import_parser *p)
{
	return nm_ndjson_finish(p->nd);
}

static const char *ndjson_error(const struct nm_import_parser *p, int rc, bool finishing, char *buf,
				size_t n)
{
	(void)p;
	(void)rc;
	(void)finishing;
	snprintf(buf, n, "the body could not be parsed");
	return buf;
}

static struct nm_import_parser *json_create(const struct nm_import_sink *sink, size_t max)
{
	struct nm_import_parser *p = parser_new(sink, max);
	if (p && !(p->ja = nm_jsonarr_new(max, 32, sink->element, sink->cls))) {
		free(p);
		return NULL;
	}
	return p;
}

static int json_feed(struct nm_import_parser *p, const char *buf, size_t len)
{
	return nm_jsonarr_feed(p->ja, buf, len);
}

static int json_finish(struct nm_import_parser *p)
{
	return nm_jsonarr_finish(p->ja);
}

static const char *json_error(const struct nm_import_parser *p, int rc, bool finishing, char *buf,
			      size_t n)
{
	(void)rc;
	(void)finishing;
	snprintf(buf, n, "%s", nm_jsonarr_error(p->ja));
	return buf;
}

const struct nm_import_parser_ops nm_import_csv = {"csv",      false,	  csv_create,	 csv_feed,
						   csv_finish, csv_error, parser_destroy};
const struct nm_import_parser_ops nm_import_tsv = {"tsv",      false,	  tsv_create,	 csv_feed,
						   csv_finish, csv_error, parser_destroy};
const struct nm_import_parser_ops nm_import_ndjson = {
	"ndjson", true, ndjson_create, ndjson_feed, ndjson_finish, ndjson_error, parser_destroy};
const struct nm_import_parser_ops nm_import_json = {
	"json", true, json_create, json_feed, json_finish, json_error, parser_destroy};
