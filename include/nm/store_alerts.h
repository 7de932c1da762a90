/* What match alerts read and write in PostgreSQL (src/store/alerts.c; the worker is
 * src/handlers/alerts.c, docs/webhooks.md "match.new_candidate"). */
#ifndef NM_STORE_ALERTS_H
#define NM_STORE_ALERTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nm_pg;
struct nm_db_err;
struct pg_conn;

#define NM_ALERTS_SEEN_MAX 64

/* Where the alert worker got to in the creators' change tracking (migrations/0007), as
 * the ranking index does: the oldest transaction running at the last look (low_water,
 * "" before the first) and the transactions at or above it whose rows were already
 * read (seen), so that a long transaction still running does not make every look
 * re-read what others committed meanwhile. */
struct nm_alerts_mark {
	char low_water[32];
	uint64_t seen[NM_ALERTS_SEEN_MAX];
	size_t n_seen;
};

/* In one snapshot: whether any brand has alerts on (*any) and, when one has and the mark
 * is set, the ids of the creators written since the mark (*ids, *n; caller frees). The
 * first look only sets the mark (nothing changed "since"). Advances the mark on success;
 * false when the database failed (the mark is kept). On a standalone connection
 * (nm_db_connect_raw), so that the looks every second never take a pooled one. */
bool nm_store_alerts_changes(struct pg_conn *c, struct nm_alerts_mark *mark, bool *any,
			     int64_t **ids, size_t *n);

/* The brands with alerts on that have a match run, as a JSON array (caller owns) of
 * {"id", "doc" (the canonical brand), "top_n", "run_id" (the latest run), "query" (that
 * run's effective brand: the doc with the run's overrides), "top" ([creator id, score] of
 * its first top_n results, in rank order)}; NULL with err. */
json_t *nm_store_alert_brands(struct nm_pg *pg, struct nm_db_err *err);

/* The creators' fields an alert shows, as an object keyed by decimal id (caller owns):
 * {"id", "platform", "handle", "display_name", "email", "profile_url", "followers",
 * "engagement_rate", "categories" (text[] literal), "country"}; NULL with err. ids_literal
 * is a bigint[] literal. */
json_t *nm_store_alert_creators(struct nm_pg *pg, const char *ids_literal, struct nm_db_err *err);

/* On pg's open transaction, one statement: records each (creator_ids[i], scores[i]) as the
 * last alerted score of the brand's creator unless one is recorded within margin of it.
 * fresh[i] says whether it was recorded (then the alert is sent); false with err on
 * failure. */
bool nm_store_alert_record(struct nm_pg *pg, int64_t brand_id, const int64_t *creator_ids,
			   const double *scores, size_t n, double margin, bool *fresh,
			   struct nm_db_err *err);

#endif
