/* Header mapping for CSV/TSV imports (see nm/colmap.h). */
#include "nm/colmap.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Longest normalised header we try to match; longer ones are unknown columns. */
#define KEY_MAX 48

struct alias {
	const char *key;   /* normalised: lower-case ASCII letters and digits only */
	const char *field; /* docs/api.md §4 creator field */
};

/* Every canonical field name matches itself (normalised); the rest are names seen in
 * real exports (Instagram/TikTok/YouTube/Twitter tools, agency sheets, Kaggle sets).
 * Deliberately absent:
 * - "price", "priceperpost", "rate", "fee": the unit is unknown (dollars? cents? which
 *   currency?) and guessing would silently mis-price by 100x; only headers that say
 *   cents map to price_per_post_cents.
 * - "id", "userid": usually the platform's or the tool's own id, not the CRM's.
 * - "location", "city", "geotagcity": free text, not an ISO country. Where posts are
 *   tagged ("geotagcountry") is read, but into content_country, never country.
 * - "firstsampledpostat", "lastpostat" of a sample: the measurement window is not the
 *   account's last post; "lastsampledpostat" is when the numbers were measured
 *   (data_as_of), never last_post_at (docs/api-decisions.md, "Freshness").
 * - "videoposts", "geotaggedposts", "sponsoraccounts": no field uses them (ibid.).
 * - "videoviews", "totalviews", "avgengagement", "authenticengagement": totals or
 *   counts, not the per-post average or the 0-1 rate our fields mean.
 * - "influencer", "creator", "title", "website": ambiguous between name, handle, URL. */
static const struct alias aliases[] = {
	{"platform", "platform"},
	{"network", "platform"},
	{"socialnetwork", "platform"},
	{"socialplatform", "platform"},
	{"socialmedia", "platform"},
	{"platformname", "platform"},

	{"handle", "handle"},
	{"username", "handle"},
	{"user", "handle"},
	{"account", "handle"},
	{"accountusername", "handle"},
	{"accounthandle", "handle"},
	{"screenname", "handle"},
	{"userhandle", "handle"},
	{"login", "handle"},
	{"uniqueid", "handle"},
	{"ighandle", "handle"},
	{"igusername", "handle"},
	{"instagramhandle", "handle"},
	{"instagramusername", "handle"},
	{"instagramaccount", "handle"},
	{"tiktokhandle", "handle"},
	{"tiktokusername", "handle"},
	{"twitterhandle", "handle"},
	{"twitterusername", "handle"},
	{"youtubehandle", "handle"},
	{"influencerhandle", "handle"},
	{"creatorhandle", "handle"},

	{"displayname", "display_name"},
	{"name", "display_name"},
	{"fullname", "display_name"},
	{"realname", "display_name"},
	{"accountname", "display_name"},
	{"profilename", "display_name"},
	{"influencername", "display_name"},
	{"creatorname", "display_name"},
	{"channelname", "display_name"},
	{"channeltitle", "display_name"},
	{"nickname", "display_name"},

	{"profileurl", "profile_url"},
	{"url", "profile_url"},
	{"link", "profile_url"},
	{"profile", "profile_url"},
	{"profilelink", "profile_url"},
	{"profilepage", "profile_url"},
	{"accounturl", "profile_url"},
	{"accountlink", "profile_url"},
	{"channelurl", "profile_url"},
	{"channellink", "profile_url"},
	{"instagramurl", "profile_url"},
	{"instagramlink", "profile_url"},
	{"instagramprofile", "profile_url"},
	{"tiktokurl", "profile_url"},
	{"youtubeurl", "profile_url"},
	{"twitterurl", "profile_url"},
	{"socialurl", "profile_url"},

	{"email", "email"},
	{"emailaddress", "email"},
	{"mail", "email"},
	{"contactemail", "email"},
	{"businessemail", "email"},
	{"publicemail", "email"},

	{"followers", "followers"},
	{"follower", "followers"},
	{"followerscount", "followers"},
	{"followercount", "followers"},
	{"followersnum", "followers"},
	{"numfollowers", "followers"},
	{"nfollowers", "followers"},
	{"numberoffollowers", "followers"},
	{"totalfollowers", "followers"},
	{"followerstotal", "followers"},
	{"followedby", "followers"},
	{"subscribers", "followers"},
	{"subscriberscount", "followers"},
	{"subscribercount", "followers"},
	{"subs", "followers"},
	{"fans", "followers"},
	{"fanscount", "followers"},
	{"fancount", "followers"},
	{"audiencesize", "followers"},

	{"following", "following"},
	{"followingcount", "following"},
	{"followees", "following"},
	{"followee", "following"},
	{"followeescount", "following"},
	{"follows", "following"},
	{"followscount", "following"},
	{"numfollowing", "following"},
	{"numfollowees", "following"},
	{"numberoffollowing", "following"},
	{"friendscount", "following"},

	{"postscount", "posts_count"},
	{"posts", "posts_count"},
	{"postcount", "posts_count"},
	{"numposts", "posts_count"},
	{"numberofposts", "posts_count"},
	{"totalposts", "posts_count"},
	{"mediacount", "posts_count"},
	{"media", "posts_count"},
	{"uploads", "posts_count"},
	{"videocount", "posts_count"},
	{"videoscount", "posts_count"},
	{"tweets", "posts_count"},
	{"tweetscount", "posts_count"},
	{"statusescount", "posts_count"},

	{"avglikes", "avg_likes"},
	{"likes", "avg_likes"},
	{"averagelikes", "avg_likes"},
	{"avglike", "avg_likes"},
	{"likesavg", "avg_likes"},
	{"likesaverage", "avg_likes"},
	{"meanlikes", "avg_likes"},
	{"avglikesperpost", "avg_likes"},
	{"likesperpost", "avg_likes"},
	{"likespost", "avg_likes"},
	{"avgpostlikes", "avg_likes"},

	{"avgcomments", "avg_comments"},
	{"comments", "avg_comments"},
	{"averagecomments", "avg_comments"},
	{"avgcomment", "avg_comments"},
	{"commentsavg", "avg_comments"},
	{"commentsaverage", "avg_comments"},
	{"meancomments", "avg_comments"},
	{"avgcommentsperpost", "avg_comments"},
	{"commentsperpost", "avg_comments"},
	{"commentspost", "avg_comments"},
	{"avgpostcomments", "avg_comments"},

	{"avgshares", "avg_shares"},
	{"shares", "avg_shares"},
	{"averageshares", "avg_shares"},
	{"sharesavg", "avg_shares"},
	{"meanshares", "avg_shares"},
	{"avgsharesperpost", "avg_shares"},
	{"sharesperpost", "avg_shares"},
	{"sharespost", "avg_shares"},

	{"avgviews", "avg_views"},
	{"views", "avg_views"},
	{"averageviews", "avg_views"},
	{"viewsavg", "avg_views"},
	{"meanviews", "avg_views"},
	{"avgviewsperpost", "avg_views"},
	{"viewsperpost", "avg_views"},
	{"viewspost", "avg_views"},
	{"avgvideoviews", "avg_views"},
	{"avgplays", "avg_views"},

	{"engagementrate", "engagement_rate"},
	{"er", "engagement_rate"},
	{"engagement", "engagement_rate"},
	{"engrate", "engagement_rate"},
	{"engagementratio", "engagement_rate"},
	{"avgengagementrate", "engagement_rate"},
	{"averageengagementrate", "engagement_rate"},

	{"categories", "categories"},
	{"category", "categories"},
	{"niche", "categories"},
	{"niches", "categories"},
	{"topic", "categories"},
	{"topics", "categories"},
	{"vertical", "categories"},
	{"verticals", "categories"},
	{"genre", "categories"},
	{"genres", "categories"},
	{"contentcategory", "categories"},
	{"contentcategories", "categories"},

	{"hashtags", "hashtags"},
	{"hashtag", "hashtags"},
	{"tags", "hashtags"},
	{"tag", "hashtags"},
	{"tophashtags", "hashtags"},
	{"toptags", "hashtags"},
	{"commonhashtags", "hashtags"},

	{"bio", "bio"},
	{"biography", "bio"},
	{"description", "bio"},
	{"about", "bio"},
	{"aboutme", "bio"},
	{"profilebio", "bio"},
	{"profiledescription", "bio"},
	{"channeldescription", "bio"},

	{"country", "country"},
	{"countrycode", "country"},
	{"countryiso", "country"},
	{"homecountry", "country"},
	{"creatorcountry", "country"},

	{"language", "language"},
	{"lang", "language"},
	{"languagecode", "language"},
	{"primarylanguage", "language"},
	{"contentlanguage", "language"},

	{"audiencecountries", "audience_countries"},

	{"audiencefemaleshare", "audience_female_share"},
	{"audiencefemale", "audience_female_share"},
	{"femaleaudience", "audience_female_share"},
	{"femaleaudienceshare", "audience_female_share"},
	{"femaleshare", "audience_female_share"},

	{"priceperpostcents", "price_per_post_cents"},
	{"pricepostcents", "price_per_post_cents"},
	{"pricecents", "price_per_post_cents"},
	{"postpricecents", "price_per_post_cents"},
	{"ratecents", "price_per_post_cents"},

	{"followergrowth30d", "follower_growth_30d"},
	{"followersgrowth30d", "follower_growth_30d"},
	{"followergrowth30days", "follower_growth_30d"},
	{"followersgrowth30days", "follower_growth_30d"},
	{"growth30d", "follower_growth_30d"},
	{"30dgrowth", "follower_growth_30d"},
	{"30daygrowth", "follower_growth_30d"},
	{"30dfollowergrowth", "follower_growth_30d"},

	{"lastpostat", "last_post_at"},
	{"lastpost", "last_post_at"},
	{"lastposted", "last_post_at"},
	{"lastpostedat", "last_post_at"},
	{"lastpostdate", "last_post_at"},
	{"lastposttime", "last_post_at"},

	{"dataasof", "data_as_of"},
	{"asof", "data_as_of"},
	{"asofdate", "data_as_of"},
	{"scrapedat", "data_as_of"},
	{"scrapedate", "data_as_of"},
	{"scraped", "data_as_of"},
	{"collectedat", "data_as_of"},
	{"collectiondate", "data_as_of"},
	{"measuredat", "data_as_of"},
	{"snapshotdate", "data_as_of"},
	{"date", "data_as_of"},
	{"lastsampledpostat", "data_as_of"},

	{"sampleposts", "sample_posts"},
	{"sampledposts", "sample_posts"},
	{"postsanalyzed", "sample_posts"},
	{"postsanalysed", "sample_posts"},
	{"samplesize", "sample_posts"},
	{"postssampled", "sample_posts"},

	{"sponsoredposts", "sponsored_posts"},
	{"paidposts", "sponsored_posts"},
	{"paidpartnershipposts", "sponsored_posts"},
	{"adposts", "sponsored_posts"},

	{"verified", "verified"},
	{"isverified", "verified"},
	{"verifiedaccount", "verified"},

	{"contentcountry", "content_country"},
	{"geotagcountry", "content_country"},
	{"postcountry", "content_country"},
	{"taggedcountry", "content_country"},

	{"caption", "caption"},
	{"samplecaption", "caption"},
	{"recentcaption", "caption"},
	{"lastcaption", "caption"},
	{"latestcaption", "caption"},

	{"externalid", "external_id"},
	{"extid", "external_id"},
	{"crmid", "external_id"},
	{"recordid", "external_id"},
	{"hubspotid", "external_id"},
	{"salesforceid", "external_id"},
};

/* Lower-cases ASCII letters, keeps digits and non-ASCII bytes, and drops the rest:
 * spaces, '#', '_', '-' as docs/api.md §4 says, and also '.', '(', '%', '/' ... so that
 * "Avg. Likes", "E-mail" and "ER (%)" match. A BOM and no-break spaces are dropped too
 * (Excel puts them in headers). Returns false when the key does not fit. */
static bool normalise(const char *s, size_t len, char *key, size_t *klen)
{
	size_t k = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == 0xEF && i + 2 < len && (unsigned char)s[i + 1] == 0xBB &&
		    (unsigned char)s[i + 2] == 0xBF) {
			i += 2;
			continue;
		}
		if (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] == 0xA0) {
			i++;
			continue;
		}
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		else if (c < 0x80 && !(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9'))
			continue;
		if (k == KEY_MAX)
			return false;
		key[k++] = (char)c;
	}
	key[k] = '\0';
	*klen = k;
	return true;
}

const char *nm_colmap_field(const char *header, size_t len)
{
	char key[KEY_MAX + 1];
	size_t klen;
	if (!header || !normalise(header, len, key, &klen) || klen == 0)
		return NULL;
	for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
		if (strcmp(aliases[i].key, key) == 0)
			return aliases[i].field;
	return NULL;
}

/* ---- rows ------------------------------------------------------------------------ */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Windows-1252 for 0x80-0x9F (Excel's "CSV" on Windows); 0 marks undefined bytes,
 * which become U+FFFD. 0xA0-0xFF are Latin-1, the same code point. */
static const unsigned short cp1252[32] = {
	0x20AC, 0,	0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
	0x2039, 0x0152, 0,	0x017D, 0,	0,	0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
	0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,	0x017E, 0x0178,
};

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when it is not one. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t k;
	unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		k = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		k = 3;
		if (c == 0xE0)
			lo = 0xA0; /* overlong */
		else if (c == 0xED)
			hi = 0x9F; /* surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		k = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F; /* > U+10FFFF */
	} else
		return 0;
	if (n < k || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < k; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return k;
}

static size_t put_utf8(char *out, unsigned cp)
{
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	out[0] = (char)(0xE0 | (cp >> 12));
	out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[2] = (char)(0x80 | (cp & 0x3F));
	return 3;
}

/* A cell that is not valid UTF-8 most likely comes from a Windows-1252/Latin-1 export:
 * keep the valid sequences and read each offending byte as Windows-1252, rather than
 * dropping the value. */
static json_t *string_from_legacy(const char *s, size_t len)
{
	char *out = malloc(len * 3 + 1);
	if (!out)
		return NULL;
	const unsigned char *u = (const unsigned char *)s;
	size_t o = 0;
	for (size_t i = 0; i < len;) {
		size_t k = utf8_seq(u + i, len - i);
		if (k) {
			memcpy(out + o, s + i, k);
			o += k;
			i += k;
			continue;
		}
		unsigned c = u[i++];
		unsigned cp = c >= 0xA0 ? c : cp1252[c - 0x80];
		o += put_utf8(out + o, cp ? cp : 0xFFFD);
	}
	json_t *v = json_stringn(out, o);
	free(out);
	return v;
}

json_t *nm_colmap_row(const char *const *fields, size_t n_fields, size_t n,
		      const char *const *cells, const size_t *lens)
{
	json_t *row = json_object();
	if (!row)
		return NULL;
	size_t k = n < n_fields ? n : n_fields;
	for (size_t i = 0; i < k; i++) {
		if (!fields[i])
			continue;
		const char *s = cells[i];
		size_t len = lens[i];
		while (len && is_blank(*s)) {
			s++;
			len--;
		}
		while (len && is_blank(s[len - 1]))
			len--;
		/* Two columns for one field ("Followers", "#Followers"): the first
		 * non-empty cell wins. */
		if (!len || json_object_get(row, fields[i]))
			continue;
		json_t *v = json_stringn(s, len);
		if (!v)
			v = string_from_legacy(s, len);
		if (!v || json_object_set_new(row, fields[i], v)) {
			json_decref(row);
			return NULL;
		}
	}
	return row;
}
