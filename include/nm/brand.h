/* The brand model of docs/api.md §3: validation, normalisation and defaults. Pure:
 * jansson only. Canonical form is a JSON object; the store persists it field by field. */
#ifndef NM_BRAND_H
#define NM_BRAND_H

#include <jansson.h>
#include <stdbool.h>

#define NM_BRAND_NAME_MAX	      200
#define NM_BRAND_NICHES_MAX	      20
#define NM_BRAND_KEYWORDS_MAX	      50
#define NM_BRAND_EXCLUDE_KEYWORDS_MAX 50
#define NM_BRAND_EXCLUDE_HANDLES_MAX  100
#define NM_BRAND_HANDLE_MAX	      100
#define NM_BRAND_MIN_AUDIENCE_SHARE   0.5 /* default of min_audience_share */
#define NM_BRAND_ALERTS_TOP_N_MAX     200 /* alerts.top_n: 1..200 */
/* price_overrides: at most $10,000,000 per post */
#define NM_BRAND_PRICE_OVERRIDE_MAX 1000000000LL

/* Validates a client's brand body (POST, or the result of applying a merge patch to
 * the stored canonical brand) and returns a new canonical object, or NULL after
 * appending one {"field","message"} per problem to errors (borrowed array).
 *
 * Canonical object: only the writable fields of docs/api.md §3 that are set, normalised:
 *  name (trimmed), industry, niches (lower-cased, trimmed, de-duplicated, order kept),
 *  keywords (same), platforms (canonical names, "x" -> "twitter", de-duplicated),
 *  target_countries (upper-case), target_languages (lower-case), target_gender,
 *  goal, follower_min, follower_max (only when the client set them; JSON null or
 *  absent means "default for the goal"), min_engagement_rate, budget_per_post_cents,
 *  price_overrides (object tier -> cents per post, 1..NM_BRAND_PRICE_OVERRIDE_MAX, only the
 *  tiers set; omitted when empty), external_id (trimmed, 1–200), target_countries_mode
 *  ("prefer" | "require"; require needs target_countries), min_audience_share (0–1),
 *  exclude_keywords (normalised like keywords, ≤ 50), exclude_handles (≤ 100, as creators
 *  store handles: one leading '@' dropped, lower-cased), alerts ({"top_n": 1..200}, the
 *  brand's match alerts; absent = off).  target_gender and goal are always
 *  present (defaults "any", "engagement"). Optional lists that end up empty are omitted
 *  (no filter).
 *  follower_min <= follower_max is checked against the effective range (a lone
 *  follower_min of 200000 with goal engagement fails: the default maximum is 100000).
 * Unknown members and read-only members (id, created_at, updated_at) are 422 errors
 * ("unknown field" / "read-only field"). JSON null for an optional field means absent.
 * Caller owns the returned object (json_decref). */
json_t *nm_brand_normalize(const json_t *in, json_t *errors);

/* Effective follower range for a canonical brand: the explicit values, else the goal's
 * defaults (engagement/conversions 10000–100000, awareness 10000–unbounded).
 * *max = -1 means unbounded. */
void nm_brand_follower_range(const json_t *canonical, long long *min, long long *max);

#endif
