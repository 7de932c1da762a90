/* Shared vocabularies of docs/api.md §3–§5: platforms, tiers, ISO codes, list
 * normalisation. Pure C (no jansson, MHD or libpq). */
#ifndef NM_TAXONOMY_H
#define NM_TAXONOMY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum nm_platform {
	NM_PLATFORM_INSTAGRAM,
	NM_PLATFORM_TIKTOK,
	NM_PLATFORM_YOUTUBE,
	NM_PLATFORM_TWITTER,
	NM_PLATFORM_FACEBOOK,
	NM_PLATFORM_TWITCH,
	NM_PLATFORM_LINKEDIN,
	NM_PLATFORM_PINTEREST,
	NM_PLATFORM_OTHER,
	NM_PLATFORM_COUNT
};

/* Case-insensitive, trims spaces; accepts the alias "x" for twitter.
 * Returns false for anything else. */
bool nm_platform_parse(const char *s, enum nm_platform *out);
/* Canonical lower-case name ("instagram"); static storage. */
const char *nm_platform_name(enum nm_platform p);
/* Display name for sentences ("Instagram", "TikTok", "X/Twitter"); static storage. */
const char *nm_platform_label(enum nm_platform p);

/* docs/api.md §5 rule 4: nano < 10k <= micro < 100k <= mid < 500k <= macro < 1M <= mega. */
enum nm_tier {
	NM_TIER_NANO,
	NM_TIER_MICRO,
	NM_TIER_MID,
	NM_TIER_MACRO,
	NM_TIER_MEGA,
	NM_TIER_COUNT
};
enum nm_tier nm_tier_of(int64_t followers);
/* The fewest followers of tier t (INT64_MIN for nano): nm_tier_of(n) == t exactly when
 * nm_tier_floor(t) <= n < nm_tier_floor(t + 1), the last tier without an upper bound. */
int64_t nm_tier_floor(enum nm_tier t);
const char *nm_tier_name(enum nm_tier t); /* "nano", "micro", ... static storage */
bool nm_tier_parse(const char *s, enum nm_tier *out);

/* ISO 3166-1 alpha-2 (officially assigned codes) and ISO 639-1, exact two letters,
 * case-insensitive. The canonical forms are upper-case countries, lower-case languages.
 * out receives 3 bytes (two letters + NUL) when non-NULL. */
bool nm_country_valid(const char *s, char out[3]);
bool nm_language_valid(const char *s, char out[3]);

/* Normalises a niche/category/keyword/hashtag term in place: trims ASCII space,
 * lower-cases ASCII (UTF-8 bytes >= 0x80 kept as they are), collapses inner runs of
 * whitespace to one space; when strip_hash, drops leading '#'. Returns the new length
 * (0 means the term is empty and must be rejected or skipped). */
size_t nm_term_normalize(char *s, bool strip_hash);

#endif
