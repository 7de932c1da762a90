-- Matching reads hashtags from the in-memory ranking index (docs/matching.md), and no
-- API filter queries them in SQL, so their GIN index only slowed every import down.
DROP INDEX IF EXISTS creators_hashtags;
