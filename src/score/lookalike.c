/* Lookalike similarity: the pure math (nm/lookalike.h, docs/matching.md "Lookalikes"). */
#include "nm/lookalike.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nm/bio_words.h"
#include "nm/taxonomy.h"

double nm_lk_src_weight(enum nm_lk_src src)
{
	return src == NM_LK_BIO ? 0.5 : 1.0;
}

double nm_lk_idf(size_t n, size_t df)
{
	if (!df || !n)
		return 0.0;
	return log(1.0 + (double)n / (double)df);
}

/* The same words, in the same order and with the same limits, as the index's bio
 * posting (src/match/index.c index_bio): a word the index did not post is not looked for. */
#define BIO_WORDS_MAX NM_BIO_WORDS_MAX
#define WORD_MAX      NM_BIO_WORD_MAX

size_t nm_lk_bio_words(const char *bio, void (*fn)(void *cls, const char *w, size_t n), void *cls)
{
	static _Thread_local char seen[BIO_WORDS_MAX][WORD_MAX];
	size_t seen_len[BIO_WORDS_MAX];
	size_t n_seen = 0;
	char w[WORD_MAX];
	const char *p = bio ? bio : "";
	size_t n;
	while (n_seen < BIO_WORDS_MAX && (n = nm_bio_next_word(&p, w)) != 0) {
		bool dup = false;
		for (size_t i = 0; i < n_seen && !dup; i++)
			dup = seen_len[i] == n && memcmp(seen[i], w, n) == 0;
		if (dup)
			continue;
		memcpy(seen[n_seen], w, n);
		seen_len[n_seen++] = n;
		fn(cls, w, n);
	}
	return n_seen;
}

/* ------------------------------------------------------------------ profile */

/* Terms of the current seed carry seeds == 0 until next_seed; a term seen in an earlier
 * seed is marked by the high bit while the current seed has it. */
#define CUR_SEED 0x80000000u

static int cmp_term(const void *a, const void *b)
{
	const struct nm_lk_term *x = a, *y = b;
	if (x->src != y->src)
		return x->src < y->src ? -1 : 1;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->text, y->text, n);
	if (c)
		return c;
	return (x->len > y->len) - (x->len < y->len);
}

/* Profiles are small (at most NM_LK_SEEDS_MAX seeds of a few hundred terms): the terms
 * of earlier seeds are sorted (binary search), the current seed's new ones are an
 * unsorted tail marked TAIL (linear search), sorted in by next_seed. */
#define TAIL 0x40000000u

void nm_lk_profile_add(struct nm_lk_profile *p, enum nm_lk_src src, const char *text, size_t len)
{
	if (p->oom || !len || len >= WORD_MAX * 4)
		return;
	long i = nm_lk_profile_find(p, src, text, len);
	if (i < 0) {
		for (size_t k = p->n; k-- > 0;) {
			if (!(p->t[k].seeds & TAIL))
				break;
			if (p->t[k].src == src && p->t[k].len == len &&
			    memcmp(p->t[k].text, text, len) == 0) {
				i = (long)k;
				break;
			}
		}
	}
	if (i >= 0) {
		p->t[i].seeds |= CUR_SEED;
		return;
	}
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct nm_lk_term *nt = realloc(p->t, cap * sizeof *nt);
		if (!nt) {
			p->oom = true;
			return;
		}
		p->t = nt;
		p->cap = cap;
	}
	char *copy = malloc(len + 1);
	if (!copy) {
		p->oom = true;
		return;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	p->t[p->n++] = (struct nm_lk_term){src, copy, (uint32_t)len, CUR_SEED | TAIL, 0, 0};
}

void nm_lk_profile_next_seed(struct nm_lk_profile *p)
{
	for (size_t i = 0; i < p->n; i++) {
		if (p->t[i].seeds & CUR_SEED)
			p->t[i].seeds = (p->t[i].seeds & ~(CUR_SEED | TAIL)) + 1;
	}
	p->n_seeds++;
	if (p->n)
		qsort(p->t, p->n, sizeof *p->t, cmp_term);
}

static void add_bio_word(void *cls, const char *w, size_t n)
{
	nm_lk_profile_add(cls, NM_LK_BIO, w, n);
}

void nm_lk_profile_add_bio(struct nm_lk_profile *p, const char *bio)
{
	nm_lk_bio_words(bio, add_bio_word, p);
}

void nm_lk_profile_free(struct nm_lk_profile *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->t[i].text);
	free(p->t);
	memset(p, 0, sizeof *p);
}

long nm_lk_profile_find(const struct nm_lk_profile *p, enum nm_lk_src src, const char *text,
			size_t len)
{
	struct nm_lk_term key = {src, (char *)text, (uint32_t)len, 0, 0, 0};
	size_t lo = 0, hi = p->n;
	while (hi > 0 && (p->t[hi - 1].seeds & TAIL)) /* the sorted prefix only */
		hi--;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_term(&key, &p->t[mid]);
		if (!c)
			return (long)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

/* ------------------------------------------------------------------ similarity */

double nm_lk_content(double dot, double seed2, double shared_w, unsigned shared_n,
		     unsigned cand_terms, double mean_w)
{
	if (!(dot > 0) || !(seed2 > 0))
		return 0.0;
	double rest = cand_terms > shared_n ? (double)(cand_terms - shared_n) * mean_w : 0.0;
	double y2 = shared_w + rest;
	if (!(y2 > 0))
		return 0.0;
	double c = dot / sqrt(seed2 * y2);
	return c > 1.0 ? 1.0 : c;
}

void nm_lk_attr_of(const struct nm_score_features *f, const struct nm_score_bench *bench,
		   struct nm_lk_attr *out)
{
	enum nm_tier t = nm_tier_of(f->followers);
	out->tier = (int)t;
	out->er_rel = -1.0;
	if (f->engagement_rate >= 0.0) {
		enum nm_platform p = f->platform < NM_PLATFORM_COUNT ? (enum nm_platform)f->platform
								     : NM_PLATFORM_OTHER;
		out->er_rel = f->engagement_rate / nm_score_bench_rate(bench, p, t);
	}
	/* a geotag stand-in is weaker evidence of where the creator is: not compared */
	if (f->sample & NM_SCORE_COUNTRY_GEOTAG)
		memset(out->country, 0, 2);
	else
		memcpy(out->country, f->country, 2);
	memcpy(out->language, f->language, 2);
}

double nm_lk_tier_close(const struct nm_lk_attr *s, const struct nm_lk_attr *c)
{
	int d = abs(s->tier - c->tier);
	return d == 0 ? 1.0 : d == 1 ? 0.5 : 0.0;
}

double nm_lk_engagement_close(const struct nm_lk_attr *s, const struct nm_lk_attr *c)
{
	if (s->er_rel < 0 || c->er_rel < 0)
		return 0.5;
	double hi = s->er_rel > c->er_rel ? s->er_rel : c->er_rel;
	double lo = s->er_rel > c->er_rel ? c->er_rel : s->er_rel;
	return hi > 0 ? lo / hi : 1.0;
}

double nm_lk_code_close(const char s[2], const char c[2])
{
	if (!s[0] || !c[0])
		return 0.5;
	return s[0] == c[0] && s[1] == c[1] ? 1.0 : 0.0;
}

double nm_lk_attr_score(const struct nm_lk_attr *s, const struct nm_lk_attr *c)
{
	return NM_LK_W_TIER * nm_lk_tier_close(s, c) +
	       NM_LK_W_ENGAGEMENT * nm_lk_engagement_close(s, c) +
	       NM_LK_W_COUNTRY * nm_lk_code_close(s->country, c->country) +
	       NM_LK_W_LANGUAGE * nm_lk_code_close(s->language, c->language);
}

unsigned nm_lk_facts(const struct nm_lk_attr *s, const struct nm_lk_attr *c)
{
	unsigned f = 0;
	if (s->tier == c->tier && s->country[0] && s->country[0] == c->country[0] &&
	    s->country[1] == c->country[1])
		f |= NM_LK_SAME_TIER_COUNTRY;
	if (s->er_rel > 0 && c->er_rel >= 0 && fabs(c->er_rel - s->er_rel) <= 0.10 * s->er_rel)
		f |= NM_LK_ENGAGEMENT_CLOSE;
	return f;
}

double nm_lk_similarity(double content, double attr)
{
	double s = NM_LK_W_CONTENT * content + attr;
	if (!(s > 0))
		s = 0;
	if (s > 1)
		s = 1;
	return round(s * 10000.0) / 10000.0;
}
