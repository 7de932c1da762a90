/* One interface over the three bulk-import body formats (src/import/parser.c): CSV
 * (delimiter sniffed from the first chunk: ',', ';' or tab), TSV, NDJSON and a JSON
 * array. The import handler picks an ops table by Content-Type and never branches on
 * the format again. Pure C plus jansson.
 *
 * Rows come out through a sink: tabular formats call record() with the cells of each
 * record (the first is the header), JSON formats call element() with each element.
 * Bounds: one record or element of at most max_record_bytes is held at a time. */
#ifndef NM_IMPORT_PARSER_H
#define NM_IMPORT_PARSER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "nm/csv.h"
#include "nm/ndjson.h"

struct nm_import_sink {
	void *cls;
	nm_csv_record_cb record; /* tabular formats */
	nm_elem_cb element;	 /* JSON formats */
};

/* A feed or finish that failed because memory ran out before the reader existed. */
#define NM_IMPORT_PARSER_OOM (-3000)

struct nm_import_parser;

struct nm_import_parser_ops {
	const char *name; /* "csv", "tsv", "ndjson", "json": the imports.format value */
	bool json_rows;	  /* rows are JSON objects (unknown member names are tracked) */
	/* A parser feeding sink (borrowed; must outlive it); NULL when out of memory. */
	struct nm_import_parser *(*create)(const struct nm_import_sink *sink,
					   size_t max_record_bytes);
	/* 0, or a sticky non-zero code: the body cannot be read further. */
	int (*feed)(struct nm_import_parser *p, const char *buf, size_t len);
	int (*finish)(struct nm_import_parser *p);
	/* Why feed (finishing false) or finish (true) returned rc, in buf. */
	const char *(*error)(const struct nm_import_parser *p, int rc, bool finishing, char *buf,
			     size_t n);
	void (*destroy)(struct nm_import_parser *p);
};

extern const struct nm_import_parser_ops nm_import_csv, nm_import_tsv, nm_import_ndjson,
	nm_import_json;

/* The format a media type names (text/csv, text/tab-separated-values,
 * application/x-ndjson, application/ndjson, application/jsonl, application/json; the
 * parameters after ';' are ignored, case-insensitive), or NULL: a media type that names
 * no format we read (application/vnd.ms-excel, text/plain, application/octet-stream...)
 * is sniffed instead. */
const struct nm_import_parser_ops *nm_import_by_media(const char *media_type);
/* The format a file name's extension names (.csv, .tsv, .tab, .ndjson, .jsonl, .json;
 * case-insensitive), or NULL. */
const struct nm_import_parser_ops *nm_import_by_filename(const char *name);
/* Media types whose bodies are sniffed (nm_import_sniff) rather than refused. */
bool nm_import_sniffable_media(const char *media_type);

/* Bytes a sniff wants to see before it decides (fewer at the end of the body). */
#define NM_IMPORT_SNIFF_BYTES 4096
/* The format of a body from its first bytes (docs/api.md §4, "Sniffing"): after a UTF-8
 * BOM and blank space, '[' is a JSON array and '{' NDJSON; anything else is tabular, TSV
 * when the first line (outside quotes) has more tabs than commas and no fewer than
 * semicolons, else CSV (whose
 * reader then picks ',' or ';' the same way). Never NULL; an empty body is CSV (no rows). */
const struct nm_import_parser_ops *nm_import_sniff(const char *buf, size_t len);

#endif
