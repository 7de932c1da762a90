/* Match alerts' statements (see nm/store_alerts.h). */
#include "nm/store_alerts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* A brand has alerts on when its doc has an "alerts" object (null is never stored). */
#define ALERTING "jsonb_typeof(b.doc->'alerts') = 'object'"

static struct nm_sql q_brands = {
	"alerts_brands",
	"SELECT coalesce(json_agg(json_build_object('id', b.id, 'doc', b.doc, 'top_n', t.n, "
	"'run_id', r.id, 'query', (SELECT query FROM match_runs WHERE id = r.id), "
	"'top', (SELECT coalesce(json_agg(json_build_array(m.creator_id, m.score) "
	"ORDER BY m.rank), '[]') FROM match_results m WHERE m.run_id = r.id AND m.rank <= t.n)) "
	"ORDER BY b.id), '[]')::text "
	"FROM brands b "
	"CROSS JOIN LATERAL (SELECT (b.doc->'alerts'->>'top_n')::int AS n) t "
	"CROSS JOIN LATERAL (SELECT max(id) AS id FROM match_runs WHERE brand_id = b.id) r "
	"WHERE " ALERTING " AND r.id IS NOT NULL",
	0, 0};

static struct nm_sql q_creators = {
	"alerts_creators",
	"SELECT coalesce(json_object_agg(c.id, json_build_object('id', c.id, 'platform', "
	"c.platform, 'handle', c.handle, 'display_name', c.display_name, 'email', c.email, "
	"'profile_url', c.profile_url, 'followers', c.followers, 'engagement_rate', "
	"c.engagement_rate, 'categories', c.categories::text, 'country', c.country)), '{}')::text "
	"FROM creators c WHERE c.id = ANY ($1::bigint[])",
	1, 0};

/* Inserted, or moved by more than the margin: RETURNING says the alert is due. */
static struct nm_sql q_record = {
	"alerts_record",
	"INSERT INTO match_alerts (brand_id, creator_id, score) "
	"SELECT $1, u.c, u.s FROM unnest($2::bigint[], $3::float8[]) AS u(c, s) "
	"ON CONFLICT (brand_id, creator_id) DO UPDATE SET score = EXCLUDED.score, "
	"alerted_at = now() WHERE abs(match_alerts.score - EXCLUDED.score) > $4::float8 "
	"RETURNING creator_id",
	4, 0};

static bool exec_ok(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	bool ok = nm_db_ok(r);
	PQclear(r);
	return ok;
}

/* The seen transactions as an xid8[] literal. */
static void seen_literal(const struct nm_alerts_mark *m, char *buf, size_t n)
{
	size_t at = (size_t)snprintf(buf, n, "{");
	for (size_t i = 0; i < m->n_seen && at < n; i++)
		at += (size_t)snprintf(buf + at, n - at, "%s%llu", i ? "," : "",
				       (unsigned long long)m->seen[i]);
	if (at < n)
		snprintf(buf + at, n - at, "}");
}

/* Keeps the transactions at or above the new low water: those below it are never read
 * again anyway. A transaction that does not fit is read again next time (harmless: the
 * alerts table remembers what was sent). */
static void seen_add(struct nm_alerts_mark *m, uint64_t low, uint64_t txid)
{
	if (txid < low)
		return;
	for (size_t i = 0; i < m->n_seen; i++)
		if (m->seen[i] == txid)
			return;
	if (m->n_seen < NM_ALERTS_SEEN_MAX)
		m->seen[m->n_seen++] = txid;
}

static bool read_changes(PGconn *c, const struct nm_alerts_mark *mark, struct nm_alerts_mark *next,
			 int64_t **ids, size_t *n)
{
	char seen[NM_ALERTS_SEEN_MAX * 21 + 3];
	seen_literal(mark, seen, sizeof seen);
	const char *p[] = {mark->low_water, seen};
	PGresult *r = PQexecParams(c,
				   "SELECT id, txid::text FROM creators WHERE txid >= $1::xid8 "
				   "AND txid <> ALL ($2::xid8[]) "
				   /* a one-time filter: nothing new costs one index descent
				    * even when the scan below is planned sequential */
				   "AND (SELECT max(txid) FROM creators) >= $1::xid8",
				   2, NULL, p, NULL, NULL, 0);
	bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
	size_t rows = ok ? (size_t)PQntuples(r) : 0;
	*ids = ok ? malloc((rows ? rows : 1) * sizeof **ids) : NULL;
	ok = ok && *ids;
	uint64_t low = strtoull(next->low_water, NULL, 10);
	for (size_t i = 0; i < mark->n_seen && ok; i++)
		seen_add(next, low, mark->seen[i]);
	for (size_t i = 0; i < rows && ok; i++) {
		(*ids)[i] = nm_db_i64(r, (int)i, 0);
		seen_add(next, low, strtoull(PQgetvalue(r, (int)i, 1), NULL, 10));
	}
	*n = ok ? rows : 0;
	PQclear(r);
	return ok;
}

bool nm_store_alerts_changes(PGconn *c, struct nm_alerts_mark *mark, bool *any, int64_t **ids,
			     size_t *n)
{
	*ids = NULL;
	*n = 0;
	*any = false;
	if (!exec_ok(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"))
		return false;
	PGresult *r = PQexec(c, "SELECT pg_snapshot_xmin(pg_current_snapshot())::text, "
				"EXISTS (SELECT 1 FROM brands b WHERE " ALERTING ")");
	bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
	struct nm_alerts_mark next = {.n_seen = 0};
	if (ok) {
		snprintf(next.low_water, sizeof next.low_water, "%s", PQgetvalue(r, 0, 0));
		*any = PQgetvalue(r, 0, 1)[0] == 't';
	}
	PQclear(r);
	if (ok && *any && mark->low_water[0])
		ok = read_changes(c, mark, &next, ids, n);
	ok = ok && exec_ok(c, "COMMIT");
	if (!ok) {
		exec_ok(c, "ROLLBACK");
		free(*ids);
		*ids = NULL;
		*n = 0;
		return false;
	}
	*mark = next;
	return true;
}

/* The one text column of q's one row parsed as JSON (caller owns), or NULL with err. */
static json_t *json_of(struct nm_pg *pg, struct nm_sql *q, const char *const *p,
		       struct nm_db_err *err)
{
	PGresult *res = nm_store_row(pg, q, p, err);
	if (!res)
		return NULL;
	json_t *v = json_loads(PQgetvalue(res, 0, 0), JSON_DECODE_ANY, NULL);
	PQclear(res);
	if (!v)
		nm_db_err_set(err, NM_DB_ERROR);
	return v;
}

json_t *nm_store_alert_brands(struct nm_pg *pg, struct nm_db_err *err)
{
	return json_of(pg, &q_brands, NULL, err);
}

json_t *nm_store_alert_creators(struct nm_pg *pg, const char *ids_literal, struct nm_db_err *err)
{
	const char *p[] = {ids_literal};
	return json_of(pg, &q_creators, p, err);
}

bool nm_store_alert_record(struct nm_pg *pg, int64_t brand_id, const int64_t *creator_ids,
			   const double *scores, size_t n, double margin, bool *fresh,
			   struct nm_db_err *err)
{
	char *ids = malloc(n * 21 + 3), *sc = malloc(n * 24 + 3);
	if (!ids || !sc) {
		free(ids);
		free(sc);
		nm_db_err_set(err, NM_DB_ERROR);
		return false;
	}
	char *wi = ids, *ws = sc;
	*wi++ = '{';
	*ws++ = '{';
	for (size_t i = 0; i < n; i++) {
		wi += sprintf(wi, "%s%lld", i ? "," : "", (long long)creator_ids[i]);
		ws += sprintf(ws, "%s%.2f", i ? "," : "", scores[i]);
		fresh[i] = false;
	}
	strcpy(wi, "}");
	strcpy(ws, "}");
	char b[24], m[32];
	snprintf(m, sizeof m, "%.4f", margin);
	const char *p[] = {nm_store_i64(b, brand_id), ids, sc, m};
	PGresult *res = nm_store_rows(pg, &q_record, p, err);
	free(ids);
	free(sc);
	if (!res)
		return false;
	for (int r = 0; r < PQntuples(res); r++) {
		int64_t id = nm_db_i64(res, r, 0);
		for (size_t i = 0; i < n; i++)
			if (creator_ids[i] == id)
				fresh[i] = true;
	}
	PQclear(res);
	return true;
}
