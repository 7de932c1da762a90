/* Creator search over the index (nm/searchindex.h). One pass over the slots: filters,
 * total, facet counters, and a bounded max-heap of the first limit + 1 rows in the sort
 * order after the keyset position. Categories (filter and facet) go through the category
 * posting lists and a bitmap of slots. */
#include "nm/searchindex.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "nm/store_creators.h"
#include "nm/taxonomy.h"

#include "index_internal.h"

struct hit {
	struct nm_isearch_key k;
	int64_t id;
};

static struct nm_isearch_key key_of(const struct srec *r, int64_t id, enum nm_isearch_sort s)
{
	struct nm_isearch_key k = {false, 0, 0.0};
	switch (s) {
	case NM_IS_ID:
		k.i = id;
		break;
	case NM_IS_FOLLOWERS:
		k.i = r->followers;
		break;
	case NM_IS_ENGAGEMENT_RATE:
		k.null = !(r->er >= 0.0);
		k.d = r->er;
		break;
	case NM_IS_PRICE:
		k.null = r->price < 0;
		k.i = r->price;
		break;
	case NM_IS_LAST_POST_AT:
		k.null = r->post_us == INT64_MIN;
		k.i = r->post_us;
		break;
	case NM_IS_UPDATED_AT:
		k.i = r->updated_us;
		break;
	}
	return k;
}

/* True when a comes before b in the output: keys in the direction, NULL keys last in
 * both directions, ties by id in the direction. */
static bool before(const struct nm_isearch *q, const struct hit *a, const struct hit *b)
{
	if (a->k.null != b->k.null)
		return !a->k.null;
	if (!a->k.null) {
		int c = q->sort == NM_IS_ENGAGEMENT_RATE ? (a->k.d > b->k.d) - (a->k.d < b->k.d)
							 : (a->k.i > b->k.i) - (a->k.i < b->k.i);
		if (c)
			return q->desc ? c > 0 : c < 0;
	}
	return q->desc ? a->id > b->id : a->id < b->id;
}

/* The heap keeps the k earliest hits with the latest at the root. */
static void heap_push(const struct nm_isearch *q, struct hit *h, size_t *n, size_t k, struct hit x)
{
	if (*n == k) {
		if (!before(q, &x, &h[0]))
			return;
		size_t i = 0; /* x replaces the root and sinks below every later child */
		for (;;) {
			size_t l = 2 * i + 1, r = l + 1, m = i;
			const struct hit *mv = &x;
			if (l < *n && before(q, mv, &h[l])) {
				m = l;
				mv = &h[l];
			}
			if (r < *n && before(q, mv, &h[r]))
				m = r;
			if (m == i)
				break;
			h[i] = h[m];
			i = m;
		}
		h[i] = x;
		return;
	}
	size_t i = (*n)++; /* sift up */
	while (i > 0 && before(q, &h[(i - 1) / 2], &x)) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = x;
}

static const struct nm_isearch *sort_q; /* qsort has no context argument */
static pthread_mutex_t sort_mu = PTHREAD_MUTEX_INITIALIZER;

static int cmp_hits(const void *a, const void *b)
{
	return before(sort_q, a, b) ? -1 : before(sort_q, b, a) ? 1 : 0;
}

static bool code_in(const char (*set)[2], size_t n, const char *c)
{
	for (size_t i = 0; i < n; i++)
		if (set[i][0] == c[0] && set[i][1] == c[1])
			return true;
	return false;
}

/* Index of a two-letter code in a 26×26 table (base 'A' or 'a'), or -1. */
static int code_slot(const char *c, char base)
{
	unsigned a = (unsigned)(c[0] - base), b = (unsigned)(c[1] - base);
	return a < 26 && b < 26 ? (int)(a * 26 + b) : -1;
}

struct fv {
	const char *value; /* NULL: the value is code (qsort moves entries: no self-pointers) */
	char code[3];
	int64_t count;
};

static const char *fv_value(const struct fv *v)
{
	return v->value ? v->value : v->code;
}

static int cmp_fv(const void *a, const void *b)
{
	const struct fv *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(fv_value(x), fv_value(y));
}

/* Sorts v (count > 0 entries) and returns the top NM_FACET_TOP as [{"value","count"}]. */
static json_t *facet_json(struct fv *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_fv);
	json_t *a = json_array();
	for (size_t i = 0; i < n && i < NM_FACET_TOP; i++)
		json_array_append_new(a, json_pack("{s:s, s:I}", "value", fv_value(&v[i]), "count",
						   (json_int_t)v[i].count));
	return a;
}

static json_t *code_facet(const int64_t *counts, char base)
{
	struct fv v[676];
	size_t n = 0;
	for (int i = 0; i < 676; i++)
		if (counts[i] > 0) {
			v[n].code[0] = (char)(base + i / 26);
			v[n].code[1] = (char)(base + i % 26);
			v[n].code[2] = '\0';
			v[n].value = NULL;
			v[n].count = counts[i];
			n++;
		}
	return facet_json(v, n);
}

/* Slots carrying any of the categories (live postings only) into bits. */
static void category_bits(const struct index *ix, const struct nm_isearch *q, uint64_t *bits)
{
	for (size_t c = 0; c < q->n_categories; c++) {
		uint32_t t = dict_find(ix, q->categories[c], strlen(q->categories[c]));
		if (t == NO_ID)
			continue;
		const struct plist *p = &ix->post[SRC_CAT][t];
		for (uint32_t j = 0; j < p->n; j++)
			if (posting_live(ix, p->v[j]))
				bits[p->v[j] >> 14] |= 1ull << ((p->v[j] >> 8) & 63);
	}
}

/* The slots of the ids (live or not: the scan checks) into bits. */
static void id_bits(const struct index *ix, const struct nm_isearch *q, uint64_t *bits)
{
	for (size_t i = 0; i < q->n_ids; i++) {
		uint32_t slot = nm_idx_slot_of(ix, q->ids[i]);
		if (slot != NO_ID)
			bits[slot >> 6] |= 1ull << (slot & 63);
	}
}

static json_t *category_facet(const struct index *ix, const uint64_t *match)
{
	size_t cap = 1024, n = 0;
	struct fv *v = malloc(cap * sizeof *v);
	if (!v)
		return NULL;
	for (uint32_t t = 0; t < ix->n_terms; t++) {
		const struct plist *p = &ix->post[SRC_CAT][t];
		int64_t count = 0;
		for (uint32_t j = 0; j < p->n; j++) {
			uint32_t e = p->v[j], slot = e >> 8;
			if ((match[slot >> 6] >> (slot & 63) & 1) && posting_live(ix, e))
				count++;
		}
		if (!count)
			continue;
		if (n == cap) {
			struct fv *nv = realloc(v, 2 * cap * sizeof *v);
			if (!nv) {
				free(v);
				return NULL;
			}
			v = nv;
			cap *= 2;
		}
		v[n++] = (struct fv){ix->term[t], "", count};
	}
	json_t *a = facet_json(v, n);
	free(v);
	return a;
}

static bool passes(const struct nm_isearch *q, const struct srec *r)
{
	if (q->platforms && !(q->platforms & (1u << r->platform)))
		return false;
	if (q->tiers && !(q->tiers & (1u << nm_tier_of(r->followers))))
		return false;
	if (r->followers < q->min_followers || r->followers > q->max_followers)
		return false;
	if (!isnan(q->min_er) && !(r->er >= 0.0 && r->er >= q->min_er))
		return false;
	if (!isnan(q->max_er) && !(r->er >= 0.0 && r->er <= q->max_er))
		return false;
	if (q->max_price != INT64_MAX && !(r->price >= 0 && r->price <= q->max_price))
		return false;
	if (q->has_email >= 0 && r->has_email != q->has_email)
		return false;
	if (q->has_price >= 0 && (r->price >= 0) != q->has_price)
		return false;
	if (q->post_after_us != INT64_MIN &&
	    !(r->post_us != INT64_MIN && r->post_us >= q->post_after_us))
		return false;
	if (!isnan(q->min_growth) && !(r->growth >= q->min_growth))
		return false;
	if (q->n_countries && !code_in(q->countries, q->n_countries, r->country))
		return false;
	if (q->n_languages && !code_in(q->languages, q->n_languages, r->language))
		return false;
	return true;
}

/* The freshness filters (max_data_age_days, min_confidence) for slot s. */
static bool fresh_enough(const struct nm_isearch *q, const struct index *ix, uint32_t s)
{
	if (q->by_age) {
		int64_t age = nm_confidence_age_days(ix->as_of_s[s], q->now_s);
		if (age < 0 || age > q->max_age_days)
			return false;
	}
	return !q->by_conf || nm_idx_conf_level(ix, s, q->now_s) <= q->min_conf;
}

bool nm_index_search(const struct nm_isearch *q, struct nm_isearch_out *out)
{
	memset(out, 0, sizeof *out);
	pthread_rwlock_rdlock(&nm_idx_lock);
	const struct index *ix = &nm_idx;
	bool ok = ix->loaded;
	size_t words = ((size_t)ix->n_slots + 63) / 64;
	uint64_t *catok = ok && q->n_categories ? calloc(words + 1, 8) : NULL;
	uint64_t *idok = ok && q->by_ids ? calloc(words + 1, 8) : NULL;
	uint64_t *match =
		ok && (q->facets & (1u << NM_FACET_CATEGORY)) ? calloc(words + 1, 8) : NULL;
	ok = ok && (!q->n_categories || catok) && (!q->by_ids || idok) &&
	     (!(q->facets & (1u << NM_FACET_CATEGORY)) || match);
	int64_t plat[NM_PLATFORM_COUNT] = {0}, tier[NM_TIER_COUNT] = {0};
	static _Thread_local int64_t country[676], language[676];
	memset(country, 0, sizeof country);
	memset(language, 0, sizeof language);
	struct hit heap[NM_ISEARCH_PAGE_MAX];
	size_t nh = 0, k = q->limit + 1 < NM_ISEARCH_PAGE_MAX ? q->limit + 1 : NM_ISEARCH_PAGE_MAX;
	struct hit cursor = {q->after_key, q->after_id};
	if (ok && catok)
		category_bits(ix, q, catok);
	if (ok && idok)
		id_bits(ix, q, idok);
	for (uint32_t s = 0; ok && s < ix->n_slots; s++) {
		if (!(ix->ver[s] & 0x80))
			continue;
		if (catok && !(catok[s >> 6] >> (s & 63) & 1))
			continue;
		if (idok && !(idok[s >> 6] >> (s & 63) & 1))
			continue;
		const struct srec *r = &ix->srec[s];
		if (!passes(q, r) || ((q->by_age || q->by_conf) && !fresh_enough(q, ix, s)))
			continue;
		out->total++;
		if (q->facets) {
			plat[r->platform < NM_PLATFORM_COUNT ? r->platform : NM_PLATFORM_OTHER]++;
			tier[nm_tier_of(r->followers)]++;
			int c = code_slot(r->country, 'A'), l = code_slot(r->language, 'a');
			if (c >= 0)
				country[c]++;
			if (l >= 0)
				language[l]++;
			if (match)
				match[s >> 6] |= 1ull << (s & 63);
		}
		struct hit h = {key_of(r, ix->feat[s].id, q->sort), ix->feat[s].id};
		if (q->after && !before(q, &cursor, &h))
			continue;
		heap_push(q, heap, &nh, k, h);
	}
	if (ok && q->facets) {
		out->facets = json_object();
		if (q->facets & (1u << NM_FACET_PLATFORM)) {
			struct fv v[NM_PLATFORM_COUNT];
			size_t n = 0;
			for (int p = 0; p < NM_PLATFORM_COUNT; p++)
				if (plat[p])
					v[n++] = (struct fv){nm_platform_name((enum nm_platform)p),
							     "", plat[p]};
			json_object_set_new(out->facets, "platform", facet_json(v, n));
		}
		if (q->facets & (1u << NM_FACET_TIER)) {
			struct fv v[NM_TIER_COUNT];
			size_t n = 0;
			for (int t = 0; t < NM_TIER_COUNT; t++)
				if (tier[t])
					v[n++] = (struct fv){nm_tier_name((enum nm_tier)t), "",
							     tier[t]};
			json_object_set_new(out->facets, "tier", facet_json(v, n));
		}
		if (q->facets & (1u << NM_FACET_COUNTRY))
			json_object_set_new(out->facets, "country", code_facet(country, 'A'));
		if (q->facets & (1u << NM_FACET_LANGUAGE))
			json_object_set_new(out->facets, "language", code_facet(language, 'a'));
		if (match) {
			json_t *cf = category_facet(ix, match);
			ok = cf != NULL;
			json_object_set_new(out->facets, "category", cf ? cf : json_array());
		}
	}
	pthread_rwlock_unlock(&nm_idx_lock);
	free(catok);
	free(idok);
	free(match);
	if (!ok) {
		json_decref(out->facets);
		out->facets = NULL;
		return false;
	}
	pthread_mutex_lock(&sort_mu);
	sort_q = q;
	qsort(heap, nh, sizeof heap[0], cmp_hits);
	pthread_mutex_unlock(&sort_mu);
	out->n = nh;
	for (size_t i = 0; i < nh; i++) {
		out->ids[i] = heap[i].id;
		out->keys[i] = heap[i].k;
	}
	return true;
}
