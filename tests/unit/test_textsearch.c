/* Words, stems and the query syntax of creator full-text search (nm/textsearch.h); the
 * SQL side of the same rules is compared with the server in tests/api/test_search_text.py. */
#include "check.h"
#include "nm/textsearch.h"

#include <stdlib.h>
#include <string.h>

static size_t words(const char *text, char out[][32], size_t max)
{
	const char *p = text, *w;
	size_t n = 0, len;
	while (n < max && nm_ts_next_word(&p, &w, &len)) {
		memcpy(out[n], w, len);
		nm_ts_fold(out[n], len);
		out[n++][len] = '\0';
	}
	return n;
}

static const char *stem(struct nm_stemmers *st, const char *lang, const char *w)
{
	static char buf[64];
	size_t n;
	const char *s = nm_stem(st, nm_stem_language_of(lang), w, strlen(w), &n);
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

int main(void)
{
	char w[16][32];
	CHECK(words("Hello, Wörld!foo_bar #Tag e-mail 12.5", w, 16) == 9);
	CHECK_STR(w[0], "hello");
	CHECK_STR(w[1], "wörld"); /* non-ASCII is part of a word, not folded */
	CHECK_STR(w[2], "foo");
	CHECK_STR(w[3], "bar");
	CHECK_STR(w[4], "tag");
	CHECK_STR(w[5], "e");
	CHECK_STR(w[7], "12");
	CHECK_STR(w[8], "5");
	CHECK(words("  -- \"'", w, 16) == 0);
	CHECK(words("ÜBER", w, 16) == 1);
	CHECK_STR(w[0], "Über"); /* only ASCII folds: "Ü" stays */

	struct nm_stemmers *st = nm_stemmers_new();
	CHECK(st != NULL);
	CHECK_STR(stem(st, "en", "running"), "run");
	CHECK_STR(stem(st, "EN", "having"), "have"); /* no stop words */
	CHECK_STR(stem(st, "de", "laufen"), "lauf");
	char nb[64];
	strcpy(nb, stem(st, "nb", "springer"));
	CHECK_STR(nb, stem(st, "no", "springer"));
	CHECK_STR(stem(st, "fr", "mangé"), "mangé");	 /* not a-z0-9: its own stem */
	CHECK_STR(stem(st, "ja", "running"), "running"); /* no stemmer */
	CHECK_STR(stem(st, "", "running"), "running");
	CHECK(nm_stem_language_of("xx") == -1);
	CHECK(nm_stem_languages() == 28);
	nm_stemmers_free(st);

	struct nm_ts_query q;
	CHECK(nm_ts_parse("Vegan \"Meal  prep\" -keto -\"low carb\" fitn", &q));
	CHECK(q.n == 5);
	CHECK(q.any_phrase);
	CHECK_STR(q.t[0].words[0], "vegan");
	CHECK(!q.t[0].neg && !q.t[0].phrase && !q.t[0].prefix);
	CHECK(q.t[1].phrase && q.t[1].n_words == 2 && !q.t[1].prefix);
	CHECK_STR(q.t[1].words[1], "prep");
	CHECK(q.t[2].neg && !q.t[2].phrase);
	CHECK(q.t[3].neg && q.t[3].phrase);
	CHECK(q.t[4].prefix);
	nm_ts_query_free(&q);

	/* the last token is the prefix, even when it has no word */
	CHECK(nm_ts_parse("runn -", &q));
	CHECK(q.n == 1 && !q.t[0].prefix && !q.t[0].neg);
	nm_ts_query_free(&q);
	CHECK(nm_ts_parse("--run", &q)); /* negated, the word is "run" */
	CHECK(q.n == 1 && q.t[0].neg && q.t[0].n_words == 1);
	CHECK_STR(q.t[0].words[0], "run");
	nm_ts_query_free(&q);
	CHECK(nm_ts_parse("a-b", &q)); /* one token, two words, the last a prefix */
	CHECK(q.n == 1 && q.t[0].n_words == 2 && q.t[0].prefix);
	nm_ts_query_free(&q);
	CHECK(nm_ts_parse("\"one\"", &q)); /* a one-word phrase is a word, no prefix */
	CHECK(q.n == 1 && !q.t[0].phrase && !q.t[0].prefix && !q.any_phrase);
	nm_ts_query_free(&q);
	CHECK(nm_ts_parse("abc\"def", &q)); /* a quote ends a token and opens a phrase */
	CHECK(q.n == 2 && q.t[1].n_words == 1);
	CHECK_STR(q.t[1].words[0], "def");
	nm_ts_query_free(&q);
	CHECK(nm_ts_parse("!! & | ' \"\" -\"", &q));
	CHECK(q.n == 0);
	nm_ts_query_free(&q);
	/* at most 16 tokens and 16 words each; the 17th token would have been the prefix */
	char many[400] = "";
	for (int i = 0; i < 20; i++)
		strcat(many, "w ");
	strcat(many, "x-x-x-x-x-x-x-x-x-x-x-x-x-x-x-x-x-x-x-x");
	CHECK(nm_ts_parse(many, &q));
	CHECK(q.n == 16);
	for (size_t i = 0; i < q.n; i++)
		CHECK(!q.t[i].prefix);
	nm_ts_query_free(&q);
	CHECK(nm_ts_parse("y x-x-x-x-x-x-x-x-x-x-x-x-x-x-x-x-x-x-x-x", &q));
	CHECK(q.n == 2 && q.t[1].n_words == 16 && q.t[1].prefix);
	nm_ts_query_free(&q);
	CHECK_DONE();
}
