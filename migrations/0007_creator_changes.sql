-- Change tracking for the in-memory ranking index (docs/matching.md): every insert and
-- update of a creator records the writing transaction's id, and deletes leave a
-- tombstone. A reader that remembers the oldest transaction still running at its last
-- sync (pg_snapshot_xmin) fetches exactly the rows it has not seen, whatever order
-- transactions commit in.
ALTER TABLE creators ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX creators_txid ON creators (txid);

CREATE TABLE creator_tombstones (
    creator_id  bigint NOT NULL,
    txid        xid8 NOT NULL DEFAULT pg_current_xact_id(),
    deleted_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX creator_tombstones_txid ON creator_tombstones (txid);

-- Any delete, from any path, leaves its tombstone.
CREATE FUNCTION nm_creator_tombstone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO creator_tombstones (creator_id) VALUES (OLD.id);
    RETURN OLD;
END
$$;
CREATE TRIGGER creators_tombstone AFTER DELETE ON creators
    FOR EACH ROW EXECUTE FUNCTION nm_creator_tombstone();
