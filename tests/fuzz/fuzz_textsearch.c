/* libFuzzer: the `q` parser and the word splitter of creator search (nm/textsearch.h).
 * Every word the parser returns must be non-empty, made of word bytes, ASCII-folded and
 * NUL-terminated inside the query's own buffer; at most NM_TS_TOKENS_MAX terms of at most
 * NM_TS_WORDS_MAX words; a prefix only on the last term, never on a negated or quoted one.
 * The input (cut at its first NUL, as a query string would be) is copied to an exact-size
 * heap block so ASan sees any read beyond it; each word is also stemmed in one language. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nm/textsearch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct nm_stemmers *st;

static int word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!st && !(st = nm_stemmers_new()))
		abort();
	size_t len = strnlen((const char *)data, size);
	char *q = malloc(len + 1);
	if (!q)
		abort();
	memcpy(q, data, len);
	q[len] = '\0';
	struct nm_ts_query tq;
	if (!nm_ts_parse(q, &tq))
		abort();
	if (tq.n > NM_TS_TOKENS_MAX)
		abort();
	int lang = len ? (int)((unsigned char)q[0] % (unsigned)nm_stem_languages()) : -1;
	for (size_t i = 0; i < tq.n; i++) {
		const struct nm_ts_term *t = &tq.t[i];
		if (!t->n_words || t->n_words > NM_TS_WORDS_MAX)
			abort();
		if (t->prefix && (t->neg || t->phrase || i + 1 != tq.n))
			abort();
		for (size_t j = 0; j < t->n_words; j++) {
			if (!t->len[j] || strlen(t->words[j]) != t->len[j])
				abort();
			for (size_t k = 0; k < t->len[j]; k++)
				if (!word_byte((unsigned char)t->words[j][k]))
					abort();
			size_t n;
			if (!nm_stem(st, lang, t->words[j], t->len[j], &n))
				abort();
		}
	}
	nm_ts_query_free(&tq);
	free(q);
	return 0;
}
