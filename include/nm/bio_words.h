/* A bio's words: the ones the ranking index posts (src/match/index.c) and lookalikes read
 * back (src/score/lookalike.c). One tokenizer, so that both always see the same words:
 * runs of ASCII letters and digits, '_' and any byte >= 0x80, ASCII lower-cased; words of
 * one byte, and of NM_BIO_WORD_MAX bytes or more, are skipped. Pure, no allocation. */
#ifndef NM_BIO_WORDS_H
#define NM_BIO_WORDS_H

#include <stdbool.h>
#include <stddef.h>

#define NM_BIO_WORDS_MAX 96 /* distinct words of a bio that count */
#define NM_BIO_WORD_MAX	 128

static inline bool nm_bio_word_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c >= 0x80 || c == '_';
}

/* The next word of the text at *p into w[NM_BIO_WORD_MAX] (not NUL-terminated), moving *p
 * past it; its length, or 0 at the end of the text. */
static inline size_t nm_bio_next_word(const char **p, char *w)
{
	const char *s = *p;
	for (;;) {
		while (*s && !nm_bio_word_char((unsigned char)*s))
			s++;
		if (!*s) {
			*p = s;
			return 0;
		}
		size_t n = 0;
		while (*s && nm_bio_word_char((unsigned char)*s)) {
			if (n < NM_BIO_WORD_MAX)
				w[n++] = (*s >= 'A' && *s <= 'Z') ? (char)(*s + 32) : *s;
			s++;
		}
		if (n >= 2 && n < NM_BIO_WORD_MAX) {
			*p = s;
			return n;
		}
	}
}

#endif
