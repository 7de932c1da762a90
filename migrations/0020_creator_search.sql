-- Creator search (issue 12; docs/api.md §4, docs/architecture.md "Creator search"):
-- stemmed full text in the creator's language, the tier as a function, and one
-- (sort key, id) index per sort of GET /v1/creators for keyset pages.
--
-- The text search configuration for a creator's language (ISO 639-1): PostgreSQL's
-- Snowball stemmers; every other language (and none) gets 'simple', which only folds case.
CREATE FUNCTION nm_lang_regconfig(lang text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (CASE lower(lang)
        WHEN 'ar' THEN 'arabic'   WHEN 'hy' THEN 'armenian'  WHEN 'eu' THEN 'basque'
        WHEN 'ca' THEN 'catalan'  WHEN 'da' THEN 'danish'    WHEN 'nl' THEN 'dutch'
        WHEN 'en' THEN 'english'  WHEN 'fi' THEN 'finnish'   WHEN 'fr' THEN 'french'
        WHEN 'de' THEN 'german'   WHEN 'el' THEN 'greek'     WHEN 'hi' THEN 'hindi'
        WHEN 'hu' THEN 'hungarian' WHEN 'id' THEN 'indonesian' WHEN 'ga' THEN 'irish'
        WHEN 'it' THEN 'italian'  WHEN 'lt' THEN 'lithuanian' WHEN 'ne' THEN 'nepali'
        WHEN 'no' THEN 'norwegian' WHEN 'nb' THEN 'norwegian' WHEN 'nn' THEN 'norwegian'
        WHEN 'pt' THEN 'portuguese' WHEN 'ro' THEN 'romanian' WHEN 'ru' THEN 'russian'
        WHEN 'sr' THEN 'serbian'  WHEN 'es' THEN 'spanish'   WHEN 'sv' THEN 'swedish'
        WHEN 'ta' THEN 'tamil'    WHEN 'tr' THEN 'turkish'   WHEN 'yi' THEN 'yiddish'
        ELSE 'simple' END)::regconfig
$$;

-- The searchable document: every word as written (case-folded, 'simple'), so that a
-- prefix finds unstemmed words ("fitn" → fitness), plus the stems in the creator's own
-- language ("running" → run). IMMUTABLE for the generated column (array_to_string over
-- text[] is immutable in practice; see migrations/0004).
CREATE FUNCTION nm_creator_search_doc(lang text, bio text, categories text[], hashtags text[])
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT to_tsvector('simple', t) || to_tsvector(nm_lang_regconfig(lang), t)
    FROM (SELECT coalesce(array_to_string(categories, ' '), '') || ' ' ||
                 coalesce(array_to_string(hashtags, ' '), '') || ' ' ||
                 coalesce(bio, '') AS t) s
$$;

-- ?q= → tsquery: every word must match (AND); a word matches as written or as stemmed
-- by any configuration above (the query does not know the creator's language); the last
-- word also matches as a prefix (type-ahead). Words are runs of letters and digits, so
-- no tsquery syntax reaches to_tsquery. NULL when q has no word (no filter).
CREATE FUNCTION nm_search_query(q text) RETURNS tsquery
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET client_min_messages = warning  -- stop words make to_tsquery emit a NOTICE
AS $$
DECLARE
    words text[] := ARRAY(SELECT w FROM regexp_split_to_table(lower(q), '[^[:alnum:]]+') w
                          WHERE w <> '' LIMIT 16);
    cfgs regconfig[] := ARRAY['simple', 'arabic', 'armenian', 'basque', 'catalan', 'danish',
        'dutch', 'english', 'finnish', 'french', 'german', 'greek', 'hindi', 'hungarian',
        'indonesian', 'irish', 'italian', 'lithuanian', 'nepali', 'norwegian', 'portuguese',
        'romanian', 'russian', 'serbian', 'spanish', 'swedish', 'tamil', 'turkish',
        'yiddish']::regconfig[];
    n int := coalesce(array_length(words, 1), 0);
    result tsquery;
    alts tsquery;
    one tsquery;
    seen text[];
    cfg regconfig;
BEGIN
    FOR i IN 1 .. n LOOP
        alts := NULL;
        seen := '{}';
        FOREACH cfg IN ARRAY cfgs LOOP
            one := to_tsquery(cfg, words[i] || CASE WHEN i = n THEN ':*' ELSE '' END);
            IF numnode(one) > 0 AND NOT (one::text = ANY (seen)) THEN
                seen := seen || one::text;
                alts := CASE WHEN alts IS NULL THEN one ELSE alts || one END;
            END IF;
        END LOOP;
        IF alts IS NOT NULL THEN
            result := CASE WHEN result IS NULL THEN alts ELSE result && alts END;
        END IF;
    END LOOP;
    RETURN result;
END
$$;

-- The tier of docs/api.md §4 (nm_tier_of in src/core/taxonomy.c).
CREATE FUNCTION nm_tier(followers bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN followers < 10000 THEN 'nano' WHEN followers < 100000 THEN 'micro'
                WHEN followers < 500000 THEN 'mid' WHEN followers < 1000000 THEN 'macro'
                ELSE 'mega' END
$$;

ALTER TABLE creators DROP COLUMN search;
DROP FUNCTION nm_creator_search_text(text, text[], text[]);
ALTER TABLE creators ADD COLUMN search tsvector
    GENERATED ALWAYS AS (nm_creator_search_doc(language, bio, categories, hashtags)) STORED;
CREATE INDEX creators_search ON creators USING gin (search);

-- Keyset pages per sort: WHERE (key, id) > ($v, $id) ORDER BY key, id walks one of these
-- (backwards for descending sorts). NULL keys sort last in both directions.
DROP INDEX IF EXISTS creators_followers;
CREATE INDEX creators_followers_id ON creators (followers, id);
CREATE INDEX creators_er_id ON creators (engagement_rate, id);
CREATE INDEX creators_price_id ON creators (price_per_post_cents, id);
CREATE INDEX creators_last_post_id ON creators (last_post_at, id);
CREATE INDEX creators_updated_id ON creators (updated_at, id);
