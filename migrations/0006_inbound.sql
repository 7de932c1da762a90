-- Inbound webhooks (SPEC §6): the CRM sources that may post signed events, and the
-- (source, webhook-id) pairs already applied, so a redelivered event is not applied
-- twice. A dedupe row is written in the same transaction as the change it records.

CREATE TABLE inbound_sources (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9_-]{1,64}$'),
    -- Needed in clear to verify signatures, like webhook_endpoints.secret.
    secret      text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE inbound_events (
    source_id   bigint NOT NULL REFERENCES inbound_sources(id) ON DELETE CASCADE,
    msg_id      text NOT NULL,
    type        text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source_id, msg_id)
);
