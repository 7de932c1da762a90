-- Brands, API keys and idempotency records (SPEC §2, §3).

CREATE TABLE brands (
    id          bigserial PRIMARY KEY,
    -- The canonical brand (nm_brand_normalize): only the fields the client set.
    doc         jsonb NOT NULL,
    name        text NOT NULL,
    external_id text UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
    id          bigserial PRIMARY KEY,
    -- hex SHA-256 of the whole key; the key itself is never stored.
    key_hash    text NOT NULL UNIQUE,
    prefix      text NOT NULL,
    name        text,
    role        text NOT NULL CHECK (role IN ('read', 'write', 'admin')),
    brand_id    bigint REFERENCES brands(id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);

CREATE TABLE idempotency_keys (
    api_key_id   bigint NOT NULL,
    idem_key     text NOT NULL,
    method       text NOT NULL,
    path         text NOT NULL,
    request_hash text NOT NULL,
    -- 0 while the first request is still running.
    status       integer NOT NULL DEFAULT 0,
    content_type text,
    location     text,
    body         text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (api_key_id, idem_key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
