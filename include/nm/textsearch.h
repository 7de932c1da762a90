/* Full-text search of creators (`?q=`, docs/api.md §4, docs/architecture.md "Creator
 * search"): the words of a text, their Snowball stems, and the web-search query syntax.
 * The in-memory index (src/match) and the SQL fallback (migrations/0030, nm_search_hit)
 * implement the same definition, so either answers a search with the same creators:
 *
 * - A text's words are the maximal runs of ASCII letters and digits and non-ASCII
 *   characters; ASCII letters are folded to lower case, nothing else is changed.
 * - A word made only of a-z and 0-9 has a stem in each language with a Snowball stemmer
 *   (libstemmer; PostgreSQL's snowball dictionaries without stop words, the same
 *   algorithms); any other word is its own stem.
 * - A creator's terms are the words of its categories, hashtags, bio and caption, and
 *   their stems in the creator's language.
 * - A query word matches a creator when the word or any of its stems (in every language)
 *   is one of the creator's terms; the last word, when it is bare (not quoted, not
 *   negated), also matches any term it begins (type-ahead). A "quoted phrase" matches
 *   where its words match consecutive words of the text; -word and -"phrase" exclude.
 *
 * Pure: no database, no index. */
#ifndef NM_TEXTSEARCH_H
#define NM_TEXTSEARCH_H

#include <stdbool.h>
#include <stddef.h>

#define NM_TS_TOKENS_MAX 16 /* query tokens read (more are ignored) */
#define NM_TS_WORDS_MAX	 16 /* words read from one token */

/* The next word of text at *p (as written, not folded): *word and *len, and *p moves past
 * it. False when text has no more words. */
bool nm_ts_next_word(const char **p, const char **word, size_t *len);

/* Folds ASCII letters of s[0..n) to lower case in place. */
void nm_ts_fold(char *s, size_t n);

/* ---- stems ---- */

/* The Snowball stemmers, one per language; not thread-safe (one set per thread).
 * NULL when out of memory. */
struct nm_stemmers;
struct nm_stemmers *nm_stemmers_new(void);
void nm_stemmers_free(struct nm_stemmers *s);

/* How many languages have a stemmer, and the stemmer index of an ISO 639-1 code (any
 * case), or -1. */
int nm_stem_languages(void);
int nm_stem_language_of(const char *code2);

/* The stem of the folded word w[0..n) in language lang (0 <= lang < nm_stem_languages()):
 * a pointer to *out_n bytes, valid until the next call with s; w itself when the word is
 * not all a-z0-9 or lang is -1. NULL when out of memory. */
const char *nm_stem(struct nm_stemmers *s, int lang, const char *w, size_t n, size_t *out_n);

/* ---- queries ---- */

struct nm_ts_term {
	bool neg;    /* -word, -"phrase" */
	bool phrase; /* "quoted": words on consecutive positions */
	bool prefix; /* the last word also matches as a prefix */
	size_t n_words;
	const char *words[NM_TS_WORDS_MAX]; /* folded, NUL-terminated, in the query's buffer */
	size_t len[NM_TS_WORDS_MAX];
};

struct nm_ts_query {
	size_t n; /* terms with at least one word; 0: q filters nothing */
	struct nm_ts_term t[NM_TS_TOKENS_MAX];
	bool any_phrase;
	char *buf; /* owned */
};

/* Parses q. False when out of memory. Free with nm_ts_query_free. */
bool nm_ts_parse(const char *q, struct nm_ts_query *out);
void nm_ts_query_free(struct nm_ts_query *tq);

#endif
