/* Helpers shared by the brand and creator models (private to src/model). */
#ifndef NM_MODEL_FIELD_H
#define NM_MODEL_FIELD_H

#include <stdbool.h>
#include <stddef.h>

/* Longest term (niche, keyword, category, hashtag), in code points. */
#define NM_TERM_CHARS_MAX 100
/* Most terms any list may hold (keywords and hashtags allow 50). */
#define NM_TERMS_CAP 64

/* Number of UTF-8 code points in s[0..n) (jansson guarantees valid UTF-8). */
size_t nm_utf8_chars(const char *s, size_t n);

/* Bounds of s[0..n) without surrounding ASCII whitespace. */
void nm_trim(const char **s, size_t *n);

/* A de-duplicated, normalised term list under construction. items are malloc'd and
 * owned by the list until moved out; nm_terms_free releases what is still there. */
struct nm_terms {
	char *items[NM_TERMS_CAP];
	size_t n;
};

enum nm_term_res {
	NM_TERM_ADDED,
	NM_TERM_DUP,	  /* equal to an earlier term after normalisation: dropped */
	NM_TERM_EMPTY,	  /* nothing left after normalisation */
	NM_TERM_TOO_LONG, /* more than NM_TERM_CHARS_MAX code points */
	NM_TERM_SPACE,	  /* contains whitespace where none is allowed (hashtags) */
	NM_TERM_TOO_MANY, /* a new distinct term beyond max_items */
};

/* Normalises raw[0..len) with nm_term_normalize and appends it unless it is a duplicate.
 * hashtag: strip leading '#' and refuse inner spaces. */
enum nm_term_res nm_terms_add(struct nm_terms *t, const char *raw, size_t len, bool hashtag,
			      size_t max_items);
void nm_terms_free(struct nm_terms *t);

/* Message for a term result other than ADDED/DUP (static storage). */
const char *nm_term_message(enum nm_term_res r);

#endif
