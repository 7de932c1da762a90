/* The match alerts thread (see nm/alerts.h). One pass:
 *   1. the ids of the creators written since the last pass (store/alerts.c), read
 *      BEFORE the index sync so that the index then holds every one of them;
 *   2. the ranking index synced (nm_index_sync), as a match run does;
 *   3. per brand with alerts on and a run: the query of its latest run, its exclusions,
 *      and the cutoff (the score of the run's Nth result; none when the run has fewer);
 *   4. one nm_index_probe over the changed creators for all those brands at once;
 *   5. per brand, one transaction: each creator above the cutoff, not in the run's top N,
 *      is recorded in match_alerts (unless already alerted within NM_ALERTS_MARGIN) and
 *      its match.new_candidate written to the outbox.
 * A pass that fails puts the mark back, so its creators are looked at again. */
#include "nm/alerts.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nm/db_admin.h"
#include "nm/db_pool.h"
#include "nm/log.h"
#include "nm/match_pool.h"
#include "nm/match_probe.h"
#include "nm/match_results.h"
#include "nm/outbox.h"
#include "nm/store_alerts.h"
#include "nm/store_matches.h"
#include "nm/tx.h"

static struct {
	pthread_t thread;
	bool started;
	atomic_bool stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
} W = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* One brand of a pass. */
struct alert_brand {
	int64_t id, run_id;
	size_t top_n;
	json_t *top; /* borrowed from the pass's brands: [[creator id, score], ...] */
	struct nm_score_query q;
	struct nm_niche_terms terms, ban;
	struct nm_match_statuses statuses;
	int64_t *handle_ids;
	size_t n_handle_ids;
	struct nm_index_exclusions ex;
	struct nm_index_hit *hits;
};

static void brand_free(struct alert_brand *b)
{
	nm_niche_free(&b->terms);
	nm_niche_free(&b->ban);
	nm_match_statuses_free(&b->statuses);
	free(b->handle_ids);
	free(b->hits);
}

static double round2(double v)
{
	return floor(v * 100 + 0.5) / 100;
}

/* The run's score at rank i (0-based) of top. */
static double top_score(const json_t *top, size_t i)
{
	return json_number_value(json_array_get(json_array_get(top, i), 1));
}

static bool in_top(const json_t *top, int64_t id)
{
	for (size_t i = 0; i < json_array_size(top); i++)
		if (json_integer_value(json_array_get(json_array_get(top, i), 0)) == id)
			return true;
	return false;
}

/* Query, exclusions and cutoff of brand row o (from nm_store_alert_brands) into b. */
static bool brand_prepare(struct nm_pg *pg, const json_t *o, const struct nm_score_bench *bench,
			  struct alert_brand *b, struct nm_index_probe *p)
{
	json_t *row = (json_t *)o;
	b->id = json_integer_value(json_object_get(row, "id"));
	b->run_id = json_integer_value(json_object_get(row, "run_id"));
	b->top_n = (size_t)json_integer_value(json_object_get(row, "top_n"));
	b->top = json_object_get(row, "top");
	/* The run's own effective brand (its overrides included), so that a creator is
	 * scored as the run scored the results it is compared with. */
	json_t *eff = json_object_get(row, "query");
	if (!json_is_object(eff))
		eff = json_object_get(row, "doc");
	nm_match_query_build(eff, bench, &b->q, &b->terms, &b->ban);
	struct nm_db_err err;
	if (!nm_store_match_statuses(pg, b->id, &b->statuses, &err))
		return false;
	json_t *handles = json_object_get(eff, "exclude_handles");
	if (json_array_size(handles)) {
		char *text = json_dumps(handles, JSON_COMPACT);
		bool ok = text && nm_store_match_handle_ids(pg, text, &b->handle_ids,
							    &b->n_handle_ids, &err);
		free(text);
		if (!ok)
			return false;
	}
	/* the run's freshness filters too: an alert names only creators the run could show */
	struct nm_fresh_filter fresh;
	nm_match_fresh_filter_build(eff, &fresh);
	b->ex = (struct nm_index_exclusions){b->statuses.excluded,
					     b->statuses.n_excluded,
					     b->handle_ids,
					     b->n_handle_ids,
					     &b->ban,
					     fresh};
	size_t in_run = json_array_size(b->top);
	/* Room for the run's own top N among the best, and N more. */
	size_t k = b->top_n + in_run;
	b->hits = malloc(k * sizeof *b->hits);
	*p = (struct nm_index_probe){
		&b->q,	&b->terms,
		&b->ex, in_run < b->top_n ? -1.0 : top_score(b->top, b->top_n - 1),
		k,	b->hits,
		0};
	return b->hits != NULL;
}

/* The position a score would take in the run's top (1-based): after every result that
 * scored at least as much. */
static long would_rank(const json_t *top, double score)
{
	long r = 1;
	for (size_t i = 0; i < json_array_size(top); i++)
		if (top_score(top, i) >= score)
			r++;
	return r;
}

/* The explanations of hit h as a match result shows them (caller owns), from the same
 * document builder as a run; an empty array when it cannot be built. */
static json_t *explanations(const struct alert_brand *b, const struct nm_index_hit *h,
			    const json_t *c)
{
	json_t *cj = (json_t *)c;
	struct nm_creator_summary sum = {h->id,
					 json_integer_value(json_object_get(cj, "followers")),
					 json_string_value(json_object_get(cj, "platform")),
					 json_string_value(json_object_get(cj, "handle")),
					 json_string_value(json_object_get(cj, "display_name")),
					 json_string_value(json_object_get(cj, "categories")),
					 json_string_value(json_object_get(cj, "country"))};
	if (!sum.platform || !sum.handle || !sum.categories)
		return json_array();
	struct nm_match_results rs;
	json_t *out = NULL;
	if (nm_match_results_build(h, 1, &sum, 1, &b->q, &b->terms, &rs)) {
		json_t *doc = rs.n ? json_loads(nm_match_result_doc(&rs, 0), 0, NULL) : NULL;
		out = json_incref(json_object_get(doc, "explanations"));
		json_decref(doc);
		nm_match_results_free(&rs);
	}
	return out ? out : json_array();
}

/* match.new_candidate's data for hit h of brand b (caller owns). */
static json_t *event_data(const struct alert_brand *b, const struct nm_index_hit *h,
			  const json_t *c)
{
	json_t *cj = (json_t *)c;
	json_t *creator = json_object();
	static const char *const keys[] = {"id",    "platform",	   "handle",	"display_name",
					   "email", "profile_url", "followers", "engagement_rate"};
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
		json_t *v = json_object_get(cj, keys[i]);
		json_object_set_new(creator, keys[i], v ? json_incref(v) : json_null());
	}
	double score = round2(h->score);
	return json_pack("{s:I, s:I, s:I, s:f, s:I, s:o, s:o}", "brand_id", (json_int_t)b->id,
			 "run_id", (json_int_t)b->run_id, "top_n", (json_int_t)b->top_n, "score",
			 score, "would_rank", (json_int_t)would_rank(b->top, score), "creator",
			 creator, "explanations", explanations(b, h, c));
}

/* The alerts of one brand: its hits that qualify, up to top_n. */
struct brand_tx {
	const struct alert_brand *b;
	const struct nm_index_probe *p;
	const json_t *creators; /* keyed by decimal id */
	size_t sent;
};

static bool qualifies(const struct alert_brand *b, const struct nm_index_hit *h)
{
	return !in_top(b->top, h->id);
}

static const json_t *creator_of(const struct brand_tx *t, int64_t id)
{
	char key[24];
	snprintf(key, sizeof key, "%lld", (long long)id);
	return json_object_get(t->creators, key);
}

static bool brand_tx_fn(struct nm_pg *pg, void *cls, struct nm_db_err *err)
{
	struct brand_tx *t = cls;
	t->sent = 0;
	/* The best top_n that qualify (and still exist), recorded in one statement. */
	size_t n = 0, cap = t->b->top_n;
	const struct nm_index_hit **h = malloc(cap * sizeof *h);
	int64_t *ids = malloc(cap * sizeof *ids);
	double *scores = malloc(cap * sizeof *scores);
	bool *fresh = malloc(cap * sizeof *fresh);
	bool ok = h && ids && scores && fresh;
	for (long i = 0; ok && i < t->p->n && n < cap; i++) {
		const struct nm_index_hit *x = &t->p->out[i];
		if (!qualifies(t->b, x) || !creator_of(t, x->id))
			continue; /* in the run's top already, or deleted since */
		h[n] = x;
		ids[n] = x->id;
		scores[n++] = round2(x->score);
	}
	if (!ok)
		nm_db_err_set(err, NM_DB_ERROR);
	ok = ok && (n == 0 || nm_store_alert_record(pg, t->b->id, ids, scores, n, NM_ALERTS_MARGIN,
						    fresh, err));
	for (size_t i = 0; ok && i < n; i++) {
		if (!fresh[i])
			continue;
		json_t *data = event_data(t->b, h[i], creator_of(t, h[i]->id));
		ok = data && nm_outbox_emit(pg, "match.new_candidate", data, err);
		json_decref(data);
		if (!ok && err->status == NM_DB_OK)
			nm_db_err_set(err, NM_DB_ERROR);
		t->sent += ok;
	}
	free(h);
	free(ids);
	free(scores);
	free(fresh);
	return ok;
}

/* The creators of every qualifying hit as a bigint[] literal (caller frees). */
static char *hit_ids(const struct alert_brand *bs, const struct nm_index_probe *ps, size_t nb)
{
	size_t n = 0;
	for (size_t i = 0; i < nb; i++)
		n += (size_t)ps[i].n;
	char *s = malloc(n * 21 + 3), *w = s;
	if (!s)
		return NULL;
	*w++ = '{';
	bool first = true;
	for (size_t i = 0; i < nb; i++)
		for (long j = 0; j < ps[i].n; j++) {
			if (!qualifies(&bs[i], &ps[i].out[j]))
				continue;
			w += sprintf(w, "%s%lld", first ? "" : ",", (long long)ps[i].out[j].id);
			first = false;
		}
	strcpy(w, "}");
	return s;
}

/* What a pass did and where its time went, for its log line. */
struct pass_stats {
	size_t brands, sent;
	double sync_ms, prepare_ms, probe_ms, emit_ms;
};

static double ms_since(const struct timespec *t0)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) * 1e3 + (double)(now.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Steps 3-5 for the changed creators ids; false when something failed. */
static bool alert(struct nm_pg *pg, const int64_t *ids, size_t n, struct pass_stats *st)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	struct nm_db_err err;
	json_t *rows = nm_store_alert_brands(pg, &err);
	if (!rows)
		return false;
	size_t nb = json_array_size(rows);
	st->brands = nb;
	struct alert_brand *bs = calloc(nb ? nb : 1, sizeof *bs);
	struct nm_index_probe *ps = calloc(nb ? nb : 1, sizeof *ps);
	struct nm_score_bench bench;
	nm_store_match_bench(pg, &bench);
	bool ok = bs && ps;
	/* A pass stops early at shutdown (its creators are then not alerted by this
	 * instance): a pass over a large import must not hold up the exit. */
	for (size_t i = 0; ok && i < nb; i++)
		ok = !atomic_load(&W.stop) &&
		     brand_prepare(pg, json_array_get(rows, i), &bench, &bs[i], &ps[i]);
	st->prepare_ms = ms_since(&t);
	clock_gettime(CLOCK_MONOTONIC, &t);
	ok = ok && nm_index_probe(ids, n, ps, nb);
	st->probe_ms = ms_since(&t);
	clock_gettime(CLOCK_MONOTONIC, &t);
	char *lit = ok ? hit_ids(bs, ps, nb) : NULL;
	json_t *creators = lit ? nm_store_alert_creators(pg, lit, &err) : NULL;
	ok = ok && creators;
	for (size_t i = 0; ok && i < nb; i++) {
		if (!ps[i].n)
			continue;
		ok = !atomic_load(&W.stop);
		if (!ok)
			break;
		struct brand_tx bt = {&bs[i], &ps[i], creators, 0};
		/* One brand's alerts commit together; a brand that fails is retried by the
		 * next pass (the mark goes back), and what others sent is not sent again. */
		ok = nm_tx_run(pg, NM_TX_READ_COMMITTED, brand_tx_fn, &bt, &err);
		st->sent += bt.sent;
	}
	st->emit_ms = ms_since(&t);
	json_decref(creators);
	free(lit);
	for (size_t i = 0; bs && i < nb; i++)
		brand_free(&bs[i]);
	free(bs);
	free(ps);
	json_decref(rows);
	return ok;
}

static struct nm_alerts_mark mark;

static const struct nm_config *cfg;
static struct pg_conn *look; /* the thread's own connection for the looks */

/* The look of a pass on the thread's own connection, reopened after a failure. */
static bool changes(bool *any, int64_t **ids, size_t *n)
{
	char err[256];
	if (!look && !(look = nm_db_connect_raw(cfg, err, sizeof err)))
		return false;
	if (nm_store_alerts_changes(look, &mark, any, ids, n))
		return true;
	nm_db_close(look); /* broken or not, the next pass starts afresh */
	look = NULL;
	return false;
}

static void pass(void)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct nm_alerts_mark before = mark;
	bool any;
	int64_t *ids = NULL;
	size_t n = 0;
	struct pass_stats st = {0, 0, 0, 0, 0, 0};
	if (!changes(&any, &ids, &n) || !n) {
		free(ids);
		return;
	}
	/* Only now a pooled connection: for the index sync and the brands' reads and writes. */
	struct nm_pg *pg = nm_db_acquire();
	bool ok = pg != NULL;
	if (ok) {
		struct timespec t;
		clock_gettime(CLOCK_MONOTONIC, &t);
		ok = nm_index_sync(pg);
		st.sync_ms = ms_since(&t);
		ok = ok && alert(pg, ids, n, &st);
		nm_db_release(pg);
	}
	if (!ok)
		mark = before; /* looked at again by the next pass */
	nm_log_json(ok ? NM_LOG_INFO : NM_LOG_WARN, "match alerts pass",
		    json_pack("{s:s, s:I, s:I, s:I, s:f, s:f, s:f, s:f, s:f}", "status",
			      ok ? "ok" : "failed", "creators", (json_int_t)n, "brands",
			      (json_int_t)st.brands, "sent", (json_int_t)st.sent, "ms",
			      ms_since(&t0), "sync_ms", st.sync_ms, "prepare_ms", st.prepare_ms,
			      "probe_ms", st.probe_ms, "emit_ms", st.emit_ms));
	free(ids);
}

static void *alerts_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&W.mu);
	while (!atomic_load(&W.stop)) {
		pthread_mutex_unlock(&W.mu);
		pass();
		pthread_mutex_lock(&W.mu);
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += (long)NM_ALERTS_POLL_MS * 1000000L;
		until.tv_sec += until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		while (!atomic_load(&W.stop) && pthread_cond_timedwait(&W.cv, &W.mu, &until) == 0)
			;
	}
	pthread_mutex_unlock(&W.mu);
	return NULL;
}

void nm_alerts_start(const struct nm_config *c)
{
	cfg = c;
	atomic_store(&W.stop, false);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&W.cv, &ca);
	pthread_condattr_destroy(&ca);
	W.started = pthread_create(&W.thread, NULL, alerts_main, NULL) == 0;
	if (!W.started)
		nm_log(NM_LOG_WARN, "cannot start the match alerts thread: this instance sends no "
				    "match.new_candidate");
}

void nm_alerts_stop(void)
{
	if (!W.started)
		return;
	pthread_mutex_lock(&W.mu);
	atomic_store(&W.stop, true);
	pthread_cond_broadcast(&W.cv);
	pthread_mutex_unlock(&W.mu);
	pthread_join(W.thread, NULL);
	W.started = false;
	pthread_cond_destroy(&W.cv);
	nm_db_close(look);
	look = NULL;
}
