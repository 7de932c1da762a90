/* `nichematch demo-data`: writes N plausible creators (docs/api.md §4) to stdout as NDJSON or CSV,
 * for demos and for the import and ranking benchmarks (docs/performance.md).
 *
 * The distributions follow PERFORMANCE.md and MARKET.md: followers log-normal (median ~20k,
 * so about half the accounts are micro), engagement that tapers with size and is higher on
 * TikTok, prices near $10 per 1k followers, and ~3% suspicious accounts of the three kinds
 * the ranking's authenticity component looks for.
 *
 * Output is a pure function of (N, --seed, --as-of, options): one xoshiro256** stream, no
 * rand(), no locale, no wall clock except as the default --as-of day. Numbers and strings
 * are formatted by hand into one large buffer because printf and stdio per field would cost
 * more than generating the row (1M rows must take seconds). */
#include "nm/demo.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define OUT_CAP (4u << 20)
/* No row comes near this; flushing at row boundaries keeps the writers free of checks. */
#define ROW_MAX	      (16u << 10)
#define DAY_S	      86400LL
#define MAX_CATS      3
#define MAX_TAGS      10
#define MAX_AUD	      4
#define FOLLOWERS_MIN 1000.0
#define FOLLOWERS_MAX 5000000.0
/* Keeps the handle arithmetic below within 64 bits (row x multiplier < 1e8 x 1e9). */
#define MAX_CREATORS 100000000ULL
#define COUNT(a)     (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ random numbers */

struct rng {
	uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256** (Blackman and Vigna): fast, and its output does not depend on the libc. */
static uint64_t next_u64(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* Uniform in [0, 1) with 53 bits. */
static double uniform(struct rng *r)
{
	return (double)(next_u64(r) >> 11) * 0x1.0p-53;
}

static double uniform_in(struct rng *r, double lo, double hi)
{
	return lo + (hi - lo) * uniform(r);
}

/* Uniform in [0, n); the modulo bias is below 2^-40 for the small n used here. */
static unsigned below(struct rng *r, unsigned n)
{
	return (unsigned)(next_u64(r) % n);
}

static bool chance(struct rng *r, double p)
{
	return uniform(r) < p;
}

/* Box-Muller; one value per call keeps the stream simple (speed is not an issue here). */
static double normal(struct rng *r)
{
	double u = 1.0 - uniform(r); /* (0, 1]: log(0) is not an option */
	return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * uniform(r));
}

static unsigned pick_weighted(struct rng *r, const unsigned *w, size_t n)
{
	unsigned total = 0;
	for (size_t i = 0; i < n; i++)
		total += w[i];
	unsigned x = below(r, total);
	for (size_t i = 0; i < n; i++) {
		if (x < w[i])
			return (unsigned)i;
		x -= w[i];
	}
	return (unsigned)(n - 1);
}

/* ------------------------------------------------------------------ vocabulary */

struct niche {
	const char *name;
	const char *handle_words[3];
	const char *tags[10];
	const char *phrases[4];
	double female_share; /* typical audience share, MARKET.md audience notes */
};

/* Some phrases carry commas, quotes, '&' and non-ASCII on purpose: importers must meet
 * them in real exports, so the benchmark data should exercise the escaping paths. */
static const struct niche niches[] = {
	{"fitness",
	 {"fit", "lifts", "strong"},
	 {"fitness", "workout", "gym", "fitfam", "strengthtraining", "homeworkout", "hiit",
	  "personaltrainer", "gains", "fitnessmotivation"},
	 {"Certified personal trainer", "Home workouts for busy people",
	  "Strength, mobility & \"no excuses\" coaching", "Lifting heavy things since 2015"},
	 0.55},
	{"food",
	 {"eats", "kitchen", "cooks"},
	 {"food", "foodie", "recipes", "homecooking", "foodporn", "easyrecipes", "baking",
	  "mealprep", "instafood", "vegan"},
	 {"Easy weeknight recipes", "Home cook sharing family recipes",
	  "Baking, bread & the occasional disaster", "Plant-based recipes under 30 minutes"},
	 0.68},
	{"travel",
	 {"travels", "wanders", "abroad"},
	 {"travel", "wanderlust", "travelgram", "backpacking", "solotravel", "roadtrip",
	  "travelphotography", "digitalnomad", "vanlife", "explore"},
	 {"Slow travel on a budget", "42 countries and counting",
	  "Hidden gems, local food, long walks", "Full-time digital nomad"},
	 0.58},
	{"beauty",
	 {"glow", "beauty", "makeup"},
	 {"beauty", "makeup", "skincare", "makeuptutorial", "skincareroutine", "glowup",
	  "cleanbeauty", "nails", "mua", "beautytips"},
	 {"Licensed esthetician", "Skincare for sensitive skin", "Makeup tutorials, honest reviews",
	  "Drugstore beauty, \"dupes\" & routines"},
	 0.86},
	{"fashion",
	 {"style", "wears", "closet"},
	 {"fashion", "ootd", "style", "streetstyle", "thrifted", "sustainablefashion",
	  "outfitinspo", "fashionblogger", "vintage", "capsulewardrobe"},
	 {"Everyday outfits, mostly thrifted", "Capsule wardrobe & slow fashion",
	  "Style tips for real bodies", "Vintage finds from Paris to São Paulo"},
	 0.76},
	{"pet",
	 {"paws", "pups", "meow"},
	 {"dogsofinstagram", "catsofinstagram", "pets", "dog", "cat", "puppy", "rescuedog",
	  "petcare", "doglover", "adoptdontshop"},
	 {"Two rescue dogs and a very opinionated cat", "Dog training tips",
	  "Pet care, treats & adventures", "Foster mom to 60+ kittens"},
	 0.70},
	{"gaming",
	 {"plays", "gg", "gamer"},
	 {"gaming", "gamer", "twitchstreamer", "videogames", "pcgaming", "esports", "nintendo",
	  "playstation", "indiegames", "retrogaming"},
	 {"Variety streamer", "Speedruns, indies & cozy games", "Competitive FPS player",
	  "Retro games and honest reviews"},
	 0.28},
	{"tech",
	 {"tech", "codes", "gadgets"},
	 {"tech", "technology", "gadgets", "coding", "programming", "smartphone", "ai", "setup",
	  "developer", "techreview"},
	 {"Gadget reviews without the hype", "Software engineer explaining tech",
	  "Desk setups, keyboards & productivity", "Learn to code with me"},
	 0.30},
	{"parenting",
	 {"mama", "family", "dad"},
	 {"parenting", "momlife", "dadlife", "toddler", "motherhood", "familytime", "newborn",
	  "parentingtips", "kidsactivities", "homeschool"},
	 {"Mom of three, surviving", "Real-life parenting, no filters",
	  "Toddler activities & gentle parenting", "Dad jokes, dad life"},
	 0.82},
	{"finance",
	 {"money", "invests", "budget"},
	 {"personalfinance", "investing", "money", "budgeting", "financialfreedom", "stocks",
	  "savings", "fire", "debtfree", "realestate"},
	 {"Paid off $48k of debt, now teaching it", "Index funds & boring investing",
	  "Budgeting for real life", "Not financial advice"},
	 0.38},
	{"music",
	 {"music", "beats", "sings"},
	 {"music", "musician", "singer", "guitar", "producer", "newmusic", "cover", "songwriter",
	  "piano", "livemusic"},
	 {"Singer-songwriter", "Beats, covers & studio sessions", "Guitar lessons for beginners",
	  "New single out now"},
	 0.55},
	{"art",
	 {"art", "draws", "paints"},
	 {"art", "artist", "drawing", "painting", "illustration", "sketchbook", "digitalart",
	  "watercolor", "artwork", "procreate"},
	 {"Illustrator & muralist", "Watercolor tutorials", "Daily sketches, commissions open",
	  "Digital art & process videos"},
	 0.62},
	{"photography",
	 {"shoots", "lens", "frames"},
	 {"photography", "photographer", "portrait", "landscapephotography", "streetphotography",
	  "filmphotography", "nikon", "canon", "sonyalpha", "lightroom"},
	 {"Portrait & wedding photographer", "Shooting film in a digital world",
	  "Landscape photography & editing tips", "Street photography, mostly at dawn"},
	 0.45},
	{"sports",
	 {"sports", "ball", "runs"},
	 {"sports", "football", "basketball", "soccer", "running", "marathon", "cycling", "tennis",
	  "athlete", "training"},
	 {"Former college athlete", "Marathon runner & coach", "Football highlights & analysis",
	  "Weekend cyclist, weekday nerd"},
	 0.30},
	{"home",
	 {"home", "nest", "decor"},
	 {"homedecor", "interiordesign", "home", "homeinspo", "organization", "minimalism",
	  "cleaningtips", "plants", "cozyhome", "renovation"},
	 {"Small-space living", "Cozy home, slow living", "Renovating a 1920s house",
	  "Cleaning & organizing tips"},
	 0.78},
	{"diy",
	 {"makes", "diy", "crafts"},
	 {"diy", "crafts", "woodworking", "handmade", "upcycling", "maker", "sewing",
	  "homeprojects", "crochet", "tutorial"},
	 {"Woodworker & maker", "Upcycling thrift finds", "Crochet patterns & tutorials",
	  "DIY projects on a budget"},
	 0.64},
	{"wellness",
	 {"calm", "wellness", "mindful"},
	 {"wellness", "selfcare", "mentalhealth", "yoga", "meditation", "mindfulness",
	  "healthylifestyle", "nutrition", "sleep", "holistichealth"},
	 {"Yoga teacher (RYT-500)", "Mindfulness, sleep & slow mornings", "Registered dietitian",
	  "Mental health advocate"},
	 0.80},
	{"outdoors",
	 {"trails", "peaks", "wild"},
	 {"hiking", "outdoors", "camping", "nature", "mountains", "climbing", "backpacking",
	  "trailrunning", "adventure", "optoutside"},
	 {"Hiker, climber, coffee snob", "Ultralight backpacking & gear reviews",
	  "Trail running in the Alps", "Camping with kids, somehow"},
	 0.45},
	{"books",
	 {"reads", "books", "pages"},
	 {"books", "bookstagram", "booktok", "reading", "bookworm", "bookreview", "fantasybooks",
	  "romancebooks", "booklover", "tbr"},
	 {"100 books a year", "Fantasy & romance reviews", "Book club host",
	  "Reading slump survivor"},
	 0.79},
	{"cars",
	 {"cars", "drives", "garage"},
	 {"cars", "carsofinstagram", "jdm", "carphotography", "supercars", "classiccars",
	  "carreview", "ev", "detailing", "motorsport"},
	 {"Car reviews & road trips", "Restoring a '72 Beetle", "EV owner, honest opinions",
	  "Detailing tips & before/afters"},
	 0.15},
};

static const char *const first_names[] = {
	"emma",	 "liam",  "olivia", "noah",  "ava",  "lucas", "mia",   "leo",	  "sofia", "mateo",
	"chloe", "arjun", "priya",  "yuki",  "hana", "lea",   "jonas", "camille", "hugo",  "ana",
	"julia", "pedro", "marie",  "felix", "zoe",  "omar",  "aisha", "kai",	  "nina",  "ines",
	"sam",	 "alex",  "maya",   "ethan", "isla", "theo",  "lina",  "raj",	  "sara",  "ben"};

/* Display names; a few non-ASCII letters on purpose (JSON and CSV escaping, UTF-8). */
static const char *const last_names[] = {
	"Smith",  "Johnson",  "García", "Müller", "Martin", "Silva", "Sharma",	"Tanaka", "Rossi",
	"Dubois", "Kowalski", "Nguyen", "Okafor", "Jensen", "López", "Schmidt", "Patel",  "O'Brien",
	"Costa",  "Yılmaz",   "Björk",	"Santos", "Kim",    "Novak", "Haddad"};

static const char *const bio_tails[] = {"DM for collabs",
					"Collabs: link below",
					"New videos every week",
					"Opinions are my own",
					"✨ Living the dream, one post at a time",
					"Sponsored posts are marked #ad",
					"📍 on the road",
					"Say hi 👋"};

enum platform { P_INSTAGRAM, P_TIKTOK, P_YOUTUBE, P_TWITTER, P_TWITCH, P_PINTEREST, P_COUNT };

static const char *const platform_names[P_COUNT] = {"instagram", "tiktok", "youtube",
						    "twitter",	 "twitch", "pinterest"};
static const unsigned platform_weights[P_COUNT] = {52, 27, 15, 3, 2, 1};
/* Profile URL around the handle, per platform. */
static const char *const url_prefix[P_COUNT] = {
	"https://www.instagram.com/", "https://www.tiktok.com/@",
	"https://www.youtube.com/@",  "https://x.com/",
	"https://www.twitch.tv/",     "https://www.pinterest.com/"};
static const char *const url_suffix[P_COUNT] = {"/", "", "", "", "", "/"};
/* Engagement relative to the Instagram curve: TikTok is per-follower higher and flatter
 * (MARKET.md §3.2), YouTube a little lower. */
static const double er_factor[P_COUNT] = {1.0, 2.2, 0.9, 0.6, 0.8, 0.5};
/* Price per 1k followers relative to $10 (MARKET.md §3.3: YouTube dearer, TikTok cheaper). */
static const double price_factor[P_COUNT] = {1.0, 0.6, 2.0, 0.5, 0.8, 0.6};

struct country {
	const char *code, *language;
	unsigned weight;
};

static const struct country countries[] = {
	{"US", "en", 30}, {"GB", "en", 8}, {"DE", "de", 6}, {"FR", "fr", 5}, {"BR", "pt", 8},
	{"IN", "en", 9},  {"ES", "es", 4}, {"IT", "it", 4}, {"MX", "es", 5}, {"CA", "en", 4},
	{"AU", "en", 3},  {"JP", "ja", 3}, {"NL", "nl", 2}, {"SE", "sv", 1}, {"PL", "pl", 2},
	{"ID", "id", 3},  {"TR", "tr", 2}, {"KR", "ko", 1}};

static const char *const email_domains[] = {"example.com", "example.net", "example.org"};

/* ------------------------------------------------------------------ one creator */

enum suspicion { S_NONE, S_LOW_ENGAGEMENT, S_FOLLOW_FOR_FOLLOW, S_FOLLOWER_JUMP };

struct row {
	unsigned platform, country, first, last, handle_word;
	unsigned niche[MAX_CATS];
	size_t n_niches;
	const char *tags[MAX_TAGS];
	size_t n_tags;
	uint64_t handle_no;
	double followers, following, posts, er, likes, comments, shares, views;
	bool has_shares, has_views;
	unsigned aud_country[MAX_AUD];
	double aud_share[MAX_AUD];
	size_t n_aud;
	double female_share, growth;
	bool has_female_share, has_growth, has_email, has_price, has_last_post, has_external_id;
	bool bio_newline, bio_tail;
	unsigned bio_phrase[2], tail;
	long long price_cents;
	long long last_post; /* unix seconds */
};

struct gen {
	struct rng rng;
	int forced_platform; /* -1: drawn per row */
	long long as_of;     /* unix seconds: "now" for last_post_at */
	uint64_t handle_mod, handle_mul, handle_add;
	unsigned country_w[COUNT(countries)];
};

/* Log-normal, median 20k, sigma 1.85, redrawn outside [1k, 5M]: about 48% micro
 * (10k-100k), 32% nano, 16% mid, 4% macro and mega (docs/performance.md). */
static double draw_followers(struct rng *r)
{
	for (;;) {
		double f = exp(log(20000.0) + 1.85 * normal(r));
		if (f >= FOLLOWERS_MIN && f <= FOLLOWERS_MAX)
			return floor(f);
	}
}

/* Instagram-like median engagement by size: nano 4-6%, micro 2-4%, mid ~1.5%, macro ~1%,
 * mega ~0.7%; piecewise linear in log10(followers) between these anchors. */
static double base_engagement(double followers)
{
	static const double x[] = {3.0, 4.0, 5.0, 5.7, 6.0, 6.7};
	static const double y[] = {0.060, 0.040, 0.020, 0.013, 0.009, 0.006};
	double lf = log10(followers);
	if (lf <= x[0])
		return y[0];
	for (size_t i = 1; i < COUNT(x); i++)
		if (lf <= x[i])
			return y[i - 1] + (y[i] - y[i - 1]) * (lf - x[i - 1]) / (x[i] - x[i - 1]);
	return y[COUNT(y) - 1];
}

static void draw_niches(struct gen *g, struct row *w)
{
	w->n_niches = 1 + (chance(&g->rng, 0.45) ? 1 : 0) + (chance(&g->rng, 0.2) ? 1 : 0);
	for (size_t i = 0; i < w->n_niches; i++) {
		unsigned n;
		bool dup;
		do {
			n = below(&g->rng, COUNT(niches));
			dup = false;
			for (size_t j = 0; j < i; j++)
				dup = dup || w->niche[j] == n;
		} while (dup);
		w->niche[i] = n;
	}
}

/* 3-10 distinct hashtags, mostly from the first (main) niche. */
static void draw_tags(struct gen *g, struct row *w)
{
	const char *pool[COUNT(niches[0].tags) * MAX_CATS];
	size_t n_pool = 0;
	for (size_t i = 0; i < w->n_niches; i++)
		for (size_t j = 0; j < COUNT(niches[0].tags); j++)
			pool[n_pool++] = niches[w->niche[i]].tags[j];
	size_t want = 3 + below(&g->rng, 8);
	size_t main_n = COUNT(niches[0].tags);
	w->n_tags = 0;
	/* Partial Fisher-Yates: 70% of the picks from the main niche's tags, the rest anywhere. */
	for (size_t k = 0; k < want; k++) {
		size_t lo = k, hi = (k < want * 7 / 10 + 1) ? main_n : n_pool;
		if (lo >= hi)
			hi = n_pool;
		size_t j = lo + below(&g->rng, (unsigned)(hi - lo));
		const char *t = pool[j];
		pool[j] = pool[k];
		pool[k] = t;
		w->tags[w->n_tags++] = t;
	}
}

/* 2-4 audience countries: the home country first and largest, the rest of the audience
 * spread over others, the listed shares summing to at most 1 (rounded down). */
static void draw_audience(struct gen *g, struct row *w)
{
	struct rng *r = &g->rng;
	w->n_aud = 2 + below(r, 3);
	w->aud_country[0] = w->country;
	double left = uniform_in(r, 0.70, 0.97);
	w->aud_share[0] = left * uniform_in(r, 0.45, 0.85);
	left -= w->aud_share[0];
	for (size_t i = 1; i < w->n_aud; i++) {
		unsigned c;
		bool dup;
		do {
			c = pick_weighted(r, g->country_w, COUNT(countries));
			dup = false;
			for (size_t j = 0; j < i; j++)
				dup = dup || w->aud_country[j] == c;
		} while (dup);
		w->aud_country[i] = c;
		w->aud_share[i] = i + 1 == w->n_aud ? left * 0.8 : left * uniform_in(r, 0.4, 0.7);
		left -= w->aud_share[i];
	}
	for (size_t i = 0; i < w->n_aud; i++)
		w->aud_share[i] = floor(w->aud_share[i] * 1000) / 1000;
}

/* Engagement split into per-post averages that add up to followers x rate. */
static void draw_engagement(struct gen *g, struct row *w, enum suspicion s)
{
	struct rng *r = &g->rng;
	double er = base_engagement(w->followers) * er_factor[w->platform] * exp(0.35 * normal(r));
	if (s == S_LOW_ENGAGEMENT)
		er *= uniform_in(r, 0.05, 0.15);
	else if (s == S_FOLLOWER_JUMP || s == S_FOLLOW_FOR_FOLLOW)
		er *= uniform_in(r, 0.15, 0.35);
	if (er > 0.5)
		er = 0.5;
	w->er = round(er * 10000) / 10000;
	if (w->er < 0.0001)
		w->er = 0.0001;
	double total = w->followers * w->er;
	double comment_share = uniform_in(r, 0.01, 0.06);
	w->has_shares = w->platform == P_TIKTOK || w->platform == P_TWITTER;
	double share_share = w->has_shares ? uniform_in(r, 0.02, 0.08) : 0;
	w->comments = round(total * comment_share * 10) / 10;
	w->shares = round(total * share_share * 10) / 10;
	w->likes = round((total - w->comments - w->shares) * 10) / 10;
	w->has_views = w->platform == P_TIKTOK || w->platform == P_YOUTUBE ||
		       w->platform == P_TWITCH || chance(r, 0.3);
	w->views = floor(w->followers * uniform_in(r, 0.15, 1.6));
}

static void draw_following(struct gen *g, struct row *w, enum suspicion s)
{
	struct rng *r = &g->rng;
	if (s == S_FOLLOW_FOR_FOLLOW) {
		double f = w->followers * uniform_in(r, 0.85, 1.15);
		w->following = floor(f < 1500 ? uniform_in(r, 1500, 7500) : f);
		return;
	}
	double f = exp(log(450.0) + 0.9 * normal(r));
	w->following = floor(f > 7500 ? 7500 : f);
}

static void draw_money_and_time(struct gen *g, struct row *w, enum suspicion s)
{
	struct rng *r = &g->rng;
	/* $10 per 1k followers is 1 cent per follower; rounded to $5, at least $25. */
	double cents = w->followers * price_factor[w->platform] * exp(0.4 * normal(r));
	long long p = llround(cents / 500) * 500;
	w->price_cents = p < 2500 ? 2500 : p;
	w->has_price = chance(r, 0.85);

	w->growth = round((0.015 + 0.03 * normal(r)) * 10000) / 10000;
	if (s == S_FOLLOWER_JUMP)
		w->growth = round(uniform_in(r, 0.45, 1.8) * 10000) / 10000;
	w->has_growth = s == S_FOLLOWER_JUMP || chance(r, 0.9);

	long long ago = chance(r, 0.92) ? (long long)(uniform(r) * 90 * DAY_S)
					: (long long)(uniform_in(r, 90, 720) * DAY_S);
	w->last_post = g->as_of - ago;
	w->has_last_post = chance(r, 0.97);
}

static enum suspicion draw_suspicion(struct rng *r)
{
	if (!chance(r, 0.03))
		return S_NONE;
	return (enum suspicion)(S_LOW_ENGAGEMENT + below(r, 3));
}

static void draw_row(struct gen *g, uint64_t i, struct row *w)
{
	struct rng *r = &g->rng;
	w->platform = g->forced_platform >= 0
			      ? (unsigned)g->forced_platform
			      : pick_weighted(r, platform_weights, COUNT(platform_weights));
	w->country = pick_weighted(r, g->country_w, COUNT(countries));
	w->first = below(r, COUNT(first_names));
	w->last = below(r, COUNT(last_names));
	draw_niches(g, w);
	w->handle_word = below(r, COUNT(niches[0].handle_words));
	/* An affine bijection of the row number: unique handles that do not look sequential. */
	w->handle_no = (i * g->handle_mul + g->handle_add) % g->handle_mod;
	draw_tags(g, w);
	w->followers = draw_followers(r);
	enum suspicion s = draw_suspicion(r);
	draw_engagement(g, w, s);
	draw_following(g, w, s);
	w->posts = floor(exp(log(420.0) + 0.9 * normal(r))) + 12;
	draw_audience(g, w);
	w->has_female_share = chance(r, 0.85);
	double fs = niches[w->niche[0]].female_share + 0.1 * normal(r);
	w->female_share = round((fs < 0.02 ? 0.02 : fs > 0.98 ? 0.98 : fs) * 1000) / 1000;
	draw_money_and_time(g, w, s);
	w->has_email = chance(r, 0.3);
	w->has_external_id = chance(r, 0.2);
	w->bio_phrase[0] = below(r, 4);
	w->bio_phrase[1] = below(r, 4);
	w->bio_tail = chance(r, 0.5);
	w->tail = below(r, COUNT(bio_tails));
	w->bio_newline = chance(r, 0.02);
}

/* ------------------------------------------------------------------ output buffer */

struct out {
	char *buf;
	size_t len;
	bool failed;
};

static void out_flush(struct out *o)
{
	size_t off = 0;
	while (off < o->len && !o->failed) {
		ssize_t n = write(STDOUT_FILENO, o->buf + off, o->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			o->failed = true;
		else
			off += (size_t)n;
	}
	o->len = 0;
}

static void put_mem(struct out *o, const char *s, size_t n)
{
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void put_str(struct out *o, const char *s)
{
	put_mem(o, s, strlen(s));
}

static void put_ch(struct out *o, char c)
{
	o->buf[o->len++] = c;
}

static void put_u64(struct out *o, uint64_t v)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		put_ch(o, tmp[--n]);
}

static void put_i64(struct out *o, long long v)
{
	if (v < 0) {
		put_ch(o, '-');
		put_u64(o, (uint64_t)0 - (uint64_t)v);
	} else {
		put_u64(o, (uint64_t)v);
	}
}

/* A fixed-point decimal with up to `places` digits and no trailing zeros ("0.035"). */
static void put_fixed(struct out *o, double v, int places)
{
	long long scale = 1;
	for (int i = 0; i < places; i++)
		scale *= 10;
	long long q = llround(v * (double)scale);
	if (q < 0) {
		put_ch(o, '-');
		q = -q;
	}
	put_u64(o, (uint64_t)(q / scale));
	long long frac = q % scale;
	if (!frac)
		return;
	char digits[24];
	int n = places;
	for (int i = places - 1; i >= 0; i--) {
		digits[i] = (char)('0' + frac % 10);
		frac /= 10;
	}
	while (n > 0 && digits[n - 1] == '0')
		n--;
	put_ch(o, '.');
	put_mem(o, digits, (size_t)n);
}

static void put_2d(struct out *o, int v)
{
	put_ch(o, (char)('0' + v / 10));
	put_ch(o, (char)('0' + v % 10));
}

/* RFC 3339 UTC, whole seconds. */
static void put_time(struct out *o, long long t)
{
	struct tm tm;
	time_t tt = (time_t)t;
	gmtime_r(&tt, &tm);
	put_u64(o, (uint64_t)(tm.tm_year + 1900));
	put_ch(o, '-');
	put_2d(o, tm.tm_mon + 1);
	put_ch(o, '-');
	put_2d(o, tm.tm_mday);
	put_ch(o, 'T');
	put_2d(o, tm.tm_hour);
	put_ch(o, ':');
	put_2d(o, tm.tm_min);
	put_ch(o, ':');
	put_2d(o, tm.tm_sec);
	put_ch(o, 'Z');
}

/* ------------------------------------------------------------------ text of a row */

/* Writes the handle "first<sep>word<number>": the prefix has no digits, so the number alone
 * makes it unique. */
static void put_handle(struct out *o, const struct row *w)
{
	static const char *const seps[] = {"", ".", "_"};
	put_str(o, first_names[w->first]);
	put_str(o, seps[w->handle_no % 3]);
	put_str(o, niches[w->niche[0]].handle_words[w->handle_word]);
	put_u64(o, w->handle_no);
}

/* The raw (unescaped) text fields are built into a scratch buffer first, then escaped
 * for the output format by one function per format. */
static size_t build_bio(const struct row *w, char *dst, size_t cap)
{
	const char *a = niches[w->niche[0]].phrases[w->bio_phrase[0]];
	const char *b = w->n_niches > 1 ? niches[w->niche[1]].phrases[w->bio_phrase[1]] : NULL;
	const char *sep = w->bio_newline ? "\n" : ". ";
	int n = snprintf(dst, cap, "%s%s%s%s%s", a, b ? sep : "", b ? b : "",
			 w->bio_tail ? sep : "", w->bio_tail ? bio_tails[w->tail] : "");
	return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

static size_t build_display_name(const struct row *w, char *dst, size_t cap)
{
	const char *f = first_names[w->first];
	int n = snprintf(dst, cap, "%c%s %s", f[0] - 'a' + 'A', f + 1, last_names[w->last]);
	return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

/* ------------------------------------------------------------------ NDJSON */

static void json_escaped(struct out *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	put_ch(o, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			put_ch(o, '\\');
			put_ch(o, (char)c);
		} else if (c == '\n') {
			put_mem(o, "\\n", 2);
		} else if (c < 0x20) {
			put_mem(o, "\\u00", 4);
			put_ch(o, hex[c >> 4]);
			put_ch(o, hex[c & 15]);
		} else {
			put_ch(o, (char)c); /* UTF-8 passes through: JSON text is UTF-8 */
		}
	}
	put_ch(o, '"');
}

static void json_key(struct out *o, const char *k)
{
	put_mem(o, ",\"", 2);
	put_str(o, k);
	put_mem(o, "\":", 2);
}

static void json_str_list(struct out *o, const char *const *items, size_t n)
{
	put_ch(o, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			put_ch(o, ',');
		json_escaped(o, items[i], strlen(items[i]));
	}
	put_ch(o, ']');
}

static void json_audience(struct out *o, const struct row *w)
{
	put_ch(o, '{');
	for (size_t i = 0; i < w->n_aud; i++) {
		if (i)
			put_ch(o, ',');
		put_ch(o, '"');
		put_str(o, countries[w->aud_country[i]].code);
		put_mem(o, "\":", 2);
		put_fixed(o, w->aud_share[i], 3);
	}
	put_ch(o, '}');
}

static void emit_ndjson(struct out *o, const struct row *w, uint64_t i)
{
	char tmp[1024];
	const char *cats[MAX_CATS];
	for (size_t k = 0; k < w->n_niches; k++)
		cats[k] = niches[w->niche[k]].name;

	put_str(o, "{\"platform\":\"");
	put_str(o, platform_names[w->platform]);
	put_str(o, "\",\"handle\":\"");
	put_handle(o, w);
	put_ch(o, '"');
	json_key(o, "display_name");
	json_escaped(o, tmp, build_display_name(w, tmp, sizeof tmp));
	json_key(o, "profile_url");
	put_ch(o, '"');
	put_str(o, url_prefix[w->platform]);
	put_handle(o, w);
	put_str(o, url_suffix[w->platform]);
	put_ch(o, '"');
	if (w->has_email) {
		json_key(o, "email");
		put_ch(o, '"');
		put_handle(o, w);
		put_ch(o, '@');
		put_str(o, email_domains[w->handle_no / 3 % COUNT(email_domains)]);
		put_ch(o, '"');
	}
	json_key(o, "followers");
	put_fixed(o, w->followers, 0);
	json_key(o, "following");
	put_fixed(o, w->following, 0);
	json_key(o, "posts_count");
	put_fixed(o, w->posts, 0);
	json_key(o, "avg_likes");
	put_fixed(o, w->likes, 1);
	json_key(o, "avg_comments");
	put_fixed(o, w->comments, 1);
	if (w->has_shares) {
		json_key(o, "avg_shares");
		put_fixed(o, w->shares, 1);
	}
	if (w->has_views) {
		json_key(o, "avg_views");
		put_fixed(o, w->views, 0);
	}
	json_key(o, "engagement_rate");
	put_fixed(o, w->er, 4);
	json_key(o, "categories");
	json_str_list(o, cats, w->n_niches);
	json_key(o, "hashtags");
	json_str_list(o, w->tags, w->n_tags);
	json_key(o, "bio");
	json_escaped(o, tmp, build_bio(w, tmp, sizeof tmp));
	json_key(o, "country");
	put_ch(o, '"');
	put_str(o, countries[w->country].code);
	put_ch(o, '"');
	json_key(o, "language");
	put_ch(o, '"');
	put_str(o, countries[w->country].language);
	put_ch(o, '"');
	json_key(o, "audience_countries");
	json_audience(o, w);
	if (w->has_female_share) {
		json_key(o, "audience_female_share");
		put_fixed(o, w->female_share, 3);
	}
	if (w->has_price) {
		json_key(o, "price_per_post_cents");
		put_i64(o, w->price_cents);
	}
	if (w->has_growth) {
		json_key(o, "follower_growth_30d");
		put_fixed(o, w->growth, 4);
	}
	if (w->has_last_post) {
		json_key(o, "last_post_at");
		put_ch(o, '"');
		put_time(o, w->last_post);
		put_ch(o, '"');
	}
	if (w->has_external_id) {
		json_key(o, "external_id");
		put_str(o, "\"crm-");
		put_u64(o, i + 1);
		put_ch(o, '"');
	}
	put_str(o, "}\n");
}

/* ------------------------------------------------------------------ CSV */

/* docs/api.md §4 names. audience_countries uses the importer's lenient cell form "US:0.42|GB:0.1"
 * (a JSON object in a cell is not accepted), so CSV and NDJSON carry the same data. */
static const char csv_header[] =
	"platform,handle,display_name,profile_url,email,followers,following,posts_count,"
	"avg_likes,avg_comments,avg_shares,avg_views,engagement_rate,categories,hashtags,bio,"
	"country,language,audience_countries,audience_female_share,price_per_post_cents,"
	"follower_growth_30d,last_post_at,external_id\n";

/* RFC 4180: quoted only when it has to be, doubling inner quotes. */
static void csv_cell(struct out *o, const char *s, size_t n)
{
	if (!memchr(s, ',', n) && !memchr(s, '"', n) && !memchr(s, '\n', n) &&
	    !memchr(s, '\r', n)) {
		put_mem(o, s, n);
		return;
	}
	put_ch(o, '"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			put_ch(o, '"');
		put_ch(o, s[i]);
	}
	put_ch(o, '"');
}

/* List items never contain ',', '"', '|' or newlines (they come from the tables above). */
static void csv_list(struct out *o, const char *const *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			put_ch(o, '|');
		put_str(o, items[i]);
	}
}

static void csv_audience(struct out *o, const struct row *w)
{
	for (size_t i = 0; i < w->n_aud; i++) {
		if (i)
			put_ch(o, '|');
		put_str(o, countries[w->aud_country[i]].code);
		put_ch(o, ':');
		put_fixed(o, w->aud_share[i], 3);
	}
}

static void emit_csv(struct out *o, const struct row *w, uint64_t i)
{
	char tmp[1024];
	const char *cats[MAX_CATS];
	for (size_t k = 0; k < w->n_niches; k++)
		cats[k] = niches[w->niche[k]].name;

	put_str(o, platform_names[w->platform]);
	put_ch(o, ',');
	put_handle(o, w);
	put_ch(o, ',');
	csv_cell(o, tmp, build_display_name(w, tmp, sizeof tmp));
	put_ch(o, ',');
	put_str(o, url_prefix[w->platform]);
	put_handle(o, w);
	put_str(o, url_suffix[w->platform]);
	put_ch(o, ',');
	if (w->has_email) {
		put_handle(o, w);
		put_ch(o, '@');
		put_str(o, email_domains[w->handle_no / 3 % COUNT(email_domains)]);
	}
	put_ch(o, ',');
	put_fixed(o, w->followers, 0);
	put_ch(o, ',');
	put_fixed(o, w->following, 0);
	put_ch(o, ',');
	put_fixed(o, w->posts, 0);
	put_ch(o, ',');
	put_fixed(o, w->likes, 1);
	put_ch(o, ',');
	put_fixed(o, w->comments, 1);
	put_ch(o, ',');
	if (w->has_shares)
		put_fixed(o, w->shares, 1);
	put_ch(o, ',');
	if (w->has_views)
		put_fixed(o, w->views, 0);
	put_ch(o, ',');
	put_fixed(o, w->er, 4);
	put_ch(o, ',');
	csv_list(o, cats, w->n_niches);
	put_ch(o, ',');
	csv_list(o, w->tags, w->n_tags);
	put_ch(o, ',');
	csv_cell(o, tmp, build_bio(w, tmp, sizeof tmp));
	put_ch(o, ',');
	put_str(o, countries[w->country].code);
	put_ch(o, ',');
	put_str(o, countries[w->country].language);
	put_ch(o, ',');
	csv_audience(o, w);
	put_ch(o, ',');
	if (w->has_female_share)
		put_fixed(o, w->female_share, 3);
	put_ch(o, ',');
	if (w->has_price)
		put_i64(o, w->price_cents);
	put_ch(o, ',');
	if (w->has_growth)
		put_fixed(o, w->growth, 4);
	put_ch(o, ',');
	if (w->has_last_post)
		put_time(o, w->last_post);
	put_ch(o, ',');
	if (w->has_external_id) {
		put_str(o, "crm-");
		put_u64(o, i + 1);
	}
	put_ch(o, '\n');
}

/* ------------------------------------------------------------------ command line */

struct opts {
	uint64_t creators, seed;
	bool have_creators, csv;
	int platform;
	long long as_of;
};

static void usage(FILE *f)
{
	fputs("usage: nichematch demo-data --creators N [--seed S] [--format ndjson|csv]\n"
	      "                            [--platform P] [--as-of YYYY-MM-DD]\n"
	      "Writes N plausible creators to stdout. The same N, seed and --as-of give the same\n"
	      "bytes; --as-of (default: today, UTC) is the day last_post_at counts back from.\n",
	      f);
}

static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-')
		return false;
	*v = x;
	return true;
}

static int parse_platform(const char *s)
{
	if (strcmp(s, "x") == 0)
		return P_TWITTER;
	for (int i = 0; i < P_COUNT; i++)
		if (strcmp(s, platform_names[i]) == 0)
			return i;
	return -1;
}

static bool parse_day(const char *s, long long *t)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	const char *end = strptime(s, "%Y-%m-%d", &tm);
	if (!end || *end)
		return false;
	*t = (long long)timegm(&tm);
	return true;
}

static bool apply_opt(int c, const char *arg, struct opts *o)
{
	switch (c) {
	case 'n':
		return o->have_creators = parse_u64(arg, &o->creators);
	case 's':
		return parse_u64(arg, &o->seed);
	case 'f':
		o->csv = strcmp(arg, "csv") == 0;
		return o->csv || strcmp(arg, "ndjson") == 0;
	case 'p':
		return (o->platform = parse_platform(arg)) >= 0;
	case 'a':
		return parse_day(arg, &o->as_of);
	default:
		return false;
	}
}

/* Returns -1 to go on, else the exit status. */
static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {{"creators", required_argument, NULL, 'n'},
						 {"seed", required_argument, NULL, 's'},
						 {"format", required_argument, NULL, 'f'},
						 {"platform", required_argument, NULL, 'p'},
						 {"as-of", required_argument, NULL, 'a'},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	memset(o, 0, sizeof *o);
	o->seed = 1;
	o->platform = -1;
	o->as_of = (long long)time(NULL) / DAY_S * DAY_S;
	optind = 1;
	int c, idx = 0;
	while ((c = getopt_long(argc, argv, "", longopts, &idx)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 0;
		}
		if (c == '?') {
			usage(stderr);
			return 2;
		}
		if (!apply_opt(c, optarg, o)) {
			fprintf(stderr, "nichematch demo-data: bad value for --%s: %s\n",
				longopts[idx].name, optarg);
			return 2;
		}
	}
	if (!o->have_creators || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (o->creators > MAX_CREATORS) {
		fprintf(stderr, "nichematch demo-data: --creators is at most %llu\n",
			(unsigned long long)MAX_CREATORS);
		return 2;
	}
	return -1;
}

/* Handles number rows through i -> (i * mul + add) mod M, M a power of ten above N:
 * a bijection (mul is coprime with 10), so handles stay unique for any N. */
static void init_gen(struct gen *g, const struct opts *o)
{
	rng_seed(&g->rng, o->seed);
	g->forced_platform = o->platform;
	g->as_of = o->as_of;
	g->handle_mod = 100000;
	while (g->handle_mod / 10 < o->creators)
		g->handle_mod *= 10;
	g->handle_mul = (next_u64(&g->rng) % (g->handle_mod / 10)) * 10 + 7;
	g->handle_add = next_u64(&g->rng) % g->handle_mod;
	for (size_t k = 0; k < COUNT(countries); k++)
		g->country_w[k] = countries[k].weight;
}

int nm_demo_main(int argc, char **argv)
{
	struct opts o;
	int rc = parse_opts(argc, argv, &o);
	if (rc >= 0)
		return rc;
	struct gen g;
	init_gen(&g, &o);
	struct out out = {malloc(OUT_CAP), 0, false};
	if (!out.buf) {
		fprintf(stderr, "nichematch demo-data: out of memory\n");
		return 1;
	}
	if (o.csv)
		put_str(&out, csv_header);
	struct row w;
	for (uint64_t i = 0; i < o.creators && !out.failed; i++) {
		draw_row(&g, i, &w);
		if (o.csv)
			emit_csv(&out, &w, i);
		else
			emit_ndjson(&out, &w, i);
		if (out.len > OUT_CAP - ROW_MAX)
			out_flush(&out);
	}
	out_flush(&out);
	free(out.buf);
	if (out.failed) {
		fprintf(stderr, "nichematch demo-data: write error: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
