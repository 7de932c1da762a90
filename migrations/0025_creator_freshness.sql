-- Data freshness and what a real export tells us (issues 16 and 20; docs/scoring.md
-- "Data confidence", docs/api-decisions.md "Freshness and export columns").
--   data_as_of      when the numbers were measured (an export's scrape time, or the newest
--                   sampled post); an import without one uses the import's time, a single
--                   write the request's time. Existing rows take updated_at, the best we know.
--   sample_posts    how many posts the averages rest on (NULL: not said).
--   content_country where the sampled posts are geotagged (ISO 3166-1 alpha-2); weaker
--                   evidence than country or audience_countries.
--   caption         text of a recent post: searchable, counts toward niche relevance like the bio.
--   verified        the platform's verification badge (NULL: not said).
--   sponsored_posts sampled posts marked as paid partnerships (<= sample_posts).
-- er_source is engagement_derived (0004), shown as "given" | "derived".
ALTER TABLE creators
    ADD COLUMN IF NOT EXISTS data_as_of timestamptz,
    ADD COLUMN IF NOT EXISTS sample_posts integer CHECK (sample_posts >= 0),
    ADD COLUMN IF NOT EXISTS content_country text,
    ADD COLUMN IF NOT EXISTS caption text,
    ADD COLUMN IF NOT EXISTS verified boolean,
    ADD COLUMN IF NOT EXISTS sponsored_posts integer CHECK (sponsored_posts >= 0);
UPDATE creators SET data_as_of = updated_at WHERE data_as_of IS NULL;
-- GET /v1/stats groups by platform, tier and data age: the age buckets read data_as_of.
CREATE INDEX IF NOT EXISTS creators_data_as_of ON creators (data_as_of);
