/* The route table: method + pattern → handler, with the role, body kind and the
 * OpenAPI facts of each route. /openapi.json is generated from this table. */
#include "nm/handlers.h"
#include "nm/http.h"

#define NONE NM_ROLE_NONE
#define READ NM_ROLE_READ
#define WRITE NM_ROLE_WRITE
#define ADMIN NM_ROLE_ADMIN
#define NOBODY NM_BODY_NONE
#define JSON NM_BODY_JSON

const struct nm_route nm_routes[] = {
    {"GET", "/healthz", nm_h_healthz, NONE, NOBODY, NULL, "Liveness", 200, NULL, "Health"},
    {"GET", "/readyz", nm_h_readyz, NONE, NOBODY, NULL, "Readiness (database reachable and migrated)", 200, NULL, "Health"},
    {"GET", "/metrics", nm_h_metrics, NONE, NOBODY, NULL, "Prometheus metrics", 200, NULL, NULL},
    {"GET", "/openapi.json", nm_h_openapi, NONE, NOBODY, NULL, "This OpenAPI document", 200, NULL, NULL},

    {"POST", "/v1/keys", nm_h_keys_create, ADMIN, JSON, NULL, "Create an API key (shown once)", 201, "KeyInput", "KeyCreated"},
    {"GET", "/v1/keys", nm_h_keys_list, ADMIN, NOBODY, NULL, "List API keys", 200, NULL, "KeyList"},
    {"DELETE", "/v1/keys/{id}", nm_h_keys_revoke, ADMIN, NOBODY, NULL, "Revoke an API key", 204, NULL, NULL},

    {"POST", "/v1/brands", nm_h_brands_create, WRITE, JSON, NULL, "Create a brand", 201, "BrandInput", "Brand"},
    {"GET", "/v1/brands", nm_h_brands_list, READ, NOBODY, NULL, "List brands", 200, NULL, "BrandList"},
    {"GET", "/v1/brands/{id}", nm_h_brands_get, READ, NOBODY, NULL, "Get a brand", 200, NULL, "Brand"},
    {"PATCH", "/v1/brands/{id}", nm_h_brands_patch, WRITE, JSON, NULL, "Update a brand (JSON merge patch)", 200, "BrandPatch", "Brand"},
    {"DELETE", "/v1/brands/{id}", nm_h_brands_delete, WRITE, NOBODY, NULL, "Delete a brand", 204, NULL, NULL},
};

const size_t nm_routes_count = sizeof nm_routes / sizeof nm_routes[0];
