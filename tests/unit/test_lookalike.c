/* Unit tests for the lookalike similarity math (include/nm/lookalike.h): rarity weights,
 * the bio tokeniser (the index's words), the seeds' profile, the content cosine and its
 * bounds, the attribute parts, the explanation facts and the rounding. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "nm/lookalike.h"
#include "nm/taxonomy.h"

struct words {
	char w[8][32];
	size_t n;
};

static void collect(void *cls, const char *w, size_t n)
{
	struct words *ws = cls;
	if (ws->n < 8 && n < 32) {
		memcpy(ws->w[ws->n], w, n);
		ws->w[ws->n][n] = '\0';
		ws->n++;
	}
}

static void test_idf(void)
{
	CHECK(nm_lk_idf(1000, 0) == 0.0);
	CHECK(nm_lk_idf(0, 5) == 0.0);
	CHECK_NEAR(nm_lk_idf(1000, 1000), log(2.0), 1e-12);
	CHECK(nm_lk_idf(1000, 10) > nm_lk_idf(1000, 100)); /* rarer weighs more */
	CHECK(nm_lk_src_weight(NM_LK_BIO) < nm_lk_src_weight(NM_LK_TAG));
	CHECK(nm_lk_src_weight(NM_LK_CAT) == nm_lk_src_weight(NM_LK_TAG));
}

static void test_bio_words(void)
{
	struct words ws = {0};
	size_t n = nm_lk_bio_words("Vegan COOK, vegan! a  meal_prep #tofu x", collect, &ws);
	CHECK(n == 4); /* "a" and "x" are too short; the second "vegan" is a repeat */
	CHECK_STR(ws.w[0], "vegan");
	CHECK_STR(ws.w[1], "cook");
	CHECK_STR(ws.w[2], "meal_prep");
	CHECK_STR(ws.w[3], "tofu");
	ws.n = 0;
	CHECK(nm_lk_bio_words(NULL, collect, &ws) == 0);
	CHECK(nm_lk_bio_words("", collect, &ws) == 0);
	/* at most 96 distinct words, as the index posts */
	char big[96 * 8 + 64];
	size_t o = 0;
	for (int i = 0; i < 120; i++)
		o += (size_t)snprintf(big + o, sizeof big - o, "w%03d ", i);
	CHECK(nm_lk_bio_words(big, collect, &ws) == 96);
}

static void test_profile(void)
{
	struct nm_lk_profile p = {0};
	nm_lk_profile_add(&p, NM_LK_TAG, "vegan", 5);
	nm_lk_profile_add(&p, NM_LK_TAG, "vegan", 5); /* once per seed */
	nm_lk_profile_add(&p, NM_LK_CAT, "food", 4);
	nm_lk_profile_add_bio(&p, "Vegan cook");
	nm_lk_profile_next_seed(&p);
	nm_lk_profile_add(&p, NM_LK_TAG, "vegan", 5);
	nm_lk_profile_add(&p, NM_LK_TAG, "tofu", 4);
	nm_lk_profile_next_seed(&p);
	CHECK(!p.oom);
	CHECK(p.n_seeds == 2);
	CHECK(p.n == 5); /* cat food, tag tofu, tag vegan, bio vegan, bio cook */
	long v = nm_lk_profile_find(&p, NM_LK_TAG, "vegan", 5);
	CHECK(v >= 0 && p.t[v].seeds == 2);
	long t = nm_lk_profile_find(&p, NM_LK_TAG, "tofu", 4);
	CHECK(t >= 0 && p.t[t].seeds == 1);
	long b = nm_lk_profile_find(&p, NM_LK_BIO, "vegan", 5);
	CHECK(b >= 0 && b != v && p.t[b].seeds == 1); /* a bio word is another term */
	CHECK(nm_lk_profile_find(&p, NM_LK_CAT, "vegan", 5) < 0);
	CHECK(nm_lk_profile_find(&p, NM_LK_TAG, "vega", 4) < 0);
	for (size_t i = 1; i < p.n; i++) /* sorted by (source, text) */
		CHECK(p.t[i - 1].src < p.t[i].src ||
		      (p.t[i - 1].src == p.t[i].src && strcmp(p.t[i - 1].text, p.t[i].text) < 0));
	nm_lk_profile_free(&p);
	CHECK(p.n == 0 && p.t == NULL);
}

static void test_content(void)
{
	/* one seed with terms of weight 2 and 3: the candidate with exactly those is 1 */
	double seed2 = 2 + 3;
	CHECK_NEAR(nm_lk_content(5, seed2, 5, 2, 2, 2.5), 1.0, 1e-12);
	/* nothing shared: 0 */
	CHECK(nm_lk_content(0, seed2, 0, 0, 7, 2.5) == 0.0);
	/* sharing the rarer term beats sharing the commoner one */
	double rare = nm_lk_content(3, seed2, 3, 1, 2, 2.5);
	double common = nm_lk_content(2, seed2, 2, 1, 2, 2.5);
	CHECK(rare > common);
	/* more unshared terms (a hashtag list) lower it */
	CHECK(nm_lk_content(3, seed2, 3, 1, 30, 2.5) < rare);
	/* bounded by 1 and never NaN, even for odd inputs */
	for (int i = 0; i < 1000; i++) {
		double w = 0.1 + (i % 17), a = (double)(i % 5 + 1) / 5;
		unsigned k = (unsigned)(i % 4) + 1, m = k + (unsigned)(i % 9);
		double c = nm_lk_content(w * a * k, w * a * a * (k + 3), w * k, k, m, w);
		CHECK(c >= 0 && c <= 1);
	}
	CHECK(nm_lk_content(1, 0, 1, 1, 1, 1) == 0.0);
}

static void attr(struct nm_lk_attr *a, int tier, double er, const char *cc, const char *lang)
{
	memset(a, 0, sizeof *a);
	a->tier = tier;
	a->er_rel = er;
	if (cc)
		memcpy(a->country, cc, 2);
	if (lang)
		memcpy(a->language, lang, 2);
}

static void test_attributes(void)
{
	struct nm_lk_attr s, c;
	attr(&s, NM_TIER_MICRO, 1.0, "DE", "de");
	attr(&c, NM_TIER_MICRO, 1.0, "DE", "de");
	CHECK_NEAR(nm_lk_attr_score(&s, &c), 1.0 - NM_LK_W_CONTENT, 1e-12);
	CHECK(nm_lk_facts(&s, &c) == (NM_LK_SAME_TIER_COUNTRY | NM_LK_ENGAGEMENT_CLOSE));
	attr(&c, NM_TIER_MID, 1.09, "DE", "de");
	CHECK(nm_lk_tier_close(&s, &c) == 0.5);
	CHECK(nm_lk_facts(&s, &c) == NM_LK_ENGAGEMENT_CLOSE); /* within 10 % */
	attr(&c, NM_TIER_MACRO, 1.11, "US", NULL);
	CHECK(nm_lk_tier_close(&s, &c) == 0.0);
	CHECK(nm_lk_facts(&s, &c) == 0);
	CHECK(nm_lk_code_close(s.country, c.country) == 0.0);
	CHECK(nm_lk_code_close(s.language, c.language) == 0.5); /* unknown */
	CHECK_NEAR(nm_lk_engagement_close(&s, &c), 1.0 / 1.11, 1e-12);
	attr(&c, NM_TIER_MICRO, -1, NULL, NULL);
	CHECK(nm_lk_engagement_close(&s, &c) == 0.5);
	CHECK(nm_lk_facts(&s, &c) == 0); /* unknown country is never "same" */
	attr(&s, NM_TIER_MICRO, -1, NULL, NULL);
	CHECK(nm_lk_facts(&s, &c) == 0);

	/* features: the benchmark makes rates relative; a geotag country is not compared */
	struct nm_score_features f;
	memset(&f, 0, sizeof f);
	f.followers = 20000;
	f.engagement_rate = nm_score_bench_rate(NULL, NM_PLATFORM_INSTAGRAM, NM_TIER_MICRO) * 2;
	f.platform = NM_PLATFORM_INSTAGRAM;
	memcpy(f.country, "FR", 2);
	memcpy(f.language, "fr", 2);
	struct nm_lk_attr a;
	nm_lk_attr_of(&f, NULL, &a);
	CHECK(a.tier == NM_TIER_MICRO);
	CHECK_NEAR(a.er_rel, 2.0, 1e-12);
	CHECK(a.country[0] == 'F' && a.language[0] == 'f');
	f.sample = NM_SCORE_COUNTRY_GEOTAG;
	f.engagement_rate = -1;
	nm_lk_attr_of(&f, NULL, &a);
	CHECK(a.country[0] == 0 && a.er_rel < 0);
}

static void test_similarity(void)
{
	CHECK(nm_lk_similarity(1.0, 1.0 - NM_LK_W_CONTENT) == 1.0);
	CHECK(nm_lk_similarity(0, 0) == 0.0);
	CHECK(nm_lk_similarity(2.0, 1.0) == 1.0); /* clamped */
	CHECK(nm_lk_similarity(-1, 0) == 0.0);
	CHECK(nm_lk_similarity(NAN, 0) == 0.0);
	double s = nm_lk_similarity(0.123456, 0.2);
	CHECK_NEAR(s, 0.2741, 1e-12); /* 0.6 × 0.123456 + 0.2 = 0.2740736 → 4 decimals */
	CHECK(NM_LK_W_CONTENT + NM_LK_W_TIER + NM_LK_W_ENGAGEMENT + NM_LK_W_COUNTRY +
		      NM_LK_W_LANGUAGE ==
	      1.0);
}

int main(void)
{
	test_idf();
	test_bio_words();
	test_profile();
	test_content();
	test_attributes();
	test_similarity();
	CHECK_DONE();
}
