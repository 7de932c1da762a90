-- Retention (docs/operations.md, "Retention"): the pruner (src/db/prune.c) deletes old rows
-- oldest first, a few thousand per statement. Each batch has to find its rows through an
-- index rather than by scanning a table that grew for months, and so do the cascades its
-- deletes set off.
--
-- These tables may already be large when this migration runs, and a plain CREATE INDEX
-- blocks writes to its table while it builds. On such a database, create the indexes by hand
-- with CREATE INDEX CONCURRENTLY (same names) before deploying: IF NOT EXISTS then skips them.
-- The connection's 5 s statement timeout would cut a long build short; lock_timeout stays, so
-- that a build waiting behind a long transaction fails the start instead of queueing writes.
SET LOCAL statement_timeout = 0;

-- Oldest-first batches (idempotency_keys has idempotency_keys_created_at since 0001).
CREATE INDEX IF NOT EXISTS match_runs_created_at ON match_runs (created_at);
CREATE INDEX IF NOT EXISTS events_created_at ON events (created_at);
CREATE INDEX IF NOT EXISTS inbound_events_received_at ON inbound_events (received_at);
CREATE INDEX IF NOT EXISTS imports_created_at ON imports (created_at);
CREATE INDEX IF NOT EXISTS creator_tombstones_deleted_at ON creator_tombstones (deleted_at);
-- webhook_attempts.delivery_id cascades from webhook_deliveries without an index of its own,
-- so every deleted delivery (an event pruned, an endpoint deleted) read the whole attempt log.
CREATE INDEX IF NOT EXISTS webhook_attempts_delivery ON webhook_attempts (delivery_id);

-- What pruning has done that other instances must know about. One row.
CREATE TABLE prune_state (
    singleton           boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    -- A ranking index (src/match/index.c) applies deletes from the tombstones newer than its
    -- last sync. One whose last sync began before this time may need tombstones that were
    -- pruned, so it rebuilds instead of applying a delta. The pruner moves it forward, to the
    -- tombstone cutoff plus a margin for slow delete transactions, before it deletes a
    -- tombstone; NULL until tombstones were first pruned.
    index_resync_before timestamptz,
    -- The last completed pass, whichever instance ran it (operators' view).
    last_pass_at        timestamptz,
    last_pass           jsonb
);
INSERT INTO prune_state DEFAULT VALUES;
