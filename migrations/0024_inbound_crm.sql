-- CRM-grade inbound events (issue 18, docs/webhooks.md "Inbound").
--
-- scheme: how a source's requests are authenticated. standard: Standard Webhooks headers
-- signed with the source secret (as before); hubspot_v3: X-HubSpot-Signature-v3 computed by
-- HubSpot with the app's client secret (stored, sealed, as the source secret); bearer: a
-- static "Authorization: Bearer <secret>" for tools that can only send a fixed header.
-- field_map: {"their_name":"our_name"} renames members of each event's data before
-- validation (NULL: none).
ALTER TABLE inbound_sources
    ADD COLUMN scheme text NOT NULL DEFAULT 'standard'
        CHECK (scheme IN ('standard', 'hubspot_v3', 'bearer')),
    ADD COLUMN field_map jsonb;

-- Every authenticated event and its outcome, for GET /v1/inbound-sources/{id}/events:
-- applied, duplicate, or rejected with the validation errors. Unauthenticated requests are
-- not recorded (they would let anyone fill the table). Goes with its source.
CREATE TABLE inbound_log (
    id          bigserial PRIMARY KEY,
    source_id   bigint NOT NULL REFERENCES inbound_sources(id) ON DELETE CASCADE,
    msg_id      text NOT NULL,
    type        text,
    status      text NOT NULL CHECK (status IN ('applied', 'duplicate', 'rejected')),
    errors      jsonb,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inbound_log_source ON inbound_log (source_id, id);
CREATE INDEX inbound_log_received_at ON inbound_log (received_at);

-- creator.patch addresses creators by external_id (the CRM's contact key). On a large
-- creators table, create this by hand with CREATE INDEX CONCURRENTLY (same name) before
-- deploying, as for 0011; the 5 s statement timeout would cut a long build short.
SET LOCAL statement_timeout = 0;
CREATE INDEX IF NOT EXISTS creators_external_id ON creators (external_id) WHERE external_id IS NOT NULL;
