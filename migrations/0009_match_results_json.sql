-- A stored result is written once and read back as text: json (validated text) costs a
-- fraction of jsonb's parse-and-build on the run's insert, and pages splice the live
-- status in without PostgreSQL rebuilding each document (docs/performance.md).
ALTER TABLE match_results ALTER COLUMN doc TYPE json USING doc::json;
