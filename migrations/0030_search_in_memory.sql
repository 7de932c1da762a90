-- Creator full-text search without a stored document (issue 12; docs/api.md §4,
-- docs/architecture.md "Creator search", include/nm/textsearch.h): the in-memory search
-- index matches `q` (words, stems and prefixes from its own postings), so the stemmed
-- `search` column of migrations 0020/0026 and its GIN index go: every import and upsert
-- computed a second to_tsvector and updated the GIN index for them (1.4-1.75x the cost
-- of filling the table; docs/performance.md "Creator search").
--
-- What stays in SQL is the same definition, evaluated at query time: nm_search_hit,
-- for a q with a "phrase" (the index holds no word positions; it passes only its
-- candidates here) and for every q while the index is off or not loaded (a scan:
-- correct, slower). Every rule here mirrors src/core/textsearch.c.
DROP INDEX IF EXISTS creators_search;
ALTER TABLE creators DROP COLUMN IF EXISTS search;
DROP FUNCTION IF EXISTS nm_search_query(text);
DROP FUNCTION IF EXISTS nm_search_word(text, boolean);
DROP FUNCTION IF EXISTS nm_creator_search_doc(text, text, text[], text[]);
DROP FUNCTION IF EXISTS nm_creator_search_text(text, text[], text[]);

-- One Snowball dictionary per algorithm, without stop words: libstemmer stems every
-- word, so the stems here must too (english_stem would drop "having" where libstemmer
-- gives "have").
DO $$
DECLARE
    l text;
BEGIN
    FOREACH l IN ARRAY ARRAY['arabic', 'armenian', 'basque', 'catalan', 'danish', 'dutch',
        'english', 'finnish', 'french', 'german', 'greek', 'hindi', 'hungarian', 'indonesian',
        'irish', 'italian', 'lithuanian', 'nepali', 'norwegian', 'portuguese', 'romanian',
        'russian', 'serbian', 'spanish', 'swedish', 'tamil', 'turkish', 'yiddish'] LOOP
        EXECUTE format('CREATE TEXT SEARCH DICTIONARY %I (TEMPLATE = snowball, Language = %s)',
                       'nm_stem_' || l, l);
    END LOOP;
END
$$;

-- The dictionary of a creator's language (ISO 639-1, any case), or NULL: no stemming.
CREATE FUNCTION nm_stem_dict(lang text) RETURNS regdictionary
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE lower(lang)
        WHEN 'ar' THEN 'nm_stem_arabic'::regdictionary WHEN 'hy' THEN 'nm_stem_armenian'::regdictionary
        WHEN 'eu' THEN 'nm_stem_basque'::regdictionary WHEN 'ca' THEN 'nm_stem_catalan'::regdictionary
        WHEN 'da' THEN 'nm_stem_danish'::regdictionary WHEN 'nl' THEN 'nm_stem_dutch'::regdictionary
        WHEN 'en' THEN 'nm_stem_english'::regdictionary WHEN 'fi' THEN 'nm_stem_finnish'::regdictionary
        WHEN 'fr' THEN 'nm_stem_french'::regdictionary WHEN 'de' THEN 'nm_stem_german'::regdictionary
        WHEN 'el' THEN 'nm_stem_greek'::regdictionary WHEN 'hi' THEN 'nm_stem_hindi'::regdictionary
        WHEN 'hu' THEN 'nm_stem_hungarian'::regdictionary WHEN 'id' THEN 'nm_stem_indonesian'::regdictionary
        WHEN 'ga' THEN 'nm_stem_irish'::regdictionary WHEN 'it' THEN 'nm_stem_italian'::regdictionary
        WHEN 'lt' THEN 'nm_stem_lithuanian'::regdictionary WHEN 'ne' THEN 'nm_stem_nepali'::regdictionary
        WHEN 'no' THEN 'nm_stem_norwegian'::regdictionary WHEN 'nb' THEN 'nm_stem_norwegian'::regdictionary
        WHEN 'nn' THEN 'nm_stem_norwegian'::regdictionary WHEN 'pt' THEN 'nm_stem_portuguese'::regdictionary
        WHEN 'ro' THEN 'nm_stem_romanian'::regdictionary WHEN 'ru' THEN 'nm_stem_russian'::regdictionary
        WHEN 'sr' THEN 'nm_stem_serbian'::regdictionary WHEN 'es' THEN 'nm_stem_spanish'::regdictionary
        WHEN 'sv' THEN 'nm_stem_swedish'::regdictionary WHEN 'ta' THEN 'nm_stem_tamil'::regdictionary
        WHEN 'tr' THEN 'nm_stem_turkish'::regdictionary WHEN 'yi' THEN 'nm_stem_yiddish'::regdictionary
        END
$$;

-- The words of t: runs of ASCII letters, digits and non-ASCII characters, ASCII letters
-- folded to lower case (the separators are the other ASCII characters).
CREATE FUNCTION nm_search_words(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT array_remove(regexp_split_to_array(
        translate(coalesce(t, ''), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'),
        '[\x01-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]+'), '')
$$;

-- The stem of word w in dictionary d: only a word of a-z0-9 is stemmed.
CREATE FUNCTION nm_stem(d regdictionary, w text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN d IS NOT NULL AND w ~ '^[a-z0-9]+$' THEN coalesce((ts_lexize(d, w))[1], w)
                ELSE w END
$$;

-- A query word's alternatives: itself and its stem in every language.
CREATE FUNCTION nm_search_alts(w text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT array_agg(DISTINCT x) FROM (
        SELECT w AS x
        UNION ALL
        SELECT nm_stem(d, w) FROM unnest(ARRAY['nm_stem_arabic', 'nm_stem_armenian',
            'nm_stem_basque', 'nm_stem_catalan', 'nm_stem_danish', 'nm_stem_dutch',
            'nm_stem_english', 'nm_stem_finnish', 'nm_stem_french', 'nm_stem_german',
            'nm_stem_greek', 'nm_stem_hindi', 'nm_stem_hungarian', 'nm_stem_indonesian',
            'nm_stem_irish', 'nm_stem_italian', 'nm_stem_lithuanian', 'nm_stem_nepali',
            'nm_stem_norwegian', 'nm_stem_portuguese', 'nm_stem_romanian', 'nm_stem_russian',
            'nm_stem_serbian', 'nm_stem_spanish', 'nm_stem_swedish', 'nm_stem_tamil',
            'nm_stem_turkish', 'nm_stem_yiddish']::regdictionary[]) d) s
$$;

-- Whether the text doc of a creator in language lang matches the query q: web-search
-- style, words (every one must match), "a quoted phrase" (consecutive words), -word or
-- -"phrase" (must not match); the last word, when bare, also matches as a prefix of a
-- term. Tokens as PostgreSQL's regexp_matches finds them with the pattern below (at most
-- 16, at most 16 words each). True when q has no word.
CREATE FUNCTION nm_search_hit(lang text, doc text, q text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    pattern CONSTANT text := '(-?)"([^"]*)"?|(-?)([^ \t\n\r\f\v"]+)';
    toks text[] := nm_search_words(doc);
    d regdictionary := nm_stem_dict(lang);
    stems text[];
    terms text[];
    alts text[];
    palts text[];
    n int := (SELECT count(*) FROM regexp_matches(q, pattern, 'g'));
    i int := 0;
    k int;
    nt int;
    tok text[];
    words text[];
    phrase boolean;
    hit boolean;
    ok boolean;
BEGIN
    stems := ARRAY(SELECT nm_stem(d, t) FROM unnest(toks) WITH ORDINALITY u(t, o) ORDER BY o);
    terms := toks || stems;
    nt := coalesce(array_length(toks, 1), 0);
    FOR tok IN SELECT m FROM regexp_matches(q, pattern, 'g') m LOOP
        i := i + 1;
        EXIT WHEN i > 16;
        phrase := tok[2] IS NOT NULL;
        words := (nm_search_words(coalesce(tok[2], tok[4])))[1:16];
        k := coalesce(array_length(words, 1), 0);
        CONTINUE WHEN k = 0;
        IF phrase AND k > 1 THEN
            palts := ARRAY(SELECT array_to_string(nm_search_alts(w), ' ')
                           FROM unnest(words) WITH ORDINALITY u(w, o) ORDER BY o);
            hit := false;
            FOR p IN 1 .. nt - k + 1 LOOP
                ok := true;
                FOR j IN 1 .. k LOOP
                    alts := string_to_array(palts[j], ' ');
                    IF NOT (toks[p + j - 1] = ANY (alts) OR stems[p + j - 1] = ANY (alts)) THEN
                        ok := false;
                        EXIT;
                    END IF;
                END LOOP;
                IF ok THEN
                    hit := true;
                    EXIT;
                END IF;
            END LOOP;
        ELSE
            hit := true;
            FOR j IN 1 .. k LOOP
                IF NOT (terms && nm_search_alts(words[j])
                        OR (j = k AND i = n AND NOT phrase AND tok[3] = ''
                            AND EXISTS (SELECT 1 FROM unnest(terms) x WHERE starts_with(x, words[j])))) THEN
                    hit := false;
                    EXIT;
                END IF;
            END LOOP;
        END IF;
        IF coalesce(tok[1], tok[3]) = '-' THEN
            hit := NOT hit;
        END IF;
        IF NOT hit THEN
            RETURN false;
        END IF;
    END LOOP;
    RETURN true;
END
$$;
