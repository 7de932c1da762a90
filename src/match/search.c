/* Creator search over the index (nm/searchindex.h). One pass over the slots: filters,
 * total, facet counters, and a bounded max-heap of the first limit + 1 rows in the sort
 * order after the keyset position. Categories (filter and facet) go through the category
 * posting lists and a bitmap of slots.
 *
 * On a large index the pass is split over threads (scan_threads()): each part scans a
 * range of slots (whole 64-slot words, so the parts' bits of the match bitmap never share
 * a word) into its own counters and heap; then the category facet splits every category's
 * posting list the same way. The caller merges the parts in part order, and every order
 * used is total (ties by id, by value), so the answer never depends on the threads.
 *
 * The filters run a block of 64 slots at a time over dense columns (nm/colscan.h): each
 * column filter turns its 64 values into a mask, the masks are ANDed, and only the slots
 * left read anything else (the facets' columns, the sort key, the heap). A run of tiers is
 * a range of followers. A bitmap word with few candidates is checked slot by slot instead.
 *
 * Where a filter goes: its parameter in struct nm_isearch; its value in a column of struct
 * index (index_internal.h) with its check in block_mask() and slot_passes() when most
 * searches use it, else in the cold record with its check in slow_passes() (and scan.slow
 * set in scan_prepare()). */
#include "nm/searchindex.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nm/store_creators.h"
#include "nm/taxonomy.h"
#include "nm/textsearch.h"

#include "index_internal.h"
#include "nm/buf.h"
#include "nm/colscan.h"
#include "nm/metrics.h"
#include "search_cache.h"

#define SCAN_PARTS_MAX 4
#ifdef __SANITIZE_ADDRESS__
/* the sanitizer build splits small test pools too, so the API tests check the split */
#define SCAN_SPLIT_MIN 128
#else
#define SCAN_SPLIT_MIN 131072 /* slots: below this one thread scans (a thread costs ~50 µs) */
#endif

static struct nm_isearch_key key_at(const struct index *ix, uint32_t s, enum nm_isearch_sort sort)
{
	struct nm_isearch_key k = {false, 0, 0.0};
	switch (sort) {
	case NM_IS_ID:
		k.i = ix->s_id[s];
		break;
	case NM_IS_FOLLOWERS:
		k.i = nm_idx_followers(ix, s);
		break;
	case NM_IS_ENGAGEMENT_RATE:
		k.null = !(ix->s_flags[s] & SR_ER);
		k.d = ix->s_er[s];
		break;
	case NM_IS_PRICE:
		k.null = !(ix->s_flags[s] & SR_PRICE);
		k.i = ix->scold[s].price;
		break;
	case NM_IS_LAST_POST_AT:
		k.null = !(ix->s_flags[s] & SR_POST);
		k.i = ix->scold[s].post_us;
		break;
	case NM_IS_UPDATED_AT:
		k.i = ix->scold[s].updated_us;
		break;
	}
	return k;
}

/* True when a comes before b in the output: keys in the direction, NULL keys last in
 * both directions, ties by id in the direction. */
static bool before(const struct nm_isearch *q, const struct search_hit *a,
		   const struct search_hit *b)
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
static void heap_push(const struct nm_isearch *q, struct search_hit *h, size_t *n, size_t k,
		      struct search_hit x)
{
	if (*n == k) {
		if (!before(q, &x, &h[0]))
			return;
		size_t i = 0; /* x replaces the root and sinks below every later child */
		for (;;) {
			size_t l = 2 * i + 1, r = l + 1, m = i;
			const struct search_hit *mv = &x;
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

/* counts indexed by nm_sr_code() (0, unknown, is not a value). */
static json_t *code_facet(const int64_t *counts, char base)
{
	struct fv v[676];
	size_t n = 0;
	for (int i = 1; i <= 676; i++)
		if (counts[i] > 0) {
			v[n].code[0] = (char)(base + (i - 1) / 26);
			v[n].code[1] = (char)(base + (i - 1) % 26);
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

/* ---- q: the text postings (nm/textsearch.h) ---- */

static void bits_or_postings(const struct index *ix, const struct plist *p, uint64_t *bits)
{
	for (uint32_t j = 0; j < p->n; j++)
		if (posting_live(ix, p->v[j]))
			bits[p->v[j] >> 14] |= 1ull << ((p->v[j] >> 8) & 63);
}

static bool term_has_prefix(const struct index *ix, uint32_t t, const char *w, size_t n)
{
	return ix->term_len[t] >= n && memcmp(ix->term[t], w, n) == 0;
}

/* Sets the bits of the slots with a term beginning with w[0..n): a range of the sorted
 * terms, and any term not sorted yet. */
static void prefix_bits(const struct index *ix, const char *w, size_t n, uint64_t *bits)
{
	uint32_t lo = 0, hi = ix->n_sorted;
	while (lo < hi) { /* the first sorted term >= w */
		uint32_t mid = lo + (hi - lo) / 2, t = ix->sorted[mid];
		size_t l = ix->term_len[t];
		int c = memcmp(ix->term[t], w, l < n ? l : n);
		if (c < 0 || (c == 0 && l < n))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (uint32_t i = lo; i < ix->n_sorted && term_has_prefix(ix, ix->sorted[i], w, n); i++)
		bits_or_postings(ix, &ix->tpost[ix->sorted[i]], bits);
	for (uint32_t t = ix->n_sorted; t < ix->n_terms; t++)
		if (term_has_prefix(ix, t, w, n))
			bits_or_postings(ix, &ix->tpost[t], bits);
}

/* The slots one query word matches: the word or any of its stems is a term (or, with
 * prefix, a term begins with the word). */
static bool word_bits(const struct index *ix, struct nm_stemmers *st, const char *w, size_t n,
		      bool prefix, uint64_t *bits)
{
	uint32_t seen[64];
	size_t n_seen = 0;
	for (int lang = -1; lang < nm_stem_languages(); lang++) {
		size_t sn;
		const char *s = nm_stem(st, lang, w, n, &sn);
		if (!s)
			return false;
		uint32_t t = dict_find(ix, s, sn);
		bool dup = t == NO_ID;
		for (size_t i = 0; i < n_seen && !dup; i++)
			dup = seen[i] == t;
		if (dup)
			continue;
		seen[n_seen++] = t;
		bits_or_postings(ix, &ix->tpost[t], bits);
	}
	if (prefix)
		prefix_bits(ix, w, n, bits);
	return true;
}

/* out (words words, any content) = the slots that match tq; with candidates, a phrase
 * counts as its words anywhere and a negated phrase is left out (nm_index_text_ids). */
static bool text_bits(const struct index *ix, const struct nm_ts_query *tq, bool candidates,
		      uint64_t *out, size_t words)
{
	struct nm_stemmers *st = nm_stemmers_new();
	uint64_t *term = malloc(words * 8 + 8), *word = malloc(words * 8 + 8);
	bool ok = st && term && word;
	memset(out, 0xff, words * 8);
	for (size_t i = 0; ok && i < tq->n; i++) {
		const struct nm_ts_term *t = &tq->t[i];
		if (t->phrase && (!candidates || t->neg))
			continue; /* candidates only; without, nm_index_search is never asked */
		memset(term, 0xff, words * 8);
		for (size_t j = 0; ok && j < t->n_words; j++) {
			memset(word, 0, words * 8);
			ok = word_bits(ix, st, t->words[j], t->len[j],
				       t->prefix && j + 1 == t->n_words, word);
			for (size_t k = 0; k < words; k++)
				term[k] &= word[k];
		}
		for (size_t k = 0; k < words; k++)
			out[k] &= t->neg ? ~term[k] : term[k];
	}
	nm_stemmers_free(st);
	free(term);
	free(word);
	return ok;
}

bool nm_index_text_ids(const struct nm_ts_query *tq, int64_t **ids, size_t *n)
{
	*ids = NULL;
	*n = 0;
	pthread_rwlock_rdlock(&nm_idx_lock);
	const struct index *ix = &nm_idx;
	size_t words = ((size_t)ix->n_slots + 63) / 64;
	uint64_t *bits = ix->loaded ? malloc(words * 8 + 8) : NULL;
	bool ok = bits && text_bits(ix, tq, true, bits, words);
	size_t count = 0;
	for (uint32_t s = 0; ok && s < ix->n_slots; s++)
		count += (ix->ver[s] & 0x80) && (bits[s >> 6] >> (s & 63) & 1);
	*ids = ok ? malloc((count + 1) * sizeof **ids) : NULL;
	ok = ok && *ids;
	for (uint32_t s = 0; ok && s < ix->n_slots; s++)
		if ((ix->ver[s] & 0x80) && (bits[s >> 6] >> (s & 63) & 1))
			(*ids)[(*n)++] = ix->s_id[s];
	pthread_rwlock_unlock(&nm_idx_lock);
	free(bits);
	if (!ok) {
		free(*ids);
		*ids = NULL;
		*n = 0;
	}
	return ok;
}

/* A search compiled for the scan, shared read-only by its parts. */
struct scan {
	const struct nm_isearch *q;
	const struct index *ix;
	/* the column filters (nm/colscan.h), each only with its by_ flag */
	bool by_platform, by_tier, by_country, by_language, by_followers, by_flags, by_er;
	struct nm_cs_set platforms, tiers, countries, languages;
	int64_t min_f, max_f;	      /* followers, with a run of tiers as a range of followers */
	uint32_t min_fol, max_fol;    /* the same clamped to hot_followers' range */
	bool fol_exact;		      /* a bound past that range: recheck the slots at UINT32_MAX */
	uint8_t flag_mask, flag_want; /* (flags & mask) == want: has_email, has_price */
	double min_er, max_er;
	uint16_t fol_key[2], er_key[2]; /* the bounds' keys (nm_cs_key_u32, nm_cs_key_rate) */
	bool slow;			/* a filter checked per passing slot (slow_passes) */
	const uint64_t *catok, *idok;	/* NULL: no such filter */
	bool cat_facet;			/* the category facet is asked */
	const uint16_t *key16;		/* the sort column's 16-bit keys, NULL: none */
	uint64_t *match; /* NULL unless it is and there are over 64 categories (catmask) */
	struct search_hit cursor;
	size_t k; /* heap size: limit + 1 */
};

#define VC_BITS 8

/* One part's range of slots and what it found there. Counters are indexed by the column's
 * value (any byte for platform; facets_json folds values past NM_PLATFORM_OTHER into it). */
struct part {
	const struct scan *sc;
	uint32_t from, to;
	int64_t total;
	int64_t plat[256], tier[256], country[677], language[677];
	struct search_hit heap[NM_SCACHE_WINDOW]; /* sc->k of them */
	size_t nh;
	int32_t root_key16; /* the heap root's key16_of(), -1: none (not full, or no such key) */
	int64_t catc[64];   /* matches per category cat_terms[0..63] (catmask) */
	/* the latest matches' catmasks as 64 counters of VC_BITS bits, one bit plane per
	 * word (vc_add): added to catc every 2^VC_BITS - 1 matches and at the end */
	uint64_t vc[VC_BITS];
	unsigned vc_n;
	int64_t *cat_counts; /* phase 2: per entry of ix->cat_terms from the 65th */
};

static void codes_prepare(struct nm_cs_set *set, const char (*codes)[2], size_t n, char base)
{
	for (size_t i = 0; i < n; i++) {
		uint16_t c = nm_sr_code(codes[i], base);
		if (c)
			nm_cs_set_add(set, c);
	}
}

static void bits_prepare(struct nm_cs_set *set, uint64_t bits)
{
	for (uint16_t v = 0; v < 64; v++)
		if (bits >> v & 1)
			nm_cs_set_add(set, v);
}

static uint32_t clamp_u32(int64_t v)
{
	return v < 0 ? 0 : v > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static void scan_prepare(struct scan *sc, const struct nm_isearch *q, const struct index *ix)
{
	memset(sc, 0, sizeof *sc);
	sc->q = q;
	sc->ix = ix;
	sc->by_platform = q->platforms != 0;
	bits_prepare(&sc->platforms, q->platforms);
	sc->by_tier = q->tiers != 0;
	bits_prepare(&sc->tiers, q->tiers);
	/* a list of only unknown codes matches nothing, as an empty set does */
	sc->by_country = q->n_countries > 0;
	codes_prepare(&sc->countries, q->countries, q->n_countries, 'A');
	sc->by_language = q->n_languages > 0;
	codes_prepare(&sc->languages, q->languages, q->n_languages, 'a');
	/* Tiers are ranges of followers: a run of them (micro,mid) is one range check on the
	 * followers column, intersected with min/max_followers, instead of a tier column pass. */
	sc->min_f = q->min_followers;
	sc->max_f = q->max_followers;
	unsigned run = sc->by_tier ? q->tiers >> __builtin_ctz(q->tiers) : 0;
	if (sc->by_tier && !(run & (run + 1)) && q->tiers < (1u << NM_TIER_COUNT)) {
		int lo = __builtin_ctz(q->tiers), hi = lo + nm_cs_popcount(q->tiers);
		int64_t from = nm_tier_floor((enum nm_tier)lo),
			to = nm_tier_floor((enum nm_tier)hi);
		sc->min_f = from > sc->min_f ? from : sc->min_f;
		if (to != INT64_MAX && to - 1 < sc->max_f)
			sc->max_f = to - 1;
		sc->by_tier = false;
	}
	sc->by_followers = sc->min_f > 0 || sc->max_f != INT64_MAX;
	sc->min_fol = clamp_u32(sc->min_f);
	sc->max_fol = clamp_u32(sc->max_f);
	if (sc->max_f < 0 || sc->max_f < sc->min_f) { /* nothing */
		sc->min_fol = 1;
		sc->max_fol = 0;
	}
	sc->fol_key[0] = nm_cs_key_u32(sc->min_fol);
	sc->fol_key[1] = nm_cs_key_u32(sc->max_fol);
	/* a slot at UINT32_MAX holds at least that many: exact against bounds below it */
	sc->fol_exact = sc->min_f > (int64_t)UINT32_MAX - 1 ||
			(sc->max_f >= (int64_t)UINT32_MAX - 1 && sc->max_f != INT64_MAX);
	if (q->has_email >= 0) {
		sc->flag_mask |= SR_EMAIL;
		sc->flag_want |= q->has_email ? SR_EMAIL : 0;
	}
	if (q->has_price >= 0) {
		sc->flag_mask |= SR_PRICE;
		sc->flag_want |= q->has_price ? SR_PRICE : 0;
	}
	sc->by_flags = sc->flag_mask != 0;
	/* an unknown rate (NaN in the float column) passes no rate filter */
	sc->by_er = !isnan(q->min_er) || !isnan(q->max_er);
	sc->min_er = isnan(q->min_er) ? -INFINITY : q->min_er;
	sc->max_er = isnan(q->max_er) ? INFINITY : q->max_er;
	sc->er_key[0] = nm_cs_key_rate_bound(sc->min_er);
	sc->er_key[1] = nm_cs_key_rate_bound(sc->max_er);
	sc->slow = q->max_price != INT64_MAX || q->post_after_us != INT64_MIN ||
		   !isnan(q->min_growth) || q->by_age || q->by_conf || sc->fol_exact;
	sc->key16 = q->sort == NM_IS_FOLLOWERS	       ? ix->s_fol16
		    : q->sort == NM_IS_ENGAGEMENT_RATE ? ix->s_er16
						       : NULL;
	sc->cursor = (struct search_hit){q->after_key, q->after_id};
	sc->k = q->limit + 1 < NM_ISEARCH_PAGE_MAX ? q->limit + 1 : NM_ISEARCH_PAGE_MAX;
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

/* The filters no column answers, for a slot that passed the column filters: the cold
 * record's (price, last post, growth), freshness, and followers past UINT32_MAX. */
static bool slow_passes(const struct scan *sc, uint32_t s)
{
	const struct nm_isearch *q = sc->q;
	const struct index *ix = sc->ix;
	const struct srec_cold *c = &ix->scold[s];
	uint8_t flags = ix->s_flags[s];
	if (q->max_price != INT64_MAX && !((flags & SR_PRICE) && c->price <= q->max_price))
		return false;
	if (q->post_after_us != INT64_MIN && !((flags & SR_POST) && c->post_us >= q->post_after_us))
		return false;
	if (!isnan(q->min_growth) && !((flags & SR_GROWTH) && c->growth >= q->min_growth))
		return false;
	if (sc->fol_exact && ix->hot_followers[s] == UINT32_MAX &&
	    (c->followers < sc->min_f || c->followers > sc->max_f))
		return false;
	/* issue 16: read only when asked (the as_of and confidence arrays are cold) */
	return !(q->by_age || q->by_conf) || fresh_enough(q, ix, s);
}

/* The column filters for one slot: what block_mask() computes for 64, for the few slots
 * of a sparse bitmap word (a block would read every filter column's 64 values for them). */
static bool slot_passes(const struct scan *sc, uint32_t s)
{
	const struct index *ix = sc->ix;
	return (ix->ver[s] & 0x80) &&
	       (!sc->by_platform || nm_cs_set_has(&sc->platforms, ix->s_platform[s])) &&
	       (!sc->by_tier || nm_cs_set_has(&sc->tiers, ix->s_tier[s])) &&
	       (!sc->by_country || nm_cs_set_has(&sc->countries, ix->s_country[s])) &&
	       (!sc->by_language || nm_cs_set_has(&sc->languages, ix->s_language[s])) &&
	       (!sc->by_followers ||
		(ix->hot_followers[s] >= sc->min_fol && ix->hot_followers[s] <= sc->max_fol)) &&
	       (!sc->by_flags || (ix->s_flags[s] & sc->flag_mask) == sc->flag_want) &&
	       (!sc->by_er || ((ix->s_flags[s] & SR_ER) && ix->s_er[s] >= sc->min_er &&
			       ix->s_er[s] <= sc->max_er));
}

/* The column filters for the 64 slots from s0 (a multiple of 64), within m. */
static uint64_t block_mask(const struct scan *sc, uint32_t s0, uint64_t m)
{
	const struct index *ix = sc->ix;
	m &= nm_cs_live(ix->ver + s0);
	if (m && sc->by_platform)
		m &= nm_cs_in8(ix->s_platform + s0, &sc->platforms);
	if (m && sc->by_tier)
		m &= nm_cs_in8(ix->s_tier + s0, &sc->tiers);
	if (m && sc->by_country)
		m &= nm_cs_in16(ix->s_country + s0, &sc->countries);
	if (m && sc->by_language)
		m &= nm_cs_in16(ix->s_language + s0, &sc->languages);
	if (m && sc->by_flags)
		m &= nm_cs_flags(ix->s_flags + s0, sc->flag_mask, sc->flag_want);
	if (m && sc->by_followers) {
		uint64_t border;
		m &= nm_cs_range_u16(ix->s_fol16 + s0, sc->fol_key[0], sc->fol_key[1], &border);
		for (; border; border &= border - 1) {
			int i = __builtin_ctzll(border);
			uint32_t f = ix->hot_followers[s0 + (uint32_t)i];
			if (!(f >= sc->min_fol && f <= sc->max_fol))
				m &= ~(1ull << i);
		}
	}
	if (m && sc->by_er) {
		uint64_t border;
		m &= nm_cs_range_u16(ix->s_er16 + s0, sc->er_key[0], sc->er_key[1], &border);
		for (; border; border &= border - 1) {
			int i = __builtin_ctzll(border);
			double er = ix->s_er[s0 + (uint32_t)i];
			if (!(er >= sc->min_er && er <= sc->max_er))
				m &= ~(1ull << i);
		}
	}
	return m;
}

/* The 16-bit key (nm/colscan.h) of a sort key k, or -1 when the sort has no key column or
 * k is NULL (a NULL root: every slot with a rate comes before it). */
static int32_t key16_of(const struct scan *sc, const struct nm_isearch_key *k)
{
	if (sc->q->sort == NM_IS_FOLLOWERS)
		return nm_cs_key_u32(clamp_u32(k->i));
	if (sc->q->sort == NM_IS_ENGAGEMENT_RATE && !k->null)
		return nm_cs_key_rate(k->d);
	return -1;
}

/* Slot s comes after the full heap's root (whose key16_of is p->root_key16 >= 0): its key's
 * 16-bit key is strictly past the root's, so its exact key is too (keys are monotone); or,
 * sorting by rate up, its rate is unknown (NULL keys come last both ways). */
static bool after_root16(const struct scan *sc, const struct part *p, uint32_t s)
{
	int32_t k = sc->key16[s];
	if (sc->q->desc)
		return k < p->root_key16;
	return k > p->root_key16 || (sc->q->sort == NM_IS_ENGAGEMENT_RATE && k == 0);
}

/* Below this many candidate slots in a word, each is checked alone (slot_passes). */
#define SPARSE_WORD 4

/* Phase 1, step 1 for the 64 slots of word w: the slots among m that pass every filter (a
 * block at a time, or slot by slot for a sparse bitmap word). */
static inline uint64_t word_mask(const struct scan *sc, uint32_t w, uint64_t m)
{
	uint32_t s0 = w * 64;
	if (nm_cs_popcount(m) < SPARSE_WORD) {
		for (uint64_t b = m; b; b &= b - 1) {
			uint32_t s = s0 + (uint32_t)__builtin_ctzll(b);
			if (!slot_passes(sc, s))
				m &= ~(1ull << (s - s0));
		}
	} else {
		m = block_mask(sc, s0, m);
	}
	if (m && sc->slow)
		for (uint64_t b = m; b; b &= b - 1) {
			uint32_t s = s0 + (uint32_t)__builtin_ctzll(b);
			if (!slow_passes(sc, s))
				m &= ~(1ull << (s - s0));
		}
	return m;
}

/* Asks for the cache lines step 2 will read for the slots of m that no filter read: a
 * filtered list's matches are scattered, so each is a miss, and asking one word ahead
 * overlaps them with the next word's filtering. */
static inline void word_prefetch(const struct scan *sc, uint32_t w, uint64_t m)
{
	const struct index *ix = sc->ix;
	for (; m; m &= m - 1) {
		uint32_t s = w * 64 + (uint32_t)__builtin_ctzll(m);
		if (sc->cat_facet)
			__builtin_prefetch(&ix->catmask[s]);
		if (sc->q->facets & 1u << NM_FACET_TIER)
			__builtin_prefetch(&ix->s_tier[s]);
		if (sc->q->facets & 1u << NM_FACET_LANGUAGE)
			__builtin_prefetch(&ix->s_language[s]);
		if (sc->key16)
			__builtin_prefetch(&sc->key16[s]);
	}
}

/* The category facet's counters: each match's catmask goes into 64 counters held as bit
 * planes (a ripple-carry add of the mask, the same few operations whatever it holds), and
 * the planes into catc before they can overflow. Incrementing one counter per category
 * cost about three times as much: a loop whose exit mispredicts, and increments of the
 * same counters waiting on each other. */
static void vc_flush(struct part *p)
{
	for (int l = 0; l < VC_BITS; l++) {
		for (uint64_t b = p->vc[l]; b; b &= b - 1)
			p->catc[__builtin_ctzll(b)] += (int64_t)1 << l;
		p->vc[l] = 0;
	}
	p->vc_n = 0;
}

static inline void vc_add(struct part *p, uint64_t x)
{
	for (int l = 0; l < VC_BITS; l++) {
		uint64_t carry = p->vc[l] & x;
		p->vc[l] ^= x;
		x = carry;
	}
	if (++p->vc_n == (1u << VC_BITS) - 1)
		vc_flush(p);
}

/* Phase 1, step 2: the counters and the heap for the passing slots m of word w. (Counting a
 * facet's few allowed values a word at a time, a compare and a popcount per value, measured
 * slower than these increments at the densities searches have.) */
static inline void word_count(struct part *p, const struct scan *sc, uint32_t w, uint64_t m)
{
	const struct nm_isearch *q = sc->q;
	const struct index *ix = sc->ix;
	uint32_t s0 = w * 64;
	p->total += nm_cs_popcount(m);
	if (sc->match)
		sc->match[w] = m;
	if (q->facets)
		for (uint64_t b = m; b; b &= b - 1) {
			uint32_t s = s0 + (uint32_t)__builtin_ctzll(b);
			if (q->facets & 1u << NM_FACET_PLATFORM)
				p->plat[ix->s_platform[s]]++;
			if (q->facets & 1u << NM_FACET_TIER)
				p->tier[ix->s_tier[s]]++;
			if (q->facets & 1u << NM_FACET_COUNTRY)
				p->country[ix->s_country[s]]++;
			if (q->facets & 1u << NM_FACET_LANGUAGE)
				p->language[ix->s_language[s]]++;
			if (sc->cat_facet)
				vc_add(p, ix->catmask[s]);
		}
	/* Once the heap is full most slots come after its root: the sort column's 16-bit keys
	 * say so for the whole word, without the exact keys or the ids (each a cache miss per
	 * slot); the root only moves on, so the slots left are checked again one by one. */
	if (p->nh == sc->k && p->root_key16 >= 0) {
		uint64_t border;
		uint16_t root = (uint16_t)p->root_key16;
		if (q->desc)
			m &= nm_cs_range_u16(sc->key16 + s0, root, UINT16_MAX, &border);
		else
			m &= nm_cs_range_u16(sc->key16 + s0, q->sort == NM_IS_ENGAGEMENT_RATE, root,
					     &border);
	}
	for (; m; m &= m - 1) {
		uint32_t s = s0 + (uint32_t)__builtin_ctzll(m);
		if (p->nh == sc->k && p->root_key16 >= 0 && after_root16(sc, p, s))
			continue;
		struct search_hit x = {key_at(ix, s, q->sort), ix->s_id[s]};
		if (q->after && !before(q, &sc->cursor, &x))
			continue;
		heap_push(q, p->heap, &p->nh, sc->k, x);
		if (p->nh == sc->k)
			p->root_key16 = key16_of(sc, &p->heap[0].k);
	}
}

/* How many filtered words wait to be counted: enough for their requested reads to arrive
 * (a word filters in ~50 ns, a scattered read takes ~100-300 ns). */
#define PREFETCH_WORDS 8

/* Phase 1: the part's slots, a word of 64 at a time, counting each word PREFETCH_WORDS
 * filtered words later (word_prefetch). With a category or q filter (bitmaps of slots) only the
 * words with bits set are read, and a word with few only at those slots: a q that matches 8% of the
 * creators reads 8% of the search records, not all. */
static void scan_part(struct part *p)
{
	const struct scan *sc = p->sc;
	const uint64_t *a = sc->catok, *b = sc->idok;
	/* words filtered and not yet counted: their reads were requested a few words ago */
	struct {
		uint32_t w;
		uint64_t m;
	} ring[PREFETCH_WORDS];
	size_t head = 0, queued = 0;
	/* parts begin on a word (scan_all); the bitmaps have a word to spare at the end */
	for (uint32_t w = p->from / 64; w * 64 < p->to; w++) {
		uint64_t m = (a ? a[w] : ~0ull) & (b ? b[w] : ~0ull);
		if (p->to - w * 64 < 64) /* the slots past the end are not the index's */
			m &= (1ull << (p->to - w * 64)) - 1;
		if (m)
			m = word_mask(sc, w, m);
		if (!m)
			continue;
		word_prefetch(sc, w, m);
		if (queued == PREFETCH_WORDS) { /* count the oldest */
			word_count(p, sc, ring[head].w, ring[head].m);
			head = (head + 1) % PREFETCH_WORDS;
			queued--;
		}
		size_t tail = (head + queued) % PREFETCH_WORDS;
		ring[tail].w = w;
		ring[tail].m = m;
		queued++;
	}
	for (; queued; queued--, head = (head + 1) % PREFETCH_WORDS)
		word_count(p, sc, ring[head].w, ring[head].m);
	vc_flush(p);
}

/* Phase 2, past the 64 categories of catmask: the part's share (from..to of every list,
 * by fraction) of the category postings of the matched slots. */
static void category_part(struct part *p, size_t part, size_t parts)
{
	const struct index *ix = p->sc->ix;
	const uint64_t *match = p->sc->match;
	/* A matched slot is live; its posting is current unless the slot was rewritten in
	 * place since the last build, which counts its postings in stale. */
	bool all_current = ix->stale == 0;
	for (uint32_t i = 64; i < ix->n_cat_terms; i++) {
		const struct plist *l = &ix->post[SRC_CAT][ix->cat_terms[i]];
		size_t from = (size_t)l->n * part / parts, to = (size_t)l->n * (part + 1) / parts;
		int64_t count = 0;
		for (size_t j = from; j < to; j++) {
			uint32_t e = l->v[j], slot = e >> 8;
			if ((match[slot >> 6] >> (slot & 63) & 1) &&
			    (all_current || posting_live(ix, e)))
				count++;
		}
		p->cat_counts[i] = count;
	}
}

static json_t *category_facet(const struct index *ix, struct part *parts, size_t n_parts)
{
	struct fv *v = malloc(((size_t)ix->n_cat_terms + 1) * sizeof *v);
	if (!v)
		return NULL;
	size_t n = 0;
	for (uint32_t i = 0; i < ix->n_cat_terms; i++) {
		int64_t count = 0;
		for (size_t p = 0; p < n_parts; p++) {
			count += i < 64 ? parts[p].catc[i] : parts[p].cat_counts[i];
		}
		if (count)
			v[n++] = (struct fv){ix->term[ix->cat_terms[i]], "", count};
	}
	json_t *a = facet_json(v, n);
	free(v);
	return a;
}

struct job {
	struct part *p;
	size_t part, parts;
	int phase;
};

static void *job_main(void *arg)
{
	struct job *j = arg;
	if (j->phase == 1)
		scan_part(j->p);
	else
		category_part(j->p, j->part, j->parts);
	return NULL;
}

/* Runs phase on every part: parts 1.. on threads, part 0 here (and any part whose thread
 * could not start). */
static void run_parts(struct part *parts, size_t n, int phase)
{
	pthread_t th[SCAN_PARTS_MAX];
	struct job jobs[SCAN_PARTS_MAX] = {{NULL, 0, 0, 0}};
	if (n == 0 || n > SCAN_PARTS_MAX)
		return;
	bool started[SCAN_PARTS_MAX] = {false};
	for (size_t i = 0; i < n; i++)
		jobs[i] = (struct job){&parts[i], i, n, phase};
	for (size_t i = 1; i < n; i++)
		started[i] = pthread_create(&th[i], NULL, job_main, &jobs[i]) == 0;
	job_main(&jobs[0]);
	for (size_t i = 1; i < n; i++) {
		if (started[i])
			pthread_join(th[i], NULL);
		else
			job_main(&jobs[i]);
	}
}

static long cores;
static pthread_once_t cores_once = PTHREAD_ONCE_INIT;

static void cores_init(void)
{
	cores = sysconf(_SC_NPROCESSORS_ONLN);
}

/* Scans in progress: a core that another search keeps busy gains a scan nothing. */
static atomic_long scans_running;

/* How many parts a scan of n slots takes while others other scans run: one per online core
 * they leave free, at most SCAN_PARTS_MAX. Under load every scan gets one part, and the
 * throughput is what the cores give without the cost of starting threads. */
static size_t scan_threads(uint32_t n_slots, long others)
{
	pthread_once(&cores_once, cores_init);
	long free_cores = cores - others;
	if (n_slots < SCAN_SPLIT_MIN || free_cores < 2)
		return 1;
	return free_cores < SCAN_PARTS_MAX ? (size_t)free_cores : SCAN_PARTS_MAX;
}

static json_t *facets_json(const struct nm_isearch *q, const struct part *all)
{
	json_t *f = json_object();
	if (q->facets & (1u << NM_FACET_PLATFORM)) {
		int64_t plat[NM_PLATFORM_COUNT];
		memcpy(plat, all->plat, sizeof plat);
		for (int p = NM_PLATFORM_COUNT; p < 256; p++) /* unknown values count as other */
			plat[NM_PLATFORM_OTHER] += all->plat[p];
		struct fv v[NM_PLATFORM_COUNT];
		size_t n = 0;
		for (int p = 0; p < NM_PLATFORM_COUNT; p++)
			if (plat[p])
				v[n++] = (struct fv){nm_platform_name((enum nm_platform)p), "",
						     plat[p]};
		json_object_set_new(f, "platform", facet_json(v, n));
	}
	if (q->facets & (1u << NM_FACET_TIER)) {
		struct fv v[NM_TIER_COUNT];
		size_t n = 0;
		for (int t = 0; t < NM_TIER_COUNT; t++)
			if (all->tier[t])
				v[n++] = (struct fv){nm_tier_name((enum nm_tier)t), "",
						     all->tier[t]};
		json_object_set_new(f, "tier", facet_json(v, n));
	}
	if (q->facets & (1u << NM_FACET_COUNTRY))
		json_object_set_new(f, "country", code_facet(all->country, 'A'));
	if (q->facets & (1u << NM_FACET_LANGUAGE))
		json_object_set_new(f, "language", code_facet(all->language, 'a'));
	return f;
}

/* Sums the parts' counters into parts[0] and their heaps into hits (sorted); returns how
 * many of hits are the page. */
static size_t merge_parts(const struct nm_isearch *q, struct part *parts, size_t n, size_t k,
			  struct search_hit *hits)
{
	size_t nh = 0;
	for (size_t i = 0; i < n; i++) {
		memcpy(hits + nh, parts[i].heap, parts[i].nh * sizeof *hits);
		nh += parts[i].nh;
		if (i == 0)
			continue;
		parts[0].total += parts[i].total;
		for (int j = 0; j < 256; j++) {
			parts[0].plat[j] += parts[i].plat[j];
			parts[0].tier[j] += parts[i].tier[j];
		}
		for (int j = 0; j < 677; j++) {
			parts[0].country[j] += parts[i].country[j];
			parts[0].language[j] += parts[i].language[j];
		}
	}
	pthread_mutex_lock(&sort_mu);
	sort_q = q;
	qsort(hits, nh, sizeof hits[0], cmp_hits);
	pthread_mutex_unlock(&sort_mu);
	return nh < k ? nh : k;
}

_Static_assert(NM_SCACHE_WINDOW >= NM_ISEARCH_PAGE_MAX, "a window holds a page");

void nm_search_cache_configure(size_t entries)
{
	nm_scache_configure(entries);
}

/* The cache key of q: every input of the answer but the keyset position and the limit.
 * False when q is not cached: by_ids (the ids come from SQL), and the filters that
 * depend on the clock (the answer changes with no write). */
static bool cache_key(const struct nm_isearch *q, struct nm_buf *key)
{
	if (q->by_ids || q->post_after_us != INT64_MIN || q->by_age || q->by_conf ||
	    !nm_scache_enabled())
		return false;
	struct {
		uint64_t platforms, tiers, n_countries, n_languages, n_categories, facets;
		int64_t min_followers, max_followers, max_price, has_email, has_price, sort, desc;
		double min_er, max_er, min_growth; /* NaN (none) is always the same NAN */
	} f;
	memset(&f, 0, sizeof f); /* no padding, but the key is compared byte by byte */
	f.platforms = q->platforms;
	f.tiers = q->tiers;
	f.n_countries = q->n_countries;
	f.n_languages = q->n_languages;
	f.n_categories = q->n_categories;
	f.facets = q->facets;
	f.min_followers = q->min_followers;
	f.max_followers = q->max_followers;
	f.max_price = q->max_price;
	f.has_email = q->has_email;
	f.has_price = q->has_price;
	f.sort = q->sort;
	f.desc = q->desc;
	f.min_er = q->min_er;
	f.max_er = q->max_er;
	f.min_growth = q->min_growth;
	nm_buf_add(key, &f, sizeof f);
	nm_buf_add(key, q->countries, q->n_countries * 2);
	nm_buf_add(key, q->languages, q->n_languages * 2);
	for (size_t i = 0; i < q->n_categories; i++)
		nm_buf_add(key, q->categories[i], strlen(q->categories[i]) + 1);
	for (size_t i = 0; q->text && i < q->text->n; i++) {
		const struct nm_ts_term *t = &q->text->t[i];
		char head[2] = {(char)(t->neg | t->phrase << 1 | t->prefix << 2), (char)t->n_words};
		nm_buf_add(key, head, 2);
		for (size_t j = 0; j < t->n_words; j++)
			nm_buf_add(key, t->words[j], t->len[j] + 1);
	}
	return !key->oom;
}

/* Serves q from the cache entry hits[0..n) of its list: the limit + 1 hits after the
 * keyset position, when the entry holds them (or the whole list). */
static bool page_of_window(const struct nm_isearch *q, const struct search_hit *hits, size_t n,
			   bool complete, struct nm_isearch_out *out)
{
	size_t from = 0;
	if (q->after) {
		struct search_hit cursor = {q->after_key, q->after_id};
		while (from < n && !before(q, &cursor, &hits[from]))
			from++;
	}
	size_t want = q->limit + 1 < NM_ISEARCH_PAGE_MAX ? q->limit + 1 : NM_ISEARCH_PAGE_MAX;
	if (n - from < want && !complete)
		return false;
	out->n = n - from < want ? n - from : want;
	for (size_t i = 0; i < out->n; i++) {
		out->ids[i] = hits[from + i].id;
		out->keys[i] = hits[from + i].k;
	}
	return true;
}

/* One scan of the slots for q into hits (sc.k of them at most, in order). */
static bool scan_all(const struct nm_isearch *q, const struct index *ix, struct scan *sc,
		     struct search_hit *hits, size_t *nh, int64_t *total, json_t **facets)
{
	bool ok = true, cat_facet = q->facets & (1u << NM_FACET_CATEGORY);
	size_t words = ((size_t)ix->n_slots + 63) / 64;
	uint64_t *catok = q->n_categories ? calloc(words + 1, 8) : NULL;
	bool by_text = q->text && !q->by_ids;
	uint64_t *idok = q->by_ids || by_text ? calloc(words + 1, 8) : NULL;
	bool cat_postings = cat_facet && ix->n_cat_terms > 64;
	sc->cat_facet = cat_facet;
	sc->match = cat_postings ? calloc(words + 1, 8) : NULL;
	size_t n_parts = scan_threads(ix->n_slots, atomic_fetch_add(&scans_running, 1));
	struct part *parts = calloc(n_parts, sizeof *parts);
	int64_t *cat_counts = cat_facet ? calloc(n_parts * ((size_t)ix->n_cat_terms + 1), 8) : NULL;
	ok = parts && (!q->n_categories || catok) && (!(q->by_ids || by_text) || idok) &&
	     (!cat_facet || cat_counts) && (!cat_postings || sc->match);
	sc->catok = catok;
	sc->idok = idok;
	if (ok && catok)
		category_bits(ix, q, catok);
	if (ok && idok && q->by_ids)
		id_bits(ix, q, idok);
	if (ok && by_text)
		ok = text_bits(ix, q->text, false, idok, words);
	if (ok) {
		for (size_t i = 0; i < n_parts; i++) {
			/* whole words of 64 slots each */
			parts[i].sc = sc;
			parts[i].from = (uint32_t)(words * i / n_parts * 64);
			parts[i].to = (uint32_t)(words * (i + 1) / n_parts * 64);
			if (parts[i].to > ix->n_slots)
				parts[i].to = ix->n_slots;
			if (parts[i].from > parts[i].to)
				parts[i].from = parts[i].to;
			parts[i].cat_counts =
				cat_counts ? cat_counts + i * ((size_t)ix->n_cat_terms + 1) : NULL;
		}
		run_parts(parts, n_parts, 1);
		if (cat_postings)
			run_parts(parts, n_parts, 2);
		*nh = merge_parts(q, parts, n_parts, sc->k, hits);
		*total = parts[0].total;
	}
	if (ok && q->facets) {
		*facets = facets_json(q, &parts[0]);
		if (cat_facet) {
			json_t *cf = category_facet(ix, parts, n_parts);
			ok = cf != NULL;
			json_object_set_new(*facets, "category", cf ? cf : json_array());
		}
	}
	atomic_fetch_sub(&scans_running, 1);
	free(catok);
	free(idok);
	free(sc->match);
	sc->match = NULL;
	free(parts);
	free(cat_counts);
	return ok;
}

static void count_cache(const char *result)
{
	nm_metrics_add("nichematch_search_cache_total",
		       "Creator searches served from the search cache (hit) or with a scan of the "
		       "index (miss).",
		       result, 1);
}

/* A scan for q without its facets (the cache has them) and, with window, from the start of
 * the list with NM_SCACHE_WINDOW hits instead of after the cursor. */
static bool scan_hits(const struct nm_isearch *q, const struct index *ix, bool window,
		      struct search_hit *hits, size_t *nh, size_t *k)
{
	struct nm_isearch bare = *q;
	bare.facets = 0;
	if (window)
		bare.after = false;
	struct scan sc;
	scan_prepare(&sc, &bare, ix);
	if (window)
		sc.k = NM_SCACHE_WINDOW;
	int64_t total;
	json_t *none = NULL;
	bool ok = scan_all(&bare, ix, &sc, hits, nh, &total, &none);
	*k = sc.k;
	return ok;
}

/* Cached lists (cache_key) go in three steps, so that a list asked once (a new filter set:
 * each keystroke of a type-ahead) costs what it did without the cache:
 * 1. no entry: the scan a search always made (total, facets, the limit + 1 hits after the
 *    cursor); the entry keeps the total, the facets and, for a first page, those hits;
 * 2. an entry whose hits do not hold the page (the next page): one scan without facets
 *    fills the entry's window with the first NM_SCACHE_WINDOW hits of the list;
 * 3. the pages inside the window come from it; past it, a scan without facets. */
bool nm_index_search(const struct nm_isearch *q, struct nm_isearch_out *out)
{
	memset(out, 0, sizeof *out);
	struct nm_buf key = {0};
	bool cached = cache_key(q, &key), ok = true, served = false, scanned = false;
	struct search_hit *hits = malloc(SCAN_PARTS_MAX * NM_SCACHE_WINDOW * sizeof *hits);
	pthread_rwlock_rdlock(&nm_idx_lock);
	const struct index *ix = &nm_idx;
	uint64_t gen = ix->gen;
	size_t nh = 0, k = 0;
	bool complete = false;
	if (!ix->loaded || !hits) {
		ok = false;
	} else if (cached && nm_scache_get(key.data, key.len, gen, hits, &nh, &complete,
					   &out->total, &out->facets)) {
		served = page_of_window(q, hits, nh, complete, out);
		if (!served && nh < NM_SCACHE_WINDOW && !complete) { /* step 2 */
			ok = scan_hits(q, ix, true, hits, &nh, &k);
			scanned = true;
			if (ok) {
				nm_scache_put(key.data, key.len, gen, hits, nh, nh < k, out->total,
					      out->facets);
				served = page_of_window(q, hits, nh, nh < k, out);
			}
		}
		if (ok && !served) { /* past the window */
			ok = scan_hits(q, ix, false, hits, &nh, &k);
			scanned = served = true;
			if (ok)
				page_of_window(q, hits, nh, true, out);
		}
	} else {
		struct scan sc; /* step 1, or an uncached search */
		scan_prepare(&sc, q, ix);
		ok = scan_all(q, ix, &sc, hits, &nh, &out->total, &out->facets);
		scanned = true;
		if (ok && cached)
			/* after a cursor, the hits are not the list's first: keep none */
			nm_scache_put(key.data, key.len, gen, hits, q->after ? 0 : nh,
				      !q->after && nh < sc.k, out->total, out->facets);
		if (ok)
			page_of_window(q, hits, nh, true, out);
	}
	pthread_rwlock_unlock(&nm_idx_lock);
	free(hits);
	free(key.data);
	if (ok && cached)
		count_cache(scanned ? "result=\"miss\"" : "result=\"hit\"");
	if (!ok) {
		json_decref(out->facets);
		out->facets = NULL;
	}
	return ok;
}
