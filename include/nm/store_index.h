/* The ranking index's sync reads (src/store/index_sync.c): change tracking by writer
 * transaction id (migrations/0007). The index (src/match/index.c) keeps the structure
 * and the locks; this module owns the SQL and turns rows into scoring features. */
#ifndef NM_STORE_INDEX_H
#define NM_STORE_INDEX_H

#include <stdbool.h>
#include <stdint.h>

#include "nm/score.h"

struct nm_pg;

/* Where a sync got to: pg_snapshot_xmin of its snapshot and that snapshot's now(), as
 * text ("" before the first sync). */
struct nm_index_mark {
	char low_water[32];
	char synced_at[40];
};

/* One creator as the index takes it. Strings are borrowed for the callback only. */
struct nm_index_row {
	struct nm_score_features f; /* niche counts zero, days_since_post unknown */
	int32_t post_day;	    /* days since 1970-01-01 of last_post_at, INT32_MIN unknown */
	const char *categories;	    /* text[] literals */
	const char *hashtags;
	const char *bio; /* NULL when none */
	/* What creator search (match/search.c) needs beyond the features, unclamped. */
	int64_t followers, price_cents; /* price < 0: unknown */
	int64_t updated_us, post_us;	/* µs since the epoch; post_us INT64_MIN: unknown */
	double growth;			/* follower_growth_30d; NaN: unknown */
	bool has_email;
	/* Data freshness and confidence (docs/scoring.md §12): data_as_of in seconds since
	 * the epoch (NM_CONF_AS_OF_UNKNOWN when NULL) and the age-independent confidence
	 * inputs (nm_confidence_pack). */
	int64_t as_of_s;
	uint8_t conf;
};

/* Receives a fetch: row() for each creator written since the mark (false stops the
 * fetch: out of memory), gone() for each creator deleted since. */
struct nm_index_sink {
	void *cls;
	bool (*row)(void *cls, const struct nm_index_row *row);
	void (*gone)(void *cls, int64_t id);
};

/* One statement, no transaction: whether anything changed since `since` (*changes) and
 * whether tombstones a sync at `since` may need were pruned (*resync). When neither,
 * *now is the mark to keep. False when the database failed. */
bool nm_store_index_changes(struct nm_pg *pg, const struct nm_index_mark *since,
			    struct nm_index_mark *now, bool *resync, bool *changes);

/* In one REPEATABLE READ READ ONLY snapshot, feeds sink every creator (since NULL) or
 * the rows and tombstones written by transactions not older than since->low_water, so
 * that a transaction that commits late is never missed. A delta that finds tombstones
 * it may need pruned (*resync) feeds nothing and fails: the caller rebuilds. *changed
 * says whether sink got anything. On success *now is the new mark. */
bool nm_store_index_fetch(struct nm_pg *pg, const struct nm_index_mark *since,
			  const struct nm_index_sink *sink, struct nm_index_mark *now,
			  bool *changed, bool *resync);

/* Runs sync on a connection borrowed from the pool (the warm-up thread has no request
 * connection); false when none could be had. */
bool nm_store_index_pooled(bool (*sync)(struct nm_pg *pg));

#endif
