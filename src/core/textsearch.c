/* Words, stems and queries of creator full-text search (nm/textsearch.h). The SQL
 * fallback of migrations/0030 mirrors every rule here; a change to one is a change to
 * both (tests/api/test_search_text.py compares them). */
#include "nm/textsearch.h"

#include <libstemmer.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c >= 0x80;
}

bool nm_ts_next_word(const char **p, const char **word, size_t *len)
{
	const char *s = *p;
	while (*s && !word_byte((unsigned char)*s))
		s++;
	const char *w = s;
	while (*s && word_byte((unsigned char)*s))
		s++;
	*p = s;
	*word = w;
	*len = (size_t)(s - w);
	return s > w;
}

void nm_ts_fold(char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] + 32);
}

/* ---- stems ---- */

/* ISO 639-1 → Snowball algorithm: the languages of migrations/0020's nm_lang_regconfig,
 * each with a dictionary of the same algorithm in migrations/0030. */
static const struct {
	const char *code, *algorithm;
} langs[] = {
	{"ar", "arabic"},     {"hy", "armenian"},   {"eu", "basque"},	 {"ca", "catalan"},
	{"da", "danish"},     {"nl", "dutch"},	    {"en", "english"},	 {"fi", "finnish"},
	{"fr", "french"},     {"de", "german"},	    {"el", "greek"},	 {"hi", "hindi"},
	{"hu", "hungarian"},  {"id", "indonesian"}, {"ga", "irish"},	 {"it", "italian"},
	{"lt", "lithuanian"}, {"ne", "nepali"},	    {"no", "norwegian"}, {"pt", "portuguese"},
	{"ro", "romanian"},   {"ru", "russian"},    {"sr", "serbian"},	 {"es", "spanish"},
	{"sv", "swedish"},    {"ta", "tamil"},	    {"tr", "turkish"},	 {"yi", "yiddish"},
	{"nb", "norwegian"},  {"nn", "norwegian"},
};
#define N_CODES (sizeof langs / sizeof langs[0])
#define N_ALGOS 28 /* the first 28 entries; the rest reuse one of them */

struct nm_stemmers {
	struct sb_stemmer *st[N_ALGOS];
};

int nm_stem_languages(void)
{
	return N_ALGOS;
}

int nm_stem_language_of(const char *code2)
{
	for (size_t i = 0; i < N_CODES; i++)
		if (strncasecmp(langs[i].code, code2, 2) == 0 && code2[0] && code2[1]) {
			if (i < N_ALGOS)
				return (int)i;
			for (int j = 0; j < N_ALGOS; j++)
				if (strcmp(langs[j].algorithm, langs[i].algorithm) == 0)
					return j;
		}
	return -1;
}

struct nm_stemmers *nm_stemmers_new(void)
{
	return calloc(1, sizeof(struct nm_stemmers)); /* each stemmer made on first use */
}

void nm_stemmers_free(struct nm_stemmers *s)
{
	if (!s)
		return;
	for (int i = 0; i < N_ALGOS; i++)
		if (s->st[i])
			sb_stemmer_delete(s->st[i]);
	free(s);
}

static bool stemmable(const char *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((w[i] >= 'a' && w[i] <= 'z') || (w[i] >= '0' && w[i] <= '9')))
			return false;
	return n > 0;
}

const char *nm_stem(struct nm_stemmers *s, int lang, const char *w, size_t n, size_t *out_n)
{
	*out_n = n;
	if (lang < 0 || lang >= N_ALGOS || !stemmable(w, n))
		return w;
	if (!s->st[lang]) {
		s->st[lang] = sb_stemmer_new(langs[lang].algorithm, "UTF_8");
		if (!s->st[lang])
			return NULL;
	}
	const sb_symbol *r = sb_stemmer_stem(s->st[lang], (const sb_symbol *)w, (int)n);
	if (!r)
		return NULL;
	*out_n = (size_t)sb_stemmer_length(s->st[lang]);
	return (const char *)r;
}

/* ---- queries ---- */

static bool space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* One match of the SQL pattern (-?)"([^"]*)"?|(-?)([^ \t\n\r\f\v"]+) at *p (after
 * whitespace): the token's text [*from, *to), whether negated and quoted. False at the
 * end of q. Like PostgreSQL's regexp_matches, the longest match at the leftmost place:
 * -"x" is a negated phrase, -x a negated word, a lone - a word without letters. */
static bool next_token(const char **p, const char **from, const char **to, bool *neg, bool *quoted)
{
	const char *s = *p;
	while (*s && space(*s))
		s++;
	if (!*s)
		return false;
	*neg = false;
	*quoted = false;
	if (s[0] == '"' || (s[0] == '-' && s[1] == '"')) {
		*neg = s[0] == '-';
		s += *neg ? 2 : 1;
		*quoted = true;
		*from = s;
		while (*s && *s != '"')
			s++;
		*to = s;
		if (*s == '"')
			s++;
	} else {
		if (s[0] == '-' && s[1] && !space(s[1]) && s[1] != '"') {
			*neg = true;
			s++;
		}
		*from = s;
		while (*s && !space(*s) && *s != '"')
			s++;
		*to = s;
	}
	*p = s;
	return true;
}

bool nm_ts_parse(const char *q, struct nm_ts_query *out)
{
	memset(out, 0, sizeof *out);
	size_t len = strlen(q);
	out->buf = malloc(2 * len + 2); /* each word and its NUL */
	if (!out->buf)
		return false;
	const char *p = q, *from, *to;
	bool neg, quoted;
	size_t n_tokens = 0;
	while (next_token(&p, &from, &to, &neg, &quoted))
		n_tokens++;
	char *b = out->buf;
	p = q;
	for (size_t i = 1; i <= NM_TS_TOKENS_MAX && next_token(&p, &from, &to, &neg, &quoted);
	     i++) {
		struct nm_ts_term *t = &out->t[out->n];
		memset(t, 0, sizeof *t);
		/* the token's words, each copied, folded and terminated: a word never runs
		 * past the token's end (a quote, a space or the end of q) */
		const char *w = from, *word;
		size_t wl;
		while (t->n_words < NM_TS_WORDS_MAX && w < to && nm_ts_next_word(&w, &word, &wl) &&
		       word < to) {
			memcpy(b, word, wl);
			nm_ts_fold(b, wl);
			b[wl] = '\0';
			t->words[t->n_words] = b;
			t->len[t->n_words++] = wl;
			b += wl + 1;
		}
		if (!t->n_words)
			continue;
		t->neg = neg;
		t->phrase = quoted && t->n_words > 1;
		t->prefix = i == n_tokens && !quoted && !neg;
		out->any_phrase |= t->phrase;
		out->n++;
	}
	return true;
}

void nm_ts_query_free(struct nm_ts_query *tq)
{
	free(tq->buf);
	tq->buf = NULL;
	tq->n = 0;
}
