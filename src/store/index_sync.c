/* The ranking index's sync reads (see nm/store_index.h). Moved from match/index.c. */
#include "nm/store_index.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "internal.h"
#include "nm/confidence.h"
#include "nm/taxonomy.h"

#define FETCH_ROWS "20000"

/* Columns of the sync query, in order. */
#define SYNC_COLS                                                                                  \
	"id, platform, followers, following, engagement_rate, price_per_post_cents, "              \
	"audience_female_share, follower_growth_30d, "                                             \
	"floor(extract(epoch FROM last_post_at) / 86400)::int, country, language, "                \
	"audience_countries::text, categories, hashtags, "                                         \
	"nullif(concat_ws(' ', bio, caption), ''), "                                               \
	"(extract(epoch FROM updated_at) * 1000000)::bigint, "                                     \
	"(extract(epoch FROM last_post_at) * 1000000)::bigint, coalesce(email, '') <> '', "        \
	"sample_posts, (country IS NULL AND content_country IS NOT NULL), "                        \
	"coalesce(country, content_country), "                                                     \
	"floor(extract(epoch FROM data_as_of))::bigint, "                                          \
	"coalesce(engagement_derived, false) AND engagement_rate IS NOT NULL, "                    \
	"audience_countries IS NOT NULL OR audience_female_share IS NOT NULL"

static void fill_features(const PGresult *res, int i, struct nm_score_features *f)
{
	memset(f, 0, sizeof *f);
	f->id = nm_db_i64(res, i, 0);
	enum nm_platform p = NM_PLATFORM_OTHER;
	nm_platform_parse(PQgetvalue(res, i, 1), &p);
	f->platform = (uint8_t)p;
	long long fol = nm_db_i64(res, i, 2);
	f->followers = fol > UINT32_MAX ? UINT32_MAX : (uint32_t)fol;
	long long fing = PQgetisnull(res, i, 3) ? -1 : nm_db_i64(res, i, 3);
	f->following = fing > INT32_MAX ? INT32_MAX : (int32_t)fing;
	f->engagement_rate = PQgetisnull(res, i, 4) ? -1.0 : strtod(PQgetvalue(res, i, 4), NULL);
	long long price = PQgetisnull(res, i, 5) ? -1 : nm_db_i64(res, i, 5);
	f->price_cents = price > INT32_MAX ? INT32_MAX : (int32_t)price;
	f->audience_female_share =
		PQgetisnull(res, i, 6) ? -1.0f : (float)strtod(PQgetvalue(res, i, 6), NULL);
	f->follower_growth_30d =
		PQgetisnull(res, i, 7) ? NAN : (float)strtod(PQgetvalue(res, i, 7), NULL);
	f->days_since_post = NM_SCORE_DAYS_UNKNOWN;
	/* No stated country: where the posts are tagged stands in, marked as weaker
	 * evidence (docs/scoring.md "Audience"). */
	if (!PQgetisnull(res, i, 20))
		memcpy(f->country, PQgetvalue(res, i, 20), 2);
	if (PQgetvalue(res, i, 19)[0] == 't')
		f->sample |= NM_SCORE_COUNTRY_GEOTAG;
	long long sample = PQgetisnull(res, i, 18) ? 0 : nm_db_i64(res, i, 18);
	f->sample |= (uint8_t)(sample > (long long)NM_SCORE_SAMPLE_MASK ? NM_SCORE_SAMPLE_MASK
			       : sample > 0				? sample
									: 0);
	if (!PQgetisnull(res, i, 10))
		memcpy(f->language, PQgetvalue(res, i, 10), 2);
	if (PQgetisnull(res, i, 11))
		return;
	/* The largest audience shares, largest first. */
	json_t *aud = json_loads(PQgetvalue(res, i, 11), 0, NULL);
	const char *cc;
	json_t *v;
	json_object_foreach(aud, cc, v)
	{
		uint16_t share = (uint16_t)lround(json_number_value(v) * 10000);
		size_t pos = f->n_aud;
		while (pos > 0 && f->aud[pos - 1].share < share)
			pos--;
		if (pos >= NM_SCORE_AUD_MAX)
			continue;
		size_t last = f->n_aud < NM_SCORE_AUD_MAX ? f->n_aud : NM_SCORE_AUD_MAX - 1;
		memmove(&f->aud[pos + 1], &f->aud[pos], (last - pos) * sizeof f->aud[0]);
		memcpy(f->aud[pos].cc, cc, 2);
		f->aud[pos].share = share;
		if (f->n_aud < NM_SCORE_AUD_MAX)
			f->n_aud++;
	}
	json_decref(aud);
}
/* ------------------------------------------------------------------ sync */

static bool exec_ok(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	bool ok = r &&
		  (PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK);
	PQclear(r);
	return ok;
}

/* The sync's snapshot facts: xmin, its time, and whether tombstones an index synced at
 * $1 may need were pruned since (false for $1 NULL). */
#define SYNC_FACTS                                                                                 \
	"pg_snapshot_xmin(pg_current_snapshot())::text, now()::text, "                             \
	"coalesce((SELECT index_resync_before >= $1::timestamptz FROM prune_state), false)"

/* Row i of a SYNC_COLS result as the index takes it. */
static void row_of(const PGresult *res, int i, struct nm_index_row *row)
{
	fill_features(res, i, &row->f);
	row->post_day = PQgetisnull(res, i, 8) ? INT32_MIN : (int32_t)nm_db_i64(res, i, 8);
	row->categories = PQgetvalue(res, i, 12);
	row->hashtags = PQgetvalue(res, i, 13);
	/* A recent caption is indexed as bio words (docs/scoring.md "Niche"): free text
	 * about what the creator posts, weighted like the bio. */
	row->bio = PQgetisnull(res, i, 14) ? NULL : PQgetvalue(res, i, 14);
	row->followers = nm_db_i64(res, i, 2);
	row->price_cents = PQgetisnull(res, i, 5) ? -1 : nm_db_i64(res, i, 5);
	row->growth = PQgetisnull(res, i, 7) ? NAN : strtod(PQgetvalue(res, i, 7), NULL);
	row->updated_us = nm_db_i64(res, i, 15);
	row->post_us = PQgetisnull(res, i, 16) ? INT64_MIN : nm_db_i64(res, i, 16);
	row->has_email = PQgetvalue(res, i, 17)[0] == 't';
	row->as_of_s = PQgetisnull(res, i, 21) ? NM_CONF_AS_OF_UNKNOWN : nm_db_i64(res, i, 21);
	/* The confidence inputs exactly as the creator reply reads them (store/creators.c). */
	struct nm_confidence_in in = {
		.sample_posts = PQgetisnull(res, i, 18) ? -1 : nm_db_i64(res, i, 18),
		.er_derived = PQgetvalue(res, i, 22)[0] == 't',
		.has_audience = PQgetvalue(res, i, 23)[0] == 't',
		.has_price = !PQgetisnull(res, i, 5),
	};
	row->conf = nm_confidence_pack(&in);
}

static void mark_from(const PGresult *r, struct nm_index_mark *m)
{
	snprintf(m->low_water, sizeof m->low_water, "%s", PQgetvalue(r, 0, 0));
	snprintf(m->synced_at, sizeof m->synced_at, "%s", PQgetvalue(r, 0, 1));
}

bool nm_store_index_fetch(struct nm_pg *pg, const struct nm_index_mark *since,
			  const struct nm_index_sink *sink, struct nm_index_mark *now,
			  bool *changed, bool *resync)
{
	PGconn *c = nm_db_conn(pg);
	bool full = since == NULL;
	*changed = false;
	*resync = false;
	if (!exec_ok(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"))
		return false;
	const char *at[] = {full ? NULL : since->synced_at};
	PGresult *r = PQexecParams(c, "SELECT " SYNC_FACTS, 1, NULL, at, NULL, NULL, 0);
	bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
	struct nm_index_mark fresh = {"", ""};
	if (ok) {
		mark_from(r, &fresh);
		*resync = strcmp(PQgetvalue(r, 0, 2), "t") == 0;
		ok = !*resync;
	}
	PQclear(r);
	const char *p[] = {full ? NULL : since->low_water};
	if (ok) {
		r = full ? PQexec(c, "DECLARE nm_sync NO SCROLL CURSOR FOR SELECT " SYNC_COLS
				     " FROM creators")
			 : PQexecParams(c,
					"DECLARE nm_sync NO SCROLL CURSOR FOR SELECT " SYNC_COLS
					" FROM creators WHERE txid >= $1::xid8",
					1, NULL, p, NULL, NULL, 0);
		ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
	}
	while (ok) {
		r = PQexec(c, "FETCH " FETCH_ROWS " FROM nm_sync");
		ok = PQresultStatus(r) == PGRES_TUPLES_OK;
		int n = ok ? PQntuples(r) : 0;
		for (int i = 0; i < n && ok; i++) {
			struct nm_index_row row;
			row_of(r, i, &row);
			ok = sink->row(sink->cls, &row);
		}
		PQclear(r);
		if (n)
			*changed = true;
		if (n == 0)
			break;
	}
	if (ok && !full) {
		r = PQexecParams(c,
				 "SELECT creator_id FROM creator_tombstones WHERE txid >= $1::xid8",
				 1, NULL, p, NULL, NULL, 0);
		ok = PQresultStatus(r) == PGRES_TUPLES_OK;
		for (int i = 0; ok && i < PQntuples(r); i++) {
			sink->gone(sink->cls, nm_db_i64(r, i, 0));
			*changed = true;
		}
		PQclear(r);
	}
	ok = ok && exec_ok(c, "COMMIT");
	if (!ok)
		exec_ok(c, "ROLLBACK");
	else
		*now = fresh;
	return ok;
}

/* Every search runs this, prepared once per connection (parsing and planning it each time
 * was half of PostgreSQL's work for a cached search). max(txid) is one descent of the txid
 * index whatever the statistics say; EXISTS (... WHERE txid >= $2) was planned as a
 * sequential scan while the table had no statistics for txid (after a bulk import, until
 * autoanalyze): 33 ms at 100,000 creators, on every search. */
static struct nm_sql q_changes = {
	"index_changes",
	"SELECT " SYNC_FACTS ", "
	"coalesce((SELECT max(txid) FROM creators) >= $2::xid8, false) OR "
	"coalesce((SELECT max(txid) FROM creator_tombstones) >= $2::xid8, false)",
	2, 0};

bool nm_store_index_changes(struct nm_pg *pg, const struct nm_index_mark *since,
			    struct nm_index_mark *now, bool *resync, bool *changes)
{
	const char *p[] = {since->synced_at, since->low_water};
	PGresult *r = nm_db_exec(pg, &q_changes, p);
	bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
	*resync = ok && strcmp(PQgetvalue(r, 0, 2), "t") == 0;
	*changes = !ok || strcmp(PQgetvalue(r, 0, 3), "t") == 0;
	if (ok && !*resync && !*changes)
		mark_from(r, now);
	PQclear(r);
	return ok;
}

bool nm_store_index_pooled(bool (*sync)(struct nm_pg *pg))
{
	struct nm_pg *pg = nm_db_acquire();
	if (!pg)
		return false;
	bool ok = sync(pg);
	nm_db_release(pg);
	return ok;
}
