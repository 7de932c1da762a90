/* The ranking index's memory today and what a compact record would give (docs/scaling.md).
 *
 * usage: DATABASE_URL=... index_layout     (bench/index_layout.sh loads 1M creators first)
 *
 * 1. Loads the index from the database the way `serve` does (nm_index_sync) and prints the
 *    load time, nm_index_stats() (creators, terms, postings, bytes) and the process's RSS
 *    growth over the load.
 * 2. Copies every live slot's 64 B feature record (struct nm_score_features) and 56 B
 *    search record (struct srec) into a 32 B compact hot record (below) plus cold side
 *    arrays, and times two scans over both layouts, best of 7:
 *      filter: followers 10k-100k, instagram, engagement >= 2 %, country US (a search page's
 *              hard filters, which read the search record today);
 *      score:  a weighted sum of engagement, log followers, growth, price and recency over
 *              every creator (the fields a ranking pass reads from the feature record).
 *    Both layouts must give the same count and the same sum (checked), so the timings
 *    compare equal work.
 * 3. Encodes every live posting list as LEB128 varints of the gaps between ascending slots
 *    and prints its size against today's 4 B entries, and the time to walk all lists either
 *    way (the sums of the slots must agree). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nm/config.h"
#include "nm/db.h"
#include "nm/log.h"
#include "nm/match_index.h"

#include "../src/match/index_internal.h"

/* The compact hot record: what a filter or score pass reads, 32 B (two per cache line
 * instead of one record in ~two lines). Cold, per slot and read only for the page or the
 * top K: the id (8 B), audience countries (16 B), following (4 B). Followers and price are
 * clamped to 32 bits as the feature record already does; updated_at keeps seconds since
 * 2020-01-01 (to 2156). */
struct crec {
	uint32_t followers;
	int32_t price_cents; /* < 0: unknown */
	float er;	     /* < 0: unknown */
	float growth;	     /* NaN: unknown */
	float female_share;
	int32_t post_day; /* days since 1970, INT32_MIN unknown */
	uint32_t updated_s;
	uint8_t platform, flags; /* flags bit 0: has_email */
	char country[2];
};

struct cold {
	int64_t id;
	struct nm_score_aud aud[NM_SCORE_AUD_MAX];
	int32_t following;
	char language[2];
};

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "VmRSS: %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

enum { PLATFORM_INSTAGRAM = 0 };
#define TODAY 20000 /* a fixed "today" in days since 1970, so both passes agree */

static double score_of(double er, double followers, double growth, double price, int32_t day)
{
	double s = 3.0 * (er < 0 ? 0 : er) + 0.1 * log1p(followers);
	if (!isnan(growth))
		s += 0.5 * growth;
	if (price >= 0)
		s -= 1e-7 * price;
	if (day != INT32_MIN)
		s -= 0.001 * (TODAY - day);
	return s;
}

static double score_seconds_current(uint32_t n, const uint8_t *live_mask, double *sum)
{
	const struct nm_score_features *ft = nm_idx.feat;
	double s = 0;
	double t0 = now_s();
	for (uint32_t i = 0; i < n; i++) {
		if (!live_mask[i])
			continue;
		const struct nm_score_features *f = &ft[i];
		s += score_of(f->engagement_rate, f->followers, f->follower_growth_30d,
			      f->price_cents, nm_idx.post_day[i]);
	}
	*sum = s;
	return now_s() - t0;
}

static double filter_seconds_current(uint32_t n, const uint8_t *live_mask, size_t *count)
{
	const struct index *ix = &nm_idx;
	const uint16_t us = nm_sr_code("US", 'A');
	size_t c = 0;
	double t0 = now_s();
	for (uint32_t i = 0; i < n; i++) {
		/* & rather than &&: every field is read, no branch to mispredict, so the scan
		 * is as memory-bound as it can be and the layouts compare fairly */
		c += (size_t)(live_mask[i] & (ix->hot_followers[i] >= 10000) &
			      (ix->hot_followers[i] <= 100000) &
			      (ix->s_platform[i] == PLATFORM_INSTAGRAM) &
			      ((float)ix->s_er[i] >= 0.02f) & (ix->s_country[i] == us));
	}
	*count = c;
	return now_s() - t0;
}

static double filter_seconds_compact(const struct crec *cr, uint32_t n, size_t *count)
{
	size_t c = 0;
	double t0 = now_s();
	for (uint32_t i = 0; i < n; i++) {
		const struct crec *s = &cr[i];
		c += (size_t)((s->followers >= 10000) & (s->followers <= 100000) &
			      (s->platform == PLATFORM_INSTAGRAM) & (s->er >= 0.02f) &
			      (s->country[0] == 'U') & (s->country[1] == 'S'));
	}
	*count = c;
	return now_s() - t0;
}

static double score_seconds_compact(const struct crec *cr, uint32_t n, double *sum)
{
	double s = 0;
	double t0 = now_s();
	for (uint32_t i = 0; i < n; i++)
		s += score_of(cr[i].er, cr[i].followers, cr[i].growth, cr[i].price_cents,
			      cr[i].post_day);
	*sum = s;
	return now_s() - t0;
}

/* Posting lists as LEB128 varints of the gaps between ascending slots (a loaded index's
 * lists are ascending; a rebuilt one drops the version byte and the stale entries). Returns
 * the encoded bytes of every live posting; *out gets the encoding (caller frees). */
static size_t postings_varint(uint8_t **out, size_t *live_postings, uint32_t *list_n)
{
	size_t cap = 0, n = 0, live = 0;
	for (uint32_t t = 0; t < nm_idx.n_terms; t++)
		for (int k = 0; k < SRC_COUNT; k++)
			cap += (size_t)nm_idx.post[k][t].n * 5;
	uint8_t *buf = malloc(cap ? cap : 1);
	if (!buf)
		return 0;
	for (uint32_t t = 0; t < nm_idx.n_terms; t++)
		for (int k = 0; k < SRC_COUNT; k++) {
			const struct plist *pl = &nm_idx.post[k][t];
			uint32_t prev = 0, *ln = &list_n[(size_t)t * SRC_COUNT + (size_t)k];
			*ln = 0;
			for (uint32_t i = 0; i < pl->n; i++) {
				if (!posting_live(&nm_idx, pl->v[i]))
					continue;
				uint32_t slot = pl->v[i] >> 8, gap = slot - prev;
				prev = slot;
				live++;
				(*ln)++;
				do {
					uint8_t b = gap & 0x7f;
					gap >>= 7;
					buf[n++] = b | (gap ? 0x80 : 0);
				} while (gap);
			}
		}
	*out = buf;
	*live_postings = live;
	return n;
}

/* Walks every list, summing slots: raw 4 B entries (with the liveness check a run does)
 * against decoding the varint gaps. The sums must agree. */
static double walk_raw(uint64_t *sum)
{
	uint64_t s = 0;
	double t0 = now_s();
	for (uint32_t t = 0; t < nm_idx.n_terms; t++)
		for (int k = 0; k < SRC_COUNT; k++) {
			const struct plist *pl = &nm_idx.post[k][t];
			for (uint32_t i = 0; i < pl->n; i++)
				if (posting_live(&nm_idx, pl->v[i]))
					s += pl->v[i] >> 8;
		}
	*sum = s;
	return now_s() - t0;
}

static double walk_varint(const uint8_t *buf, size_t n, const uint32_t *list_n, uint64_t *sum)
{
	/* one stream for all lists, each list's gaps starting from slot 0; list_n says how many
	 * entries each has (kept beside the stream, as a real encoding would) */
	uint64_t s = 0;
	double t0 = now_s();
	size_t i = 0, lists = (size_t)nm_idx.n_terms * SRC_COUNT;
	for (size_t l = 0; l < lists; l++) {
		uint32_t slot = 0;
		for (uint32_t j = 0; j < list_n[l] && i < n; j++) {
			uint32_t gap = 0;
			int shift = 0;
			uint8_t b;
			do {
				b = buf[i++];
				gap |= (uint32_t)(b & 0x7f) << shift;
				shift += 7;
			} while (b & 0x80);
			slot += gap;
			s += slot;
		}
	}
	*sum = s;
	return now_s() - t0;
}

int main(void)
{
	char err[256];
	struct nm_config cfg;
	nm_log_init();
	if (!nm_config_load(&cfg, err, sizeof err) || !nm_db_init(&cfg)) {
		fprintf(stderr, "index_layout: %s\n", err);
		return 1;
	}
	struct nm_pg *pg = nm_db_acquire();
	if (!pg) {
		fprintf(stderr, "index_layout: no database connection\n");
		return 1;
	}
	long rss0 = rss_kib();
	double t0 = now_s();
	if (!nm_index_sync(pg)) {
		fprintf(stderr, "index_layout: index load failed\n");
		return 1;
	}
	double load = now_s() - t0;
	long rss1 = rss_kib();
	struct nm_index_stats st;
	nm_index_stats(&st);
	nm_db_release(pg);
	printf("creators %zu terms %zu postings %zu\n", st.creators, st.terms, st.postings);
	printf("load_seconds %.2f per_million %.2f\n", load,
	       st.creators ? load * 1e6 / (double)st.creators : 0);
	printf("index_bytes %zu (%.1f MiB) bytes_per_creator %.1f\n", st.bytes,
	       (double)st.bytes / 1048576.0, st.creators ? (double)st.bytes / st.creators : 0);
	size_t post_cap = 0;
	for (uint32_t t = 0; t < nm_idx.n_terms; t++)
		for (int k = 0; k < SRC_COUNT; k++)
			post_cap += nm_idx.post[k][t].cap;
	printf("breakdown slots %u cap_slots %u per_slot_bytes %zu map_cap %u (12 B each) "
	       "posting_capacity %zu (4 B each) hot_followers %zu B (not in index_bytes)\n",
	       nm_idx.n_slots, nm_idx.cap_slots,
	       sizeof(struct nm_score_features) + sizeof(int32_t) + 1 + 2 + sizeof(int64_t) +
		       sizeof(double) + 3 + 4 + sizeof(struct srec_cold),
	       nm_idx.map_cap, post_cap, (size_t)nm_idx.cap_slots * 4);
	printf("rss_growth_kib %ld (%.1f MiB) rss_per_creator %.1f\n", rss1 - rss0,
	       (double)(rss1 - rss0) / 1024.0,
	       st.creators ? (double)(rss1 - rss0) * 1024.0 / st.creators : 0);

	/* Live slots only, in slot order, into the compact layout; the current layout is scanned
	 * in place with the live mask (as the index does with ver[]). */
	uint32_t n = nm_idx.n_slots;
	uint8_t *live = malloc(n ? n : 1);
	struct crec *cr = calloc(n ? n : 1, sizeof *cr);
	struct cold *cd = calloc(n ? n : 1, sizeof *cd);
	if (!live || !cr || !cd)
		return 1;
	uint32_t m = 0;
	for (uint32_t i = 0; i < n; i++) {
		live[i] = (nm_idx.ver[i] & 0x80) != 0;
		if (!live[i])
			continue;
		const struct nm_score_features *f = &nm_idx.feat[i];
		const struct srec_cold *sc = &nm_idx.scold[i];
		uint16_t country = nm_idx.s_country[i];
		struct crec *c = &cr[m];
		c->followers = f->followers;
		c->price_cents = f->price_cents;
		c->er = (float)nm_idx.s_er[i]; /* the search column's exact rate */
		c->growth = f->follower_growth_30d;
		c->female_share = f->audience_female_share;
		c->post_day = nm_idx.post_day[i];
		c->updated_s = (uint32_t)(sc->updated_us / 1000000 - 1577836800);
		c->platform = nm_idx.s_platform[i];
		c->flags = nm_idx.s_flags[i] & SR_EMAIL ? 1 : 0;
		c->country[0] = country ? (char)('A' + (country - 1) / 26) : 0;
		c->country[1] = country ? (char)('A' + (country - 1) % 26) : 0;
		cd[m].id = f->id;
		memcpy(cd[m].aud, f->aud, sizeof cd[m].aud);
		cd[m].following = f->following;
		memcpy(cd[m].language, f->language, 2);
		m++;
	}
	size_t cur_hot = sizeof(struct nm_score_features) + 8 + 8 + 3 + 4; /* + search columns */
	printf("layout current_hot_bytes %zu compact_hot_bytes %zu compact_cold_bytes %zu\n",
	       cur_hot, sizeof(struct crec), sizeof(struct cold));

	double best_fc = 1e9, best_fk = 1e9, best_sc = 1e9, best_sk = 1e9;
	size_t count_c = 0, count_k = 0;
	double sum_c = 0, sum_k = 0;
	for (int rep = 0; rep < 7; rep++) {
		double t;
		if ((t = filter_seconds_current(n, live, &count_c)) < best_fc)
			best_fc = t;
		if ((t = filter_seconds_compact(cr, m, &count_k)) < best_fk)
			best_fk = t;
		if ((t = score_seconds_current(n, live, &sum_c)) < best_sc)
			best_sc = t;
		if ((t = score_seconds_compact(cr, m, &sum_k)) < best_sk)
			best_sk = t;
	}
	printf("filter_scan current_ms %.2f compact_ms %.2f matches %zu/%zu\n", best_fc * 1e3,
	       best_fk * 1e3, count_c, count_k);
	printf("score_scan current_ms %.2f compact_ms %.2f sums %.6g/%.6g\n", best_sc * 1e3,
	       best_sk * 1e3, sum_c, sum_k);
	/* Posting lists: today's 4 B entries against varint gaps. */
	uint8_t *vbuf = NULL;
	size_t live_postings = 0;
	uint32_t *list_n = calloc((size_t)nm_idx.n_terms * SRC_COUNT + 1, sizeof *list_n);
	size_t vbytes = list_n ? postings_varint(&vbuf, &live_postings, list_n) : 0;
	double best_raw = 1e9, best_var = 1e9;
	uint64_t sum_raw = 0, sum_var = 0;
	for (int rep = 0; rep < 5 && vbuf; rep++) {
		double t;
		if ((t = walk_raw(&sum_raw)) < best_raw)
			best_raw = t;
		if ((t = walk_varint(vbuf, vbytes, list_n, &sum_var)) < best_var)
			best_var = t;
	}
	printf("postings live %zu raw_bytes %zu (allocated %zu) varint_bytes %zu "
	       "(%.2f B per posting, %.1f B per creator)\n",
	       live_postings, live_postings * 4, post_cap * 4, vbytes,
	       live_postings ? (double)vbytes / (double)live_postings : 0,
	       m ? (double)vbytes / m : 0);
	printf("postings_walk raw_ms %.2f varint_ms %.2f (raw with the live check a run makes; "
	       "varint lists are rebuilt without stale entries)\n",
	       best_raw * 1e3, best_var * 1e3);
	int rc = 0;
	if (!vbuf || sum_raw != sum_var) {
		fprintf(stderr, "index_layout: the posting walks disagree\n");
		rc = 1;
	}
	free(vbuf);
	free(list_n);
	if (count_c != count_k) {
		fprintf(stderr, "index_layout: the filter scans disagree\n");
		rc = 1;
	}
	/* er is a float in the compact record: the sums agree to float precision only. */
	if (fabs(sum_c - sum_k) > 1e-4 * (fabs(sum_c) + 1)) {
		fprintf(stderr, "index_layout: the score scans disagree\n");
		rc = 1;
	}
	free(live);
	free(cr);
	free(cd);
	nm_index_free();
	nm_db_shutdown();
	return rc;
}
