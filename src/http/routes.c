/* The route table: method + pattern → handler, with the role, body kind and the
 * OpenAPI facts of each route. /openapi.json is generated from this table. */
#include "nm/handlers.h"
#include "nm/http.h"

#define NONE   NM_ROLE_NONE
#define READ   NM_ROLE_READ
#define WRITE  NM_ROLE_WRITE
#define ADMIN  NM_ROLE_ADMIN
#define NOBODY NM_BODY_NONE
#define JSON   NM_BODY_JSON

const struct nm_route nm_routes[] = {
	{"GET", "/healthz", nm_h_healthz, NONE, NOBODY, NULL, "Liveness", 200, NULL, "Health"},
	{"GET", "/readyz", nm_h_readyz, NONE, NOBODY, NULL,
	 "Readiness (database reachable and migrated)", 200, NULL, "Health"},
	{"GET", "/metrics", nm_h_metrics, NONE, NOBODY, NULL, "Prometheus metrics", 200, NULL,
	 NULL},
	{"GET", "/openapi.json", nm_h_openapi, NONE, NOBODY, NULL, "This OpenAPI document", 200,
	 NULL, NULL},

	{"POST", "/v1/keys", nm_h_keys_create, ADMIN, JSON, NULL, "Create an API key (shown once)",
	 201, "KeyInput", "KeyCreated"},
	{"GET", "/v1/keys", nm_h_keys_list, ADMIN, NOBODY, NULL, "List API keys", 200, NULL,
	 "KeyList"},
	{"DELETE", "/v1/keys/{id}", nm_h_keys_revoke, ADMIN, NOBODY, NULL, "Revoke an API key", 204,
	 NULL, NULL},

	{"POST", "/v1/brands", nm_h_brands_create, WRITE, JSON, NULL, "Create a brand", 201,
	 "BrandInput", "Brand"},
	{"GET", "/v1/brands", nm_h_brands_list, READ, NOBODY, NULL, "List brands", 200, NULL,
	 "BrandList"},
	{"GET", "/v1/brands/{id}", nm_h_brands_get, READ, NOBODY, NULL, "Get a brand", 200, NULL,
	 "Brand"},
	{"PATCH", "/v1/brands/{id}", nm_h_brands_patch, WRITE, JSON, NULL,
	 "Update a brand (JSON merge patch)", 200, "BrandPatch", "Brand"},
	{"DELETE", "/v1/brands/{id}", nm_h_brands_delete, WRITE, NOBODY, NULL, "Delete a brand",
	 204, NULL, NULL},

	{"POST", "/v1/brands/{id}/matches", nm_h_matches_run, WRITE, NM_BODY_JSON_OPTIONAL, NULL,
	 "Rank creators for the brand now and store the run", 201, "MatchRunInput",
	 "MatchRunCreated"},
	{"GET", "/v1/brands/{id}/matches", nm_h_matches_page, READ, NOBODY, NULL,
	 "Page through the latest (or ?run_id=) stored run", 200, NULL, "MatchPageList"},
	{"GET", "/v1/brands/{id}/match-runs", nm_h_match_runs_list, READ, NOBODY, NULL,
	 "List the brand's match runs, newest first", 200, NULL, "MatchRunList"},
	{"PUT", "/v1/brands/{id}/creators/{creator_id}/status", nm_h_status_put, WRITE, JSON, NULL,
	 "Set a creator's pipeline status for the brand", 200, "StatusInput", "Status"},
	{"GET", "/v1/brands/{id}/creators", nm_h_status_list, READ, NOBODY, NULL,
	 "List the brand's pipeline (?status=)", 200, NULL, "StatusList"},

	{"POST", "/v1/creators", nm_h_creators_upsert, WRITE, JSON, NULL,
	 "Create or update one creator (upsert on platform + handle)", 201, "CreatorInput",
	 "Creator"},
	{"GET", "/v1/creators", nm_h_creators_list, READ, NOBODY, NULL,
	 "List creators (filters: platform, handle, country, min_followers, max_followers, "
	 "category, q)",
	 200, NULL, "CreatorList"},
	{"POST", "/v1/creators/import", NULL, WRITE, NM_BODY_STREAM, &nm_import_stream,
	 "Bulk import creators (CSV, TSV, NDJSON or a JSON array), streamed", 201, "ImportBody",
	 "Import"},
	{"GET", "/v1/creators/{id}", nm_h_creators_get, READ, NOBODY, NULL, "Get a creator", 200,
	 NULL, "Creator"},
	{"DELETE", "/v1/creators/{id}", nm_h_creators_delete, WRITE, NOBODY, NULL,
	 "Delete a creator", 204, NULL, NULL},
	{"GET", "/v1/imports", nm_h_imports_list, READ, NOBODY, NULL, "List imports", 200, NULL,
	 "ImportList"},
	{"GET", "/v1/imports/{id}", nm_h_imports_get, READ, NOBODY, NULL,
	 "Get an import and its progress", 200, NULL, "Import"},

	{"POST", "/v1/webhooks", nm_h_webhooks_create, ADMIN, JSON, NULL,
	 "Create a webhook endpoint (the secret is shown once)", 201, "WebhookInput",
	 "WebhookCreated"},
	{"GET", "/v1/webhooks", nm_h_webhooks_list, ADMIN, NOBODY, NULL, "List webhook endpoints",
	 200, NULL, "WebhookList"},
	{"GET", "/v1/webhooks/{id}", nm_h_webhooks_get, ADMIN, NOBODY, NULL,
	 "Get a webhook endpoint", 200, NULL, "Webhook"},
	{"PATCH", "/v1/webhooks/{id}", nm_h_webhooks_patch, ADMIN, JSON, NULL,
	 "Update a webhook endpoint (JSON merge patch; status active re-enables)", 200,
	 "WebhookPatch", "Webhook"},
	{"DELETE", "/v1/webhooks/{id}", nm_h_webhooks_delete, ADMIN, NOBODY, NULL,
	 "Delete a webhook endpoint", 204, NULL, NULL},
	{"GET", "/v1/webhooks/{id}/deliveries", nm_h_webhooks_deliveries, ADMIN, NOBODY, NULL,
	 "Delivery attempts of an endpoint, newest first", 200, NULL, "WebhookAttemptList"},
	{"POST", "/v1/webhooks/{id}/deliveries/{delivery_id}/retry", nm_h_webhooks_retry, ADMIN,
	 NM_BODY_JSON_OPTIONAL, NULL, "Redeliver now (same webhook-id)", 202, NULL, "WebhookRetry"},

	{"POST", "/v1/inbound-sources", nm_h_inbound_sources_create, ADMIN, JSON, NULL,
	 "Create an inbound event source (the secret is shown once)", 201, "InboundSourceInput",
	 "InboundSourceCreated"},
	{"GET", "/v1/inbound-sources", nm_h_inbound_sources_list, ADMIN, NOBODY, NULL,
	 "List inbound event sources", 200, NULL, "InboundSourceList"},
	{"GET", "/v1/inbound-sources/{id}", nm_h_inbound_sources_get, ADMIN, NOBODY, NULL,
	 "Get an inbound event source", 200, NULL, "InboundSource"},
	{"DELETE", "/v1/inbound-sources/{id}", nm_h_inbound_sources_delete, ADMIN, NOBODY, NULL,
	 "Delete an inbound event source", 204, NULL, NULL},
	{"POST", "/v1/inbound/{source}", nm_h_inbound_receive, NONE, NM_BODY_RAW,
	 &nm_inbound_precheck, "Receive a Standard-Webhooks-signed event from a CRM (no API key)",
	 200, "InboundEvent", "InboundResult"},
};

const size_t nm_routes_count = sizeof nm_routes / sizeof nm_routes[0];
