/* The nesting depth of JSON text, found by a scan rather than a parse (src/core/json_depth.c),
 * so that a body nested too deeply is refused before jansson recurses into it. Used by the
 * HTTP dispatcher (request bodies), the inbound webhook handler and the import readers
 * (each element). */
#ifndef NM_JSON_DEPTH_H
#define NM_JSON_DEPTH_H

#include <stddef.h>

/* Depth of the deepest nesting of [ and { in buf (strings skipped); used to reject
 * bodies nested deeper than 32 before parsing (docs/api.md §7). Stops counting past limit+1. */
int nm_json_depth(const char *buf, size_t len, int limit);

#endif
