-- Every pipeline status change, kept: from, to (NULL when the status was cleared), the note,
-- and who made it (the API key, or an inbound source). Rows go with their brand or creator.
CREATE TABLE status_history (
    id           bigserial PRIMARY KEY,
    brand_id     bigint NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
    creator_id   bigint NOT NULL REFERENCES creators(id) ON DELETE CASCADE,
    from_status  text,
    to_status    text,
    note         text,
    key_id       bigint,
    key_name     text,
    source       text NOT NULL DEFAULT 'api',
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX status_history_pair ON status_history (brand_id, creator_id, id);
-- Deleting a creator cascades here; the foreign key needs its own index for that.
CREATE INDEX status_history_creator ON status_history (creator_id);
