/* Creators (docs/api.md §4): upsert one, list with filters, get, delete. The creator pool
 * is shared: brand-scoped keys read it but do not write it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "nm/buf.h"
#include "nm/config.h"
#include "nm/creator.h"
#include "nm/creator_filters.h"
#include "nm/crypto.h"
#include "nm/handlers.h"
#include "nm/match_index.h"
#include "nm/metrics.h"
#include "nm/outbox.h"
#include "nm/pgarray.h"
#include "nm/searchindex.h"
#include "nm/store.h"
#include "nm/store_creators.h"
#include "nm/taxonomy.h"
#include "nm/textsearch.h"
#include "nm/verr.h"

/* The write and its creator.created / creator.updated event (docs/webhooks.md): one
 * transaction, the body of nm_tx_run. Imports send one import.completed instead. */
struct creator_put {
	const struct nm_creator *c;
	bool inserted;
	json_t *row;
};

static bool creator_put_tx(struct nm_pg *pg, void *cls, struct nm_db_err *err)
{
	struct creator_put *t = cls;
	json_decref(t->row);
	t->row = nm_store_creator_put(pg, t->c, &t->inserted, err);
	if (!t->row)
		return false;
	if (!nm_outbox_emit(pg, t->inserted ? "creator.created" : "creator.updated", t->row, err))
		return false;
	return true;
}

/* POST /v1/creators → 201 + Location when new, 200 when (platform, handle) existed. */
void nm_h_creators_upsert(struct nm_req *r)
{
	struct nm_creator c;
	json_t *errors = json_array();
	if (!nm_creator_from_json(nm_req_json(r), NM_CREATOR_STRICT, NULL, &c, errors, NULL)) {
		nm_reply_problem(r, NM_P_VALIDATION, errors,
				 "The creator has %zu invalid field(s).", json_array_size(errors));
		return;
	}
	json_decref(errors);
	struct nm_pg *pg = nm_req_db(r);
	if (!pg) {
		nm_creator_clear(&c);
		return;
	}
	struct creator_put t = {&c, false, NULL};
	struct nm_db_err err;
	bool ok = nm_tx_run(pg, NM_TX_READ_COMMITTED, creator_put_tx, &t, &err);
	nm_creator_clear(&c);
	if (!ok) {
		json_decref(t.row);
		nm_reply_db_err(r, &err);
		return;
	}
	nm_reply_resource(r, t.inserted ? 201 : 200, "creators", t.row);
}

/* Opaque keyset cursor: base64url of "<sort>.<a|d>.<n|v><key>.<id>". The sort is part of
 * it, so a cursor of one sort is refused in another. */
static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void cursor_make(const struct nm_creator_search *s, const struct nm_creator_page *pg,
			char *out, size_t n)
{
	char raw[128];
	int len = snprintf(raw, sizeof raw, "%d.%c.%c%s.%lld", (int)s->sort, s->desc ? 'd' : 'a',
			   pg->last_null ? 'n' : 'v', pg->last_null ? "" : pg->last_key,
			   (long long)pg->last_id);
	if (len < 0 || (size_t)len >= sizeof raw || nm_b64_encoded_len((size_t)len, false) >= n) {
		out[0] = '\0';
		return;
	}
	nm_b64_encode((const unsigned char *)raw, (size_t)len, b64url, false, out);
}

/* Decodes into raw (>= 128 bytes); false on anything that is not base64url text. */
static bool b64url_decode(const char *s, char *raw, size_t n)
{
	size_t o = 0;
	unsigned acc = 0;
	int bits = 0;
	for (; *s; s++) {
		const char *p = strchr(b64url, *s);
		if (!p)
			return false;
		acc = (acc << 6) | (unsigned)(p - b64url);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o + 1 >= n)
				return false;
			raw[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	raw[o] = '\0';
	return true;
}

static bool decimal_ok(const char *s, bool integer)
{
	char *end;
	if (!*s)
		return false;
	if (integer)
		(void)strtoll(s, &end, 10);
	else if (!isfinite(strtod(s, &end)))
		return false;
	return *end == '\0';
}

static bool cursor_parse(const char *c, struct nm_creator_search *s, char *key, size_t keyn)
{
	char raw[128];
	int sort;
	char dir, kind;
	long long id;
	int used = 0;
	if (!b64url_decode(c, raw, sizeof raw) ||
	    sscanf(raw, "%d.%c.%c%n", &sort, &dir, &kind, &used) != 3 || sort != (int)s->sort ||
	    dir != (s->desc ? 'd' : 'a') || (kind != 'n' && kind != 'v'))
		return false;
	const char *rest = raw + used, *dot = strrchr(rest, '.');
	if (!dot || (size_t)(dot - rest) >= keyn || !decimal_ok(dot + 1, true))
		return false;
	id = strtoll(dot + 1, NULL, 10);
	memcpy(key, rest, (size_t)(dot - rest));
	key[dot - rest] = '\0';
	if (kind == 'n' ? key[0] != '\0' : !decimal_ok(key, s->sort != NM_SORT_ENGAGEMENT_RATE))
		return false;
	s->after = true;
	s->after_null = kind == 'n';
	s->after_key = s->after_null ? NULL : key;
	s->after_id = id;
	return true;
}

static bool parse_sort(struct nm_req *r, const char *v, struct nm_creator_search *s)
{
	s->sort = NM_SORT_ID;
	s->desc = false;
	if (!v)
		return true;
	s->desc = v[0] == '-';
	for (int i = 0; i < NM_SORT_COUNT; i++)
		if (strcasecmp(v + s->desc, nm_creator_sort_name((enum nm_creator_sort)i)) == 0) {
			s->sort = (enum nm_creator_sort)i;
			return true;
		}
	nm_reply_bad_query(r, "sort",
			   "is not a sort of this list"); /* the route table refuses first */
	return false;
}

static bool parse_facets(struct nm_req *r, const char *v, struct nm_creator_search *s)
{
	s->facets = 0;
	for (const char *p = v; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		bool known = false;
		for (int f = 0; f < NM_FACET_COUNT; f++) {
			const char *name = nm_creator_facet_name((enum nm_creator_facet)f);
			if (strlen(name) == len && strncasecmp(name, p, len) == 0) {
				s->facets |= 1u << f;
				known = true;
			}
		}
		if (!known && len) {
			nm_reply_bad_query(r, "facets",
					   "must be a list of platform, tier, country, language, "
					   "category");
			return false;
		}
		p = comma ? comma + 1 : NULL;
	}
	return true;
}

/* ---- the index path (docs/architecture.md "Creator search") ---- */

/* The list filter literal lit split into scratch (a copy the caller frees). */
static size_t split_list(const char *lit, char **scratch, char **v)
{
	*scratch = lit ? strdup(lit) : NULL;
	return *scratch ? nm_pgarray_split(*scratch, v, NM_ISEARCH_LIST_MAX) : 0;
}

static int64_t i64_or(const char *s, int64_t none)
{
	return s ? strtoll(s, NULL, 10) : none;
}

static double f64_or_nan(const char *s)
{
	return s ? strtod(s, NULL) : NAN;
}

static int tri(const char *b)
{
	return b ? strcmp(b, "true") == 0 : -1;
}

/* The search s as an index search; scratch[5] receive copies the caller frees. */
static void isearch_of(const struct nm_creator_search *s, struct nm_isearch *q, char **scratch)
{
	char *v[NM_ISEARCH_LIST_MAX];
	memset(q, 0, sizeof *q);
	size_t n = split_list(s->platforms, &scratch[0], v);
	for (size_t i = 0; i < n; i++) {
		enum nm_platform p;
		if (nm_platform_parse(v[i], &p))
			q->platforms |= 1u << p;
	}
	n = split_list(s->tiers, &scratch[1], v);
	for (size_t i = 0; i < n; i++) {
		enum nm_tier t;
		if (nm_tier_parse(v[i], &t))
			q->tiers |= 1u << t;
	}
	q->n_countries = split_list(s->countries, &scratch[2], v);
	for (size_t i = 0; i < q->n_countries; i++)
		memcpy(q->countries[i], v[i], 2);
	q->n_languages = split_list(s->languages, &scratch[3], v);
	for (size_t i = 0; i < q->n_languages; i++)
		memcpy(q->languages[i], v[i], 2);
	q->n_categories = split_list(s->categories, &scratch[4], v);
	for (size_t i = 0; i < q->n_categories; i++)
		q->categories[i] = v[i];
	q->min_followers = i64_or(s->min_followers, INT64_MIN);
	q->max_followers = i64_or(s->max_followers, INT64_MAX);
	q->min_er = f64_or_nan(s->min_engagement_rate);
	q->max_er = f64_or_nan(s->max_engagement_rate);
	q->max_price = i64_or(s->max_price, INT64_MAX);
	q->has_email = tri(s->has_email);
	q->has_price = tri(s->has_price);
	q->post_after_us = INT64_MIN;
	if (s->active_within_days) {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		q->post_after_us = (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000 -
				   strtoll(s->active_within_days, NULL, 10) * 86400000000LL;
	}
	q->min_growth = f64_or_nan(s->min_growth);
	q->now_s = (int64_t)time(NULL);
	q->by_age = s->max_data_age_days != NULL;
	q->max_age_days = i64_or(s->max_data_age_days, 0);
	q->by_conf = s->max_conf_level != NULL;
	q->min_conf = (enum nm_conf_level)i64_or(s->max_conf_level, NM_CONF_LOW);
	q->sort = (enum nm_isearch_sort)s->sort;
	q->desc = s->desc;
	q->after = s->after;
	q->after_key.null = s->after_null;
	if (s->after && !s->after_null) {
		if (s->sort == NM_SORT_ENGAGEMENT_RATE)
			q->after_key.d = strtod(s->after_key, NULL);
		else
			q->after_key.i = strtoll(s->after_key, NULL, 10);
	}
	q->after_id = s->after_id;
	q->limit = (size_t)s->limit;
	q->facets = s->facets;
}

/* Serves s from the index when it can (*served), the page's rows read by id. q is
 * matched in the index's text postings; a q with a "phrase" also asks PostgreSQL which of
 * the index's candidates have the phrase (the index holds no word positions). A handle is
 * one probe of its key, left to SQL. */
static bool index_search(struct nm_req *r, struct nm_pg *pg, const struct nm_creator_search *s,
			 struct nm_creator_page *page, struct nm_db_err *err, bool *served)
{
	*served = false;
	if (!nm_req_config(r)->search_index || s->handle)
		return false;
	struct nm_ts_query tq = {0};
	if (s->q && !nm_ts_parse(s->q, &tq))
		return false; /* out of memory: SQL answers */
	char *scratch[5] = {NULL};
	struct nm_isearch q;
	isearch_of(s, &q, scratch);
	static _Thread_local struct nm_isearch_out out;
	bool ok = nm_index_sync(pg);
	int64_t *ids = NULL;
	if (ok && tq.n && !tq.any_phrase)
		q.text = &tq;
	if (ok && tq.n && tq.any_phrase) {
		/* After the sync: every candidate is in the index unless written since. */
		int64_t *cand = NULL;
		size_t n_cand = 0;
		ok = nm_index_text_ids(&tq, &cand, &n_cand);
		if (ok && !nm_store_creator_ids_q(pg, s->q, cand, n_cand, &ids, &q.n_ids, err)) {
			free(cand);
			nm_ts_query_free(&tq);
			for (int i = 0; i < 5; i++)
				free(scratch[i]);
			*served = true;
			return false;
		}
		free(cand);
		q.by_ids = true;
		q.ids = ids;
	}
	ok = ok && nm_index_search(&q, &out);
	free(ids);
	nm_ts_query_free(&tq);
	for (int i = 0; i < 5; i++)
		free(scratch[i]);
	if (!ok)
		return false; /* not loaded or out of memory: SQL answers */
	*served = true;
	memset(page, 0, sizeof *page);
	page->total = out.total;
	page->facets = out.facets;
	page->more = out.n > q.limit;
	size_t n = page->more ? q.limit : out.n;
	if (!nm_store_creators_page(pg, out.ids, n, &page->data_text, err)) {
		nm_buf_free(&page->data_text);
		json_decref(page->facets);
		return false;
	}
	if (page->more) {
		const struct nm_isearch_key *k = &out.keys[n - 1];
		page->last_null = k->null;
		if (s->sort == NM_SORT_ENGAGEMENT_RATE)
			snprintf(page->last_key, sizeof page->last_key, "%.17g", k->d);
		else
			snprintf(page->last_key, sizeof page->last_key, "%lld", (long long)k->i);
		page->last_id = out.ids[n - 1];
	}
	return true;
}

/* The reply of an index search, assembled from its encoded parts (the rows come as text
 * from the row cache): the bytes nm_reply_json would send for the same object. Takes next,
 * page->facets and page->data_text. */
static void reply_page_text(struct nm_req *r, struct nm_creator_page *page, json_t *next)
{
	struct nm_buf body = {0};
	nm_buf_str(&body, "{\"data\":");
	nm_buf_add(&body, page->data_text.data, page->data_text.len);
	nm_buf_str(&body, ",\"next_cursor\":");
	json_dump_callback(next, nm_buf_dump_cb, &body, NM_JSON_REPLY_FLAGS);
	nm_buf_printf(&body, ",\"total\":%" JSON_INTEGER_FORMAT, (json_int_t)page->total);
	if (page->facets) {
		nm_buf_str(&body, ",\"facets\":");
		json_dump_callback(page->facets, nm_buf_dump_cb, &body, NM_JSON_REPLY_FLAGS);
	}
	nm_buf_add(&body, "}", 1);
	json_decref(next);
	json_decref(page->facets);
	nm_buf_free(&page->data_text);
	size_t len;
	char *text = body.oom ? NULL : nm_buf_steal(&body, &len);
	nm_buf_free(&body);
	if (text)
		nm_reply_text(r, 200, "application/json; charset=utf-8", text, len);
	else
		nm_reply_problem(r, NM_P_INTERNAL, NULL, "Could not encode the response.");
}

/* GET /v1/creators: filters, sort, keyset cursor, total and facets (docs/api.md §4). */
void nm_h_creators_list(struct nm_req *r)
{
	struct nm_creator_search s = {.limit = 50};
	struct nm_creator_filter_bufs bufs = {0};
	char key[64];
	bool ok = parse_sort(r, nm_req_query(r, "sort"), &s) &&
		  parse_facets(r, nm_req_query(r, "facets"), &s) &&
		  nm_creator_filters_parse(r, &s, &bufs);
	if (ok) {
		const char *l = nm_req_query(r, "limit"), *c = nm_req_query(r, "cursor");
		if (l)
			s.limit = atoi(l); /* 1..200: checked by the route table */
		if (c && *c && !cursor_parse(c, &s, key, sizeof key)) {
			nm_reply_bad_query(r, "cursor", "is not a cursor of this list and sort");
			ok = false;
		}
	}
	struct nm_pg *pg = ok ? nm_req_db(r) : NULL;
	struct nm_creator_page page;
	struct nm_db_err err;
	bool served = false;
	bool found = pg && index_search(r, pg, &s, &page, &err, &served);
	if (pg && !served)
		found = nm_store_creators_search(pg, &s, &page, &err);
	if (found) {
		nm_metrics_add("nichematch_creator_searches_total",
			       "Creator searches (GET /v1/creators) by what served them.",
			       served ? "served=\"index\"" : "served=\"sql\"", 1);
		char cur[200];
		if (page.more)
			cursor_make(&s, &page, cur, sizeof cur);
		json_t *next = page.more ? json_string(cur) : json_null();
		if (page.data) {
			json_t *body =
				json_pack("{s:o, s:o, s:I}", "data", page.data, "next_cursor", next,
					  "total", (json_int_t)page.total);
			if (page.facets)
				json_object_set_new(body, "facets", page.facets);
			nm_reply_json(r, 200, body);
		} else {
			reply_page_text(r, &page, next);
		}
	} else if (pg) {
		nm_reply_db_err(r, &err);
	}
	nm_creator_filter_bufs_free(&bufs);
}

/* GET /v1/creators/{id} */
void nm_h_creators_get(struct nm_req *r)
{
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return;
	int64_t id = nm_req_id_param(r, 0);
	struct nm_db_err err;
	json_t *row = nm_store_creator_get(pg, id, &err);
	if (row)
		nm_reply_json(r, 200, row);
	else if (err.status == NM_DB_NOT_FOUND)
		nm_reply_problem(r, NM_P_NOT_FOUND, NULL, "No creator %lld.", (long long)id);
	else
		nm_reply_db_err(r, &err);
}

/* The delete and its creator.deleted event, one transaction. */
static bool creator_delete_tx(struct nm_pg *pg, void *cls, struct nm_db_err *err)
{
	int64_t id = *(const int64_t *)cls;
	json_t *row = nm_store_creator_get(pg, id, err);
	if (!row || !nm_store_creator_delete(pg, id, err)) {
		json_decref(row);
		return false;
	}
	json_t *gone = json_pack("{s:I, s:O, s:O, s:O}", "id", (json_int_t)id, "platform",
				 json_object_get(row, "platform"), "handle",
				 json_object_get(row, "handle"), "external_id",
				 json_object_get(row, "external_id"));
	json_decref(row);
	if (!gone)
		nm_db_err_set(err, NM_DB_ERROR);
	bool ok = gone && nm_outbox_emit(pg, "creator.deleted", gone, err);
	json_decref(gone);
	return ok;
}

/* DELETE /v1/creators/{id} → 204. A trigger leaves the tombstone the ranking index of
 * every instance reads. */
void nm_h_creators_delete(struct nm_req *r)
{
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return;
	int64_t id = nm_req_id_param(r, 0);
	struct nm_db_err err;
	if (nm_tx_run(pg, NM_TX_READ_COMMITTED, creator_delete_tx, &id, &err))
		nm_reply_empty(r, 204);
	else if (err.status == NM_DB_NOT_FOUND)
		nm_reply_problem(r, NM_P_NOT_FOUND, NULL, "No creator %lld.", (long long)id);
	else
		nm_reply_db_err(r, &err);
}
