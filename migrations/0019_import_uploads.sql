-- Browser uploads and the import lease (issue 13, docs/api-decisions.md "Uploads").
-- POST /v1/imports creates an import in status 'pending' before its body is sent; its
-- format is decided by the body (Content-Type, file name or sniffing), so it is null
-- until then.
ALTER TABLE imports DROP CONSTRAINT IF EXISTS imports_status_check;
ALTER TABLE imports ADD CONSTRAINT imports_status_check
    CHECK (status IN ('pending', 'running', 'completed', 'failed'));
ALTER TABLE imports ALTER COLUMN format DROP NOT NULL;
-- The reaper looks for running and pending imports: few rows among many finished ones.
CREATE INDEX IF NOT EXISTS imports_unfinished ON imports (id) WHERE status IN ('pending', 'running');
