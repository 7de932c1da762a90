-- Outbound webhooks: endpoints, the event outbox and one delivery row per
-- (event, endpoint) carrying the retry state and the attempt log (SPEC §6).

CREATE TABLE webhook_endpoints (
    id           bigserial PRIMARY KEY,
    url          text NOT NULL,
    description  text,
    events       text[] NOT NULL,
    -- The signing secret must be usable to sign, so it is stored as issued; access to
    -- this table is access to the secrets (docs/security.md).
    secret       text NOT NULL,
    status       text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'failing', 'disabled')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE events (
    id          bigserial PRIMARY KEY,
    msg_id      text NOT NULL UNIQUE,      -- the webhook-id, the same on every retry
    type        text NOT NULL,
    data        jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_deliveries (
    id              bigserial PRIMARY KEY,
    event_id        bigint NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    endpoint_id     bigint NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'succeeded', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (event_id, endpoint_id)
);
-- The worker's claim query: due pending deliveries in order.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';

CREATE TABLE webhook_attempts (
    id            bigserial PRIMARY KEY,
    delivery_id   bigint NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    endpoint_id   bigint NOT NULL,
    attempt       integer NOT NULL,
    http_status   integer,
    error         text,
    latency_ms    double precision,
    response_snippet text,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_attempts_endpoint ON webhook_attempts (endpoint_id, id);
