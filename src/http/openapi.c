/* /openapi.json: paths come from the route table, so the document lists exactly the
 * routes the server has; schemas are written here by hand. The schema text uses
 * single quotes for readability in C and is turned into JSON at first use (so no
 * schema text may contain an apostrophe). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nm/http.h"
#include "nm/openapi.h"

static const char schemas_text[] =
	"{"
	"'Problem':{'type':'object','description':'RFC 9457 problem details',"
	" 'required':['type','title','status','detail'],"
	" 'properties':{'type':{'type':'string'},'title':{'type':'string'},'status':{'type':'"
	"integer'},"
	"  'detail':{'type':'string'},'instance':{'type':'string'},"
	"  'errors':{'type':'array','items':{'type':'object','required':['message'],"
	"   "
	"'properties':{'field':{'type':'string'},'message':{'type':'string'},'line':{'type':'"
	"integer'}}}}}},"
	"'Health':{'type':'object','properties':{'status':{'type':'string'},'schema_version':{'"
	"type':'integer'}}},"
	"'KeyInput':{'type':'object','required':['role'],'additionalProperties':false,"
	" 'properties':{'role':{'type':'string','enum':['read','write','admin']},"
	"  "
	"'brand_id':{'type':['integer','null'],'minimum':1},'name':{'type':['string','null'],'"
	"maxLength':200}}},"
	"'Key':{'type':'object','properties':{'id':{'type':'integer'},'prefix':{'type':'string'},"
	"  "
	"'name':{'type':['string','null']},'role':{'type':'string'},'brand_id':{'type':['integer','"
	"null']},"
	"  "
	"'created_at':{'type':'string','format':'date-time'},'revoked_at':{'type':['string','null']"
	",'format':'date-time'}}},"
	"'KeyCreated':{'allOf':[{'$ref':'#/components/schemas/Key'},"
	" {'type':'object','properties':{'key':{'type':['string','null'],'description':'The key, "
	"shown only in this reply (null in an Idempotency-Key replay)'}}}]},"
	"'KeyList':{'type':'object','required':['data','next_cursor'],'properties':{"
	" 'data':{'type':'array','items':{'$ref':'#/components/schemas/"
	"Key'}},'next_cursor':{'type':['string','null']}}},"
	"'Platform':{'type':'string','enum':['instagram','tiktok','youtube','twitter','x','"
	"facebook','twitch','linkedin','pinterest','other']},"
	"'BrandInput':{'type':'object','required':['name','niches'],'additionalProperties':false,'"
	"properties':{"
	" 'name':{'type':'string','minLength':1,'maxLength':200},'industry':{'type':['string','"
	"null']},"
	" 'niches':{'type':'array','minItems':1,'maxItems':20,'items':{'type':'string'}},"
	" 'keywords':{'type':['array','null'],'maxItems':50,'items':{'type':'string'}},"
	" 'platforms':{'type':['array','null'],'items':{'$ref':'#/components/schemas/Platform'}},"
	" 'target_countries':{'type':['array','null'],'items':{'type':'string','pattern':'^[A-Za-z]"
	"{2}$'}},"
	" 'target_languages':{'type':['array','null'],'items':{'type':'string','pattern':'^[A-Za-z]"
	"{2}$'}},"
	" 'target_gender':{'type':['string','null'],'enum':['female','male','any',null]},"
	" 'goal':{'type':['string','null'],'enum':['engagement','awareness','conversions',null]},"
	" 'follower_min':{'type':['integer','null'],'minimum':0},'follower_max':{'type':['integer',"
	"'null'],'minimum':0},"
	" 'min_engagement_rate':{'type':['number','null'],'minimum':0,'maximum':1},"
	" 'budget_per_post_cents':{'type':['integer','null'],'minimum':0},'external_id':{'type':['"
	"string','null']}}},"
	"'BrandPatch':{'type':'object','description':'JSON merge patch (RFC 7396) of BrandInput'},"
	"'Brand':{'type':'object','properties':{'id':{'type':'integer'},'name':{'type':'string'},"
	" 'industry':{'type':['string','null']},'niches':{'type':'array','items':{'type':'string'}}"
	","
	" 'keywords':{'type':'array','items':{'type':'string'}},'platforms':{'type':'array','items'"
	":{'type':'string'}},"
	" 'target_countries':{'type':'array','items':{'type':'string'}},'target_languages':{'type':"
	"'array','items':{'type':'string'}},"
	" 'target_gender':{'type':'string'},'goal':{'type':'string'},'follower_min':{'type':'"
	"integer'},"
	" 'follower_max':{'type':['integer','null']},'min_engagement_rate':{'type':['number','null'"
	"]},"
	" 'budget_per_post_cents':{'type':['integer','null']},'external_id':{'type':['string','"
	"null']},"
	" 'created_at':{'type':'string','format':'date-time'},'updated_at':{'type':'string','"
	"format':'date-time'}}},"
	"'BrandList':{'type':'object','required':['data','next_cursor'],'properties':{"
	" 'data':{'type':'array','items':{'$ref':'#/components/schemas/"
	"Brand'}},'next_cursor':{'type':['string','null']}}},"
	"'CreatorInput':{'type':'object','required':['platform','handle','followers'],'"
	"additionalProperties':false,'properties':{"
	" 'platform':{'$ref':'#/components/schemas/"
	"Platform'},'handle':{'type':'string','minLength':1,'maxLength':100},"
	" 'display_name':{'type':['string','null']},'profile_url':{'type':['string','null']},'"
	"email':{'type':['string','null']},"
	" 'followers':{'type':'integer','minimum':0},'following':{'type':['integer','null'],'"
	"minimum':0},"
	" 'posts_count':{'type':['integer','null'],'minimum':0},'avg_likes':{'type':['number','"
	"null'],'minimum':0},"
	" 'avg_comments':{'type':['number','null'],'minimum':0},'avg_shares':{'type':['number','"
	"null'],'minimum':0},"
	" 'avg_views':{'type':['number','null'],'minimum':0},'engagement_rate':{'type':['number','"
	"null'],'minimum':0,'maximum':1},"
	" 'categories':{'type':['array','null'],'maxItems':20,'items':{'type':'string'}},"
	" 'hashtags':{'type':['array','null'],'maxItems':50,'items':{'type':'string'}},"
	" 'bio':{'type':['string','null'],'maxLength':2000},'country':{'type':['string','null']},'"
	"language':{'type':['string','null']},"
	" 'audience_countries':{'type':['object','null'],'additionalProperties':{'type':'number','"
	"minimum':0,'maximum':1}},"
	" 'audience_female_share':{'type':['number','null'],'minimum':0,'maximum':1},"
	" 'price_per_post_cents':{'type':['integer','null'],'minimum':0},'follower_growth_30d':{'"
	"type':['number','null']},"
	" 'last_post_at':{'type':['string','null'],'format':'date-time'},'external_id':{'type':['"
	"string','null']}}},"
	"'Creator':{'allOf':[{'$ref':'#/components/schemas/"
	"CreatorInput'},{'type':'object','properties':{"
	" 'id':{'type':'integer'},'tier':{'type':'string','enum':['nano','micro','mid','macro','"
	"mega']},"
	" 'created_at':{'type':'string','format':'date-time'},'updated_at':{'type':'string','"
	"format':'date-time'}}}]},"
	"'CreatorList':{'type':'object','required':['data','next_cursor'],'properties':{"
	" 'data':{'type':'array','items':{'$ref':'#/components/schemas/"
	"Creator'}},'next_cursor':{'type':['string','null']}}},"
	"'ImportBody':{'type':'string','description':'CSV or TSV with a header row, NDJSON, or a "
	"JSON array of creators'},"
	"'Import':{'type':'object','properties':{'id':{'type':'integer'},'status':{'type':'string',"
	"'enum':['running','completed','failed']},"
	" 'format':{'type':'string'},'received':{'type':'integer'},'inserted':{'type':'integer'},'"
	"updated':{'type':'integer'},"
	" 'rejected':{'type':'integer'},'ignored_columns':{'type':'array','items':{'type':'string'}"
	","
	"'maxItems':256,'description':'Unknown CSV/TSV columns or unknown JSON member names, at "
	"most 256 (and 64 KiB of names)'},"
	" 'ignored_columns_truncated':{'type':'boolean','description':'true when more columns or "
	"member names were ignored than ignored_columns lists'},"
	" 'errors':{'type':'array','items':{'type':'object','properties':{'line':{'type':'integer'}"
	","
	"  'field':{'type':['string','null']},'message':{'type':'string'}}}},"
	" 'created_at':{'type':'string','format':'date-time'},'finished_at':{'type':['string','"
	"null'],'format':'date-time'}}},"
	"'ImportList':{'type':'object','required':['data','next_cursor'],'properties':{"
	" 'data':{'type':'array','items':{'$ref':'#/components/schemas/"
	"Import'}},'next_cursor':{'type':['string','null']}}},"
	"'Weights':{'type':'object','additionalProperties':{'type':'number'}},"
	"'MatchRunInput':{'type':'object','additionalProperties':false,'description':'Optional: "
	"limit and overrides of the brand filters',"
	" 'properties':{'limit':{'type':'integer','minimum':1,'maximum':1000,'default':200},"
	"  'platforms':{'type':'array','items':{'$ref':'#/components/schemas/Platform'}},"
	"  'follower_min':{'type':['integer','null']},'follower_max':{'type':['integer','null']},"
	"  "
	"'min_engagement_rate':{'type':['number','null']},'target_countries':{'type':'array','"
	"items':{'type':'string'}},"
	"  "
	"'target_languages':{'type':'array','items':{'type':'string'}},'target_gender':{'type':'"
	"string'},"
	"  'goal':{'type':'string','enum':['engagement','awareness','conversions']},"
	"  "
	"'budget_per_post_cents':{'type':['integer','null']},'niches':{'type':'array','items':{'"
	"type':'string'}},"
	"  'keywords':{'type':'array','items':{'type':'string'}}}},"
	"'MatchRun':{'type':'object','properties':{'id':{'type':'integer'},'brand_id':{'type':'"
	"integer'},"
	" 'created_at':{'type':'string','format':'date-time'},'candidates':{'type':'integer'},'"
	"stored':{'type':'integer'},"
	" 'goal':{'type':'string'},'weights':{'$ref':'#/components/schemas/Weights'}}},"
	"'MatchResult':{'type':'object','properties':{'rank':{'type':'integer'},'score':{'type':'"
	"number'},"
	" 'status':{'type':['string','null']},"
	" 'creator':{'type':'object','properties':{'id':{'type':'integer'},'platform':{'type':'"
	"string'},'handle':{'type':'string'},"
	"  "
	"'display_name':{'type':['string','null']},'followers':{'type':'integer'},'tier':{'type':'"
	"string'},"
	"  "
	"'engagement_rate':{'type':['number','null']},'categories':{'type':'array','items':{'type':"
	"'string'}},"
	"  "
	"'country':{'type':['string','null']},'price_per_post_cents':{'type':['integer','null']}}},"
	" 'components':{'type':'object','additionalProperties':{'type':'number','minimum':0,'"
	"maximum':1}},"
	" 'estimates':{'type':'object','properties':{'engagements_per_post':{'type':['integer','"
	"null']},"
	"  'cost_per_engagement_cents':{'type':['number','null']}}},"
	" 'reasons':{'type':'array','items':{'type':'string'}}}},"
	"'MatchRunCreated':{'type':'object','properties':{'run':{'$ref':'#/components/schemas/"
	"MatchRun'},"
	" 'data':{'type':'array','items':{'$ref':'#/components/schemas/"
	"MatchResult'}},'next_cursor':{'type':['string','null']}}},"
	"'MatchPageList':{'type':'object','required':['data','next_cursor'],'properties':{'run_id':"
	"{'type':'integer'},"
	" 'data':{'type':'array','items':{'$ref':'#/components/schemas/"
	"MatchResult'}},'next_cursor':{'type':['string','null']}}},"
	"'MatchRunList':{'type':'object','required':['data','next_cursor'],'properties':{"
	" 'data':{'type':'array','items':{'$ref':'#/components/schemas/"
	"MatchRun'}},'next_cursor':{'type':['string','null']}}},"
	"'StatusInput':{'type':'object','required':['status'],'additionalProperties':false,'"
	"properties':{"
	" 'status':{'type':'string','enum':['shortlisted','contacted','accepted','declined','"
	"excluded']},"
	" 'note':{'type':['string','null'],'maxLength':2000}}},"
	"'Status':{'type':'object','properties':{'brand_id':{'type':'integer'},'creator_id':{'type'"
	":'integer'},"
	" 'status':{'type':'string'},'previous_status':{'type':['string','null']},'note':{'type':['"
	"string','null']},"
	" 'created_at':{'type':'string','format':'date-time'},'updated_at':{'type':'string','"
	"format':'date-time'},"
	" 'creator':{'type':'object'}}},"
	"'StatusList':{'type':'object','required':['data','next_cursor'],'properties':{"
	" 'data':{'type':'array','items':{'$ref':'#/components/schemas/"
	"Status'}},'next_cursor':{'type':['string','null']}}}"
	",'EventType':{'type':'string','enum':['brand.created','brand.updated','brand.deleted','"
	"import.completed','match_run.completed','creator.status_changed','*']},"
	"'WebhookInput':{'type':'object','required':['url','events'],'additionalProperties':false,'"
	"properties':{"
	" 'url':{'type':'string','format':'uri','maxLength':2048,'description':'http or https; "
	"must resolve to a public address'},"
	" 'events':{'type':'array','minItems':1,'items':{'$ref':'#/components/schemas/EventType'}},"
	" 'description':{'type':['string','null'],'maxLength':500}}},"
	"'WebhookPatch':{'type':'object','description':'JSON merge patch (RFC 7396) of url, "
	"events, description and status (active or "
	"disabled)','additionalProperties':false,'properties':{"
	" 'url':{'type':'string','maxLength':2048},'events':{'type':'array','items':{'$ref':'#/"
	"components/schemas/EventType'}},"
	" 'description':{'type':['string','null']},'status':{'type':'string','enum':['active','"
	"disabled']}}},"
	"'Webhook':{'type':'object','properties':{'id':{'type':'integer'},'url':{'type':'string'},"
	" 'events':{'type':'array','items':{'$ref':'#/components/schemas/"
	"EventType'}},'description':{'type':['string','null']},"
	" 'status':{'type':'string','enum':['active','failing','disabled']},"
	" 'created_at':{'type':'string','format':'date-time'},'updated_at':{'type':'string','"
	"format':'date-time'}}},"
	"'WebhookCreated':{'allOf':[{'$ref':'#/components/schemas/Webhook'},"
	" {'type':'object','properties':{'secret':{'type':['string','null'],'description':'whsec_ "
	"signing secret, shown only in this reply (null in an Idempotency-Key replay)'}}}]},"
	"'WebhookList':{'type':'object','required':['data','next_cursor'],'properties':{"
	" 'data':{'type':'array','items':{'$ref':'#/components/schemas/"
	"Webhook'}},'next_cursor':{'type':['string','null']}}},"
	"'WebhookAttempt':{'type':'object','properties':{'id':{'type':'integer'},'delivery_id':{'"
	"type':'integer'},"
	" 'event_id':{'type':'string','description':'The "
	"webhook-id'},'event_type':{'type':'string'},'attempt':{'type':'integer'},"
	" 'http_status':{'type':['integer','null']},'error':{'type':['string','null']},'latency_ms'"
	":{'type':['number','null']},"
	" 'response':{'type':['string','null'],'description':'First 512 bytes of the response "
	"body'},"
	" 'delivery_state':{'type':'string','enum':['pending','succeeded','failed']},'created_at':{"
	"'type':'string','format':'date-time'}}},"
	"'WebhookAttemptList':{'type':'object','required':['data','next_cursor'],'properties':{"
	" 'data':{'type':'array','items':{'$ref':'#/components/schemas/"
	"WebhookAttempt'}},'next_cursor':{'type':['string','null']}}},"
	"'WebhookRetry':{'type':'object','properties':{'id':{'type':'integer'},'endpoint_id':{'"
	"type':'integer'},"
	" 'event_id':{'type':'string'},'event_type':{'type':'string'},'state':{'type':'string'},'"
	"attempts':{'type':'integer'},"
	" 'next_attempt_at':{'type':'string','format':'date-time'}}},"
	"'InboundSourceInput':{'type':'object','required':['name'],'additionalProperties':false,'"
	"properties':{"
	" 'name':{'type':'string','pattern':'^[a-z0-9_-]{1,64}$'}}},"
	"'InboundSource':{'type':'object','properties':{'id':{'type':'integer'},'name':{'type':'"
	"string'},"
	" 'inbound_path':{'type':'string'},'created_at':{'type':'string','format':'date-time'}}},"
	"'InboundSourceCreated':{'allOf':[{'$ref':'#/components/schemas/InboundSource'},"
	" {'type':'object','properties':{'secret':{'type':['string','null'],'description':'whsec_ "
	"verification secret, shown only in this reply (null in an Idempotency-Key replay)'}}}]},"
	"'InboundSourceList':{'type':'object','required':['data','next_cursor'],'properties':{"
	" 'data':{'type':'array','items':{'$ref':'#/components/schemas/"
	"InboundSource'}},'next_cursor':{'type':['string','null']}}},"
	"'InboundEvent':{'type':'object','required':['type','data'],'description':'Signed with "
	"webhook-id, webhook-timestamp and webhook-signature (Standard Webhooks)',"
	" 'properties':{'type':{'type':'string','enum':['creator.upsert','creator.delete','brand."
	"upsert','creator.status']},'data':{'type':'object'}}},"
	"'InboundResult':{'type':'object','required':['status'],'properties':{'status':{'type':'"
	"string','enum':['applied','duplicate']},"
	" 'type':{'type':'string'},'result':{'type':'object'}}}"
	"}";

static json_t *schemas(void)
{
	char *text = strdup(schemas_text);
	for (char *p = text; *p; p++)
		if (*p == '\'')
			*p = '"';
	json_t *s = json_loads(text, 0, NULL);
	free(text);
	return s ? s : json_object();
}

static json_t *problem_response(const char *description)
{
	return json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", description, "content",
			 "application/problem+json", "schema", "$ref",
			 "#/components/schemas/Problem");
}

static void add_path_params(json_t *op, const char *pattern)
{
	json_t *params = json_array();
	for (const char *p = strchr(pattern, '{'); p; p = strchr(p + 1, '{')) {
		const char *e = strchr(p, '}');
		char name[64];
		size_t n = (size_t)(e - p - 1);
		if (n >= sizeof name)
			n = sizeof name - 1;
		memcpy(name, p + 1, n);
		name[n] = '\0';
		bool is_id = strcmp(name, "id") == 0 || (n > 3 && strcmp(name + n - 3, "_id") == 0);
		json_array_append_new(
			params, json_pack("{s:s, s:s, s:b, s:o}", "name", name, "in", "path",
					  "required", 1, "schema",
					  is_id ? json_pack("{s:s, s:s, s:i}", "type", "integer",
							    "format", "int64", "minimum", 1)
						: json_pack("{s:s}", "type", "string")));
	}
	if (json_array_size(params))
		json_object_set_new(op, "parameters", params);
	else
		json_decref(params);
}

static void add_list_params(json_t *op)
{
	json_t *params = json_object_get(op, "parameters");
	if (!params) {
		params = json_array();
		json_object_set_new(op, "parameters", params);
	}
	json_array_append_new(params, json_pack("{s:s, s:s, s:{s:s, s:i, s:i, s:i}}", "name",
						"limit", "in", "query", "schema", "type", "integer",
						"minimum", 1, "maximum", 200, "default", 50));
	json_array_append_new(params, json_pack("{s:s, s:s, s:{s:s}}", "name", "cursor", "in",
						"query", "schema", "type", "string"));
}

static char *operation_id(const struct nm_route *rt)
{
	/* "GET /v1/brands/{id}" → "get_v1_brands_id" */
	char buf[160];
	size_t o = 0;
	for (const char *m = rt->method; *m && o < sizeof buf - 1; m++)
		buf[o++] = (char)(*m | 0x20);
	for (const char *p = rt->pattern; *p && o < sizeof buf - 1; p++) {
		char c = *p;
		if (c == '{' || c == '}')
			continue;
		buf[o++] = (c == '/' || c == '.' || c == '-') ? '_' : c;
	}
	buf[o] = '\0';
	return strdup(buf);
}

static json_t *operation(const struct nm_route *rt)
{
	json_t *op = json_object();
	char *oid = operation_id(rt);
	json_object_set_new(op, "operationId", json_string(oid));
	free(oid);
	json_object_set_new(op, "summary", json_string(rt->summary));
	add_path_params(op, rt->pattern);
	bool is_list = rt->response_schema && strstr(rt->response_schema, "List");
	if (is_list)
		add_list_params(op);
	if (rt->min_role != NM_ROLE_NONE)
		json_object_set_new(op, "security", json_pack("[{s:[]}]", "bearer"));
	else
		json_object_set_new(op, "security", json_array());
	if (rt->body == NM_BODY_STREAM) {
		static const char *const types[] = {"text/csv", "text/tab-separated-values",
						    "application/x-ndjson", "application/json"};
		json_t *content = json_object();
		for (size_t i = 0; i < 4; i++)
			json_object_set_new(content, types[i],
					    json_pack("{s:{s:s+}}", "schema", "$ref",
						      "#/components/schemas/", rt->request_schema));
		json_object_set_new(op, "requestBody",
				    json_pack("{s:b, s:o}", "required", 1, "content", content));
	} else if (rt->request_schema) {
		json_t *content = json_object();
		json_t *schema =
			json_pack("{s:s+}", "$ref", "#/components/schemas/", rt->request_schema);
		json_object_set_new(content, "application/json",
				    json_pack("{s:O}", "schema", schema));
		if (strcmp(rt->method, "PATCH") == 0)
			json_object_set_new(content, "application/merge-patch+json",
					    json_pack("{s:O}", "schema", schema));
		json_decref(schema);
		json_object_set_new(op, "requestBody",
				    json_pack("{s:b, s:o}", "required", 1, "content", content));
	}
	json_t *responses = json_object();
	char code[8];
	snprintf(code, sizeof code, "%d", rt->success_status);
	json_t *ok = json_pack("{s:s}", "description", rt->summary);
	if (rt->response_schema) {
		const char *ctype = "application/json";
		json_object_set_new(ok, "content",
				    json_pack("{s:{s:{s:s+}}}", ctype, "schema", "$ref",
					      "#/components/schemas/", rt->response_schema));
	} else if (rt->success_status != 204) {
		json_object_set_new(
			ok, "content",
			json_pack("{s:{s:{s:s}}}",
				  strcmp(rt->pattern, "/metrics") == 0 ? "text/plain"
								       : "application/json",
				  "schema", "type",
				  strcmp(rt->pattern, "/metrics") == 0 ? "string" : "object"));
	}
	json_object_set_new(responses, code, ok);
	if (rt->min_role != NM_ROLE_NONE) {
		json_object_set_new(responses, "401",
				    problem_response("Missing or invalid API key"));
		json_object_set_new(responses, "403", problem_response("Role too low"));
		json_object_set_new(responses, "429", problem_response("Rate limited"));
		json_object_set_new(responses, "503", problem_response("Database unavailable"));
	}
	if (strchr(rt->pattern, '{'))
		json_object_set_new(responses, "404", problem_response("Not found"));
	if (rt->request_schema) {
		json_object_set_new(responses, "400", problem_response("Malformed JSON"));
		json_object_set_new(responses, "413", problem_response("Body too large"));
		json_object_set_new(responses, "415", problem_response("Unsupported content type"));
		json_object_set_new(responses, "422", problem_response("Validation failed"));
	}
	if (strcmp(rt->pattern, "/readyz") == 0)
		json_object_set_new(responses, "503", problem_response("Not ready"));
	json_object_set_new(op, "responses", responses);
	return op;
}

json_t *nm_openapi_document(void)
{
	json_t *paths = json_object();
	for (size_t i = 0; i < nm_routes_count; i++) {
		const struct nm_route *rt = &nm_routes[i];
		json_t *item = json_object_get(paths, rt->pattern);
		if (!item) {
			item = json_object();
			json_object_set_new(paths, rt->pattern, item);
		}
		char method[16];
		snprintf(method, sizeof method, "%s", rt->method);
		for (char *m = method; *m; m++)
			*m = (char)(*m | 0x20);
		json_object_set_new(item, method, operation(rt));
	}
	return json_pack(
		"{s:s, s:{s:s, s:s, s:s, s:{s:s, s:s}}, s:[{s:s}], s:o, s:{s:o, s:{s:{s:s, s:s}}}}",
		"openapi", "3.1.0", "info", "title", "nichematch API", "version", "1.0.0",
		"description",
		"Match brands with micro-influencers: brands, creators, ranked matches, webhooks.",
		"license", "name", "Proprietary", "identifier", "LicenseRef-Proprietary", "servers",
		"url", "/", "paths", paths, "components", "schemas", schemas(), "securitySchemes",
		"bearer", "type", "http", "scheme", "bearer");
}
