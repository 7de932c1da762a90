-- Creator search finds a creator by the caption of a recent post as by the bio (issues 12
-- and 16; docs/api.md §4): the ranking index already reads the caption as bio words
-- (src/store/index_sync.c), so a ?q= search (the generated `search` column of 0020) does
-- too. PostgreSQL 15 cannot change a generated column's expression in place: the column
-- and its GIN index are rebuilt. `||` on text is immutable (concat_ws is only stable).
DROP INDEX IF EXISTS creators_search;
ALTER TABLE creators DROP COLUMN search;
ALTER TABLE creators ADD COLUMN search tsvector
    GENERATED ALWAYS AS (nm_creator_search_doc(language,
                                               coalesce(bio, '') || ' ' || coalesce(caption, ''),
                                               categories, hashtags)) STORED;
CREATE INDEX creators_search ON creators USING gin (search);
