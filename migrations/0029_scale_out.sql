-- Several instances on one database (issue 19; docs/operations.md "Running several
-- instances"). Both tables are UNLOGGED: they are written on every lease or write, and
-- what they hold is worth nothing after a crash (a crash empties them: the rate windows
-- restart full, and reads go to the primary until each key writes again). Unlogged tables
-- are not replicated either, which is right: only the primary reads them.

-- NICHEMATCH_SHARED_LIMITS=1: the per-key request rate and the match-run quota per brand,
-- counted per fixed window across instances. Each instance leases a few units at a time
-- (src/db/sharedlimit.c), so this is one UPSERT per lease, not per request.
CREATE UNLOGGED TABLE rate_windows (
    scope smallint NOT NULL,   -- 1: requests per API key, 2: match runs per brand
    subject bigint NOT NULL,   -- the key id or the brand id
    window_no bigint NOT NULL, -- unix time / the window's length
    used integer NOT NULL,     -- units leased so far (may pass the budget by one lease)
    expires_at bigint NOT NULL, -- unix time the window ends: pruned some time after
    PRIMARY KEY (scope, subject, window_no)
);

-- NICHEMATCH_DATABASE_REPLICA_URLS: the primary's WAL position after each key's latest
-- write (read your writes): a replica serves that key's reads only once it has replayed
-- past it, whichever instance the write went through.
CREATE UNLOGGED TABLE key_read_floor (
    key_id bigint PRIMARY KEY,
    lsn pg_lsn NOT NULL
);
