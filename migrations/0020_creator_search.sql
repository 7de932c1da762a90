-- Creator search (issue 12; docs/api.md §4, docs/architecture.md "Creator search"):
-- stemmed full text in the creator's language, the search query builder, and the tier as
-- a function.
--
-- The text search configuration for a creator's language (ISO 639-1): PostgreSQL's
-- Snowball stemmers; every other language (and none) gets 'simple', which only folds case.
CREATE FUNCTION nm_lang_regconfig(lang text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    -- Each branch a regconfig constant: the function inlines and no name is looked up
    -- per row (a text → regconfig cast per row cost more than the stemming).
    SELECT CASE lower(lang)
        WHEN 'ar' THEN 'arabic'::regconfig WHEN 'hy' THEN 'armenian'::regconfig WHEN 'eu' THEN 'basque'::regconfig
        WHEN 'ca' THEN 'catalan'::regconfig WHEN 'da' THEN 'danish'::regconfig WHEN 'nl' THEN 'dutch'::regconfig
        WHEN 'en' THEN 'english'::regconfig WHEN 'fi' THEN 'finnish'::regconfig WHEN 'fr' THEN 'french'::regconfig
        WHEN 'de' THEN 'german'::regconfig WHEN 'el' THEN 'greek'::regconfig WHEN 'hi' THEN 'hindi'::regconfig
        WHEN 'hu' THEN 'hungarian'::regconfig WHEN 'id' THEN 'indonesian'::regconfig WHEN 'ga' THEN 'irish'::regconfig
        WHEN 'it' THEN 'italian'::regconfig WHEN 'lt' THEN 'lithuanian'::regconfig WHEN 'ne' THEN 'nepali'::regconfig
        WHEN 'no' THEN 'norwegian'::regconfig WHEN 'nb' THEN 'norwegian'::regconfig WHEN 'nn' THEN 'norwegian'::regconfig
        WHEN 'pt' THEN 'portuguese'::regconfig WHEN 'ro' THEN 'romanian'::regconfig WHEN 'ru' THEN 'russian'::regconfig
        WHEN 'sr' THEN 'serbian'::regconfig WHEN 'es' THEN 'spanish'::regconfig WHEN 'sv' THEN 'swedish'::regconfig
        WHEN 'ta' THEN 'tamil'::regconfig WHEN 'tr' THEN 'turkish'::regconfig WHEN 'yi' THEN 'yiddish'::regconfig
        ELSE 'simple'::regconfig END
$$;

-- The searchable document: every word as written (case-folded, 'simple'), so that a
-- prefix finds unstemmed words ("fitn" → fitness), plus the stems in the creator's own
-- language ("running" → run). One SELECT of expressions, so that it inlines into the
-- generated column (a FROM clause made it a per-row function call, 4x slower imports).
-- IMMUTABLE for the generated column (array_to_string over text[] is immutable in
-- practice; see migrations/0004).
CREATE FUNCTION nm_creator_search_doc(lang text, bio text, categories text[], hashtags text[])
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT to_tsvector('simple', coalesce(array_to_string(categories, ' '), '') || ' ' ||
                                 coalesce(array_to_string(hashtags, ' '), '') || ' ' ||
                                 coalesce(bio, '')) ||
           to_tsvector(nm_lang_regconfig(lang),
                       coalesce(array_to_string(categories, ' '), '') || ' ' ||
                       coalesce(array_to_string(hashtags, ' '), '') || ' ' || coalesce(bio, ''))
$$;

-- One word → its alternatives: as written ('simple') or as stemmed by any configuration
-- above (the query does not know the creator's language). With prefix, the word as
-- written also matches as a prefix ("fitn" → fitness); stems never do, or a stem such as
-- 'fit' would widen type-ahead to every word that starts with it.
-- The word holds letters and digits only, so no tsquery syntax reaches to_tsquery.
CREATE FUNCTION nm_search_word(w text, prefix boolean) RETURNS tsquery
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET client_min_messages = warning  -- stop words make to_tsquery emit a NOTICE
AS $$
DECLARE
    cfg regconfig;
    one tsquery;
    alts tsquery;
    seen text[] := '{}';
BEGIN
    FOREACH cfg IN ARRAY ARRAY['simple', 'arabic', 'armenian', 'basque', 'catalan', 'danish',
        'dutch', 'english', 'finnish', 'french', 'german', 'greek', 'hindi', 'hungarian',
        'indonesian', 'irish', 'italian', 'lithuanian', 'nepali', 'norwegian', 'portuguese',
        'romanian', 'russian', 'serbian', 'spanish', 'swedish', 'tamil', 'turkish',
        'yiddish']::regconfig[] LOOP
        one := to_tsquery(cfg, w || CASE WHEN prefix AND cfg = 'simple'::regconfig THEN ':*' ELSE '' END);
        IF numnode(one) > 0 AND NOT (one::text = ANY (seen)) THEN
            seen := seen || one::text;
            alts := CASE WHEN alts IS NULL THEN one ELSE alts || one END;
        END IF;
    END LOOP;
    RETURN alts;
END
$$;

-- ?q= → tsquery, web-search style: words (every one must match), "a quoted phrase"
-- (adjacent words), -word or -"phrase" (must not match); the last word, when it is bare
-- and not negated, also matches as a prefix (type-ahead). Each word matches as written or
-- stemmed (nm_search_word). NULL when q has no word (no filter).
CREATE FUNCTION nm_search_query(q text) RETURNS tsquery
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    pattern CONSTANT text := '(-?)"([^"]*)"?|(-?)([^\s"]+)';
    n int := (SELECT count(*) FROM regexp_matches(q, pattern, 'g'));
    i int := 0;
    tok text[];
    words text[];
    term tsquery;
    part tsquery;
    result tsquery;
    phrase boolean;
BEGIN
    FOR tok IN SELECT m FROM regexp_matches(q, pattern, 'g') m LOOP
        i := i + 1;
        EXIT WHEN i > 16;
        phrase := tok[2] IS NOT NULL;
        words := ARRAY(SELECT w FROM regexp_split_to_table(lower(coalesce(tok[2], tok[4])),
                                                           '[^[:alnum:]]+') w
                       WHERE w <> '' LIMIT 16);
        term := NULL;
        FOR j IN 1 .. coalesce(array_length(words, 1), 0) LOOP
            part := nm_search_word(words[j], i = n AND NOT phrase AND tok[3] = ''
                                   AND j = array_length(words, 1));
            CONTINUE WHEN part IS NULL;
            term := CASE WHEN term IS NULL THEN part
                         WHEN phrase THEN term <-> part ELSE term && part END;
        END LOOP;
        CONTINUE WHEN term IS NULL;
        IF coalesce(tok[1], tok[3]) = '-' THEN
            term := !! term;
        END IF;
        result := CASE WHEN result IS NULL THEN term ELSE result && term END;
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

-- No (sort key, id) indexes: sorted pages, counts and facets of searches without q are
-- served from the in-memory index (docs/architecture.md "Creator search"), and a search
-- with q sorts the few rows its GIN lookup finds. For the same reason the categories GIN
-- index goes (category filters and facets read the index's category postings); each
-- index slowed every import (docs/performance.md "Creator search").
DROP INDEX IF EXISTS creators_categories;
