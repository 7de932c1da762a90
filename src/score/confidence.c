/* Data confidence and data-quality flags (see nm/confidence.h, docs/scoring.md). */
#include "nm/confidence.h"

#include <string.h>

static const char *const code_names[NM_CONF_CODE_COUNT] = {
	"stale", "thin_sample", "derived_er", "no_audience_data", "no_price",
};

static const char *const level_names[] = {"high", "medium", "low"};

static unsigned codes_of(const struct nm_confidence_in *in)
{
	unsigned c = 0;
	if (in->age_days < 0 || in->age_days > NM_CONF_STALE_DAYS)
		c |= NM_CONF_STALE;
	if (in->sample_posts >= 0 && in->sample_posts < NM_CONF_THIN_POSTS)
		c |= NM_CONF_THIN_SAMPLE;
	if (in->er_derived)
		c |= NM_CONF_DERIVED_ER;
	if (!in->has_audience)
		c |= NM_CONF_NO_AUDIENCE_DATA;
	if (!in->has_price)
		c |= NM_CONF_NO_PRICE;
	return c;
}

static unsigned popcount(unsigned x)
{
	unsigned n = 0;
	for (; x; x &= x - 1)
		n++;
	return n;
}

void nm_confidence_eval(const struct nm_confidence_in *in, struct nm_confidence *out)
{
	unsigned c = codes_of(in);
	unsigned major = c & (NM_CONF_STALE | NM_CONF_THIN_SAMPLE);
	unsigned minor = c & ~major;
	bool very_stale = in->age_days < 0 || in->age_days > NM_CONF_VERY_STALE_DAYS;
	bool one_post = in->sample_posts >= 0 && in->sample_posts <= 1;
	out->codes = c;
	if (very_stale || one_post || popcount(major) >= 2)
		out->level = NM_CONF_LOW;
	else if (major || popcount(minor) >= 2)
		out->level = NM_CONF_MEDIUM;
	else
		out->level = NM_CONF_HIGH;
}

const char *nm_confidence_level_name(enum nm_conf_level l)
{
	return (unsigned)l <= NM_CONF_LOW ? level_names[l] : "low";
}

bool nm_confidence_level_parse(const char *s, enum nm_conf_level *out)
{
	for (unsigned i = 0; i <= NM_CONF_LOW; i++)
		if (s && strcmp(s, level_names[i]) == 0) {
			*out = (enum nm_conf_level)i;
			return true;
		}
	return false;
}

size_t nm_confidence_code_names(unsigned codes, const char **names, size_t max)
{
	size_t n = 0;
	for (unsigned i = 0; i < NM_CONF_CODE_COUNT && n < max; i++)
		if (codes & (1u << i))
			names[n++] = code_names[i];
	return n;
}

double nm_confidence_shrink(double rate, int64_t n, double bench)
{
	if (n < 0)
		return rate;
	double dn = (double)n;
	return (dn * rate + NM_CONF_SHRINK_K * bench) / (dn + NM_CONF_SHRINK_K);
}

bool nm_engagement_unusually_high(double rate, double bench)
{
	return rate > NM_CONF_UNUSUAL_RATE || (bench > 0 && rate > NM_CONF_UNUSUAL_RATIO * bench);
}

bool nm_mostly_sponsored(int64_t sponsored, int64_t sample_posts)
{
	return sample_posts > 0 && sponsored >= 0 && 2 * sponsored > sample_posts;
}

uint8_t nm_confidence_pack(const struct nm_confidence_in *in)
{
	unsigned sample = in->sample_posts < 0			  ? NM_CONF_PACK_SAMPLE_UNKNOWN
			  : in->sample_posts > NM_CONF_THIN_POSTS ? NM_CONF_THIN_POSTS
								  : (unsigned)in->sample_posts;
	return (uint8_t)(sample | (in->er_derived ? 1u << 3 : 0) |
			 (in->has_audience ? 1u << 4 : 0) | (in->has_price ? 1u << 5 : 0));
}

void nm_confidence_packed_eval(uint8_t packed, int64_t age_days, struct nm_confidence *out)
{
	unsigned sample = packed & 7u;
	struct nm_confidence_in in = {
		.age_days = age_days,
		.sample_posts = sample == NM_CONF_PACK_SAMPLE_UNKNOWN ? -1 : (int64_t)sample,
		.er_derived = packed & (1u << 3),
		.has_audience = packed & (1u << 4),
		.has_price = packed & (1u << 5),
	};
	nm_confidence_eval(&in, out);
}

int64_t nm_confidence_age_days(int64_t as_of_s, int64_t now_s)
{
	if (as_of_s == NM_CONF_AS_OF_UNKNOWN)
		return -1;
	return as_of_s >= now_s ? 0 : (now_s - as_of_s) / 86400;
}
