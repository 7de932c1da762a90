-- Match pages (issue 12): what a run's rules removed, and what pages filter by.
--  * match_runs.funnel: per hard rule, how many creators it removed (the run's "funnel",
--    docs/api.md §5); NULL for runs stored before this migration. json rather than jsonb:
--    written once, read back as text, and each rule keeps its key order.
--  * match_results.platform/tier/country: the creator snapshot's values that
--    GET /v1/brands/{id}/matches filters by, written by the same COPY as the document
--    (src/match/results.c), so a filtered page does not parse up to 1,000 documents.
--    NULL in older rows: the filter then reads the document (store/matches.c).
-- Documents stored from now on carry "explanations" but not "reasons" (the explanations'
-- texts): pages splice the reasons in as they splice the live status (src/match/results.c).
-- The brand fields of this issue (target_countries_mode, min_audience_share,
-- exclude_keywords, exclude_handles) live in brands.doc like every other brand field.
ALTER TABLE match_runs ADD COLUMN funnel json; -- json: the rules keep their key order
ALTER TABLE match_results ADD COLUMN platform text, ADD COLUMN tier text, ADD COLUMN country text;
