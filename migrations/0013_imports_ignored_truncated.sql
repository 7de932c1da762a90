-- An import lists at most 256 ignored column / unknown member names (and 64 KiB of them):
-- a body of fresh member names must not grow the server. This flag records that more were
-- ignored than listed, for GET /v1/imports/{id} as in the import's reply and event.
ALTER TABLE imports ADD COLUMN IF NOT EXISTS ignored_columns_truncated boolean NOT NULL DEFAULT false;
