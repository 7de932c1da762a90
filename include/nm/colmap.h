/* Header mapping for CSV/TSV imports (docs/api.md §4): column names from real exports
 * ("#Followers", "Username", "ER", "Top Hashtags") to creator fields. Pure C. */
#ifndef NM_COLMAP_H
#define NM_COLMAP_H

#include <jansson.h>
#include <stddef.h>

/* Canonical creator field for a header cell, or NULL when the column is unknown.
 * Matching is case-insensitive and ignores spaces, '#', '_', '-' (and a BOM); in fact
 * every ASCII character that is not a letter or digit is ignored ("Avg. Likes",
 * "E-mail", "ER (%)"), as are no-break spaces.
 * Aliases: username/account/user/handle -> handle; name/fullname -> display_name;
 * category/categories/niche/niches -> categories; followees/following -> following;
 * posts/postscount/mediacount -> posts_count; er/engagement/engagementrate ->
 * engagement_rate; tophashtags/tags/hashtags -> hashtags; likes/avglikes ->
 * avg_likes; comments/avgcomments -> avg_comments; shares -> avg_shares;
 * views -> avg_views; price/priceperpost -> price_per_post_cents is NOT aliased (units
 * differ; only headers naming cents, e.g. "Price (cents)", map); ... The full table,
 * and the names left out on purpose, are in src/import/colmap.c. The returned string
 * is static. */
const char *nm_colmap_field(const char *header, size_t len);

/* Builds the JSON object for one data row: for each mapped column with a non-empty
 * cell, sets field -> cell string (the creator model parses numbers and lists from
 * strings). Columns whose field is NULL are skipped. fields[i] is the mapping of
 * column i (n_fields entries; extra cells beyond n_fields are ignored; a short row
 * simply lacks the missing columns). Cells are trimmed of blanks/tabs/CR/LF; a cell
 * that is empty after trimming is absent. When several columns map to one field, the
 * first non-empty cell wins. A cell that is not valid UTF-8 is read as Windows-1252
 * (Excel exports) byte by byte where invalid. Caller owns the result; NULL only when
 * out of memory. */
json_t *nm_colmap_row(const char *const *fields, size_t n_fields, size_t n,
		      const char *const *cells, const size_t *lens);

#endif
