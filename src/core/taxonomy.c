#include "nm/taxonomy.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static const char *const platform_names[NM_PLATFORM_COUNT] = {
	"instagram", "tiktok",	 "youtube",   "twitter", "facebook",
	"twitch",    "linkedin", "pinterest", "other",
};

static const char *const platform_labels[NM_PLATFORM_COUNT] = {
	"Instagram", "TikTok",	 "YouTube",   "X/Twitter",	 "Facebook",
	"Twitch",    "LinkedIn", "Pinterest", "other platforms",
};

static const char *const tier_names[NM_TIER_COUNT] = {"nano", "micro", "mid", "macro", "mega"};

bool nm_platform_parse(const char *s, enum nm_platform *out)
{
	while (*s == ' ')
		s++;
	size_t n = strlen(s);
	while (n && s[n - 1] == ' ')
		n--;
	if (n == 1 && (s[0] == 'x' || s[0] == 'X')) {
		*out = NM_PLATFORM_TWITTER;
		return true;
	}
	for (int i = 0; i < NM_PLATFORM_COUNT; i++) {
		if (strlen(platform_names[i]) == n && strncasecmp(s, platform_names[i], n) == 0) {
			*out = (enum nm_platform)i;
			return true;
		}
	}
	return false;
}

const char *nm_platform_name(enum nm_platform p)
{
	return (unsigned)p < NM_PLATFORM_COUNT ? platform_names[p] : "other";
}

const char *nm_platform_label(enum nm_platform p)
{
	return (unsigned)p < NM_PLATFORM_COUNT ? platform_labels[p] : "other platforms";
}

static const int64_t tier_floor[NM_TIER_COUNT] = {INT64_MIN, 10000, 100000, 500000, 1000000};

enum nm_tier nm_tier_of(int64_t followers)
{
	int t = NM_TIER_MEGA;
	while (followers < tier_floor[t])
		t--;
	return (enum nm_tier)t;
}

int64_t nm_tier_floor(enum nm_tier t)
{
	return t < NM_TIER_COUNT ? tier_floor[t] : INT64_MAX;
}

const char *nm_tier_name(enum nm_tier t)
{
	return (unsigned)t < NM_TIER_COUNT ? tier_names[t] : "nano";
}

bool nm_tier_parse(const char *s, enum nm_tier *out)
{
	for (int i = 0; i < NM_TIER_COUNT; i++) {
		if (strcasecmp(s, tier_names[i]) == 0) {
			*out = (enum nm_tier)i;
			return true;
		}
	}
	return false;
}
