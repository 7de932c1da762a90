/* /openapi.json: paths come from the route table, so the document lists exactly the
 * routes the server has; schemas are written here by hand. The schema text uses
 * single quotes for readability in C and is turned into JSON at first use (so no
 * schema text may contain an apostrophe). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nm/http.h"
#include "nm/log.h"
#include "nm/openapi.h"

/* The schema text is data: clang-format would reflow its strings around the macro. */
// clang-format off

/* The members a creator is written with: CreatorInput takes them (closed: an unknown
 * member is a 422) and Creator replies with them plus what the server derives. One text
 * for both instead of an allOf over the closed input schema, whose additionalProperties
 * false would forbid the reply's own members (JSON Schema does not see through allOf).
 * data_as_of .. caption: freshness and what an export's sample says (docs/api.md §4). */
#define CREATOR_INPUT_PROPS \
	"'platform':{'$ref':'#/components/schemas/Platform'}," \
	"'handle':{'type':'string','minLength':1,'maxLength':100}," \
	"'display_name':{'type':['string','null']}," \
	"'profile_url':{'type':['string','null']}," \
	"'email':{'type':['string','null']}," \
	"'followers':{'type':'integer','minimum':0}," \
	"'following':{'type':['integer','null'],'minimum':0}," \
	"'posts_count':{'type':['integer','null'],'minimum':0}," \
	"'avg_likes':{'type':['number','null'],'minimum':0}," \
	"'avg_comments':{'type':['number','null'],'minimum':0}," \
	"'avg_shares':{'type':['number','null'],'minimum':0}," \
	"'avg_views':{'type':['number','null'],'minimum':0}," \
	"'engagement_rate':{'type':['number','null'],'minimum':0,'maximum':1}," \
	"'categories':{'type':['array','null'],'maxItems':20,'items':{'type':'string'}}," \
	"'hashtags':{'type':['array','null'],'maxItems':50,'items':{'type':'string'}}," \
	"'bio':{'type':['string','null'],'maxLength':2000}," \
	"'country':{'type':['string','null']}," \
	"'language':{'type':['string','null']}," \
	"'audience_countries':{'type':['object','null'],'additionalProperties':{'type':'numbe" \
	"r','minimum':0,'maximum':1}}," \
	"'audience_female_share':{'type':['number','null'],'minimum':0,'maximum':1}," \
	"'price_per_post_cents':{'type':['integer','null'],'minimum':0}," \
	"'follower_growth_30d':{'type':['number','null']}," \
	"'last_post_at':{'type':['string','null'],'format':'date-time'}," \
	"'external_id':{'type':['string','null']}," \
	"'data_as_of':{'type':['string','null'],'format':'date-time','description':'When the" \
	" numbers were measured; not in the future. Absent: the time of the import or of the" \
	" request'}," \
	"'sample_posts':{'type':['integer','null'],'minimum':0,'description':'Posts the" \
	" averages rest on'}," \
	"'sponsored_posts':{'type':['integer','null'],'minimum':0,'description':'Sampled" \
	" posts tagged as paid partnerships (at most sample_posts)'}," \
	"'verified':{'type':['boolean','null']}," \
	"'content_country':{'type':['string','null'],'description':'Where the sampled posts" \
	" are geotagged (ISO 3166-1 alpha-2); weaker evidence than country'}," \
	"'caption':{'type':['string','null'],'maxLength':2200,'description':'A recent" \
	" caption; searched like the bio'}"

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
	"'Health':{'type':'object','required':['status'],'properties':{'status':{'type':'string'},'"
	"schema_version':{'"
	"type':'integer'}}},"
	"'KeyInput':{'type':'object','required':['role'],'additionalProperties':false,"
	" 'properties':{'role':{'type':'string','enum':['read','write','admin']},"
	"  "
	"'brand_id':{'type':['integer','null'],'minimum':1},'name':{'type':['string','null'],'"
	"maxLength':200}}},"
	"'Key':{'type':'object','required':['id','prefix','name','role','brand_id','created_at'],"
	"'properties':{'id':{'type':'integer'},'prefix':{'type':'string'},"
	"  "
	"'name':{'type':['string','null']},'role':{'type':'string'},'brand_id':{'type':['integer','"
	"null']},"
	"  "
	"'created_at':{'type':'string','format':'date-time'},'revoked_at':{'type':['string','null']"
	",'format':'date-time'}}},"
	"'KeyCreated':{'allOf':[{'$ref':'#/components/schemas/Key'},"
	" {'type':'object','properties':{'key':{'type':['string','null'],'description':'The key, "
	"shown only in this reply (null in an Idempotency-Key replay)'}}}]},"
	"'SessionInput':{'type':'object','required':['api_key'],'additionalProperties':false,"
	" 'properties':{'api_key':{'type':'string','description':'An API key; it is checked, never "
	"stored or returned'}}},"
	"'Session':{'type':'object','required':['csrf_token','expires_at','key'],'properties':{"
	" 'csrf_token':{'type':'string','description':'Send it as X-CSRF-Token on POST, PUT, PATCH "
	"and DELETE made with the session cookie'},"
	" 'expires_at':{'type':'string','format':'date-time'},"
	" 'key':{'type':'object','required':['id','prefix','name','role','brand_id'],'properties':{"
	"  'id':{'type':'integer'},'prefix':{'type':'string'},'name':{'type':['string','null']},"
	"  'role':{'type':'string','enum':['read','write','admin']},"
	"  'brand_id':{'type':['integer','null']}}}}},"
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
	"string','null']},"
	"'target_countries_mode':{'type':['string','null'],'enum':['prefer','require',null],'desc"
	"ription':'prefer (default): target_countries raise the audience component; require: only"
	" creators based in a target country or with at least min_audience_share of their audienc"
	"e there'},'min_audience_share':{'type':['number','null'],'minimum':0,'maximum':1,'descri"
	"ption':'With target_countries_mode require: the audience share in the target countries t"
	"hat admits a creator based elsewhere (default 0.5)'},'exclude_keywords':{'type':['array'"
	",'null'],'maxItems':50,'items':{'type':'string'},'description':'Creators with one of the"
	"se terms in categories, hashtags or bio never match'},'exclude_handles':{'type':['array'"
	",'null'],'maxItems':100,'items':{'type':'string','minLength':1,'maxLength':101},'descrip"
	"tion':'Creators with one of these handles (any platform; a leading @ is ignored) never m"
	"atch'},"
	"'max_data_age_days':{'type':['integer','null'],'minimum':0,'description':'Only creat"
	"ors whose data (data_as_of) is at most this many whole days old'},'min_confidence':{'type"
	"':['string','null'],'enum':['high','medium','low',null],'description':'Only creators with"
	" at least this data confidence (high > medium > low)'},"
	" 'price_overrides':{'$ref':'#/components/schemas/PriceOverrides'},"
	" 'alerts':{'$ref':'#/components/schemas/BrandAlerts'}}},"
	"'BrandAlerts':{'type':['object','null'],'required':['top_n'],'additionalProperties':false,"
	"'description':'Match alerts: match.new_candidate for each creator written since the "
	"latest run that would rank inside its top_n (null: off; a brand without a run gets "
	"none)','properties':{'top_n':{'type':'integer','minimum':1,'maximum':200}}},"
	"'PriceOverrides':{'type':['object','null'],'additionalProperties':false,'description':"
	"'The brand prices per post in cents per follower tier, used by budget plans for "
	"creators without a price','properties':{'nano':{'$ref':'#/components/schemas/"
	"PriceOverride'},'micro':{'$ref':'#/components/schemas/PriceOverride'},'mid':{'$ref':"
	"'#/components/schemas/PriceOverride'},'macro':{'$ref':'#/components/schemas/"
	"PriceOverride'},'mega':{'$ref':'#/components/schemas/PriceOverride'}}},"
	"'PriceOverride':{'type':['integer','null'],'minimum':1,'maximum':1000000000},"
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
	"'target_countries_mode':{'type':'string','enum':['prefer','require']},'min_audience_shar"
	"e':{'type':'number','minimum':0,'maximum':1},'exclude_keywords':{'type':'array','items':"
	"{'type':'string'}},'exclude_handles':{'type':'array','items':{'type':'string'}},"
	"'max_data_age_days':{'type':['integer','null']},'min_confidence':{'type':['string','nul"
	"l'],'enum':['high','medium','low',null]},"
	" 'price_overrides':{'type':'object','additionalProperties':{'type':'integer'}},"
	" 'alerts':{'$ref':'#/components/schemas/BrandAlerts'},"
	" 'created_at':{'type':'string','format':'date-time'},'updated_at':{'type':'string','"
	"format':'date-time'}}},"
	"'BrandList':{'type':'object','required':['data','next_cursor'],'properties':{"
	" 'data':{'type':'array','items':{'$ref':'#/components/schemas/"
	"Brand'}},'next_cursor':{'type':['string','null']}}},"
	"'CreatorInput':{'type':'object','required':['platform','handle','followers'],'"
	"additionalProperties':false,'properties':{"
	CREATOR_INPUT_PROPS "}},"
	"'Creator':{'type':'object','properties':{" CREATOR_INPUT_PROPS ","
	" 'id':{'type':'integer'},'tier':{'type':'string','enum':['nano','micro','mid','macro','"
	"mega']},"
	" 'er_source':{'type':['string','null'],'enum':['given','derived',null]},"
	" 'sponsored_share':{'type':['number','null'],'minimum':0,'maximum':1},"
	" 'confidence':{'type':'string','enum':['high','medium','low']},"
	" 'confidence_codes':{'type':'array','items':{'type':'string','enum':['stale','thin_sample'"
	","
	"'derived_er','no_audience_data','no_price']}},"
	" 'created_at':{'type':'string','format':'date-time'},'updated_at':{'type':'string','"
	"format':'date-time'},"
	" 'engagement_benchmark':{'type':'object','required':['median_rate','ratio'],"
	"'description':'The engagement rate against the platform x tier median "
	"(docs/scoring.md)','properties':{'median_rate':{'type':'number'},"
	"'ratio':{'type':['number','null'],'description':'engagement_rate / median_rate, null "
	"without a rate'}}},"
	" 'flags':{'type':'array','description':'Authenticity and data flags, the codes of "
	"docs/scoring.md','items':{'type':'string','enum':['engagement_far_below_tier',"
	"'engagement_below_half_tier','follow_ratio','growth_spike','inactive',"
	"'no_engagement_rate','no_price','no_last_post','engagement_unusually_high',"
	"'mostly_sponsored']}}},"
	"'required':['id','tier','engagement_benchmark','flags']},"
	"'FacetCount':{'type':'object','required':['value','count'],'properties':{"
	"'value':{'type':'string'},'count':{'type':'integer','minimum':1}}},"
	"'CreatorList':{'type':'object','required':['data','next_cursor','total'],'properties':{"
	" 'data':{'type':'array','items':{'$ref':'#/components/schemas/"
	"Creator'}},'next_cursor':{'type':['string','null']},"
	" 'total':{'type':'integer','minimum':0,'description':'Every creator the filters match "
	"(exact)'},"
	" 'facets':{'type':'object','description':'With ?facets=: per field, the 50 most "
	"frequent values among the matches with exact counts, most frequent first; only the fields asked "
	"for','required':[],'properties':{"
	"'platform':{'type':'array','items':{'$ref':'#/components/schemas/FacetCount'}},"
	"'tier':{'type':'array','items':{'$ref':'#/components/schemas/FacetCount'}},"
	"'country':{'type':'array','items':{'$ref':'#/components/schemas/FacetCount'}},"
	"'language':{'type':'array','items':{'$ref':'#/components/schemas/FacetCount'}},"
	"'category':{'type':'array','items':{'$ref':'#/components/schemas/FacetCount'}}}}}},"
	"'StatsCounts':{'type':'object','required':['creators','data_age','confidence'],"
	"'properties':{'creators':{'type':'integer'},"
	" 'data_age':{'type':'object','properties':{'0_30d':{'type':'integer'},'31_90d':{'type':'"
	"integer'},'91_180d':{'type':'integer'},'181_365d':{'type':'integer'},'over_365d':{'type':'"
	"integer'},'unknown':{'type':'integer'}}},"
	" 'confidence':{'type':'object','properties':{'high':{'type':'integer'},'medium':{'type':'"
	"integer'},'low':{'type':'integer'}}}}},"
	"'Stats':{'allOf':[{'$ref':'#/components/schemas/StatsCounts'},{'type':'object',"
	"'required':['by_platform_tier'],'properties':{'by_platform_tier':{'type':'array','items':{"
	"'allOf':[{'$ref':'#/components/schemas/StatsCounts'},{'type':'object','properties':{"
	"'platform':{'$ref':'#/components/schemas/"
	"Platform'},'tier':{'type':'string','enum':['nano',"
	"'micro','mid','macro','mega']}}}]}}}}]},"
	"'ImportBody':{'type':'string','description':'CSV or TSV with a header row, NDJSON, or a "
	"JSON array of creators'},"
	"'Import':{'type':'object','properties':{'id':{'type':'integer'},'status':{'type':'string',"
	"'enum':['pending','running','completed','failed']},"
	" 'format':{'type':['string','null'],'description':'csv, tsv, ndjson or json; null while "
	"pending'},'bytes':{'type':'integer','description':'Bytes of the body received so far'},"
	" 'received':{'type':'integer'},'inserted':{'type':'integer'},'"
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
	"'ImportUpload':{'allOf':[{'$ref':'#/components/schemas/Import'},{'type':'object',"
	"'properties':{'upload_url':{'type':'string','description':'PUT the body here'}}}]},"
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
	"  'keywords':{'type':'array','items':{'type':'string'}},"
	"'target_countries_mode':{'type':['string','null'],'enum':['prefer','require',null],'desc"
	"ription':'prefer (default): target_countries raise the audience component; require: only"
	" creators based in a target country or with at least min_audience_share of their audienc"
	"e there'},'min_audience_share':{'type':['number','null'],'minimum':0,'maximum':1,'descri"
	"ption':'With target_countries_mode require: the audience share in the target countries t"
	"hat admits a creator based elsewhere (default 0.5)'},'exclude_keywords':{'type':['array'"
	",'null'],'maxItems':50,'items':{'type':'string'},'description':'Creators with one of the"
	"se terms in categories, hashtags or bio never match'},'exclude_handles':{'type':['array'"
	",'null'],'maxItems':100,'items':{'type':'string','minLength':1,'maxLength':101},'descrip"
	"tion':'Creators with one of these handles (any platform; a leading @ is ignored) never m"
	"atch'},"
	"'max_data_age_days':{'type':['integer','null'],'minimum':0,'description':'Only creat"
	"ors whose data (data_as_of) is at most this many whole days old'},'min_confidence':{'type"
	"':['string','null'],'enum':['high','medium','low',null],'description':'Only creators with"
	" at least this data confidence (high > medium > low)'}"
	"}},"
	"'MatchFunnel':{'type':'object','description':'How many creators each hard rule removed, "
	"in the order the rules apply: each rule has before - removed = after, the next rule star"
	"ts from that after, and the last after is candidates','required':['pool','rules','candid"
	"ates'],'properties':{'pool':{'type':'integer','minimum':0,'description':'Creators in the"
	" pool when the run ranked'},'rules':{'type':'array','items':{'type':'object','required':"
	"['rule','before','removed','after'],'properties':{'rule':{'type':'string','enum':['niche"
	"_relevance_zero','follower_range','platform','min_engagement','target_countries_required"
	"','exclude_keywords','exclude_handles','status_declined_or_excluded','data_too_old','"
	"confid"
	"ence_below_minimum']},'before':{'type':"
	"'integer','minimum':0},'removed':{'type':'integer','minimum':0},'after':{'type':'integer"
	"','minimum':0}}}},'candidates':{'type':'integer','minimum':0}}},'MatchRun':{'type':'obje"
	"ct','required':['id','brand_id','created_at','candidates','stored','goal','weights','que"
	"ry','funnel'],'properties':{'id':{'type':'integer'},'brand_id':{'type':'integer'},'creat"
	"ed_at':{'type':'string','format':'date-time'},'candidates':{'type':'integer','descriptio"
	"n':'Creators that passed every hard rule'},'stored':{'type':'integer','description':'Res"
	"ults kept'},'goal':{'type':'string','enum':['engagement','awareness','conversions']},'we"
	"ights':{'$ref':'#/components/schemas/Weights'},'query':{'type':'object','description':'T"
	"he effective brand the run ranked for (stored brand plus the run overrides)'},'funnel':{"
	"'oneOf':[{'$ref':'#/components/schemas/MatchFunnel'},{'type':'null'}],'description':'nul"
	"l for runs stored before funnels existed'},'duration_ms':{'type':'number','description':"
	"'Absent in the POST reply and the match_run.completed event'}}},'MatchExplanation':{'typ"
	"e':'object','required':['code','component','value','benchmark','text'],'properties':{'co"
	"de':{'type':'string','description':'Machine code, see docs/scoring.md section 7'},'compo"
	"nent':{'type':['string','null'],'enum':['niche','engagement','tier_fit','audience','cost_"
	"efficiency','authenticity','activity',null],'description':'null for data_stale (about the "
	"data, not a component)'},'value':{'type':['number','null'],'description':'The num"
	"ber the explanation is about'},'benchmark':{'type':['number','null'],'description':'What"
	" value is compared with'},'text':{'type':'string','description':'The sentence, as in rea"
	"sons'}}},'MatchResult':{'type':'object','required':['rank','score','creator','components"
	"','points','estimates','flags','explanations','reasons','status'],'properties':{'rank':{"
	"'type':'integer'},'score':{'type':'number','minimum':0,'maximum':100},'status':{'type':["
	"'string','null'],'enum':['shortlisted','contacted','accepted','declined','excluded',null"
	"]},'creator':{'type':'object','required':['id','platform','handle','display_name','follo"
	"wers','tier','engagement_rate','categories','country','price_per_post_cents'],'propertie"
	"s':{'id':{'type':'integer'},'platform':{'type':'string'},'handle':{'type':'string'},'dis"
	"play_name':{'type':['string','null']},'followers':{'type':'integer'},'tier':{'type':'str"
	"ing','enum':['nano','micro','mid','macro','mega']},'engagement_rate':{'type':['number','"
	"null']},'categories':{'type':'array','items':{'type':'string'}},'country':{'type':['stri"
	"ng','null']},'price_per_post_cents':{'type':['integer','null']},"
	"'data_age_days':{'type':['integer','null'],'minimum':0,'description':'Whole days since "
	"data_as_of at the run (null: unknown). Absent in runs stored before session 5'},"
	"'confidence':{'type':'string','enum':['high','medium','low'],'description':'The data "
	"confidence at the run (docs/scoring.md); absent in runs stored before session 5'},"
	"'confidence_codes':{'type':'array','items':{'type':'string','enum':['stale','thin_sample',"
	"'derived_er','no_audience_data','no_price']}}}},'components':{'type':'"
	"object','description':'Each component in [0,1]','required':['niche','engagement','tier_f"
	"it','audience','cost_efficiency','authenticity','activity'],'properties':{'niche':{'type"
	"':'number','minimum':0,'maximum':1},'engagement':{'type':'number','minimum':0,'maximum':"
	"1},'tier_fit':{'type':'number','minimum':0,'maximum':1},'audience':{'type':'number','min"
	"imum':0,'maximum':1},'cost_efficiency':{'type':'number','minimum':0,'maximum':1},'authen"
	"ticity':{'type':'number','minimum':0,'maximum':1},'activity':{'type':'number','minimum':"
	"0,'maximum':1}},'additionalProperties':false},'points':{'type':'object','description':'w"
	"eight x component x 100 per component, summing to score','required':['niche','engagement"
	"','tier_fit','audience','cost_efficiency','authenticity','activity'],'properties':{'nich"
	"e':{'type':'number','minimum':0},'engagement':{'type':'number','minimum':0},'tier_fit':{"
	"'type':'number','minimum':0},'audience':{'type':'number','minimum':0},'cost_efficiency':"
	"{'type':'number','minimum':0},'authenticity':{'type':'number','minimum':0},'activity':{'"
	"type':'number','minimum':0}},'additionalProperties':false},'estimates':{'type':'object',"
	"'required':['engagements_per_post','cost_per_engagement_cents'],'properties':{'engagemen"
	"ts_per_post':{'type':['integer','null']},'cost_per_engagement_cents':{'type':['number','"
	"null']}}},'flags':{'type':'array','items':{'type':'string','enum':['engagement_far_below"
	"_tier','engagement_below_half_tier','follow_ratio','growth_spike','inactive','no_engagem"
	"ent_rate','no_price','no_last_post']},'description':'Authenticity and data problems of t"
	"he creator'},'explanations':{'type':'array','items':{'$ref':'#/components/schemas/MatchE"
	"xplanation'}},'reasons':{'type':'array','items':{'type':'string'},'description':'The exp"
	"lanations sentences, in the same order'}}},'MatchRunCreated':{'type':'object','required'"
	":['run','data','next_cursor'],'properties':{'run':{'$ref':'#/components/schemas/MatchRun"
	"'},'data':{'type':'array','items':{'$ref':'#/components/schemas/MatchResult'}},'next_cur"
	"sor':{'type':['string','null']}}},'MatchPageList':{'type':'object','required':['run_id',"
	"'run','data','next_cursor'],'properties':{'run_id':{'type':'integer'},'run':{'$ref':'#/c"
	"omponents/schemas/MatchRun'},'data':{'type':'array','items':{'$ref':'#/components/schema"
	"s/MatchResult'}},'next_cursor':{'type':['string','null']}}},'MatchRunList':{'type':'obje"
	"ct','required':['data','next_cursor'],'properties':{'data':{'type':'array','items':{'$re"
	"f':'#/components/schemas/MatchRun'}},'next_cursor':{'type':['string','null']}}}"
	","
	"'PlanInput':{'type':'object','required':['budget_cents'],'additionalProperties':false,"
	" 'properties':{'budget_cents':{'type':'integer','minimum':1,'maximum':100000000000},"
	"  'goal':{'type':['string','null'],'enum':['engagement','awareness','conversions',null],"
	"'description':'Default: the brand goal'},"
	"  'max_creators':{'type':['integer','null'],'minimum':1,'maximum':100,'default':20},"
	"  'max_share_per_creator':{'type':['number','null'],'exclusiveMinimum':0,'maximum':1,"
	"'default':0.5},"
	"  'platforms':{'type':['array','null'],'items':{'$ref':'#/components/schemas/Platform'}},"
	"  'min_score':{'type':['number','null'],'minimum':0,'maximum':100,'default':0},"
	"  'include_statuses':{'type':['array','null'],'items':{'type':'string','enum':["
	"'shortlisted','contacted','accepted']}},"
	"  'exclude_statuses':{'type':['array','null'],'items':{'type':'string','enum':["
	"'shortlisted','contacted','accepted','declined','excluded']}},"
	"  'must_include':{'type':['array','null'],'maxItems':100,'items':{'type':'integer',"
	"'minimum':1}},"
	"'max_data_age_days':{'type':['integer','null'],'minimum':0,'description':'Default: the "
	"brand value. Only creat"
	"ors whose data (data_as_of) is at most this many whole days old'},'min_confidence':{'type"
	"':['string','null'],'enum':['high','medium','low',null],'description':'Only creators with"
	" at least this data confidence (high > medium > low)'}}},"
	"'PlanTotals':{'type':'object','required':['creators','cost_cents','engagements','reach',"
	"'cost_per_engagement_cents'],'properties':{'creators':{'type':'integer'},"
	" 'cost_cents':{'type':'integer'},'engagements':{'type':'number'},"
	"'reach':{'type':'number'},"
	" 'cost_per_engagement_cents':{'type':['number','null']}}},"
	"'PlanEntry':{'type':'object','required':['creator','price_cents','price_source',"
	"'expected_engagements','expected_reach','score','confidence','confidence_codes'],'"
	"properties':{"
	" 'creator':{'type':'object'},'price_cents':{'type':'integer'},"
	" 'price_source':{'type':'string','enum':['given','estimated']},"
	" 'price_override':{'type':'boolean','description':'The estimate is the brand price "
	"override of the tier'},"
	" 'expected_engagements':{'type':'number','description':'Per post'},"
	" 'expected_reach':{'type':'number','description':'Per post'},"
	" 'score':{'type':'number'},'status':{'type':['string','null']},"
	" 'components':{'type':'object','additionalProperties':{'type':'number'}},"
	" 'reasons':{'type':'array','items':{'type':'string'}},"
	" 'confidence':{'type':'string','enum':['high','medium','low'],'description':'Data "
	"confidence of the creator, as in creator replies'},"
	" 'confidence_codes':{'type':'array','items':{'type':'string','enum':['stale',"
	"'thin_sample','derived_er','no_audience_data','no_price']}},"
	" 'totals':{'$ref':'#/components/schemas/PlanTotals'}}},"
	"'PlanComparison':{'type':'object','required':['engagements_ratio',"
	"'cost_per_engagement_ratio','reach_ratio','big_wins_on_reach','summary'],'properties':{"
	" 'engagements_ratio':{'type':['number','null']},"
	" 'cost_per_engagement_ratio':{'type':['number','null']},"
	" 'reach_ratio':{'type':['number','null']},'big_wins_on_reach':{'type':'boolean'},"
	" 'summary':{'type':'string','description':'One sentence for a deck'}}},"
	"'PlanSummary':{'type':'object','required':['id','brand_id','created_at','request','goal',"
	"'totals','alternative','alternative_reason','comparison','solver'],'properties':{"
	" 'id':{'type':'integer'},'brand_id':{'type':'integer'},"
	" 'created_at':{'type':'string','format':'date-time'},"
	" 'created_by_key_id':{'type':['integer','null']},'request':{'type':'object'},"
	" 'goal':{'type':'string'},'totals':{'$ref':'#/components/schemas/PlanTotals'},"
	" 'alternative':{'anyOf':[{'$ref':'#/components/schemas/PlanEntry'},{'type':'null'}]},"
	" 'alternative_reason':{'type':['string','null']},"
	" 'comparison':{'$ref':'#/components/schemas/PlanComparison'},"
	" 'solver':{'type':'object','properties':{'method':{'type':'string'},"
	"'exact':{'type':'boolean'},'gap':{'type':'number'},'candidates':{'type':'integer'},"
	"'eligible':{'type':'integer'}}}}},"
	"'Plan':{'allOf':[{'$ref':'#/components/schemas/PlanSummary'},{'type':'object',"
	"'required':['portfolio'],'properties':{'portfolio':{'type':'array','items':{'$ref':"
	"'#/components/schemas/PlanEntry'}}}}]},"
	"'PlanList':{'type':'object','required':['data','next_cursor'],'properties':{"
	" 'data':{'type':'array','items':{'$ref':'#/components/schemas/PlanSummary'}},"
	" 'next_cursor':{'type':['string','null']}}},"
	/* Issue 15: lookalikes (docs/api.md "Lookalikes", docs/matching.md). */
	"'LookalikeInput':{'type':'object','additionalProperties':false,'properties':{"
	" 'seed_creator_ids':{'type':['array','null'],'minItems':1,'maxItems':50,'items':{"
	"'type':'integer','minimum':1},'description':'Default: the accepted and "
	"shortlisted creators of the brand (the 50 lowest ids)'},"
	" 'platform':{'anyOf':[{'$ref':'#/components/schemas/Platform'},{'type':'null'}]},"
	" 'country':{'type':['string','null'],'description':'ISO 3166-1 alpha-2: the stated "
	"country'},"
	" 'min_followers':{'type':['integer','null'],'minimum':0},"
	" 'max_followers':{'type':['integer','null'],'minimum':0},"
	" 'limit':{'type':['integer','null'],'minimum':1,'maximum':200,'default':20}}},"
	"'LookalikeExplanation':{'type':'object','required':['code','text'],'properties':{"
	" 'code':{'type':'string','enum':['shared_terms','same_tier_country','engagement_close']},"
	" 'text':{'type':'string'}}},"
	"'Lookalike':{'type':'object','required':['creator','similarity','explanations'],"
	"'properties':{'creator':{'$ref':'#/components/schemas/Creator'},"
	" 'similarity':{'type':'number','minimum':0,'maximum':1},"
	" 'explanations':{'type':'array','items':{'$ref':'#/components/schemas/"
	"LookalikeExplanation'}}}},"
	"'LookalikeList':{'type':'object','required':['seed_creator_ids','data'],'properties':{"
	" 'brand_id':{'type':'integer','description':'POST /v1/brands/{id}/lookalikes only'},"
	" 'seed_creator_ids':{'type':'array','items':{'type':'integer'}},"
	" 'data':{'type':'array','items':{'$ref':'#/components/schemas/Lookalike'}}}},"
	"'StatusInput':{'type':'object','required':['status'],'additionalProperties':false,'"
	"properties':{"
	" 'status':{'type':'string','enum':['shortlisted','contacted','accepted','declined','"
	"excluded']},"
	" 'note':{'type':['string','null'],'maxLength':2000}}},"
	"'Status':{'type':'object','required':['brand_id','creator_id','status','note','created_at'"
	","
	"'updated_at','creator'],'properties':{'brand_id':{'type':'integer'},'creator_id':{'type'"
	":'integer'},"
	" 'status':{'type':['string','null'],'description':'null only in the "
	"creator.status_changed event of a cleared "
	"status'},'previous_status':{'type':['string','null']},'note':{'type':['"
	"string','null']},"
	" 'created_at':{'type':'string','format':'date-time'},'updated_at':{'type':'string','"
	"format':'date-time'},"
	" 'creator':{'type':'object'}}},"
	"'StatusList':{'type':'object','required':['data','next_cursor'],'properties':{"
	" 'data':{'type':'array','items':{'$ref':'#/components/schemas/"
	"Status'}},'next_cursor':{'type':['string','null']}}}"
	",'StatusBulkInput':{'type':'object','required':['creator_ids','status'],"
	"'additionalProperties':false,'properties':{"
	" 'creator_ids':{'type':'array','minItems':1,'maxItems':500,'items':{'type':'integer','"
	"minimum':1}},"
	" 'status':{'type':'string','enum':['shortlisted','contacted','accepted','declined','"
	"excluded']},"
	" 'note':{'type':['string','null'],'maxLength':2000}}},"
	"'StatusBulkResult':{'type':'object','properties':{"
	" 'data':{'type':'array','items':{'$ref':'#/components/schemas/Status'}},"
	" 'count':{'type':'integer','description':'Creators now in the status'},"
	" 'changed':{'type':'integer','description':'Creators whose status changed (one event "
	"each)'}}},"
	"'StatusHistoryEntry':{'type':'object','properties':{'id':{'type':'integer'},"
	" 'brand_id':{'type':'integer'},'creator_id':{'type':'integer'},"
	" 'from':{'type':['string','null'],'description':'null: the creator had no status'},"
	" 'to':{'type':['string','null'],'description':'null: the status was cleared'},"
	" 'note':{'type':['string','null']},'key_id':{'type':['integer','null']},"
	" 'key_name':{'type':['string','null']},"
	" 'source':{'type':'string','description':'api, or inbound for a CRM event'},"
	" 'created_at':{'type':'string','format':'date-time'}}},"
	"'StatusHistoryList':{'type':'object','required':['data','next_cursor'],'properties':{"
	" 'data':{'type':'array','items':{'$ref':'#/components/schemas/StatusHistoryEntry'}},"
	" 'next_cursor':{'type':['string','null']}}},"
	"'Pipeline':{'type':'object','properties':{'brand_id':{'type':'integer'},"
	" 'counts':{'type':'object','properties':{'shortlisted':{'type':'integer'},"
	"  'contacted':{'type':'integer'},'accepted':{'type':'integer'},"
	"  'declined':{'type':'integer'},'excluded':{'type':'integer'}}},"
	" 'total':{'type':'integer'},"
	" 'latest_run':{'type':['object','null'],'properties':{'id':{'type':'integer'},"
	"  'created_at':{'type':'string','format':'date-time'},'candidates':{'type':'integer'},"
	"  'stored':{'type':'integer'}}}}}"
	",'EventType':{'type':'string','enum':['brand.created','brand.updated','brand.deleted','"
	"import.completed','import.failed','match_run.completed','creator.status_changed','"
	"creator.created','creator.updated','creator.deleted','webhook.test','plan.created','match."
	"new_candidate','*']},"
	"'BrandIds':{'type':['array','null'],'minItems':1,'maxItems':100,'items':{'type':'"
	"integer','minimum':1},'description':'Only events of these brands (null: every brand, and "
	"the events of no brand such as import.completed). A key bound to a brand may only send "
	"null or [its brand]; its endpoints are pinned to its brand'},"
	"'WebhookInput':{'type':'object','required':['url','events'],'additionalProperties':false,'"
	"properties':{"
	" 'url':{'type':'string','format':'uri','maxLength':2048,'description':'http or https; "
	"must resolve to a public address'},"
	" 'events':{'type':'array','minItems':1,'items':{'$ref':'#/components/schemas/EventType'}},"
	" 'description':{'type':['string','null'],'maxLength':500},"
	" 'brand_ids':{'$ref':'#/components/schemas/BrandIds'}}},"
	"'WebhookPatch':{'type':'object','description':'JSON merge patch (RFC 7396) of url, "
	"events, description and status (active or "
	"disabled)','additionalProperties':false,'properties':{"
	" 'url':{'type':'string','maxLength':2048},'events':{'type':'array','items':{'$ref':'#/"
	"components/schemas/EventType'}},"
	" 'description':{'type':['string','null']},'status':{'type':'string','enum':['active','"
	"disabled']},'brand_ids':{'$ref':'#/components/schemas/BrandIds'}}},"
	"'Webhook':{'type':'object','properties':{'id':{'type':'integer'},'url':{'type':'string'},"
	" 'events':{'type':'array','items':{'$ref':'#/components/schemas/"
	"EventType'}},'description':{'type':['string','null']},"
	" 'status':{'type':'string','enum':['active','failing','disabled']},"
	" 'brand_ids':{'$ref':'#/components/schemas/BrandIds'},"
	" 'previous_secret_expires_at':{'type':['string','null'],'format':'date-time','"
	"description':'Until then the rotated-out secret also signs (a second signature in "
	"webhook-signature)'},"
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
	"'WebhookRotateInput':{'type':'object','additionalProperties':false,'properties':{"
	" 'overlap_seconds':{'type':'integer','minimum':0,'maximum':604800,'default':86400,"
	"'description':'How long the old secret keeps signing next to the new one (0: not at "
	"all)'}}},"
	"'WebhookTestQueued':{'type':'object','required':['endpoint_id','delivery_id','event_type',"
	"'"
	"state'],'properties':{'endpoint_id':{'type':'integer'},'delivery_id':{'type':'integer'},"
	" 'event_type':{'type':'string','enum':['webhook.test']},'state':{'type':'string'}}},"
	"'WebhookReplayInput':{'type':'object','required':['since'],'additionalProperties':false,"
	"'properties':{'since':{'type':'string','format':'date-time','description':'Events created "
	"at or after this time'},"
	" 'status':{'type':'string','enum':['failed','succeeded','all'],'default':'failed'}}},"
	"'WebhookReplay':{'type':'object','required':['endpoint_id','since','status','replayed'],"
	"'properties':{'endpoint_id':{'type':'integer'},'since':{'type':'string'},"
	" 'status':{'type':'string'},'replayed':{'type':'integer','description':'Deliveries made "
	"pending and due now'}}},"
	"'Event':{'type':'object','required':['seq','id','type','created_at','data'],'properties':{"
	" 'seq':{'type':'integer','description':'Position in the log: pass the last one you "
	"processed as after'},"
	" 'id':{'type':'string','description':'The webhook-id of its deliveries'},"
	" 'type':{'type':'string'},'created_at':{'type':'string','format':'date-time'},"
	" 'data':{'description':'As delivered (see the webhooks of this document)'}}},"
	"'EventList':{'type':'object','required':['data','next_cursor'],'properties':{"
	" 'data':{'type':'array','items':{'$ref':'#/components/schemas/Event'}},"
	" 'next_cursor':{'type':['string','null']}}},"
	"'EventBrand':{'type':['object','null'],'required':['id','name','external_id'],"
	"'description':'The brand the event belongs to (null when it no longer exists)',"
	"'properties':{'id':{'type':'integer'},'name':{'type':'string'},"
	" 'external_id':{'type':['string','null'],'description':'Your CRM key for the brand'}}},"
	"'StatusEvent':{'allOf':[{'$ref':'#/components/schemas/Status'},{'type':'object',"
	"'required':['brand','creator','latest_match'],'properties':{"
	" 'brand':{'$ref':'#/components/schemas/EventBrand'},"
	" 'creator':{'type':'object','required':['id','platform','handle','email','profile_url','"
	"external_id','engagement_rate','tier'],'properties':{'id':{'type':'integer'},"
	"  "
	"'platform':{'type':'string'},'handle':{'type':'string'},'display_name':{'type':['string',"
	"'null']},"
	"  'followers':{'type':'integer'},'email':{'type':['string','null']},"
	"  'profile_url':{'type':['string','null']},'external_id':{'type':['string','null']},"
	"  'engagement_rate':{'type':['number','null']},"
	"  'tier':{'type':'string','enum':['nano','micro','mid','macro','mega']}}},"
	" 'latest_match':{'type':['object','null'],'required':['run_id','rank','score'],"
	"'description':'Rank and score in the latest stored run of the brand (null when not in "
	"it)',"
	"'properties':{'run_id':{'type':'integer'},'rank':{'type':'integer'},'score':{'type':'"
	"number'}}}}}]},"
	"'MatchRunEvent':{'allOf':[{'$ref':'#/components/schemas/MatchRun'},{'type':'object',"
	"'required':['brand','top','page_url'],'properties':{"
	" 'brand':{'$ref':'#/components/schemas/EventBrand'},"
	" 'top':{'type':'array','maxItems':10,'items':{'type':'object','required':['rank','score',"
	"'creator'],'properties':{'rank':{'type':'integer'},'score':{'type':'number'},"
	"  'creator':{'type':'object','required':['id','platform','handle'],'properties':{"
	"'id':{'type':'integer'},'platform':{'type':['string','null']},'handle':{'type':['string',"
	"'null']},'display_name':{'type':['string','null']},'email':{'type':['string','null']},"
	"'profile_url':{'type':['string','null']},'external_id':{'type':['string','null']},"
	"'followers':{'type':['integer','null']}}}}}},"
	" 'page_url':{'type':'string','description':'Path of the run page: GET it with your key'}"
	"}}]},"
	"'ImportFailedEvent':{'type':'object','required':['id','status','failure','received','"
	"rejected'],'properties':{'id':{'type':'integer'},'status':{'type':'string','enum':['"
	"failed']},"
	" 'failure':{'type':['string','null']},'received':{'type':'integer'},'rejected':{'type':'"
	"integer'}}},"
	"'CreatorEvent':{'type':'object','description':'The creator as GET /v1/creators/{id} "
	"returns it (every member of Creator)','properties':{'id':{'type':'integer'},"
	"'platform':{'type':'string'},'handle':{'type':'string'},'followers':{'type':'integer'},"
	"'email':{'type':['string','null']},'profile_url':{'type':['string','null']},"
	"'external_id':{'type':['string','null']},'tier':{'type':'string'},"
	"'created_at':{'type':'string','format':'date-time'},'updated_at':{'type':'string',"
	"'format':'date-time'}}},"
	"'CreatorDeletedEvent':{'type':'object','properties':{'id':{'type':'integer'},'platform':{"
	"'type':'string'},'handle':{'type':'string'},'external_id':{'type':['string','null']}}},"
	"'NewCandidateEvent':{'type':'object','required':['brand_id','brand','run_id','top_n',"
	"'score','would_rank','creator','explanations'],'description':'A creator written since "
	"the latest match run of the brand (import, POST /v1/creators, inbound CRM event) that "
	"would rank inside its alerts.top_n; once per brand and creator until the score "
	"moves by more than 1.0 point (docs/webhooks.md)','properties':{"
	" 'brand_id':{'type':'integer'},'brand':{'$ref':'#/components/schemas/EventBrand'},"
	" 'run_id':{'type':'integer','description':'The latest run the creator is compared with'},"
	" 'top_n':{'type':'integer','minimum':1,'maximum':200},"
	" 'score':{'type':'number','minimum':0,'maximum':100,'description':'Scored as that run "
	"scored its results (the query of the run, the current creator data)'},"
	" 'would_rank':{'type':'integer','minimum':1,'description':'The position it would take "
	"in the run (after every result scoring at least as much)'},"
	" 'creator':{'type':'object','required':['id','platform','handle','display_name','email',"
	"'profile_url','followers','engagement_rate'],'properties':{'id':{'type':'integer'},"
	"'platform':{'type':'string'},'handle':{'type':'string'},'display_name':{'type':['string',"
	"'null']},'email':{'type':['string','null']},'profile_url':{'type':['string','null']},"
	"'followers':{'type':'integer'},'engagement_rate':{'type':['number','null']}}},"
	" 'explanations':{'type':'array','items':{'$ref':'#/components/schemas/"
	"MatchExplanation'}}}},"
	"'WebhookTestEvent':{'type':'object','required':['endpoint_id','message'],'properties':{"
	" 'endpoint_id':{'type':'integer'},'message':{'type':'string'}}},"
	"'InboundSourceInput':{'type':'object','required':['name'],'additionalProperties':false,'"
	"properties':{"
	" 'name':{'type':'string','pattern':'^[a-z0-9_-]{1,64}$'},"
	" 'scheme':{'type':'string','enum':['standard','hubspot_v3','bearer'],'default':'standard',"
	"'description':'standard: Standard Webhooks headers; hubspot_v3: X-HubSpot-Signature-v3 "
	"with the app client secret; bearer: Authorization: Bearer <the source secret>'},"
	" 'secret':{'type':'string','minLength':8,'maxLength':256,'description':'hubspot_v3 only "
	"(required there): the HubSpot app client secret'},"
	" 'field_map':{'type':['object','null'],'maxProperties':100,'additionalProperties':{'type':"
	"'string','minLength':1,'maxLength':64},'description':'Renames members of each event "
	"data before validation: {their_name: our_name}'}}},"
	"'InboundSource':{'type':'object','properties':{'id':{'type':'integer'},'name':{'type':'"
	"string'},"
	" 'inbound_path':{'type':'string'},'created_at':{'type':'string','format':'date-time'},"
	" 'scheme':{'type':'string','enum':['standard','hubspot_v3','bearer']},"
	" 'field_map':{'type':['object','null'],'additionalProperties':{'type':'string'}}}},"
	"'InboundSourceCreated':{'allOf':[{'$ref':'#/components/schemas/InboundSource'},"
	" {'type':'object','properties':{'secret':{'type':['string','null'],'description':'whsec_ "
	"verification secret (standard) or bearer token (bearer), shown only in this reply (null "
	"in "
	"an Idempotency-Key replay, and for hubspot_v3, whose secret is the app client "
	"secret)'}}}]},"
	"'InboundLogEntry':{'type':'object','properties':{'id':{'type':'integer'},'msg_id':{'type'"
	":'string','description':'webhook-id (with #index for a batch item), or derived from the "
	"body for senders that send none'},"
	" 'type':{'type':['string','null']},'status':{'type':'string','enum':['applied','duplicate'"
	","
	"'rejected']},"
	" 'errors':{'type':['array','null'],'items':{'type':'object'}},'received_at':{'type':'"
	"string','format':'date-time'}}},"
	"'InboundLogList':{'type':'object','required':['data','next_cursor'],'properties':{"
	" 'data':{'type':'array','items':{'$ref':'#/components/schemas/InboundLogEntry'}},"
	" 'next_cursor':{'type':['string','null']}}},"
	"'InboundSourceList':{'type':'object','required':['data','next_cursor'],'properties':{"
	" 'data':{'type':'array','items':{'$ref':'#/components/schemas/"
	"InboundSource'}},'next_cursor':{'type':['string','null']}}},"
	"'InboundEvent':{'type':'object','required':['type','data'],'description':'Signed with "
	"webhook-id, webhook-timestamp and webhook-signature (Standard Webhooks)',"
	" 'properties':{'type':{'type':'string','enum':['creator.upsert','creator.patch','creator."
	"delete','brand.upsert','creator.status']},'data':{'type':'object'}}},"
	"'InboundBodyInput':{'description':'One event, or a batch of 1 to 100 (each applied or "
	"rejected on its own)','oneOf':[{'$ref':'#/components/schemas/InboundEvent'},"
	"{'type':'array','minItems':1,'maxItems':100,'items':{'$ref':'#/components/schemas/"
	"InboundEvent'}}]},"
	"'InboundResult':{'type':'object','required':['status'],'properties':{'status':{'type':'"
	"string','enum':['applied','duplicate','batch']},"
	" 'type':{'type':'string'},'result':{'type':'object'},"
	" 'applied':{'type':'integer'},'duplicate':{'type':'integer'},'rejected':{'type':'integer'}"
	","
	" 'results':{'type':'array','description':'A batch: one per item, in order','items':{"
	"'type':'object','required':['index','status','type'],'properties':{'index':{'type':'"
	"integer'},'status':{'type':'string','enum':['applied','duplicate','rejected']},"
	"'type':{'type':['string','null']},'result':{'type':'object'},'errors':{'type':'array'}}}}}"
	"}"
	"}";
// clang-format on

/* Gives every object schema a `required` list. A reply always carries every member its
 * schema names (absent values are null, and the types say so), so a reply schema
 * requires all its properties; request schemas keep the list they declare (or none
 * required). Written once here instead of beside every schema by hand. */
static void add_required(json_t *schema, bool reply)
{
	if (!json_is_object(schema))
		return;
	json_t *props = json_object_get(schema, "properties");
	if (json_is_object(props)) {
		if (!json_object_get(schema, "required")) {
			json_t *req = json_array();
			const char *k;
			json_t *v;
			if (reply)
				json_object_foreach(props, k, v)
					json_array_append_new(req, json_string(k));
			json_object_set_new(schema, "required", req);
		}
		const char *k;
		json_t *v;
		json_object_foreach(props, k, v) add_required(v, reply);
	} else if (json_is_string(json_object_get(schema, "type")) &&
		   strcmp(json_string_value(json_object_get(schema, "type")), "object") == 0 &&
		   !json_object_get(schema, "required")) {
		json_object_set_new(schema, "required", json_array());
	}
	add_required(json_object_get(schema, "items"), reply);
	json_t *all = json_object_get(schema, "allOf");
	size_t i;
	json_t *part;
	json_array_foreach(all, i, part) add_required(part, reply);
}

static bool is_request_schema(const char *name)
{
	size_t n = strlen(name);
	return (n > 5 && strcmp(name + n - 5, "Input") == 0) ||
	       (n > 5 && strcmp(name + n - 5, "Patch") == 0) || strcmp(name, "ImportBody") == 0 ||
	       strcmp(name, "InboundEvent") == 0;
}

static json_t *schemas(void)
{
	char *text = strdup(schemas_text);
	for (char *p = text; *p; p++)
		if (*p == '\'')
			*p = '"';
	json_error_t err;
	json_t *s = json_loads(text, 0, &err);
	free(text);
	if (!s) {
		/* A typo in the text above: say where, so that it is not mistaken for a
		 * document without schemas (test_openapi_truth fails on it too). */
		nm_log(NM_LOG_ERROR, "openapi: schema text is not JSON at offset %d: %s",
		       err.position, err.text);
		return json_object();
	}
	const char *name;
	json_t *schema;
	json_object_foreach(s, name, schema) add_required(schema, !is_request_schema(name));
	return s;
}

/* ---- responses ---- */

static const char *problem_type_uri(enum nm_problem p);

/* A problem response whose description names the problem types it carries. */
static void add_problem(json_t *responses, enum nm_problem p)
{
	char code[8];
	snprintf(code, sizeof code, "%d", nm_problem_status(p));
	json_t *resp = json_object_get(responses, code);
	if (!resp) {
		resp = json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", "", "content",
				 "application/problem+json", "schema", "$ref",
				 "#/components/schemas/Problem");
		json_object_set_new(responses, code, resp);
	}
	const char *old = json_string_value(json_object_get(resp, "description"));
	const char *uri = problem_type_uri(p);
	if (strstr(old, uri))
		return;
	char *d = NULL;
	if (asprintf(&d, "%s%s%s", old, *old ? " or " : "Problem type ", uri) < 0)
		return;
	json_object_set_new(resp, "description", json_string(d));
	free(d);
	if (p == NM_P_RATE_LIMITED || p == NM_P_DB_UNAVAILABLE)
		json_object_set_new(resp, "headers",
				    json_pack("{s:{s:s, s:{s:s}}}", "Retry-After", "description",
					      "Seconds to wait before retrying", "schema", "type",
					      "integer"));
	if (p == NM_P_UNAUTHORIZED)
		json_object_set_new(resp, "headers",
				    json_pack("{s:{s:s, s:{s:s}}}", "WWW-Authenticate",
					      "description", "Bearer challenge (RFC 6750)",
					      "schema", "type", "string"));
	if (p == NM_P_METHOD_NOT_ALLOWED)
		json_object_set_new(resp, "headers",
				    json_pack("{s:{s:s, s:{s:s}}}", "Allow", "description",
					      "The methods this path allows", "schema", "type",
					      "string"));
}

/* The problems every route of its kind can answer, then the route's own. */
static void add_problems(json_t *responses, const struct nm_route *rt)
{
	/* The dispatcher refuses unknown query parameters on every route. */
	add_problem(responses, NM_P_BAD_QUERY);
	if (rt->min_role != NM_ROLE_NONE) {
		add_problem(responses, NM_P_UNAUTHORIZED);
		add_problem(responses, NM_P_FORBIDDEN);
		add_problem(responses, NM_P_RATE_LIMITED);
		add_problem(responses, NM_P_DB_UNAVAILABLE);
	}
	if (strchr(rt->pattern, '{'))
		add_problem(responses, NM_P_NOT_FOUND);
	if (rt->body == NM_BODY_JSON || rt->body == NM_BODY_JSON_OPTIONAL) {
		add_problem(responses, NM_P_BAD_JSON);
		add_problem(responses, NM_P_TOO_LARGE);
		add_problem(responses, NM_P_UNSUPPORTED_MEDIA_TYPE);
		if (rt->request_schema)
			add_problem(responses, NM_P_VALIDATION);
	} else if (rt->body == NM_BODY_STREAM) {
		add_problem(responses, NM_P_TOO_LARGE);
		add_problem(responses, NM_P_UNSUPPORTED_MEDIA_TYPE);
	} else if (rt->body == NM_BODY_RAW) {
		add_problem(responses, NM_P_BAD_JSON);
		add_problem(responses, NM_P_TOO_LARGE);
	}
	if (strcmp(rt->method, "POST") == 0 && rt->min_role != NM_ROLE_NONE) {
		add_problem(responses, NM_P_IDEMPOTENCY_IN_PROGRESS);
		add_problem(responses, NM_P_IDEMPOTENCY_MISMATCH);
	}
	for (const enum nm_problem *p = rt->problems; p && *p != NM_P_COUNT; p++)
		add_problem(responses, *p);
}

/* ---- parameters ---- */

static json_t *path_params(const char *pattern)
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
			params,
			json_pack("{s:s, s:s, s:b, s:s, s:o}", "name", name, "in", "path",
				  "required", 1, "description",
				  is_id ? "Numeric id" : "Name (letters, digits, _ . -)", "schema",
				  is_id ? json_pack("{s:s, s:s, s:i}", "type", "integer", "format",
						    "int64", "minimum", 1)
					: json_pack("{s:s, s:s}", "type", "string", "pattern",
						    "^[A-Za-z0-9_.-]{1,79}$")));
	}
	return params;
}

static json_t *param_schema(const struct nm_param *p)
{
	json_t *s = json_object();
	switch (p->type) {
	case NM_PARAM_STRING:
		json_object_set_new(s, "type", json_string("string"));
		break;
	case NM_PARAM_INTEGER:
		json_object_set_new(s, "type", json_string("integer"));
		json_object_set_new(s, "format", json_string("int64"));
		break;
	case NM_PARAM_NUMBER:
		json_object_set_new(s, "type", json_string("number"));
		break;
	case NM_PARAM_BOOLEAN:
		json_object_set_new(s, "type", json_string("boolean"));
		break;
	case NM_PARAM_ENUM: {
		json_t *values = json_array();
		for (const char *const *e = p->values; e && *e; e++)
			json_array_append_new(values, json_string(*e));
		json_object_set_new(s, "type", json_string("string"));
		json_object_set_new(s, "enum", values);
		break;
	}
	}
	if ((p->type == NM_PARAM_INTEGER || p->type == NM_PARAM_NUMBER) && p->min < p->max) {
		json_object_set_new(s, "minimum", json_integer((json_int_t)p->min));
		json_object_set_new(s, "maximum", json_integer((json_int_t)p->max));
	}
	if (p->max_len)
		json_object_set_new(s, "maxLength", json_integer((json_int_t)p->max_len));
	if (p->list) {
		/* A comma-separated list: form style, explode false. */
		json_t *arr = json_pack("{s:s, s:o}", "type", "array", "items", s);
		return arr;
	}
	return s;
}

static json_t *query_param(const struct nm_param *p)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:b, s:o}", "name", p->name, "in", "query",
			      "description", p->description ? p->description : p->name, "required",
			      p->required, "schema", param_schema(p));
	if (p->list)
		json_object_set_new(o, "explode", json_false());
	return o;
}

static json_t *header_param(const struct nm_header *h)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:b, s:{s:s}}", "name", h->name, "in", "header",
			      "description", h->description, "required", h->required, "schema",
			      "type", "string");
	if (h->example)
		json_object_set_new(o, "example", json_string(h->example));
	return o;
}

static json_t *parameters(const struct nm_route *rt)
{
	json_t *params = path_params(rt->pattern);
	for (const struct nm_param *p = rt->query; p && p->name; p++)
		json_array_append_new(params, query_param(p));
	for (const struct nm_header *h = rt->headers; h && h->name; h++) {
		/* Content-Type is described by requestBody.content, not as a parameter. */
		if (strcasecmp(h->name, "Content-Type") != 0)
			json_array_append_new(params, header_param(h));
	}
	json_array_append_new(
		params, json_pack("{s:s, s:s, s:s, s:b, s:{s:s, s:i}}", "name", "X-Request-Id",
				  "in", "header", "description",
				  "Your id for this request (printable ASCII, echoed back); "
				  "one is made up when absent",
				  "required", 0, "schema", "type", "string", "maxLength", 71));
	return params;
}

/* ---- bodies ---- */

static json_t *request_body(const struct nm_route *rt)
{
	static const char *const json_media[] = {"application/json", NULL};
	static const char *const patch_media[] = {"application/json",
						  "application/merge-patch+json", NULL};
	if (!rt->request_schema)
		return NULL;
	const char *const *media = rt->request_media		      ? rt->request_media
				   : strcmp(rt->method, "PATCH") == 0 ? patch_media
								      : json_media;
	json_t *content = json_object();
	for (const char *const *m = media; *m; m++)
		json_object_set_new(content, *m,
				    json_pack("{s:{s:s+}}", "schema", "$ref",
					      "#/components/schemas/", rt->request_schema));
	return json_pack("{s:b, s:o}", "required", rt->body != NM_BODY_JSON_OPTIONAL, "content",
			 content);
}

static json_t *success_response(const struct nm_route *rt)
{
	json_t *ok = json_pack("{s:s}", "description", rt->summary);
	if (rt->success_status != 204) {
		const char *media = rt->response_media ? rt->response_media : "application/json";
		json_t *schema = rt->response_schema
					 ? json_pack("{s:s+}", "$ref", "#/components/schemas/",
						     rt->response_schema)
				 : rt->response_media
					 ? json_pack("{s:s}", "type", "string")
					 : json_pack("{s:s, s:[]}", "type", "object", "required");
		json_object_set_new(ok, "content", json_pack("{s:{s:o}}", media, "schema", schema));
	}
	json_t *headers = json_object();
	json_object_set_new(headers, "X-Request-Id",
			    json_pack("{s:s, s:{s:s}}", "description",
				      "The request's id (yours, or one made up)", "schema", "type",
				      "string"));
	if (rt->min_role != NM_ROLE_NONE) {
		static const char *const rl[][2] = {
			{"RateLimit-Limit", "Requests per second allowed for this key"},
			{"RateLimit-Remaining", "Requests left in the current burst"},
			{"RateLimit-Reset", "Seconds until the burst is full again"},
		};
		for (size_t i = 0; i < 3; i++)
			json_object_set_new(headers, rl[i][0],
					    json_pack("{s:s, s:{s:s}}", "description", rl[i][1],
						      "schema", "type", "integer"));
	}
	for (const struct nm_header *h = rt->response_headers; h && h->name; h++)
		json_object_set_new(headers, h->name,
				    json_pack("{s:s, s:{s:s}}", "description", h->description,
					      "schema", "type", "string"));
	json_object_set_new(ok, "headers", headers);
	return ok;
}

static json_t *operation(const struct nm_route *rt)
{
	json_t *op = json_object();
	json_object_set_new(op, "operationId", json_string(rt->operation_id));
	json_object_set_new(op, "tags", json_pack("[s]", rt->tag));
	json_object_set_new(op, "summary", json_string(rt->summary));
	char *desc = NULL;
	static const char *const roles[] = {"none", "read", "write", "admin"};
	if (asprintf(&desc, "%s%sRole: %s.%s%s", rt->description ? rt->description : "",
		     rt->description ? " " : "", roles[rt->min_role],
		     rt->scope == NM_SCOPE_UNSCOPED ? " " : "",
		     rt->scope == NM_SCOPE_UNSCOPED ? rt->scope_reason : "") >= 0) {
		json_object_set_new(op, "description", json_string(desc));
		free(desc);
	}
	json_object_set_new(op, "parameters", parameters(rt));
	json_object_set_new(op, "security",
			    rt->min_role != NM_ROLE_NONE
				    ? json_pack("[{s:[]}, {s:[]}]", "bearer", "session")
				    : json_array());
	json_t *body = request_body(rt);
	if (body)
		json_object_set_new(op, "requestBody", body);
	json_t *responses = json_object();
	char code[8];
	snprintf(code, sizeof code, "%d", rt->success_status);
	json_object_set_new(responses, code, success_response(rt));
	if (nm_route_has_etag(rt) && strcmp(rt->method, "GET") == 0)
		json_object_set_new(
			responses, "304",
			json_pack("{s:s, s:{s:{s:s, s:{s:s}}, s:{s:s, s:{s:s}}}}", "description",
				  "Not modified: If-None-Match names the current ETag (no body)",
				  "headers", "ETag", "description",
				  "The current ETag (the one If-None-Match named)", "schema",
				  "type", "string", "X-Request-Id", "description",
				  "The request's id (yours, or one made up)", "schema", "type",
				  "string"));
	add_problems(responses, rt);
	json_object_set_new(op, "responses", responses);
	return op;
}

static const char *problem_type_uri(enum nm_problem p)
{
	static char uris[NM_P_COUNT][96];
	static const char *const slugs[] = {
#define NM_PROBLEM(name, status, slug, title) slug,
#include "nm/problem.def"
#undef NM_PROBLEM
	};
	if (!uris[p][0])
		snprintf(uris[p], sizeof uris[p], "%s%s", NM_PROBLEM_TYPE_BASE, slugs[p]);
	return uris[p];
}

/* Standard Webhooks deliveries, one entry per event type (OpenAPI 3.1 "webhooks"). */
static json_t *webhooks(void)
{
	static const char *const events[][3] = {
		{"brand.created", "Brand", "A brand was created"},
		{"brand.updated", "Brand", "A brand was updated"},
		{"brand.deleted", "Brand", "A brand was deleted (data: the brand as it was)"},
		{"import.completed", "Import", "A creator import finished"},
		{"import.failed", "ImportFailedEvent",
		 "A creator import failed and was rolled back (nothing was imported)"},
		{"match_run.completed", "MatchRunEvent",
		 "A match run was stored (with its top 10)"},
		{"creator.status_changed", "StatusEvent", "A creator's pipeline status changed"},
		{"creator.created", "CreatorEvent",
		 "A creator was created by POST /v1/creators or an inbound event (not by imports)"},
		{"creator.updated", "CreatorEvent",
		 "A creator was updated by POST /v1/creators or an inbound event (not by imports)"},
		{"creator.deleted", "CreatorDeletedEvent",
		 "A creator was deleted (not by imports)"},
		{"webhook.test", "WebhookTestEvent", "Sent by POST /v1/webhooks/{id}/test"},
		{"plan.created", "PlanSummary",
		 "A budget plan was stored (data: the plan without its portfolio)"},
		{"match.new_candidate", "NewCandidateEvent",
		 "A creator written since the brand's latest match run would enter its top N "
		 "(brands with alerts on)"},
	};
	json_t *w = json_object();
	for (size_t i = 0; i < sizeof events / sizeof events[0]; i++) {
		json_t *schema = json_pack(
			"{s:s, s:[s,s,s,s], s:{s:{s:s, s:s}, s:{s:s, s:[s]}, s:{s:s, s:s}, "
			"s:{s:s+}}}",
			"type", "object", "required", "id", "type", "created_at", "data",
			"properties", "id", "type", "string", "description",
			"Equals the webhook-id header; the same on every retry", "type", "type",
			"string", "enum", events[i][0], "created_at", "type", "string", "format",
			"date-time", "data", "$ref", "#/components/schemas/", events[i][1]);
		json_t *post = json_pack(
			"{s:s, s:s, s:[s], s:[{s:s,s:s,s:b,s:{s:s}},{s:s,s:s,s:b,s:{s:s}},"
			"{s:s,s:s,s:b,s:{s:s}}], s:{s:b, s:{s:{s:o}}}, s:{s:{s:s}, s:{s:s}}}",
			"operationId", events[i][0], "summary", events[i][2], "tags", "Webhooks",
			"parameters", "name", "webhook-id", "in", "header", "required", 1, "schema",
			"type", "string", "name", "webhook-timestamp", "in", "header", "required",
			1, "schema", "type", "string", "name", "webhook-signature", "in", "header",
			"required", 1, "schema", "type", "string", "requestBody", "required", 1,
			"content", "application/json", "schema", schema, "responses", "2XX",
			"description", "Accepted", "default", "description",
			"Retried on the schedule (with jitter) for a 408, 409, 425, 429, 5xx or no "
			"answer, after Retry-After when sent (capped at 1 hour); 410 disables the "
			"endpoint; any other 4xx fails the delivery without a retry");
		/* Deliveries carry a Standard Webhooks signature, not an API key. */
		json_object_set_new(post, "security", json_array());
		json_object_set_new(w, events[i][0], json_pack("{s:o}", "post", post));
	}
	return w;
}

static json_t *tags(void)
{
	static const char *const t[][2] = {
		{"Operations", "Health, readiness, metrics and this document"},
		{"Keys", "API keys (admin)"},
		{"Sessions", "Dashboard sign-in: an API key exchanged for a session cookie"},
		{"Brands", "Brands and what they look for"},
		{"Matches", "Ranked, explained creator matches per brand"},
		{"Plans", "Budget plans: the best creator portfolio for a budget"},
		{"Pipeline",
		 "A brand's creator pipeline: shortlisted, contacted, accepted, declined"},
		{"Creators", "The creator pool"},
		{"Imports", "Bulk creator imports (CSV, TSV, NDJSON, JSON)"},
		{"Exports", "Streamed CSV files of creators, a pipeline and match runs"},
		{"Webhooks", "Signed outbound events to your CRM"},
		{"Inbound", "Signed events from your CRM"},
	};
	json_t *a = json_array();
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		json_array_append_new(
			a, json_pack("{s:s, s:s}", "name", t[i][0], "description", t[i][1]));
	return a;
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
	return json_pack("{s:s, s:{s:s, s:s, s:s, s:{s:s, s:s}}, s:[{s:s}], s:o, s:o, s:o, "
			 "s:{s:o, s:{s:{s:s, s:s}, s:{s:s, s:s, s:s, s:s}}}}",
			 "openapi", "3.1.0", "info", "title", "nichematch API", "version", "1.0.0",
			 "description",
			 "Match brands with micro-influencers: brands, creators, ranked matches, "
			 "webhooks.",
			 "license", "name", "Proprietary", "identifier", "LicenseRef-Proprietary",
			 "servers", "url", "/", "tags", tags(), "paths", paths, "webhooks",
			 webhooks(), "components", "schemas", schemas(), "securitySchemes",
			 "bearer", "type", "http", "scheme", "bearer", "session", "type", "apiKey",
			 "in", "cookie", "name", "nm_session", "description",
			 "The dashboard's session cookie (POST /v1/sessions). POST, PUT, PATCH and "
			 "DELETE with it also need the X-CSRF-Token header.");
}

static json_t *param_json(const struct nm_param *p)
{
	static const char *const types[] = {"string", "integer", "number", "boolean", "enum"};
	json_t *o =
		json_pack("{s:s, s:s, s:b, s:b, s:b}", "name", p->name, "type", types[p->type],
			  "list", p->list, "repeatable", p->repeatable, "required", p->required);
	if (p->min < p->max) {
		json_object_set_new(o, "min", json_real(p->min));
		json_object_set_new(o, "max", json_real(p->max));
	}
	if (p->max_len)
		json_object_set_new(o, "max_len", json_integer((json_int_t)p->max_len));
	if (p->values) {
		json_t *v = json_array();
		for (const char *const *e = p->values; *e; e++)
			json_array_append_new(v, json_string(*e));
		json_object_set_new(o, "values", v);
	}
	return o;
}

json_t *nm_route_table_json(void)
{
	static const char *const roles[] = {"none", "read", "write", "admin"};
	static const char *const bodies[] = {"none", "json", "json_optional", "stream", "raw"};
	json_t *a = json_array();
	for (size_t i = 0; i < nm_routes_count; i++) {
		const struct nm_route *rt = &nm_routes[i];
		json_t *q = json_array();
		for (const struct nm_param *p = rt->query; p && p->name; p++)
			json_array_append_new(q, param_json(p));
		json_array_append_new(
			a, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:o}", "method",
				     rt->method, "path", rt->pattern, "operation_id",
				     rt->operation_id, "tag", rt->tag, "role", roles[rt->min_role],
				     "scope", rt->scope == NM_SCOPE_UNSCOPED ? "unscoped" : "any",
				     "body", bodies[rt->body], "success_status", rt->success_status,
				     "query", q));
	}
	return a;
}
