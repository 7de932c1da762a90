/* Header mapping for CSV/TSV imports (SPEC §4): column names from real exports
 * ("#Followers", "Username", "ER", "Top Hashtags") to creator fields. Pure C. */
#ifndef NM_COLMAP_H
#define NM_COLMAP_H

#include <jansson.h>
#include <stddef.h>

/* Canonical creator field for a header cell, or NULL when the column is unknown.
 * Matching is case-insensitive and ignores spaces, '#', '_', '-' (and a BOM).
 * Aliases: username/account/user/handle -> handle; name/fullname -> display_name;
 * category/categories/niche/niches -> categories; followees/following -> following;
 * posts/postscount/mediacount -> posts_count; er/engagement/engagementrate ->
 * engagement_rate; tophashtags/tags/hashtags -> hashtags; likes/avglikes ->
 * avg_likes; comments/avgcomments -> avg_comments; shares -> avg_shares;
 * views -> avg_views; price/priceperpost -> price_per_post_cents is NOT aliased (units
 * differ); ... The returned string is static. */
const char *nm_colmap_field(const char *header, size_t len);

/* Builds the JSON object for one data row: for each mapped column with a non-empty
 * cell, sets field -> cell string (the creator model parses numbers and lists from
 * strings). Columns whose field is NULL are skipped. fields[i] is the mapping of
 * column i (n_fields entries; extra cells beyond n_fields are ignored).
 * Caller owns the result. */
json_t *nm_colmap_row(const char *const *fields, size_t n_fields, size_t n,
                      const char *const *cells, const size_t *lens);

#endif
