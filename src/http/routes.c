/* The route table: method + pattern → handler, and everything a client must know about
 * each route: role and scope, body, media types, query parameters, headers, problems,
 * operationId and tag. The dispatcher enforces what a row says (role, scope, query
 * parameters, body kind) and /openapi.json is generated from this table alone, so a
 * route cannot exist without being described, nor be described without existing. */
#include <string.h>
#include <strings.h>

#include "nm/handlers.h"
#include "nm/http.h"

/* ---- query parameters shared by several routes ---- */

#define P_LIMIT                                                                                    \
	{                                                                                          \
		.name = "limit", .type = NM_PARAM_INTEGER, .min = 1, .max = 200,                   \
		.description = "Page size, 1 to 200 (default 50)"                                  \
	}
#define P_CURSOR                                                                                   \
	{                                                                                          \
		.name = "cursor", .type = NM_PARAM_STRING, .max_len = 64,                          \
		.description = "Opaque cursor: the next_cursor of the previous page"               \
	}
#define P_END                                                                                      \
	{                                                                                          \
		.name = NULL                                                                       \
	}

static const char *const platforms[] = {"instagram", "tiktok",	 "youtube", "twitter",
					"x",	     "facebook", "twitch",  "linkedin",
					"pinterest", "other",	 NULL};
static const char *const statuses[] = {"shortlisted", "contacted", "accepted",
				       "declined",    "excluded",  NULL};
static const char *const on_error_values[] = {"skip", "abort", NULL};
static const char *const match_statuses[] = {"shortlisted", "contacted", "accepted", "declined",
					     "excluded",    "none",	 NULL};
static const char *const tiers[] = {"nano", "micro", "mid", "macro", "mega", NULL};
static const char *const confidence_levels[] = {"high", "medium", "low", NULL};

static const struct nm_param page_params[] = {P_LIMIT, P_CURSOR, P_END};

static const char *const event_types[] = {"brand.created",
					  "brand.updated",
					  "brand.deleted",
					  "import.completed",
					  "import.failed",
					  "match_run.completed",
					  "creator.status_changed",
					  "creator.created",
					  "creator.updated",
					  "creator.deleted",
					  "webhook.test",
					  "plan.created",
					  "match.new_candidate",
					  NULL};

static const struct nm_param event_list_params[] = {
	P_LIMIT,
	P_CURSOR,
	{.name = "after",
	 .type = NM_PARAM_INTEGER,
	 .min = 0,
	 .max = 9007199254740991.0,
	 .description = "Events after this seq (the last seq you processed; 0 from the oldest "
			"retained). Takes precedence over cursor"},
	{.name = "type",
	 .type = NM_PARAM_ENUM,
	 .values = event_types,
	 .description = "Only this type"},
	P_END,
};

static const char *const creator_sorts[] = {"id",
					    "-id",
					    "followers",
					    "-followers",
					    "engagement_rate",
					    "-engagement_rate",
					    "price_per_post_cents",
					    "-price_per_post_cents",
					    "last_post_at",
					    "-last_post_at",
					    "updated_at",
					    "-updated_at",
					    NULL};
static const char *const creator_facets[] = {"platform", "tier",     "country",
					     "language", "category", NULL};

/* The filters of a creator search: GET /v1/creators and GET /v1/creators.csv. */
#define CREATOR_FILTER_PARAMS                                                                      \
	/* A string rather than an enum list: clients generated before lists typed it as one       \
	 * platform, and that call must keep compiling; the handler checks each value. */          \
	{.name = "platform",                                                                       \
	 .type = NM_PARAM_STRING,                                                                  \
	 .max_len = 400,                                                                           \
	 .repeatable = true,                                                                       \
	 .description = "Only creators on these platforms (any of; repeat or comma-separate): "    \
			"instagram, tiktok, youtube, twitter, x, facebook, twitch, linkedin, "     \
			"pinterest, other"},                                                       \
		{.name = "tier",                                                                   \
		 .type = NM_PARAM_ENUM,                                                            \
		 .values = tiers,                                                                  \
		 .list = true,                                                                     \
		 .repeatable = true,                                                               \
		 .description = "Only creators in these follower tiers (any of)"},                 \
		{.name = "handle",                                                                 \
		 .type = NM_PARAM_STRING,                                                          \
		 .max_len = 101,                                                                   \
		 .description = "Exact handle (case-insensitive, a leading @ is ignored)"},        \
		{.name = "country",                                                                \
		 .type = NM_PARAM_STRING,                                                          \
		 .max_len = 400,                                                                   \
		 .repeatable = true,                                                               \
		 .description =                                                                    \
			 "ISO 3166-1 alpha-2 country codes of the creator (any of; repeat or "     \
			 "comma-separate)"},                                                       \
		{.name = "language",                                                               \
		 .type = NM_PARAM_STRING,                                                          \
		 .max_len = 400,                                                                   \
		 .repeatable = true,                                                               \
		 .description = "ISO 639-1 language codes of the creator (any of; repeat or "      \
				"comma-separate)"},                                                \
		{.name = "min_followers",                                                          \
		 .type = NM_PARAM_INTEGER,                                                         \
		 .min = 0,                                                                         \
		 .max = 9007199254740991.0,                                                        \
		 .description = "At least this many followers"},                                   \
		{.name = "max_followers",                                                          \
		 .type = NM_PARAM_INTEGER,                                                         \
		 .min = 0,                                                                         \
		 .max = 9007199254740991.0,                                                        \
		 .description = "At most this many followers"},                                    \
		{.name = "category",                                                               \
		 .type = NM_PARAM_STRING,                                                          \
		 .max_len = 2000,                                                                  \
		 .repeatable = true,                                                               \
		 .description = "Creators with any of these categories (normalised like imported " \
				"categories; repeat or comma-separate)"},                          \
		{.name = "min_engagement_rate",                                                    \
		 .type = NM_PARAM_NUMBER,                                                          \
		 .min = 0,                                                                         \
		 .max = 1,                                                                         \
		 .description = "Engagement rate at least this (0-1); creators without one are "   \
				"left out"},                                                       \
		{.name = "max_engagement_rate",                                                    \
		 .type = NM_PARAM_NUMBER,                                                          \
		 .min = 0,                                                                         \
		 .max = 1,                                                                         \
		 .description =                                                                    \
			 "Engagement rate at most this (0-1); creators without one are left out"}, \
		{.name = "max_price_per_post_cents",                                               \
		 .type = NM_PARAM_INTEGER,                                                         \
		 .min = 0,                                                                         \
		 .max = 9007199254740991.0,                                                        \
		 .description =                                                                    \
			 "Price per post at most this; creators without a price are left out"},    \
		{.name = "has_email",                                                              \
		 .type = NM_PARAM_BOOLEAN,                                                         \
		 .description = "true: only creators with an email; false: only those without"},   \
		{.name = "has_price",                                                              \
		 .type = NM_PARAM_BOOLEAN,                                                         \
		 .description =                                                                    \
			 "true: only creators with a price per post; false: only those without"},  \
		{.name = "active_within_days",                                                     \
		 .type = NM_PARAM_INTEGER,                                                         \
		 .min = 0,                                                                         \
		 .max = 36500,                                                                     \
		 .description = "Last post at most this many days ago (creators without one are "  \
				"left out)"},                                                      \
		{.name = "min_follower_growth_30d",                                                \
		 .type = NM_PARAM_NUMBER,                                                          \
		 .min = -1,                                                                        \
		 .max = 1000,                                                                      \
		 .description =                                                                    \
			 "Follower growth over 30 days at least this fraction (0.1 = +10 %)"},     \
		{.name = "max_data_age_days",                                                      \
		 .type = NM_PARAM_INTEGER,                                                         \
		 .min = 0,                                                                         \
		 .max = 36500,                                                                     \
		 .description = "Data measured (data_as_of) at most this many whole days ago "     \
				"(creators without a date are left out)"},                         \
		{.name = "min_confidence",                                                         \
		 .type = NM_PARAM_ENUM,                                                            \
		 .values = confidence_levels,                                                      \
		 .description = "Only creators whose data confidence is at least this (high > "    \
				"medium > low; docs/scoring.md \"Data confidence\")"},             \
	{                                                                                          \
		.name = "q", .type = NM_PARAM_STRING, .max_len = 200,                              \
		.description =                                                                     \
			"Words to find in bio, categories and hashtags: every word must match, "   \
			"as written or stemmed; the last word also as a prefix (type-ahead)"       \
	}

static const struct nm_param creator_list_params[] = {
	P_LIMIT,
	{.name = "cursor",
	 .type = NM_PARAM_STRING,
	 .max_len = 160,
	 .description = "Opaque cursor: the next_cursor of the previous page (same filters and "
			"sort)"},
	CREATOR_FILTER_PARAMS,
	{.name = "sort",
	 .type = NM_PARAM_ENUM,
	 .values = creator_sorts,
	 .description = "Sort key, '-' for descending (default id); ties by id in the same "
			"direction; creators without the key come last"},
	{.name = "facets",
	 .type = NM_PARAM_ENUM,
	 .values = creator_facets,
	 .list = true,
	 .description = "Count the filtered creators per value of these fields (top 50 values "
			"each, exact counts)"},
	P_END,
};

/* Lookalike filters (GET /v1/creators/{id}/lookalikes; the POST takes them in its body). */
static const struct nm_param lookalike_params[] = {
	{.name = "limit",
	 .type = NM_PARAM_INTEGER,
	 .min = 1,
	 .max = 200,
	 .description = "Results, 1 to 200 (default 20)"},
	{.name = "platform",
	 .type = NM_PARAM_ENUM,
	 .values = platforms,
	 .description = "Only creators on this platform"},
	{.name = "country",
	 .type = NM_PARAM_STRING,
	 .max_len = 2,
	 .description = "Only creators based in this ISO 3166-1 alpha-2 country"},
	{.name = "min_followers",
	 .type = NM_PARAM_INTEGER,
	 .min = 0,
	 .max = 9007199254740991.0,
	 .description = "At least this many followers"},
	{.name = "max_followers",
	 .type = NM_PARAM_INTEGER,
	 .min = 0,
	 .max = 9007199254740991.0,
	 .description = "At most this many followers"},
	P_END,
};

static const struct nm_param match_page_params[] = {
	P_LIMIT,
	P_CURSOR,
	{.name = "run_id",
	 .type = NM_PARAM_INTEGER,
	 .min = 1,
	 .max = 9007199254740991.0,
	 .description = "A stored run of the brand (default: the latest)"},
	{.name = "status",
	 .type = NM_PARAM_ENUM,
	 .values = match_statuses,
	 .list = true,
	 .repeatable = true,
	 .description = "Only results whose creator has this live pipeline status for the brand "
			"(none: no status yet); repeat or comma-separate for any of several"},
	{.name = "tier",
	 .type = NM_PARAM_ENUM,
	 .values = tiers,
	 .list = true,
	 .repeatable = true,
	 .description = "Only creators of this tier at run time; any of several"},
	{.name = "platform",
	 .type = NM_PARAM_ENUM,
	 .values = platforms,
	 .list = true,
	 .repeatable = true,
	 .description = "Only creators on this platform; any of several"},
	{.name = "country",
	 .type = NM_PARAM_STRING,
	 .max_len = 200,
	 .repeatable = true,
	 .description = "Only creators based in this ISO 3166-1 alpha-2 country (at run "
			"time); repeat or comma-separate for any of several"},
	{.name = "min_score",
	 .type = NM_PARAM_NUMBER,
	 .min = 0,
	 .max = 100,
	 .description = "Only results scoring at least this (0 to 100)"},
	P_END,
};

static const struct nm_param status_list_params[] = {
	P_LIMIT,
	P_CURSOR,
	{.name = "status",
	 .type = NM_PARAM_ENUM,
	 .values = statuses,
	 .description = "Only creators in this pipeline status"},
	P_END,
};

/* ---- CSV exports (docs/api.md "CSV exports") ---- */

static const char *const csv_tiers[] = {"nano", "micro", "mid", "macro", "mega", NULL};
static const char *const csv_match_statuses[] = {"shortlisted", "contacted", "accepted", "declined",
						 "excluded",	"none",	     NULL};

#define P_BOM                                                                                      \
	{                                                                                          \
		.name = "bom", .type = NM_PARAM_BOOLEAN,                                           \
		.description = "true or 1: start with a UTF-8 byte order mark (for Excel)"         \
	}

/* GET /v1/creators's filters, without the page. */
static const struct nm_param creator_csv_params[] = {
	CREATOR_FILTER_PARAMS,
	P_BOM,
	P_END,
};

#define P_STATUSES                                                                                 \
	{                                                                                          \
		.name = "status", .type = NM_PARAM_ENUM, .values = statuses, .list = true,         \
		.repeatable = true,                                                                \
		.description = "Only creators in one of these pipeline statuses (comma-separated " \
			       "or repeated)"                                                      \
	}

static const struct nm_param pipeline_csv_params[] = {P_STATUSES, P_BOM, P_END};

static const struct nm_param match_csv_params[] = {
	{.name = "run_id",
	 .type = NM_PARAM_INTEGER,
	 .min = 1,
	 .max = 9007199254740991.0,
	 .description = "A stored run of the brand (default: the latest)"},
	{.name = "status",
	 .type = NM_PARAM_ENUM,
	 .values = csv_match_statuses,
	 .list = true,
	 .repeatable = true,
	 .description = "Only results whose creator has one of these live pipeline statuses "
			"(none: no status yet; comma-separated or repeated)"},
	{.name = "tier",
	 .type = NM_PARAM_ENUM,
	 .values = csv_tiers,
	 .list = true,
	 .repeatable = true,
	 .description = "Only results in one of these follower tiers (comma-separated or "
			"repeated)"},
	{.name = "platform",
	 .type = NM_PARAM_ENUM,
	 .values = platforms,
	 .list = true,
	 .repeatable = true,
	 .description = "Only results on one of these platforms (comma-separated or repeated)"},
	{.name = "country",
	 .type = NM_PARAM_STRING,
	 .max_len = 200,
	 .repeatable = true,
	 .description = "Only results whose creator is in one of these ISO 3166-1 alpha-2 "
			"countries at run time (comma-separated or repeated)"},
	{.name = "min_score",
	 .type = NM_PARAM_NUMBER,
	 .min = 0,
	 .max = 100,
	 .description = "Only results scoring at least this (0 to 100)"},
	P_BOM,
	P_END,
};

static const struct nm_param import_params[] = {
	{.name = "platform",
	 .type = NM_PARAM_ENUM,
	 .values = platforms,
	 .description = "Platform of rows that do not name one"},
	{.name = "on_error",
	 .type = NM_PARAM_ENUM,
	 .values = on_error_values,
	 .description = "skip (default): reject bad rows and import the rest; abort: import "
			"nothing when a row is bad"},
	P_END,
};

static const struct nm_param upload_params[] = {
	{.name = "platform",
	 .type = NM_PARAM_ENUM,
	 .values = platforms,
	 .description = "As for POST /v1/creators/import; overrides the value given to POST "
			"/v1/imports"},
	{.name = "on_error",
	 .type = NM_PARAM_ENUM,
	 .values = on_error_values,
	 .description = "As for POST /v1/creators/import; overrides the value given to POST "
			"/v1/imports"},
	P_END,
};

/* ---- headers ---- */

static const struct nm_header idem_header[] = {
	{.name = "Idempotency-Key",
	 .description = "Up to 255 printable characters; a retry with the same key and body "
			"within 24 h replays the first reply instead of acting twice",
	 .example = "7f3c1e0a-5b8e-4d0c-9a51-2f4d6c1b9e11"},
	{.name = NULL},
};

static const struct nm_header import_headers[] = {
	{.name = "Idempotency-Key",
	 .description = "As for every POST: a retry with the same key and body replays the "
			"first reply"},
	{.name = "Content-Type",
	 .description = "text/csv, text/tab-separated-values, application/x-ndjson or "
			"application/json (an array of creators); multipart/form-data with one "
			"file part; application/vnd.ms-excel, text/plain or "
			"application/octet-stream are sniffed",
	 .required = true},
	{.name = NULL},
};

static const struct nm_header upload_headers[] = {
	{.name = "Content-Type",
	 .description = "As for POST /v1/creators/import",
	 .required = true},
	{.name = NULL},
};

/* Which headers authenticate depends on the source's scheme (docs/webhooks.md, "Inbound"):
 * standard (the webhook-* three), hubspot_v3 (the X-HubSpot-* two) or bearer (an
 * Authorization: Bearer header, which OpenAPI does not let a route list). */
static const struct nm_header inbound_headers[] = {
	{.name = "webhook-id",
	 .description = "standard: unique event id (deduplicated); bearer: optional, else the body "
			"hash dedupes"},
	{.name = "webhook-timestamp",
	 .description = "standard: unix seconds; refused when more than 5 minutes off"},
	{.name = "webhook-signature",
	 .description = "standard: v1,<base64 HMAC-SHA256 of id.timestamp.body> (Standard "
			"Webhooks)"},
	{.name = "X-HubSpot-Signature-v3",
	 .description = "hubspot_v3: base64 HMAC-SHA256(client secret, method + URL + body + "
			"timestamp)"},
	{.name = "X-HubSpot-Request-Timestamp",
	 .description = "hubspot_v3: unix milliseconds; refused when more than 5 minutes off"},
	{.name = NULL},
};

static const struct nm_header csv_headers[] = {
	{.name = "Content-Disposition",
	 .description = "attachment; filename=\"....csv\" (a browser saves the file)"},
	{.name = NULL},
};

static const struct nm_header match_csv_headers[] = {
	{.name = "Content-Disposition",
	 .description = "attachment; filename=\"matches.csv\" (a browser saves the file)"},
	{.name = "X-Match-Run-Id", .description = "The id of the run exported"},
	{.name = NULL},
};

static const struct nm_header csrf_header[] = {
	{.name = "X-CSRF-Token",
	 .description = "With the session cookie (not with a bearer key): the csrf_token of the "
			"sign-in reply; required on every POST, PUT, PATCH and DELETE"},
	{.name = NULL},
};

static const struct nm_header set_cookie_header[] = {
	{.name = "Set-Cookie",
	 .description = "nm_session=<token>; Path=/; Max-Age=<NICHEMATCH_SESSION_TTL_S>; HttpOnly; "
			"SameSite=Strict (and Secure behind TLS)"},
	{.name = "Location", .description = "/v1/sessions/current"},
	{.name = NULL},
};

static const struct nm_header location_header[] = {
	{.name = "Location", .description = "URL of the created resource"},
	{.name = NULL},
};

/* Conditional requests (docs/api-decisions.md, "Caching and conditional requests"): a
 * route that declares ETag among its response headers gets it from the dispatcher, and a
 * GET of it answers If-None-Match with 304. */
static const struct nm_header if_none_match_header[] = {
	{.name = "If-None-Match",
	 .description = "ETags you hold (or *): 304 Not Modified, without a body, when one of "
			"them is current (weak comparison)",
	 .example = "\"5d41402abc4b2a76b9719d911017c592\""},
	{.name = NULL},
};

static const struct nm_header if_match_header[] = {
	{.name = "If-Match",
	 .description = "The ETag you read (or *): when it is not current, 412 "
			"precondition-failed and nothing changes. Without it the write "
			"happens whatever the current state"},
	{.name = NULL},
};

static const struct nm_header etag_header[] = {
	{.name = "ETag",
	 .description = "Strong validator of this representation: send it back as "
			"If-None-Match (GET) or If-Match (PATCH, PUT, DELETE)"},
	{.name = NULL},
};

/* ---- media types ---- */

/* The last four are browser uploads: sniffed, or one file part (docs/api.md §4). */
static const char *const import_media[] = {
	"text/csv",	    "text/tab-separated-values", "application/x-ndjson",
	"application/json", "multipart/form-data",	 "application/vnd.ms-excel",
	"text/plain",	    "application/octet-stream",	 NULL};
static const char *const raw_json_media[] = {"application/json", NULL};

/* ---- problems beyond those derived from role, body and path ---- */

static const enum nm_problem conflict[] = {NM_P_CONFLICT, NM_P_COUNT};
static const enum nm_problem inbound_problems[] = {NM_P_BAD_SIGNATURE, NM_P_VALIDATION, NM_P_COUNT};
static const enum nm_problem import_problems[] = {NM_P_VALIDATION, NM_P_RATE_LIMITED, NM_P_COUNT};
static const enum nm_problem stale[] = {NM_P_PRECONDITION_FAILED, NM_P_COUNT};
static const enum nm_problem conflict_or_stale[] = {NM_P_CONFLICT, NM_P_PRECONDITION_FAILED,
						    NM_P_COUNT};
static const enum nm_problem upload_problems[] = {NM_P_VALIDATION, NM_P_RATE_LIMITED, NM_P_CONFLICT,
						  NM_P_COUNT};
static const enum nm_problem not_ready[] = {NM_P_DB_UNAVAILABLE, NM_P_SHUTTING_DOWN, NM_P_NOT_READY,
					    NM_P_COUNT};
static const enum nm_problem unauthorized[] = {NM_P_UNAUTHORIZED, NM_P_RATE_LIMITED,
					       NM_P_DB_UNAVAILABLE, NM_P_COUNT};
static const enum nm_problem not_found[] = {NM_P_NOT_FOUND, NM_P_COUNT};

#define KEYS_SCOPE     "Keys are managed with an admin key that is not bound to a brand."
#define INBOUND_SCOPE  "Inbound sources are managed with an admin key not bound to a brand."
#define CREATORS_SCOPE "A key bound to a brand reads the creator pool but cannot change it."
#define IMPORT_SCOPE   "A key bound to a brand reads the creator pool but cannot import."

#define CSV_DESCRIPTION                                                                            \
	"RFC 4180 with a header row, UTF-8, CRLF line ends; dates RFC 3339, lists joined with "    \
	"'|'. A text cell that begins with =, +, -, @, TAB or CR gets a leading ' (formula "       \
	"injection). Streamed with chunked transfer encoding: a transfer cut short means an "      \
	"incomplete file."

const struct nm_route nm_routes[] = {
	{.method = "GET",
	 .pattern = "/healthz",
	 .handler = nm_h_healthz,
	 .operation_id = "getHealth",
	 .tag = "Operations",
	 .summary = "Liveness",
	 .success_status = 200,
	 .response_schema = "Health"},
	{.method = "GET",
	 .pattern = "/readyz",
	 .handler = nm_h_readyz,
	 .operation_id = "getReadiness",
	 .tag = "Operations",
	 .summary =
		 "Readiness (not draining, database reachable and migrated, ranking index loaded)",
	 .success_status = 200,
	 .response_schema = "Health",
	 .problems = not_ready},
	{.method = "GET",
	 .pattern = "/metrics",
	 .handler = nm_h_metrics,
	 .operation_id = "getMetrics",
	 .tag = "Operations",
	 .summary = "Prometheus metrics",
	 .success_status = 200,
	 .response_media = "text/plain; version=0.0.4"},
	{.method = "GET",
	 .pattern = "/openapi.json",
	 .handler = nm_h_openapi,
	 .operation_id = "getOpenApi",
	 .tag = "Operations",
	 .summary = "This OpenAPI document",
	 .success_status = 200},

	{.method = "POST",
	 .pattern = "/v1/keys",
	 .handler = nm_h_keys_create,
	 .min_role = NM_ROLE_ADMIN,
	 .scope = NM_SCOPE_UNSCOPED,
	 .scope_reason = KEYS_SCOPE,
	 .body = NM_BODY_JSON,
	 .operation_id = "createKey",
	 .tag = "Keys",
	 .summary = "Create an API key (shown once)",
	 .success_status = 201,
	 .request_schema = "KeyInput",
	 .response_schema = "KeyCreated",
	 .headers = idem_header,
	 .response_headers = location_header},
	{.method = "GET",
	 .pattern = "/v1/keys",
	 .handler = nm_h_keys_list,
	 .min_role = NM_ROLE_ADMIN,
	 .scope = NM_SCOPE_UNSCOPED,
	 .scope_reason = KEYS_SCOPE,
	 .operation_id = "listKeys",
	 .tag = "Keys",
	 .summary = "List API keys",
	 .success_status = 200,
	 .response_schema = "KeyList",
	 .query = page_params},
	{.method = "DELETE",
	 .pattern = "/v1/keys/{id}",
	 .handler = nm_h_keys_revoke,
	 .min_role = NM_ROLE_ADMIN,
	 .scope = NM_SCOPE_UNSCOPED,
	 .scope_reason = KEYS_SCOPE,
	 .operation_id = "revokeKey",
	 .tag = "Keys",
	 .summary = "Revoke an API key",
	 .success_status = 204},

	{.method = "POST",
	 .pattern = "/v1/sessions",
	 .handler = nm_h_sessions_create,
	 .body = NM_BODY_JSON,
	 .operation_id = "createSession",
	 .tag = "Sessions",
	 .summary = "Sign in: exchange an API key for a session cookie (the dashboard)",
	 .description =
		 "The key is checked as a bearer key is (a wrong one answers 401 and counts "
		 "against the address's failure budget). The reply sets an HttpOnly, "
		 "SameSite=Strict session cookie and carries the CSRF token that "
		 "cookie-authenticated POST, PUT, PATCH and DELETE requests must send in "
		 "X-CSRF-Token; the key itself is never returned. The session acts with the "
		 "key's role and brand scope and ends at expires_at, at sign-out, or when the "
		 "key is revoked.",
	 .success_status = 201,
	 .request_schema = "SessionInput",
	 .response_schema = "Session",
	 .response_headers = set_cookie_header,
	 .problems = unauthorized},
	{.method = "GET",
	 .pattern = "/v1/sessions/current",
	 .handler = nm_h_sessions_get,
	 .min_role = NM_ROLE_READ,
	 .operation_id = "getSession",
	 .tag = "Sessions",
	 .summary = "The session of the cookie, with its CSRF token (404 with a bearer key)",
	 .success_status = 200,
	 .response_schema = "Session",
	 .problems = not_found},
	{.method = "DELETE",
	 .pattern = "/v1/sessions/current",
	 .handler = nm_h_sessions_delete,
	 .min_role = NM_ROLE_READ,
	 .operation_id = "deleteSession",
	 .tag = "Sessions",
	 .summary = "Sign out: revoke the cookie's session (404 with a bearer key)",
	 .success_status = 204,
	 .headers = csrf_header,
	 .problems = not_found},

	{.method = "POST",
	 .pattern = "/v1/brands",
	 .handler = nm_h_brands_create,
	 .min_role = NM_ROLE_WRITE,
	 .body = NM_BODY_JSON,
	 .operation_id = "createBrand",
	 .tag = "Brands",
	 .summary = "Create a brand",
	 .success_status = 201,
	 .request_schema = "BrandInput",
	 .response_schema = "Brand",
	 .headers = idem_header,
	 .response_headers = location_header,
	 .problems = conflict},
	{.method = "GET",
	 .pattern = "/v1/brands",
	 .handler = nm_h_brands_list,
	 .min_role = NM_ROLE_READ,
	 .operation_id = "listBrands",
	 .replica_reads = true,
	 .tag = "Brands",
	 .summary = "List brands",
	 .success_status = 200,
	 .response_schema = "BrandList",
	 .query = page_params},
	{.method = "GET",
	 .pattern = "/v1/brands/{id}",
	 .handler = nm_h_brands_get,
	 .min_role = NM_ROLE_READ,
	 .operation_id = "getBrand",
	 .replica_reads = true,
	 .tag = "Brands",
	 .summary = "Get a brand",
	 .success_status = 200,
	 .response_schema = "Brand",
	 .headers = if_none_match_header,
	 .response_headers = etag_header},
	{.method = "PATCH",
	 .pattern = "/v1/brands/{id}",
	 .handler = nm_h_brands_patch,
	 .min_role = NM_ROLE_WRITE,
	 .body = NM_BODY_JSON,
	 .operation_id = "updateBrand",
	 .tag = "Brands",
	 .summary = "Update a brand (JSON merge patch)",
	 .success_status = 200,
	 .request_schema = "BrandPatch",
	 .response_schema = "Brand",
	 .headers = if_match_header,
	 .response_headers = etag_header,
	 .problems = conflict_or_stale},
	{.method = "DELETE",
	 .pattern = "/v1/brands/{id}",
	 .handler = nm_h_brands_delete,
	 .min_role = NM_ROLE_WRITE,
	 .operation_id = "deleteBrand",
	 .tag = "Brands",
	 .summary = "Delete a brand",
	 .success_status = 204,
	 .headers = if_match_header,
	 .problems = stale},

	{.method = "POST",
	 .pattern = "/v1/brands/{id}/matches",
	 .handler = nm_h_matches_run,
	 .min_role = NM_ROLE_WRITE,
	 .body = NM_BODY_JSON_OPTIONAL,
	 .operation_id = "runMatches",
	 .tag = "Matches",
	 .summary = "Rank creators for the brand now and store the run",
	 .success_status = 201,
	 .request_schema = "MatchRunInput",
	 .response_schema = "MatchRunCreated",
	 .headers = idem_header,
	 .response_headers = location_header},
	{.method = "GET",
	 .pattern = "/v1/brands/{id}/matches",
	 .handler = nm_h_matches_page,
	 .min_role = NM_ROLE_READ,
	 .operation_id = "listMatches",
	 .replica_reads = true,
	 .tag = "Matches",
	 .summary = "Page through the latest (or ?run_id=) stored run, filtered",
	 .success_status = 200,
	 .response_schema = "MatchPageList",
	 .query = match_page_params,
	 .headers = if_none_match_header,
	 .response_headers = etag_header},
	{.method = "GET",
	 .pattern = "/v1/brands/{id}/matches.csv",
	 .handler = nm_h_export_matches,
	 .min_role = NM_ROLE_READ,
	 .operation_id = "exportMatchesCsv",
	 .replica_reads = true,
	 .tag = "Exports",
	 .summary = "The latest (or ?run_id=) stored run as a CSV file, streamed",
	 .description = CSV_DESCRIPTION,
	 .success_status = 200,
	 .response_media = "text/csv",
	 .query = match_csv_params,
	 .response_headers = match_csv_headers},
	{.method = "GET",
	 .pattern = "/v1/brands/{id}/match-runs",
	 .handler = nm_h_match_runs_list,
	 .min_role = NM_ROLE_READ,
	 .operation_id = "listMatchRuns",
	 .replica_reads = true,
	 .tag = "Matches",
	 .summary = "List the brand's match runs, newest first",
	 .success_status = 200,
	 .response_schema = "MatchRunList",
	 .query = page_params,
	 .headers = if_none_match_header,
	 .response_headers = etag_header},
	{.method = "GET",
	 .pattern = "/v1/brands/{id}/creators/{creator_id}/status",
	 .handler = nm_h_status_get,
	 .min_role = NM_ROLE_READ,
	 .operation_id = "getCreatorStatus",
	 .replica_reads = true,
	 .tag = "Pipeline",
	 .summary = "Get a creator's pipeline status for the brand (404 when it has none)",
	 .success_status = 200,
	 .response_schema = "Status",
	 .headers = if_none_match_header,
	 .response_headers = etag_header},
	{.method = "GET",
	 .pattern = "/v1/brands/{id}/match-runs/{run_id}",
	 .handler = nm_h_match_run_get,
	 .min_role = NM_ROLE_READ,
	 .operation_id = "getMatchRun",
	 .replica_reads = true,
	 .tag = "Matches",
	 .summary = "One match run of the brand, with the funnel of its hard rules",
	 .success_status = 200,
	 .response_schema = "MatchRun",
	 .headers = if_none_match_header,
	 .response_headers = etag_header},
	{.method = "POST",
	 .pattern = "/v1/brands/{id}/lookalikes",
	 .handler = nm_h_brand_lookalikes,
	 .min_role = NM_ROLE_READ,
	 .body = NM_BODY_JSON_OPTIONAL,
	 .operation_id = "brandLookalikes",
	 .tag = "Matches",
	 .summary = "Creators like the brand's seeds (default: its accepted and shortlisted "
		    "creators)",
	 .description = "Ranks creators by similarity to the seeds (docs/matching.md "
			"\"Lookalikes\"). The seeds and the brand's declined and excluded "
			"creators never come back. Without seed_creator_ids and without accepted "
			"or shortlisted creators: 422. Stores nothing.",
	 .success_status = 200,
	 .request_schema = "LookalikeInput",
	 .response_schema = "LookalikeList"},
	{.method = "POST",
	 .pattern = "/v1/brands/{id}/plans",
	 .handler = nm_h_plans_create,
	 .min_role = NM_ROLE_WRITE,
	 .body = NM_BODY_JSON,
	 .operation_id = "createPlan",
	 .tag = "Plans",
	 .summary = "Plan the best creator portfolio for a budget and compare it with one big "
		    "account",
	 .description = "Chooses creators from the brand's ranked pool (as a match run ranks "
			"it: declined and excluded creators, exclude_keywords and "
			"exclude_handles never) to maximise expected "
			"engagements (awareness: reach) within the budget, creator count and "
			"share cap, and stores the plan.",
	 .success_status = 201,
	 .request_schema = "PlanInput",
	 .response_schema = "Plan",
	 .headers = idem_header,
	 .response_headers = location_header},
	{.method = "GET",
	 .pattern = "/v1/brands/{id}/plans",
	 .handler = nm_h_plans_list,
	 .min_role = NM_ROLE_READ,
	 .operation_id = "listPlans",
	 .replica_reads = true,
	 .tag = "Plans",
	 .summary = "List the brand's plans, newest first (without portfolios)",
	 .success_status = 200,
	 .response_schema = "PlanList",
	 .query = page_params},
	{.method = "GET",
	 .pattern = "/v1/brands/{id}/plans/{plan_id}",
	 .handler = nm_h_plans_get,
	 .min_role = NM_ROLE_READ,
	 .operation_id = "getPlan",
	 .replica_reads = true,
	 .tag = "Plans",
	 .summary = "Get a stored plan",
	 .success_status = 200,
	 .response_schema = "Plan"},
	{.method = "PUT",
	 .pattern = "/v1/brands/{id}/creators/{creator_id}/status",
	 .handler = nm_h_status_put,
	 .min_role = NM_ROLE_WRITE,
	 .body = NM_BODY_JSON,
	 .operation_id = "setCreatorStatus",
	 .tag = "Pipeline",
	 .summary = "Set a creator's pipeline status for the brand",
	 .success_status = 200,
	 .request_schema = "StatusInput",
	 .response_schema = "Status",
	 .headers = if_match_header,
	 .response_headers = etag_header,
	 .problems = stale},
	{.method = "POST",
	 .pattern = "/v1/brands/{id}/statuses",
	 .handler = nm_h_statuses_bulk,
	 .min_role = NM_ROLE_WRITE,
	 .body = NM_BODY_JSON,
	 .operation_id = "setStatusesInBulk",
	 .tag = "Pipeline",
	 .summary = "Set one status on up to 500 creators at once (all or nothing)",
	 .description = "An id that names no creator answers 422 naming it, and nothing changes. "
			"One creator.status_changed event per creator whose status changed.",
	 .success_status = 200,
	 .request_schema = "StatusBulkInput",
	 .response_schema = "StatusBulkResult",
	 .headers = idem_header},
	{.method = "DELETE",
	 .pattern = "/v1/brands/{id}/creators/{creator_id}/status",
	 .handler = nm_h_status_clear,
	 .min_role = NM_ROLE_WRITE,
	 .operation_id = "clearCreatorStatus",
	 .tag = "Pipeline",
	 .summary = "Clear a creator's pipeline status (recorded in the history)",
	 .success_status = 204,
	 .headers = if_match_header,
	 .problems = stale},
	{.method = "GET",
	 .pattern = "/v1/brands/{id}/creators/{creator_id}/history",
	 .handler = nm_h_status_history,
	 .min_role = NM_ROLE_READ,
	 .operation_id = "listStatusHistory",
	 .replica_reads = true,
	 .tag = "Pipeline",
	 .summary = "Every status change of a creator for the brand, oldest first",
	 .success_status = 200,
	 .response_schema = "StatusHistoryList",
	 .query = page_params},
	{.method = "GET",
	 .pattern = "/v1/brands/{id}/pipeline",
	 .handler = nm_h_pipeline,
	 .min_role = NM_ROLE_READ,
	 .operation_id = "getPipeline",
	 .replica_reads = true,
	 .tag = "Pipeline",
	 .summary = "Creators per pipeline status and the latest run's size",
	 .success_status = 200,
	 .response_schema = "Pipeline",
	 .headers = if_none_match_header,
	 .response_headers = etag_header},
	{.method = "GET",
	 .pattern = "/v1/brands/{id}/creators",
	 .handler = nm_h_status_list,
	 .min_role = NM_ROLE_READ,
	 .operation_id = "listPipeline",
	 .replica_reads = true,
	 .tag = "Pipeline",
	 .summary = "List the brand's pipeline (?status=)",
	 .success_status = 200,
	 .response_schema = "StatusList",
	 .query = status_list_params},

	{.method = "GET",
	 .pattern = "/v1/brands/{id}/creators.csv",
	 .handler = nm_h_export_pipeline,
	 .min_role = NM_ROLE_READ,
	 .operation_id = "exportPipelineCsv",
	 .replica_reads = true,
	 .tag = "Exports",
	 .summary = "The brand's pipeline (?status=) as a CSV file, streamed",
	 .description = CSV_DESCRIPTION,
	 .success_status = 200,
	 .response_media = "text/csv",
	 .query = pipeline_csv_params,
	 .response_headers = csv_headers},

	{.method = "POST",
	 .pattern = "/v1/creators",
	 .handler = nm_h_creators_upsert,
	 .min_role = NM_ROLE_WRITE,
	 .scope = NM_SCOPE_UNSCOPED,
	 .scope_reason = CREATORS_SCOPE,
	 .body = NM_BODY_JSON,
	 .operation_id = "upsertCreator",
	 .tag = "Creators",
	 .summary = "Create or update one creator (upsert on platform + handle)",
	 .description = "201 when the creator is new, 200 when an existing one was updated.",
	 .success_status = 201,
	 .request_schema = "CreatorInput",
	 .response_schema = "Creator",
	 .headers = idem_header,
	 .response_headers = location_header},
	{.method = "GET",
	 .pattern = "/v1/creators",
	 .handler = nm_h_creators_list,
	 .min_role = NM_ROLE_READ,
	 .operation_id = "listCreators",
	 .replica_reads = true,
	 .tag = "Creators",
	 .summary = "List creators (filters: platform, handle, country, followers, category, q)",
	 .success_status = 200,
	 .response_schema = "CreatorList",
	 .query = creator_list_params},
	{.method = "GET",
	 .pattern = "/v1/creators.csv",
	 .handler = nm_h_export_creators,
	 .min_role = NM_ROLE_READ,
	 .operation_id = "exportCreatorsCsv",
	 .replica_reads = true,
	 .tag = "Exports",
	 .summary = "The creators GET /v1/creators lists (same filters) as a CSV file, streamed",
	 .description = CSV_DESCRIPTION,
	 .success_status = 200,
	 .response_media = "text/csv",
	 .query = creator_csv_params,
	 .response_headers = csv_headers},
	{.method = "POST",
	 .pattern = "/v1/creators/import",
	 .stream = &nm_import_stream,
	 .min_role = NM_ROLE_WRITE,
	 .scope = NM_SCOPE_UNSCOPED,
	 .scope_reason = IMPORT_SCOPE,
	 .body = NM_BODY_STREAM,
	 .operation_id = "importCreators",
	 .tag = "Imports",
	 .summary = "Bulk import creators (CSV, TSV, NDJSON or a JSON array), streamed",
	 .success_status = 201,
	 .request_schema = "ImportBody",
	 .response_schema = "Import",
	 .request_media = import_media,
	 .query = import_params,
	 .headers = import_headers,
	 .response_headers = location_header,
	 .problems = import_problems},
	{.method = "GET",
	 .pattern = "/v1/creators/{id}",
	 .handler = nm_h_creators_get,
	 .min_role = NM_ROLE_READ,
	 .operation_id = "getCreator",
	 .replica_reads = true,
	 .tag = "Creators",
	 .summary = "Get a creator",
	 .success_status = 200,
	 .response_schema = "Creator",
	 .headers = if_none_match_header,
	 .response_headers = etag_header},
	{.method = "GET",
	 .pattern = "/v1/creators/{id}/lookalikes",
	 .handler = nm_h_creator_lookalikes,
	 .min_role = NM_ROLE_READ,
	 .operation_id = "creatorLookalikes",
	 .tag = "Creators",
	 .summary = "Creators like this one, most similar first",
	 .description = "Similarity in [0, 1] from shared categories, hashtags and bio words "
			"(weighted by rarity), tier, engagement against the benchmark, country "
			"and language (docs/matching.md \"Lookalikes\"); the creator itself never "
			"comes back.",
	 .success_status = 200,
	 .response_schema = "LookalikeList",
	 .query = lookalike_params},
	{.method = "DELETE",
	 .pattern = "/v1/creators/{id}",
	 .handler = nm_h_creators_delete,
	 .min_role = NM_ROLE_WRITE,
	 .scope = NM_SCOPE_UNSCOPED,
	 .scope_reason = CREATORS_SCOPE,
	 .operation_id = "deleteCreator",
	 .tag = "Creators",
	 .summary = "Delete a creator",
	 .success_status = 204},
	{.method = "GET",
	 .pattern = "/v1/imports",
	 .handler = nm_h_imports_list,
	 .min_role = NM_ROLE_READ,
	 .operation_id = "listImports",
	 .tag = "Imports",
	 .summary = "List imports",
	 .success_status = 200,
	 .response_schema = "ImportList",
	 .query = page_params},
	{.method = "POST",
	 .pattern = "/v1/imports",
	 .handler = nm_h_imports_create,
	 .min_role = NM_ROLE_WRITE,
	 .scope = NM_SCOPE_UNSCOPED,
	 .scope_reason = IMPORT_SCOPE,
	 .operation_id = "createImport",
	 .tag = "Imports",
	 .summary = "Create a pending import whose body is sent to its upload_url (progress "
		    "bars: the id is known before the body)",
	 .success_status = 201,
	 .response_schema = "ImportUpload",
	 .query = import_params,
	 .headers = idem_header,
	 .response_headers = location_header},
	{.method = "PUT",
	 .pattern = "/v1/imports/{id}/body",
	 .stream = &nm_import_stream,
	 .min_role = NM_ROLE_WRITE,
	 .scope = NM_SCOPE_UNSCOPED,
	 .scope_reason = IMPORT_SCOPE,
	 .body = NM_BODY_STREAM,
	 .operation_id = "uploadImportBody",
	 .tag = "Imports",
	 .summary = "Send a pending import's body (as POST /v1/creators/import), streamed",
	 .success_status = 200,
	 .request_schema = "ImportBody",
	 .response_schema = "Import",
	 .request_media = import_media,
	 .query = upload_params,
	 .headers = upload_headers,
	 .response_headers = location_header,
	 .problems = upload_problems},
	{.method = "GET",
	 .pattern = "/v1/imports/{id}",
	 .handler = nm_h_imports_get,
	 .min_role = NM_ROLE_READ,
	 .operation_id = "getImport",
	 .tag = "Imports",
	 .summary = "Get an import and its progress",
	 .success_status = 200,
	 .response_schema = "Import"},
	{.method = "GET",
	 .pattern = "/v1/stats",
	 .handler = nm_h_stats,
	 .min_role = NM_ROLE_READ,
	 .operation_id = "getStats",
	 .replica_reads = true,
	 .tag = "Creators",
	 .summary = "Creators per platform and tier, by data age and confidence (data health)",
	 .description = "Counts over the whole creator pool. data_age buckets are whole days "
			"since data_as_of; confidence follows docs/scoring.md \"Data confidence\", "
			"the same rules as each creator's confidence.",
	 .success_status = 200,
	 .response_schema = "Stats"},

	{.method = "POST",
	 .pattern = "/v1/webhooks",
	 .handler = nm_h_webhooks_create,
	 .min_role = NM_ROLE_ADMIN,
	 .body = NM_BODY_JSON,
	 .operation_id = "createWebhook",
	 .tag = "Webhooks",
	 .summary = "Create a webhook endpoint (the secret is shown once)",
	 .success_status = 201,
	 .request_schema = "WebhookInput",
	 .response_schema = "WebhookCreated",
	 .headers = idem_header,
	 .response_headers = location_header},
	{.method = "GET",
	 .pattern = "/v1/webhooks",
	 .handler = nm_h_webhooks_list,
	 .min_role = NM_ROLE_ADMIN,
	 .operation_id = "listWebhooks",
	 .tag = "Webhooks",
	 .summary = "List webhook endpoints",
	 .success_status = 200,
	 .response_schema = "WebhookList",
	 .query = page_params},
	{.method = "GET",
	 .pattern = "/v1/webhooks/{id}",
	 .handler = nm_h_webhooks_get,
	 .min_role = NM_ROLE_ADMIN,
	 .operation_id = "getWebhook",
	 .tag = "Webhooks",
	 .summary = "Get a webhook endpoint",
	 .success_status = 200,
	 .response_schema = "Webhook"},
	{.method = "PATCH",
	 .pattern = "/v1/webhooks/{id}",
	 .handler = nm_h_webhooks_patch,
	 .min_role = NM_ROLE_ADMIN,
	 .body = NM_BODY_JSON,
	 .operation_id = "updateWebhook",
	 .tag = "Webhooks",
	 .summary = "Update a webhook endpoint (JSON merge patch; status active re-enables)",
	 .success_status = 200,
	 .request_schema = "WebhookPatch",
	 .response_schema = "Webhook"},
	{.method = "DELETE",
	 .pattern = "/v1/webhooks/{id}",
	 .handler = nm_h_webhooks_delete,
	 .min_role = NM_ROLE_ADMIN,
	 .operation_id = "deleteWebhook",
	 .tag = "Webhooks",
	 .summary = "Delete a webhook endpoint",
	 .success_status = 204},
	{.method = "GET",
	 .pattern = "/v1/webhooks/{id}/deliveries",
	 .handler = nm_h_webhooks_deliveries,
	 .min_role = NM_ROLE_ADMIN,
	 .operation_id = "listWebhookDeliveries",
	 .tag = "Webhooks",
	 .summary = "Delivery attempts of an endpoint, newest first",
	 .success_status = 200,
	 .response_schema = "WebhookAttemptList",
	 .query = page_params},
	{.method = "POST",
	 .pattern = "/v1/webhooks/{id}/deliveries/{delivery_id}/retry",
	 .handler = nm_h_webhooks_retry,
	 .min_role = NM_ROLE_ADMIN,
	 .body = NM_BODY_JSON_OPTIONAL,
	 .operation_id = "retryWebhookDelivery",
	 .tag = "Webhooks",
	 .summary = "Redeliver now (same webhook-id)",
	 .success_status = 202,
	 .response_schema = "WebhookRetry",
	 .headers = idem_header},
	{.method = "POST",
	 .pattern = "/v1/webhooks/{id}/rotate-secret",
	 .handler = nm_h_webhooks_rotate,
	 .min_role = NM_ROLE_ADMIN,
	 .body = NM_BODY_JSON_OPTIONAL,
	 .operation_id = "rotateWebhookSecret",
	 .tag = "Webhooks",
	 .summary = "New signing secret (shown once); the old one also signs during the overlap",
	 .success_status = 200,
	 .request_schema = "WebhookRotateInput",
	 .response_schema = "WebhookCreated",
	 .headers = idem_header},
	{.method = "POST",
	 .pattern = "/v1/webhooks/{id}/test",
	 .handler = nm_h_webhooks_test,
	 .min_role = NM_ROLE_ADMIN,
	 .body = NM_BODY_JSON_OPTIONAL,
	 .operation_id = "testWebhook",
	 .tag = "Webhooks",
	 .summary = "Send a webhook.test event to this endpoint now",
	 .success_status = 202,
	 .response_schema = "WebhookTestQueued",
	 .headers = idem_header,
	 .problems = conflict},
	{.method = "POST",
	 .pattern = "/v1/webhooks/{id}/replay",
	 .handler = nm_h_webhooks_replay,
	 .min_role = NM_ROLE_ADMIN,
	 .body = NM_BODY_JSON,
	 .operation_id = "replayWebhookDeliveries",
	 .tag = "Webhooks",
	 .summary = "Redeliver every delivery since a time (failed ones by default)",
	 .success_status = 202,
	 .request_schema = "WebhookReplayInput",
	 .response_schema = "WebhookReplay",
	 .headers = idem_header},
	{.method = "GET",
	 .pattern = "/v1/events",
	 .handler = nm_h_events_list,
	 .min_role = NM_ROLE_READ,
	 .operation_id = "listEvents",
	 .tag = "Webhooks",
	 .summary = "The event log, oldest first, to reconcile after an outage",
	 .success_status = 200,
	 .response_schema = "EventList",
	 .query = event_list_params},

	{.method = "POST",
	 .pattern = "/v1/inbound-sources",
	 .handler = nm_h_inbound_sources_create,
	 .min_role = NM_ROLE_ADMIN,
	 .scope = NM_SCOPE_UNSCOPED,
	 .scope_reason = INBOUND_SCOPE,
	 .body = NM_BODY_JSON,
	 .operation_id = "createInboundSource",
	 .tag = "Inbound",
	 .summary = "Create an inbound event source (the secret is shown once)",
	 .success_status = 201,
	 .request_schema = "InboundSourceInput",
	 .response_schema = "InboundSourceCreated",
	 .headers = idem_header,
	 .response_headers = location_header,
	 .problems = conflict},
	{.method = "GET",
	 .pattern = "/v1/inbound-sources",
	 .handler = nm_h_inbound_sources_list,
	 .min_role = NM_ROLE_ADMIN,
	 .scope = NM_SCOPE_UNSCOPED,
	 .scope_reason = INBOUND_SCOPE,
	 .operation_id = "listInboundSources",
	 .tag = "Inbound",
	 .summary = "List inbound event sources",
	 .success_status = 200,
	 .response_schema = "InboundSourceList",
	 .query = page_params},
	{.method = "GET",
	 .pattern = "/v1/inbound-sources/{id}",
	 .handler = nm_h_inbound_sources_get,
	 .min_role = NM_ROLE_ADMIN,
	 .scope = NM_SCOPE_UNSCOPED,
	 .scope_reason = INBOUND_SCOPE,
	 .operation_id = "getInboundSource",
	 .tag = "Inbound",
	 .summary = "Get an inbound event source",
	 .success_status = 200,
	 .response_schema = "InboundSource"},
	{.method = "DELETE",
	 .pattern = "/v1/inbound-sources/{id}",
	 .handler = nm_h_inbound_sources_delete,
	 .min_role = NM_ROLE_ADMIN,
	 .scope = NM_SCOPE_UNSCOPED,
	 .scope_reason = INBOUND_SCOPE,
	 .operation_id = "deleteInboundSource",
	 .tag = "Inbound",
	 .summary = "Delete an inbound event source",
	 .success_status = 204},
	{.method = "GET",
	 .pattern = "/v1/inbound-sources/{id}/events",
	 .handler = nm_h_inbound_sources_events,
	 .min_role = NM_ROLE_ADMIN,
	 .scope = NM_SCOPE_UNSCOPED,
	 .scope_reason = INBOUND_SCOPE,
	 .operation_id = "listInboundSourceEvents",
	 .tag = "Inbound",
	 .summary = "Events received from a source (applied, duplicate, rejected), newest first",
	 .success_status = 200,
	 .response_schema = "InboundLogList",
	 .query = page_params},
	{.method = "POST",
	 .pattern = "/v1/inbound/{source}",
	 .handler = nm_h_inbound_receive,
	 .stream = &nm_inbound_precheck,
	 .body = NM_BODY_RAW,
	 .operation_id = "receiveInboundEvent",
	 .tag = "Inbound",
	 .summary = "Receive a signed event or a batch of up to 100 from a CRM (no API key)",
	 .success_status = 200,
	 .request_schema = "InboundBodyInput",
	 .response_schema = "InboundResult",
	 .request_media = raw_json_media,
	 .headers = inbound_headers,
	 .problems = inbound_problems},
};

const size_t nm_routes_count = sizeof nm_routes / sizeof nm_routes[0];

const struct nm_param *nm_route_param(const struct nm_route *rt, const char *name)
{
	for (const struct nm_param *p = rt->query; p && p->name; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

bool nm_route_has_etag(const struct nm_route *rt)
{
	for (const struct nm_header *h = rt->response_headers; h && h->name; h++)
		if (strcasecmp(h->name, "ETag") == 0)
			return true;
	return false;
}
