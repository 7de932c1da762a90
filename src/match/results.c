/* A match run's result documents as JSON text (see nm/match_results.h). Moved out of
 * handlers/matches.c unchanged but for its inputs: summaries arrive as structs rather
 * than a PGresult. */
#include "nm/match_results.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "nm/confidence.h"
#include "nm/flags.h"
#include "nm/pgarray.h"
#include "nm/taxonomy.h"

/* ------------------------------------------------------------------ result text
 *
 * A run writes its result documents as text directly rather than building jansson
 * objects and dumping them: with 200 results that was ~4 ms of allocations, hashtable
 * inserts (jansson's loop check per object) and printf's floating-point path. The text
 * is what jansson wrote (JSON_COMPACT | JSON_REAL_PRECISION(15), same key order):
 * - keys, component and tier names and statuses are fixed ASCII words, written as is;
 * - every string that comes from data (the creator's fields, reasons) and every other
 *   real is encoded by jansson itself (put_json);
 * - reals that are short decimals (components, score, cost per engagement, most
 *   engagement rates) get their digits from integers (put_decimal). */

/* Appends n bytes to the text (an nm_buf); also jansson's dump callback. */
static int put_bytes(const char *b, size_t n, void *data)
{
	struct nm_buf *t = data;
	nm_buf_add(t, b, n);
	return t->oom ? -1 : 0;
}

static void put(struct nm_buf *t, const char *s)
{
	put_bytes(s, strlen(s), t);
}

/* Writes the decimal digits of k backwards, ending before end; returns the first. Numbers
 * are written without printf, which costs ~100 ns a call and a run writes ~3,000. */
static char *digits(char *end, unsigned long long k)
{
	do {
		*--end = (char)('0' + k % 10);
		k /= 10;
	} while (k);
	return end;
}

static void put_int(struct nm_buf *t, long long v)
{
	char b[24], *p = digits(b + sizeof b,
				v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v);
	if (v < 0)
		*--p = '-';
	put_bytes(p, (size_t)(b + sizeof b - p), t);
}

/* v encoded by jansson (NULL, e.g. a SQL NULL string, is null); takes the reference. A
 * failed dump may have written part of v: that part is dropped. */
static void put_json(struct nm_buf *t, json_t *v)
{
	size_t len = t->len;
	if (!v || json_dump_callback(v, put_bytes, t, JSON_ENCODE_ANY | JSON_REAL_PRECISION(15))) {
		nm_buf_truncate(t, len);
		put(t, "null");
	}
	json_decref(v);
}

static void put_str(struct nm_buf *t, const char *s)
{
	put_json(t, s ? json_string(s) : NULL);
}

/* v as jansson prints a real: "%.15g", plus ".0" when that looks like an integer. When v
 * is the double nearest to a decimal k / 10^decimals with k < 10^15, "%.15g" prints
 * exactly that decimal (≤ 15 digits survive a trip through a double: DBL_DIG), so the
 * digits come from k without printf's floating-point path (~0.5 µs a number); below
 * 1e-4 "%.15g" switches to an exponent, so those go to jansson, as does anything not
 * such a decimal. Components, score and cost per engagement are such decimals
 * (docs/scoring.md §1, §8), engagement rates mostly. */
static void put_decimal(struct nm_buf *t, double v, int decimals)
{
	static const long long unit[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
	long long u = unit[decimals];
	double scaled = v * (double)u;
	long long k = v >= 0 && !signbit(v) && scaled < 1e15 ? llround(scaled) : -1;
	if (k < 0 || (v != 0 && (v < 1e-4 || (double)k / (double)u != v))) {
		put_json(t, json_real(v));
		return;
	}
	/* k with a point before its last `decimals` digits, and the point's trailing zeros
	 * dropped but one: 683 → 0.683, 830 → 0.83, 1000 → 1.0 (decimals 3). */
	int frac = decimals;
	while (frac > 1 && k % 10 == 0) {
		k /= 10;
		frac--;
	}
	char b[32], *p = b + sizeof b;
	if (frac == 0)
		*--p = '0';
	for (int i = 0; i < frac; i++, k /= 10)
		*--p = (char)('0' + k % 10);
	*--p = '.';
	p = digits(p, (unsigned long long)k);
	put_bytes(p, (size_t)(b + sizeof b - p), t);
}

/* s (valid UTF-8: sentences the scorer wrote from validated terms and fixed words) as a
 * JSON string, escaped as jansson escapes it, without a jansson string per sentence: a
 * result writes each sentence twice (explanations and reasons). */
static void put_text(struct nm_buf *t, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	put_bytes("\"", 1, t);
	const char *run = s;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		put_bytes(run, (size_t)(s - run), t);
		char e[6] = {'\\', (char)c};
		size_t n = 2;
		switch (c) {
		case '"':
		case '\\':
			break;
		case '\b':
			e[1] = 'b';
			break;
		case '\f':
			e[1] = 'f';
			break;
		case '\n':
			e[1] = 'n';
			break;
		case '\r':
			e[1] = 'r';
			break;
		case '\t':
			e[1] = 't';
			break;
		default:
			memcpy(e + 1, "u00", 3);
			e[4] = hex[c >> 4];
			e[5] = hex[c & 15];
			n = 6;
		}
		put_bytes(e, n, t);
		run = s + 1;
	}
	put_bytes(run, (size_t)(s - run), t);
	put_bytes("\"", 1, t);
}

/* open (e.g. ',"reasons":[') then the n strings as a JSON array's elements, then ']'. */
static void put_strings(struct nm_buf *t, const char *open, const char *const *v, size_t n)
{
	put(t, open);
	for (size_t i = 0; i < n; i++) {
		if (i)
			put(t, ",");
		put_str(t, v[i]);
	}
	put(t, "]");
}

/* "categories":[...] from the row's text[] literal. */
static void put_categories(struct nm_buf *t, const char *literal)
{
	char *s = strdup(literal);
	char *v[32];
	if (!s)
		t->oom = true; /* not an empty list: the run fails rather than store a wrong one */
	size_t n = s ? nm_pgarray_split(s, v, 32) : 0;
	put_strings(t, ",\"categories\":[", (const char *const *)v, n);
	free(s);
}

/* "creator":{...} */
static void put_creator(struct nm_buf *t, const struct nm_creator_summary *row,
			const struct nm_index_hit *h)
{
	const struct nm_score_features *f = &h->f;
	put(t, ",\"creator\":{\"id\":");
	put_int(t, (long long)h->id);
	put(t, ",\"platform\":");
	put_str(t, row->platform);
	put(t, ",\"handle\":");
	put_str(t, row->handle);
	put(t, ",\"display_name\":");
	put_str(t, row->display_name);
	put(t, ",\"followers\":");
	put_int(t, (long long)row->followers);
	put(t, ",\"tier\":\"");
	put(t, nm_tier_name(nm_tier_of(row->followers)));
	put(t, "\",\"engagement_rate\":");
	if (f->engagement_rate >= 0)
		put_decimal(t, f->engagement_rate, 6);
	else
		put(t, "null");
	put_categories(t, row->categories);
	put(t, ",\"country\":");
	put_str(t, row->country);
	put(t, ",\"price_per_post_cents\":");
	if (f->price_cents >= 0)
		put_int(t, f->price_cents);
	else
		put(t, "null");
	/* how old and how solid the numbers are, at the run (issue 16), as in creator replies */
	put(t, ",\"data_age_days\":");
	if (h->data_age_days >= 0)
		put_int(t, (long long)h->data_age_days);
	else
		put(t, "null");
	struct nm_confidence conf;
	nm_confidence_packed_eval(h->conf, h->data_age_days, &conf);
	put(t, ",\"confidence\":\"");
	put(t, nm_confidence_level_name(conf.level));
	put(t, "\"");
	const char *codes[NM_CONF_CODE_COUNT];
	size_t n_codes = nm_confidence_code_names(conf.codes, codes, NM_CONF_CODE_COUNT);
	put_strings(t, ",\"confidence_codes\":[", codes, n_codes);
	put(t, "}");
}

/* open then each component's name and value (decimals places), then '}'. */
static void put_per_component(struct nm_buf *t, const char *open, const double *v, int decimals)
{
	for (int c = 0; c < NM_COMP_COUNT; c++) {
		put(t, c ? ",\"" : open);
		put(t, nm_score_comp_name((enum nm_score_comp)c));
		put(t, "\":");
		put_decimal(t, v[c], decimals);
	}
	put(t, "}");
}

/* "components":{...},"points":{...},"estimates":{...} */
static void put_components(struct nm_buf *t, const struct nm_score_query *q,
			   const struct nm_score_features *f)
{
	double comp[NM_COMP_COUNT], points[NM_COMP_COUNT];
	nm_score_creator(q, f, comp);
	put_per_component(t, ",\"components\":{\"", comp, 3);
	nm_score_points(q->goal, comp, points);
	put_per_component(t, ",\"points\":{\"", points, 2);
	struct nm_score_estimates est;
	nm_score_estimate(f, &est);
	put(t, ",\"estimates\":{\"engagements_per_post\":");
	if (est.has_engagements)
		put_int(t, (long long)est.engagements_per_post);
	else
		put(t, "null");
	put(t, ",\"cost_per_engagement_cents\":");
	if (est.has_cpe)
		put_decimal(t, est.cost_per_engagement_cents, 2);
	else
		put(t, "null");
	put(t, "}");
}

/* A value or benchmark of an explanation: null when there is none (NAN). */
static void put_number(struct nm_buf *t, double v)
{
	if (isnan(v))
		put(t, "null");
	else
		put_decimal(t, v, 6);
}

/* "flags":[...],"explanations":[...], the document's last member. The reasons are the
 * explanations' sentences: they are not stored a second time but spliced in when a page
 * is written (nm_match_with_status), which keeps the stored documents ~30 % smaller. */
static void put_reasons(struct nm_buf *t, const struct nm_score_query *q,
			const struct nm_index_hit *h, const struct nm_niche_terms *terms)
{
	unsigned fl = nm_score_flags(q->bench, &h->f);
	put(t, ",\"flags\":[");
	for (int i = 0, n = 0; i < NM_FLAG_COUNT; i++) {
		if (!(fl & (1u << i)))
			continue;
		put(t, n++ ? ",\"" : "\"");
		put(t, nm_flag_code((enum nm_flag)i));
		put(t, "\"");
	}
	const char *matched_terms[NM_NICHE_MAX_TERMS];
	size_t n_matched = 0;
	for (size_t i = 0; i < terms->n; i++)
		if (h->matched & (1ull << i))
			matched_terms[n_matched++] = terms->term[i];
	char buf[2048];
	struct nm_score_expl e[NM_SCORE_EXPL_MAX];
	size_t ne = nm_score_explain(q, &h->f, matched_terms, n_matched, buf, sizeof buf, e,
				     NM_SCORE_EXPL_MAX);
	put(t, "],\"explanations\":[");
	for (size_t i = 0; i < ne; i++) {
		put(t, i ? ",{\"code\":\"" : "{\"code\":\"");
		put(t, e[i].code);
		put(t, "\",\"component\":\"");
		put(t, nm_score_comp_name(e[i].comp));
		put(t, "\",\"value\":");
		put_number(t, e[i].value);
		put(t, ",\"benchmark\":");
		put_number(t, e[i].benchmark);
		put(t, ",\"text\":");
		put_text(t, e[i].text);
		put(t, "}");
	}
	/* Old data (issue 16): said beside the score, which it never changes; the threshold is
	 * the age at which confidence gets the code stale (docs/scoring.md §12.1). */
	if (h->data_age_days > NM_CONF_STALE_DAYS) {
		put(t, ne ? ",{\"code\":\"data_stale\",\"component\":null,\"value\":"
			  : "{\"code\":\"data_stale\",\"component\":null,\"value\":");
		put_int(t, (long long)h->data_age_days);
		put(t, ",\"benchmark\":");
		put_int(t, NM_CONF_STALE_DAYS);
		put(t, ",\"text\":\"Data ");
		put_int(t, (long long)h->data_age_days);
		put(t, " days old\"}");
	}
	put(t, "]");
}

/* One stored result (without the reasons and the live status), NUL-terminated. */
static void put_result(struct nm_buf *t, const struct nm_creator_summary *row, long rank,
		       const struct nm_score_query *q, const struct nm_index_hit *h,
		       const struct nm_niche_terms *terms)
{
	put(t, "{\"rank\":");
	put_int(t, rank);
	put(t, ",\"score\":");
	put_decimal(t, h->score, 2);
	put_creator(t, row, h);
	put_components(t, q, &h->f);
	put_reasons(t, q, h, terms);
	put_bytes("}", 2, t);
}

/* ,"reasons":[...] from the "text" of each explanation of doc[0, len), copied as the JSON
 * strings they are (no reparse). Outside a JSON string a quote is never escaped and inside
 * one it always is, so "text":" with bare quotes can only be a key, and after
 * "explanations":[ (the last member) only an explanation's. A document stored before
 * explanations existed has its reasons already and gets nothing. Returns the new end. */
static char *splice_reasons(char *w, const char *doc, size_t len)
{
	static const char key[] = "\"text\":\"", open[] = ",\"reasons\":[";
	const char *p = strstr(doc, "\"explanations\":[");
	if (!p || p >= doc + len)
		return w;
	memcpy(w, open, sizeof open - 1);
	w += sizeof open - 1;
	bool first = true;
	while ((p = strstr(p, key)) && p < doc + len) {
		const char *s = p + sizeof key - 2, *e = s + 1; /* s: the opening quote */
		while (*e && *e != '"')
			e += *e == '\\' && e[1] ? 2 : 1;
		if (!*e)
			break;
		if (!first)
			*w++ = ',';
		first = false;
		memcpy(w, s, (size_t)(e + 1 - s));
		w += e + 1 - s;
		p = e + 1;
	}
	*w++ = ']';
	return w;
}

/* A stored document with its reasons and the creator's live status spliced in before its
 * closing brace (no reparse); statuses are plain words that need no escaping. Appends to
 * w (room for 2 × strlen(doc) + 32) and returns the new end. */
char *nm_match_with_status(char *w, const char *doc, const char *status)
{
	size_t len = strlen(doc);
	while (len && doc[len - 1] != '}')
		len--;
	if (len)
		len--;
	memcpy(w, doc, len);
	w = splice_reasons(w + len, doc, len);
	return w + (status ? sprintf(w, ",\"status\":\"%s\"}", status)
			   : sprintf(w, ",\"status\":null}"));
}

/* The position of id in sums[0, n) (ascending by id), or -1. */
static long find_summary(const struct nm_creator_summary *sums, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (sums[mid].id == id)
			return (long)mid;
		if (sums[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

void nm_match_statuses_free(struct nm_match_statuses *s)
{
	free(s->id);
	free(s->status);
	free(s->excluded);
	memset(s, 0, sizeof *s);
}

const char *nm_match_status_of(const struct nm_match_statuses *s, int64_t id)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->id[mid] == id)
			return s->status[mid];
		if (s->id[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void nm_match_results_free(struct nm_match_results *rs)
{
	nm_buf_free(&rs->text);
	free(rs->at);
	memset(rs, 0, sizeof *rs);
}

const char *nm_match_result_doc(const struct nm_match_results *rs, size_t i)
{
	return rs->text.data + rs->at[i].doc;
}

bool nm_match_results_build(const struct nm_index_hit *hits, long nh,
			    const struct nm_creator_summary *sums, size_t n_sums,
			    const struct nm_score_query *q, const struct nm_niche_terms *terms,
			    struct nm_match_results *rs)
{
	*rs = (struct nm_match_results){.at = malloc((size_t)(nh > 0 ? nh : 1) * sizeof *rs->at)};
	for (long i = 0; rs->at && i < nh; i++) {
		long row = find_summary(sums, n_sums, hits[i].id);
		if (row < 0)
			continue;
		const struct nm_creator_summary *row_s = &sums[row];
		enum nm_platform pl;
		struct nm_match_result *at = &rs->at[rs->n];
		*at = (struct nm_match_result){
			rs->text.len,
			hits[i].id,
			hits[i].score,
			nm_platform_parse(row_s->platform, &pl) ? nm_platform_name(pl) : "",
			nm_tier_name(nm_tier_of(row_s->followers)),
			""};
		if (row_s->country && strlen(row_s->country) == 2)
			memcpy(at->country, row_s->country, 3);
		put_result(&rs->text, &sums[row], (long)++rs->n, q, &hits[i], terms);
	}
	if (!rs->at || rs->text.oom) {
		nm_match_results_free(rs);
		return false;
	}
	return true;
}

/* A document holds no control characters (jansson escapes them inside strings), so a
 * backslash is the only byte that COPY's text format needs escaped. */
void nm_match_results_copy_rows(const struct nm_match_results *rs, int64_t run_id,
				struct nm_buf *rows)
{
	char rid[24], *p = digits(rid + sizeof rid - 1, (unsigned long long)run_id);
	rid[sizeof rid - 1] = '\0';
	for (size_t i = 0; i < rs->n; i++) {
		put(rows, p);
		put(rows, "\t");
		put_int(rows, (long long)i + 1);
		put(rows, "\t");
		put_int(rows, (long long)rs->at[i].creator_id);
		put(rows, "\t");
		put_decimal(rows, rs->at[i].score, 2);
		put(rows, "\t");
		/* fixed words and a two-letter code: nothing to escape */
		put(rows, rs->at[i].platform[0] ? rs->at[i].platform : "\\N");
		put(rows, "\t");
		put(rows, rs->at[i].tier);
		put(rows, "\t");
		put(rows, rs->at[i].country[0] ? rs->at[i].country : "\\N");
		put(rows, "\t");
		const char *d = nm_match_result_doc(rs, i);
		for (const char *b; (b = strchr(d, '\\')); d = b + 1) {
			put_bytes(d, (size_t)(b - d) + 1, rows);
			put(rows, "\\");
		}
		put(rows, d);
		put(rows, "\n");
	}
}

char *nm_match_results_page(const struct nm_match_results *rs, size_t first,
			    const struct nm_match_statuses *st)
{
	if (first > rs->n)
		first = rs->n;
	size_t cap = 3;
	for (size_t i = 0; i < first; i++)
		cap += 2 * strlen(nm_match_result_doc(rs, i)) + 32;
	char *page = malloc(cap), *w = page;
	if (!page)
		return NULL;
	*w++ = '[';
	for (size_t i = 0; i < first; i++) {
		if (i)
			*w++ = ',';
		w = nm_match_with_status(w, nm_match_result_doc(rs, i),
					 nm_match_status_of(st, rs->at[i].creator_id));
	}
	*w++ = ']';
	*w = '\0';
	return page;
}

char *nm_match_ids_literal(const struct nm_index_hit *hits, long nh)
{
	struct nm_buf ids = {0};
	put(&ids, "{");
	for (long i = 0; i < nh; i++) {
		if (i)
			put(&ids, ",");
		put_int(&ids, (long long)hits[i].id);
	}
	put(&ids, "}");
	return nm_buf_steal(&ids, NULL);
}
