/* The OpenAPI 3.1 document, generated from the route table (so it lists exactly the
 * routes the server has) plus hand-written component schemas. */
#ifndef NM_OPENAPI_H
#define NM_OPENAPI_H

#include <jansson.h>

/* Caller owns the result. */
json_t *nm_openapi_document(void);

/* The route table itself as JSON (method, path, operation_id, tag, role, scope, body and
 * the declared query parameters), for `nichematch routes` and the tests that walk the
 * table. Caller owns the result. */
json_t *nm_route_table_json(void);

#endif
