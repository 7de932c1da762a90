/* Components, weights, score, estimates and reasons of docs/api.md §5. docs/scoring.md is the
 * prose version of this file; keep the two in step.
 *
 * Monotonicity (rule 3) is by construction: every component is a non-decreasing function
 * of engagement rate, niche counts and audience closeness, and a non-increasing function
 * of price, and no component depends on another. Rounding (round-half-away) is itself
 * monotone, so rounding components and the score keeps the property. */
#include "nm/score.h"
#include "internal.h"
#include "nm/confidence.h"
#include "nm/flags.h"
#include "nm/score_filter.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- Goals and weights ---- */

static const char *const goal_names[NM_GOAL_COUNT] = {"engagement", "awareness", "conversions"};

static const char *const comp_names[NM_COMP_COUNT] = {
	"niche",	   "engagement",   "tier_fit", "audience",
	"cost_efficiency", "authenticity", "activity",
};

/* Each row sums to 1000 (thousandths, so that the weighted sum of components in
 * thousandths is an exact integer: scores are reproducible bit for bit and equal scores
 * are real ties). Engagement leans on engagement and cost per engagement (rule 6, and
 * hard enough for rule 8); awareness on reach (tier_fit is a reach curve for it);
 * conversions on niche, audience and authenticity. */
static const int64_t weights_milli[NM_GOAL_COUNT][NM_COMP_COUNT] = {
	[NM_GOAL_ENGAGEMENT] = {200, 350, 100, 50, 150, 100, 50},
	[NM_GOAL_AWARENESS] = {200, 100, 400, 100, 100, 50, 50},
	[NM_GOAL_CONVERSIONS] = {300, 100, 50, 250, 50, 200, 50},
};

const char *nm_score_goal_name(enum nm_score_goal g)
{
	return (unsigned)g < NM_GOAL_COUNT ? goal_names[g] : goal_names[0];
}

bool nm_score_goal_parse(const char *s, enum nm_score_goal *out)
{
	for (int g = 0; g < NM_GOAL_COUNT; g++) {
		if (strcmp(s, goal_names[g]) == 0) {
			*out = (enum nm_score_goal)g;
			return true;
		}
	}
	return false;
}

const char *nm_score_comp_name(enum nm_score_comp c)
{
	return (unsigned)c < NM_COMP_COUNT ? comp_names[c] : "";
}

double nm_score_weight(enum nm_score_goal g, enum nm_score_comp c)
{
	if ((unsigned)g >= NM_GOAL_COUNT || (unsigned)c >= NM_COMP_COUNT)
		return 0.0;
	return weights_milli[g][c] / 1000.0;
}

/* ---- Query ---- */

void nm_score_query_init(struct nm_score_query *q, enum nm_score_goal goal)
{
	memset(q, 0, sizeof *q);
	q->goal = (unsigned)goal < NM_GOAL_COUNT ? goal : NM_GOAL_ENGAGEMENT;
	q->follower_min = 10000;
	q->follower_max = q->goal == NM_GOAL_AWARENESS ? -1 : 100000;
	q->min_engagement_rate = -1.0;
	q->gender = NM_GENDER_ANY;
	q->budget_per_post_cents = -1;
	q->n_terms = 1;
}

/* Index of a two-letter code in the 26×26 bitsets; -1 when not two ASCII letters. */
static int code_index(char a, char b)
{
	if (a >= 'a' && a <= 'z')
		a = (char)(a - 'a' + 'A');
	if (b >= 'a' && b <= 'z')
		b = (char)(b - 'a' + 'A');
	if (a < 'A' || a > 'Z' || b < 'A' || b > 'Z')
		return -1;
	return (a - 'A') * 26 + (b - 'A');
}

static bool set_has(const uint64_t set[11], char a, char b)
{
	int i = code_index(a, b);
	return i >= 0 && (set[i >> 6] >> (i & 63) & 1u);
}

static bool set_add(uint64_t set[11], const char *code)
{
	if (!code || !code[0] || !code[1] || code[2])
		return false;
	int i = code_index(code[0], code[1]);
	if (i < 0)
		return false;
	set[i >> 6] |= UINT64_C(1) << (i & 63);
	return true;
}

bool nm_score_query_add_country(struct nm_score_query *q, const char *cc)
{
	bool ok = set_add(q->countries, cc);
	q->has_countries |= ok;
	return ok;
}

bool nm_score_query_add_language(struct nm_score_query *q, const char *lang)
{
	bool ok = set_add(q->languages, lang);
	q->has_languages |= ok;
	return ok;
}

uint8_t nm_score_overlap(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
	size_t i = 0, j = 0;
	unsigned n = 0;
	while (i < na && j < nb) {
		if (a[i] < b[j]) {
			i++;
		} else if (b[j] < a[i]) {
			j++;
		} else {
			n++;
			i++;
			j++;
		}
	}
	return (uint8_t)(n > 255 ? 255 : n);
}

/* ---- Hard filters ---- */

static unsigned platform_of(const struct nm_score_features *f)
{
	return f->platform < NM_PLATFORM_COUNT ? f->platform : NM_PLATFORM_OTHER;
}

bool nm_score_passes(const struct nm_score_query *q, const struct nm_score_features *f)
{
	return nm_score_filter(q, f);
}

/* ---- Components ---- */

static double clamp01(double x)
{
	if (!(x > 0.0)) /* also NaN */
		return 0.0;
	return x < 1.0 ? x : 1.0;
}

static double round_to(double x, double scale)
{
	return round(x * scale) / scale;
}

static bool er_known(const struct nm_score_features *f)
{
	return f->engagement_rate >= 0.0;
}

static double bench_of(const struct nm_score_query *q, const struct nm_score_features *f)
{
	return nm_score_bench_rate(q->bench, (enum nm_platform)platform_of(f),
				   nm_tier_of(f->followers));
}

/* Sampled posts the rate rests on, or -1 when not said. */
static int sample_of(const struct nm_score_features *f)
{
	unsigned n = f->sample & NM_SCORE_SAMPLE_MASK;
	return n ? (int)n : -1;
}

/* The engagement estimate the components use: the rate as given, shrunk toward the
 * benchmark when it rests on few posts (docs/scoring.md "Thin samples"). */
static double er_est(const struct nm_score_query *q, const struct nm_score_features *f)
{
	return nm_confidence_shrink(f->engagement_rate, sample_of(f), bench_of(q, f));
}

/* Engagement relative to the platform/tier median, or -1 when the rate is unknown.
 * Computed once per creator and handed to the components that need it. */
static double er_ratio(const struct nm_score_query *q, const struct nm_score_features *f)
{
	return er_known(f) ? er_est(q, f) / bench_of(q, f) : -1.0;
}

/* Weighted overlap: category hits are the brand's own vocabulary, hashtags are what the
 * creator posts about, the bio is free text and the noisiest. */
static double niche_evidence(const struct nm_score_features *f)
{
	return f->niche_cat + TAG_WEIGHT * f->niche_tag + BIO_WEIGHT * f->niche_bio;
}

static double c_niche(const struct nm_score_query *q, const struct nm_score_features *f)
{
	unsigned full = q->n_terms < NICHE_FULL_TERMS ? 1 : NICHE_FULL_TERMS;
	return clamp01(niche_evidence(f) / full);
}

/* r/(1+r): 0.5 at the median, 0.67 at twice it, 0.8 at four times; never saturates, so
 * higher engagement always ranks higher, and an absurd rate cannot run away with it.
 * Written as 1 - 1/(1+r) because each of those IEEE steps is monotone, so the rounded
 * result is too (r/(1+r) can wobble by an ulp). */
static double c_engagement(double r)
{
	if (r < 0.0)
		return NEUTRAL;
	return clamp01(1.0 - 1.0 / (1.0 + r));
}

static double c_tier_fit(const struct nm_score_query *q, const struct nm_score_features *f)
{
	double n = f->followers;
	if (q->goal == NM_GOAL_AWARENESS) /* reach: 1k → 0, 10k → .25, 1M → .75, 10M → 1 */
		return clamp01((log10(n > 1 ? n : 1) - 3.0) / 4.0);
	if (n >= 10000 && n <= 100000) /* the micro band of the premise */
		return 1.0;
	if (n < 10000) /* 1k → 0.5, 100 → 0 */
		return clamp01(1.0 - 0.5 * (4.0 - log10(n > 1 ? n : 1)));
	return clamp01(1.0 - 0.7 * (log10(n) - 5.0)); /* 1M → 0.3, ~2.7M → 0 */
}

static double geo_fit(const struct nm_score_query *q, const struct nm_score_features *f)
{
	if (f->n_aud == 0) {
		if (!f->country[0])
			return NEUTRAL;
		bool in = set_has(q->countries, f->country[0], f->country[1]);
		if (f->sample & NM_SCORE_COUNTRY_GEOTAG)
			return in ? NM_CONF_GEOTAG_IN : NM_CONF_GEOTAG_OUT;
		return in ? COUNTRY_ONLY_IN : COUNTRY_ONLY_OUT;
	}
	unsigned share = 0;
	for (unsigned i = 0; i < f->n_aud && i < NM_SCORE_AUD_MAX; i++)
		if (set_has(q->countries, f->aud[i].cc[0], f->aud[i].cc[1]))
			share += f->aud[i].share;
	return clamp01(share / 10000.0 / GEO_FULL_SHARE);
}

static double language_fit(const struct nm_score_query *q, const struct nm_score_features *f)
{
	if (!f->language[0])
		return NEUTRAL;
	return set_has(q->languages, f->language[0], f->language[1]) ? 1.0 : 0.0;
}

static double gender_fit(const struct nm_score_query *q, const struct nm_score_features *f)
{
	double fs = f->audience_female_share;
	if (!(fs >= 0.0))
		return NEUTRAL;
	double share = q->gender == NM_GENDER_FEMALE ? fs : 1.0 - fs;
	return clamp01(share / GENDER_FULL_SHARE);
}

/* Mean over the dimensions the brand targets; a brand that targets nothing is fitted by
 * every audience. */
static double c_audience(const struct nm_score_query *q, const struct nm_score_features *f)
{
	double sum = 0.0;
	int n = 0;
	if (q->has_countries) {
		sum += geo_fit(q, f);
		n++;
	}
	if (q->has_languages) {
		sum += language_fit(q, f);
		n++;
	}
	if (q->gender != NM_GENDER_ANY) {
		sum += gender_fit(q, f);
		n++;
	}
	return n ? sum / n : 1.0;
}

/* Cost per engagement on a log scale, 1¢ → 1, 10¢ → .67, $1 → .33, $10 → 0, then scaled
 * by budget/price when the price is over the brand's budget. Uses the unrounded
 * engagement count so the curve has no steps. */
static double c_cost(const struct nm_score_query *q, const struct nm_score_features *f)
{
	if (f->price_cents < 0 || !er_known(f))
		return NEUTRAL;
	double price = f->price_cents, eng = (double)f->followers * er_est(q, f), c;
	if (price == 0.0)
		c = 1.0;
	else if (!(eng > 0.0))
		c = 0.0;
	else
		c = clamp01((CPE_LOG_WORST - log10(price / eng)) / (CPE_LOG_WORST - CPE_LOG_BEST));
	int64_t budget = q->budget_per_post_cents;
	if (budget >= 0 && price > (double)budget)
		c *= (double)budget / price;
	return c;
}

/* ≤ 0.5 below a quarter of the median (rule 5), 1 from half the median up. */
static double low_er_factor(double r)
{
	if (r >= LOW_ER_SOFT)
		return 1.0;
	if (r >= LOW_ER_RATIO)
		return 0.5 + 0.5 * (r - LOW_ER_RATIO) / (LOW_ER_SOFT - LOW_ER_RATIO);
	return clamp01(0.5 * r / LOW_ER_RATIO);
}

static double ff_ratio(const struct nm_score_features *f)
{
	return (double)f->following / (f->followers ? (double)f->followers : 1.0);
}

static double ff_factor(const struct nm_score_features *f)
{
	if (f->following < 0)
		return 1.0;
	double x = ff_ratio(f);
	if (x <= FF_RATIO_START)
		return 1.0;
	if (x >= FF_RATIO_FULL)
		return FF_FLOOR;
	return 1.0 - (1.0 - FF_FLOOR) * (x - FF_RATIO_START) / (FF_RATIO_FULL - FF_RATIO_START);
}

/* The jump's size times how far engagement falls short of the median: engagement at or
 * above the median "matches" the growth. Non-increasing in engagement by construction. */
double nm_score_growth_penalty(const struct nm_score_features *f, double r)
{
	double g = f->follower_growth_30d;
	if (!(g > GROWTH_START) || r < 0.0)
		return 0.0;
	double size = clamp01((g - GROWTH_START) / (GROWTH_FULL - GROWTH_START));
	double shortfall = clamp01((1.0 - r) / GROWTH_SHORT_FULL);
	return GROWTH_MAX_PENALTY * size * shortfall;
}

/* Deliberately no penalty for engagement far ABOVE the median: rule 3 makes the total
 * non-decreasing in engagement, and authenticity is part of the total. */
static double c_authenticity(const struct nm_score_features *f, double r)
{
	double a = ff_factor(f) * (1.0 - nm_score_growth_penalty(f, r));
	if (r >= 0.0)
		a *= low_er_factor(r);
	return clamp01(a);
}

static double c_activity(const struct nm_score_features *f)
{
	unsigned d = f->days_since_post;
	if (d == NM_SCORE_DAYS_UNKNOWN)
		return NEUTRAL;
	if (d <= ACTIVE_DAYS)
		return 1.0;
	if (d <= HALF_DAYS)
		return 1.0 - 0.5 * (d - ACTIVE_DAYS) / (double)(HALF_DAYS - ACTIVE_DAYS);
	return clamp01(0.5 - 0.5 * (d - HALF_DAYS) / (double)(DEAD_DAYS - HALF_DAYS));
}

/* Round half up to thousandths; c is in [0,1], so this is monotone and cheap. */
static int64_t to_milli(double c)
{
	return (int64_t)(c * 1000.0 + 0.5);
}

double nm_score_creator(const struct nm_score_query *q, const struct nm_score_features *f,
			double comp[NM_COMP_COUNT])
{
	double r = er_ratio(q, f);
	int64_t m[NM_COMP_COUNT];
	m[NM_COMP_NICHE] = to_milli(c_niche(q, f));
	m[NM_COMP_ENGAGEMENT] = to_milli(c_engagement(r));
	m[NM_COMP_TIER_FIT] = to_milli(c_tier_fit(q, f));
	m[NM_COMP_AUDIENCE] = to_milli(c_audience(q, f));
	m[NM_COMP_COST_EFFICIENCY] = to_milli(c_cost(q, f));
	m[NM_COMP_AUTHENTICITY] = to_milli(c_authenticity(f, r));
	m[NM_COMP_ACTIVITY] = to_milli(c_activity(f));

	const int64_t *w = weights_milli[(unsigned)q->goal < NM_GOAL_COUNT ? q->goal : 0];
	int64_t sum = 0;
	for (int i = 0; i < NM_COMP_COUNT; i++) {
		sum += w[i] * m[i];
		if (comp)
			comp[i] = m[i] / 1000.0;
	}
	/* score = 100 × Σwc/Σw with c = m/1000 and Σw = 1000 (test_score checks every row)
	 * is Σwm / 10^4; in hundredths Σwm / 100, rounded half up with integers only. */
	int64_t centi = (sum + 50) / 100;
	return centi / 100.0;
}

double nm_score_upper_bound(const struct nm_score_query *q, const struct nm_score_features *f)
{
	const int64_t *w = weights_milli[(unsigned)q->goal < NM_GOAL_COUNT ? q->goal : 0];
	int64_t sum = 0;
	for (int i = 0; i < NM_COMP_COUNT; i++)
		sum += w[i] * 1000;
	sum -= w[NM_COMP_NICHE] * (1000 - to_milli(c_niche(q, f)));
	sum -= w[NM_COMP_ENGAGEMENT] * (1000 - to_milli(c_engagement(er_ratio(q, f))));
	/* Rounded up, so that the bound never falls below the rounded score. */
	int64_t centi = (sum + 99) / 100;
	return centi / 100.0;
}

void nm_score_estimate(const struct nm_score_features *f, struct nm_score_estimates *out)
{
	memset(out, 0, sizeof *out);
	if (!er_known(f))
		return;
	out->has_engagements = true;
	out->engagements_per_post = llround((double)f->followers * f->engagement_rate);
	if (f->price_cents >= 0 && out->engagements_per_post > 0) {
		out->has_cpe = true;
		out->cost_per_engagement_cents =
			round_to(f->price_cents / (double)out->engagements_per_post, 100.0);
	}
}

/* ---- Points ---- */

void nm_score_points(enum nm_score_goal goal, const double comp[NM_COMP_COUNT],
		     double points[NM_COMP_COUNT])
{
	const int64_t *w = weights_milli[(unsigned)goal < NM_GOAL_COUNT ? goal : 0];
	/* In 1/10^4 points, w·m is exact; the score is Σwm rounded half up to hundredths.
	 * Each point is floored to hundredths and the hundredths the floors lost go to the
	 * largest remainders (ties: component order), so the displayed points sum to the
	 * displayed score exactly and each is within 0.01 of its exact value. */
	int64_t p[NM_COMP_COUNT], sum = 0, floors = 0;
	int64_t rem[NM_COMP_COUNT];
	for (int i = 0; i < NM_COMP_COUNT; i++) {
		p[i] = w[i] * llround(comp[i] * 1000.0);
		sum += p[i];
		rem[i] = p[i] % 100;
		p[i] /= 100;
		floors += p[i];
	}
	for (int64_t left = (sum + 50) / 100 - floors; left > 0; left--) {
		int best = 0;
		for (int i = 1; i < NM_COMP_COUNT; i++)
			if (rem[i] > rem[best])
				best = i;
		p[best]++;
		rem[best] = -1;
	}
	for (int i = 0; i < NM_COMP_COUNT; i++)
		points[i] = p[i] / 100.0;
}

/* ---- Required target countries ---- */

bool nm_score_country_ok(const struct nm_score_query *q, const struct nm_score_features *f)
{
	if (f->country[0] && set_has(q->countries, f->country[0], f->country[1]))
		return true;
	unsigned share = 0;
	for (unsigned i = 0; i < f->n_aud && i < NM_SCORE_AUD_MAX; i++)
		if (set_has(q->countries, f->aud[i].cc[0], f->aud[i].cc[1]))
			share += f->aud[i].share;
	return f->n_aud > 0 && share >= q->min_audience_share;
}

/* ---- Explanations and reasons ---- */

struct rbuf {
	char *buf;
	size_t size, used;
	struct nm_score_expl *out;
	size_t max, n;
};

/* One explanation: code and component, value and benchmark (NAN: none), the sentence. */
__attribute__((format(printf, 6, 7))) static void say(struct rbuf *r, const char *code,
						      enum nm_score_comp comp, double value,
						      double benchmark, const char *fmt, ...)
{
	if (r->n >= r->max || r->used >= r->size)
		return;
	va_list ap;
	va_start(ap, fmt);
	int len = vsnprintf(r->buf + r->used, r->size - r->used, fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= r->size - r->used) {
		r->buf[r->used] = '\0'; /* dropped: keep what was written before intact */
		return;
	}
	r->out[r->n++] = (struct nm_score_expl){code, comp, value, benchmark, r->buf + r->used};
	r->used += (size_t)len + 1;
}

/* "$250", "$1,250", "$12.50": marketers read dollars, the API stores cents. */
static void fmt_money(char *b, size_t n, int64_t cents)
{
	char digits[24], grouped[40];
	snprintf(digits, sizeof digits, "%lld", (long long)(cents / 100));
	size_t len = strlen(digits), o = 0;
	for (size_t i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			grouped[o++] = ',';
		grouped[o++] = digits[i];
	}
	grouped[o] = '\0';
	if (cents % 100)
		snprintf(b, n, "$%s.%02d", grouped, (int)(cents % 100));
	else
		snprintf(b, n, "$%s", grouped);
}

/* "8.7¢" below a dollar, "$1.25" from a dollar up. */
static void fmt_cpe(char *b, size_t n, double cents)
{
	if (cents < 100.0)
		snprintf(b, n, "%.1f\u00a2", cents);
	else
		snprintf(b, n, "$%.2f", cents / 100.0);
}

/* "950", "45.2k", "1.2M" */
static void fmt_count(char *b, size_t n, double v)
{
	if (v >= 1e6)
		snprintf(b, n, "%.1fM", v / 1e6);
	else if (v >= 1e4)
		snprintf(b, n, "%.1fk", v / 1e3);
	else
		snprintf(b, n, "%.0f", v);
}

static void reason_niche(struct rbuf *r, const struct nm_score_query *q,
			 const struct nm_score_features *f, const char *const *terms,
			 size_t n_terms)
{
	double e = round_to(niche_evidence(f), 10.0);
	double full = q->n_terms < NICHE_FULL_TERMS ? 1 : NICHE_FULL_TERMS;
	if (terms && n_terms == 1) {
		say(r, "niche_match", NM_COMP_NICHE, e, full, "Posts about %s", terms[0]);
	} else if (terms && n_terms == 2) {
		say(r, "niche_match", NM_COMP_NICHE, e, full, "Posts about %s and %s", terms[0],
		    terms[1]);
	} else if (terms && n_terms >= 3) {
		say(r, "niche_match", NM_COMP_NICHE, e, full, "Posts about %s, %s and %s", terms[0],
		    terms[1], terms[2]);
	} else {
		say(r, "niche_match", NM_COMP_NICHE, e, full,
		    "Matches the brand's niches: %u in categories, %u in hashtags, %u in bio",
		    f->niche_cat, f->niche_tag, f->niche_bio);
	}
}

static void reason_engagement(struct rbuf *r, const struct nm_score_query *q,
			      const struct nm_score_features *f)
{
	enum nm_platform p = (enum nm_platform)platform_of(f);
	enum nm_tier t = nm_tier_of(f->followers);
	if (!er_known(f)) {
		say(r, "no_engagement_rate", NM_COMP_ENGAGEMENT, NAN, bench_of(q, f),
		    "Engagement rate unknown; scored as typical for a %s %s account",
		    nm_platform_label(p), nm_tier_name(t));
		return;
	}
	double bench = bench_of(q, f);
	double raw = f->engagement_rate / bench;
	if (nm_engagement_unusually_high(f->engagement_rate, bench))
		say(r, "engagement_unusually_high", NM_COMP_ENGAGEMENT, f->engagement_rate, bench,
		    "Engagement %.1f%%, %.1fx the %s %s median: " NM_CONF_UNUSUAL_TEXT,
		    100.0 * f->engagement_rate, raw, nm_platform_label(p), nm_tier_name(t));
	else
		say(r, "engagement_vs_tier", NM_COMP_ENGAGEMENT, f->engagement_rate, bench,
		    "Engagement %.1f%%, %.1fx the %s %s median", 100.0 * f->engagement_rate, raw,
		    nm_platform_label(p), nm_tier_name(t));
	int n = sample_of(f);
	if (n > 0 && n < NM_CONF_THIN_POSTS)
		say(r, "thin_sample", NM_COMP_ENGAGEMENT, n, NM_CONF_THIN_POSTS,
		    "Engagement rests on %d sampled post%s; scored as %.1f%%, weighted toward the "
		    "median",
		    n, n == 1 ? "" : "s", 100.0 * er_est(q, f));
}

static void reason_price(struct rbuf *r, const struct nm_score_query *q,
			 const struct nm_score_features *f)
{
	char money[48], cpe[32];
	if (f->price_cents < 0) {
		say(r, "no_price", NM_COMP_COST_EFFICIENCY, NAN, NAN,
		    "No price on file; cost efficiency scored as neutral");
		return;
	}
	struct nm_score_estimates e;
	nm_score_estimate(f, &e);
	fmt_money(money, sizeof money, f->price_cents);
	if (e.has_cpe) {
		fmt_cpe(cpe, sizeof cpe, e.cost_per_engagement_cents);
		say(r, "price_per_engagement", NM_COMP_COST_EFFICIENCY, e.cost_per_engagement_cents,
		    NAN, "Price %s per post, %s per engagement", money, cpe);
	} else {
		say(r, "price_per_post", NM_COMP_COST_EFFICIENCY, (double)f->price_cents, NAN,
		    "Price %s per post", money);
	}
	if (q->budget_per_post_cents >= 0 && f->price_cents > q->budget_per_post_cents) {
		char budget[48];
		fmt_money(budget, sizeof budget, q->budget_per_post_cents);
		say(r, "over_budget", NM_COMP_COST_EFFICIENCY, (double)f->price_cents,
		    (double)q->budget_per_post_cents, "Price is above the %s budget per post",
		    budget);
	}
}

/* One sentence per authenticity flag (rule 5), with the code nm_score_flags() gives it. */
static void reason_authenticity(struct rbuf *r, const struct nm_score_query *q,
				const struct nm_score_features *f)
{
	unsigned fl = nm_score_flags(q->bench, f);
	if (fl & (1u << NM_FLAG_ENGAGEMENT_FAR_BELOW_TIER)) {
		enum nm_platform p = (enum nm_platform)platform_of(f);
		enum nm_tier t = nm_tier_of(f->followers);
		say(r, "engagement_far_below_tier", NM_COMP_AUTHENTICITY, f->engagement_rate,
		    bench_of(q, f),
		    "Engagement %.2f%% is below a quarter of the %s %s median (%.2f%%)",
		    100.0 * f->engagement_rate, nm_platform_label(p), nm_tier_name(t),
		    100.0 * bench_of(q, f));
	} else if (fl & (1u << NM_FLAG_ENGAGEMENT_BELOW_HALF_TIER)) {
		say(r, "engagement_below_half_tier", NM_COMP_AUTHENTICITY, f->engagement_rate,
		    bench_of(q, f), "Engagement is under half the tier median");
	}
	if (fl & (1u << NM_FLAG_FOLLOW_RATIO))
		say(r, "follow_ratio", NM_COMP_AUTHENTICITY, round_to(ff_ratio(f), 1e4),
		    FF_RATIO_START, "Following/followers ratio %.2g suggests follow-for-follow",
		    ff_ratio(f));
	if (fl & (1u << NM_FLAG_GROWTH_SPIKE))
		say(r, "growth_spike", NM_COMP_AUTHENTICITY, round_to(f->follower_growth_30d, 1e4),
		    GROWTH_START, "Followers up %.0f%% in 30 days without matching engagement",
		    100.0 * f->follower_growth_30d);
}

static void reason_audience(struct rbuf *r, const struct nm_score_query *q,
			    const struct nm_score_features *f)
{
	if (q->has_countries && f->n_aud > 0) {
		unsigned share = 0;
		for (unsigned i = 0; i < f->n_aud && i < NM_SCORE_AUD_MAX; i++)
			if (set_has(q->countries, f->aud[i].cc[0], f->aud[i].cc[1]))
				share += f->aud[i].share;
		say(r, "audience_in_target_countries", NM_COMP_AUDIENCE, share / 10000.0,
		    GEO_FULL_SHARE, "%.0f%% of the audience is in the target countries",
		    share / 100.0);
	} else if (q->has_countries && f->country[0]) {
		bool in = set_has(q->countries, f->country[0], f->country[1]);
		if (f->sample & NM_SCORE_COUNTRY_GEOTAG)
			say(r, "content_country", NM_COMP_AUDIENCE, in ? 1.0 : 0.0, NAN,
			    "Posts tagged in %.2s, %s target country (no stated country or "
			    "audience "
			    "data)",
			    f->country, in ? "a" : "not a");
		else
			say(r, in ? "based_in_target_country" : "based_outside_target_countries",
			    NM_COMP_AUDIENCE, NAN, NAN,
			    "Based in %.2s, %s target country (no audience data)", f->country,
			    in ? "a" : "not a");
	}
	if (q->gender != NM_GENDER_ANY && f->audience_female_share >= 0.0f) {
		double fs = f->audience_female_share;
		bool fem = q->gender == NM_GENDER_FEMALE;
		double share = fem ? fs : 1.0 - fs;
		say(r, "audience_gender", NM_COMP_AUDIENCE, round_to(share, 1e4), GENDER_FULL_SHARE,
		    "Audience %.0f%% %s", 100.0 * share, fem ? "female" : "male");
	}
	if (q->has_languages && f->language[0] &&
	    !set_has(q->languages, f->language[0], f->language[1]))
		say(r, "language_not_target", NM_COMP_AUDIENCE, NAN, NAN,
		    "Posts in %.2s, not a target language", f->language);
}

static const char *const tier_titles[NM_TIER_COUNT] = {"Nano", "Micro", "Mid-tier", "Macro",
						       "Mega"};

static void reason_size(struct rbuf *r, const struct nm_score_query *q,
			const struct nm_score_features *f)
{
	char n[32];
	fmt_count(n, sizeof n, f->followers);
	if (q->goal == NM_GOAL_AWARENESS)
		say(r, "reach", NM_COMP_TIER_FIT, (double)f->followers, NAN,
		    "Reach of %s followers", n);
	else
		say(r, "tier_size", NM_COMP_TIER_FIT, (double)f->followers, NAN,
		    "%s creator with %s followers", tier_titles[nm_tier_of(f->followers)], n);
}

static void reason_activity(struct rbuf *r, const struct nm_score_features *f)
{
	unsigned d = f->days_since_post;
	if (d == NM_SCORE_DAYS_UNKNOWN)
		say(r, "no_last_post", NM_COMP_ACTIVITY, NAN, NAN,
		    "No last post date on file; activity scored as neutral");
	else if (d == 0)
		say(r, "last_post", NM_COMP_ACTIVITY, 0, ACTIVE_DAYS, "Posted today");
	else if (d <= HALF_DAYS)
		say(r, "last_post", NM_COMP_ACTIVITY, d, ACTIVE_DAYS, "Last posted %u day%s ago", d,
		    d == 1 ? "" : "s");
	else
		say(r, "inactive", NM_COMP_ACTIVITY, d, HALF_DAYS,
		    "Inactive: last post %u days ago", d);
}

size_t nm_score_explain(const struct nm_score_query *q, const struct nm_score_features *f,
			const char *const *matched_terms, size_t n_matched, char *buf,
			size_t bufsize, struct nm_score_expl *out, size_t max)
{
	struct rbuf r = {buf, bufsize, 0, out, max, 0};
	if (!buf || bufsize == 0)
		return 0;
	buf[0] = '\0';
	/* Most decisive first: what they post about, how engaged, what it costs, then any
	 * warning, then the finer points. */
	reason_niche(&r, q, f, matched_terms, n_matched);
	reason_engagement(&r, q, f);
	reason_price(&r, q, f);
	reason_authenticity(&r, q, f);
	reason_audience(&r, q, f);
	reason_size(&r, q, f);
	reason_activity(&r, f);
	return r.n;
}

size_t nm_score_reasons(const struct nm_score_query *q, const struct nm_score_features *f,
			const char *const *matched_terms, size_t n_matched, char *buf,
			size_t bufsize, const char **reasons, size_t max_reasons)
{
	struct nm_score_expl e[NM_SCORE_EXPL_MAX];
	size_t n =
		nm_score_explain(q, f, matched_terms, n_matched, buf, bufsize, e,
				 max_reasons < NM_SCORE_EXPL_MAX ? max_reasons : NM_SCORE_EXPL_MAX);
	for (size_t i = 0; i < n; i++)
		reasons[i] = e[i].text;
	return n;
}
