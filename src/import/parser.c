/* The import formats behind one ops table (see nm/import_parser.h). */
#include "nm/import_parser.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nm/bom.h"
#include "nm/buf.h"

struct nm_import_parser {
	const struct nm_import_sink *sink;
	size_t max_record_bytes;
	struct nm_csv *csv; /* CSV: NULL until the first line picks the delimiter */
	struct nm_buf head; /* CSV: the body's first bytes until then */
	bool head_quoted;   /* CSV: the head ends inside quotes */
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
	nm_buf_free(&p->head);
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

/* Makes the CSV reader with the delimiter of the first line (sniffed from buf) and reads
 * buf. */
static int csv_open(struct nm_import_parser *p, const char *buf, size_t len)
{
	/* Exports labelled text/csv are often ';'-separated (European Excel). */
	char delim = nm_csv_sniff_delim(buf, len, ',');
	p->csv = nm_csv_new(delim, p->max_record_bytes, p->sink->record, p->sink->cls);
	if (!p->csv)
		return NM_IMPORT_PARSER_OOM;
	return nm_csv_feed(p->csv, buf, len);
}

static int csv_feed(struct nm_import_parser *p, const char *buf, size_t len)
{
	if (p->csv)
		return nm_csv_feed(p->csv, buf, len);
	/* The delimiter is counted on the whole first line, not on whatever the first chunk
	 * held: a client's first chunk may be a few bytes of the header. The head is held
	 * until the line ends outside quotes, up to one record (a longer first line is
	 * refused by the reader anyway). */
	size_t cap = p->max_record_bytes + 1;
	size_t n = cap - p->head.len;
	if (n > len)
		n = len;
	nm_buf_add(&p->head, buf, n);
	if (p->head.oom)
		return NM_IMPORT_PARSER_OOM;
	/* The first line ends at a line break outside quotes, as nm_csv_sniff_delim reads it. */
	bool line_ended = false;
	for (size_t i = 0; i < n && !line_ended; i++) {
		if (buf[i] == '"')
			p->head_quoted = !p->head_quoted;
		else if (!p->head_quoted && (buf[i] == '\n' || buf[i] == '\r'))
			line_ended = true;
	}
	if (!line_ended && p->head.len < cap)
		return 0;
	int rc = csv_open(p, p->head.data, p->head.len);
	nm_buf_free(&p->head);
	return rc ? rc : nm_csv_feed(p->csv, buf + n, len - n);
}

static int csv_finish(struct nm_import_parser *p)
{
	if (!p->csv && p->head.len) {
		int rc = csv_open(p, p->head.data, p->head.len);
		nm_buf_free(&p->head);
		if (rc)
			return rc;
	}
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

/* ------------------------------------------------------------------ picking a format */

static const struct {
	const char *media_type;
	const struct nm_import_parser_ops *ops;
} by_media[] = {
	{"text/csv", &nm_import_csv},
	{"text/tab-separated-values", &nm_import_tsv},
	{"application/x-ndjson", &nm_import_ndjson},
	{"application/ndjson", &nm_import_ndjson},
	{"application/jsonl", &nm_import_ndjson},
	{"application/json", &nm_import_json},
};

/* What browsers and spreadsheets label a .csv, .tsv or .json file with when they know
 * no better (Windows: application/vnd.ms-excel for .csv). */
static const char *const sniffed_media[] = {"application/vnd.ms-excel", "text/plain",
					    "application/octet-stream"};

/* ct is exactly want, or want followed by parameters. */
static bool media_is(const char *ct, const char *want)
{
	size_t n = strlen(want);
	return ct && strncasecmp(ct, want, n) == 0 &&
	       (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ' || ct[n] == '\t');
}

const struct nm_import_parser_ops *nm_import_by_media(const char *media_type)
{
	for (size_t i = 0; i < sizeof by_media / sizeof *by_media; i++)
		if (media_is(media_type, by_media[i].media_type))
			return by_media[i].ops;
	return NULL;
}

bool nm_import_sniffable_media(const char *media_type)
{
	for (size_t i = 0; i < sizeof sniffed_media / sizeof *sniffed_media; i++)
		if (media_is(media_type, sniffed_media[i]))
			return true;
	return false;
}

const struct nm_import_parser_ops *nm_import_by_filename(const char *name)
{
	static const struct {
		const char *ext;
		const struct nm_import_parser_ops *ops;
	} exts[] = {{".csv", &nm_import_csv},	   {".tsv", &nm_import_tsv},
		    {".tab", &nm_import_tsv},	   {".ndjson", &nm_import_ndjson},
		    {".jsonl", &nm_import_ndjson}, {".json", &nm_import_json}};
	const char *dot = name ? strrchr(name, '.') : NULL;
	if (!dot)
		return NULL;
	for (size_t i = 0; i < sizeof exts / sizeof *exts; i++)
		if (strcasecmp(dot, exts[i].ext) == 0)
			return exts[i].ops;
	return NULL;
}

const struct nm_import_parser_ops *nm_import_sniff(const char *buf, size_t len)
{
	size_t i = nm_bom_whole(buf, len);
	/* Blank lines and spaces before the first value; not tabs, which a TSV's empty
	 * first cell would be. */
	while (i < len && (buf[i] == ' ' || buf[i] == '\r' || buf[i] == '\n'))
		i++;
	if (i < len && buf[i] == '[')
		return &nm_import_json;
	if (i < len && buf[i] == '{')
		return &nm_import_ndjson;
	return nm_csv_sniff_delim(buf + i, len - i, ',') == '\t' ? &nm_import_tsv : &nm_import_csv;
}
