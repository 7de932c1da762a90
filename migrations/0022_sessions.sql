-- Dashboard sessions (docs/dashboard.md): an API key exchanged for an HttpOnly cookie.
-- Only the SHA-256 of the session token is stored, as for API keys; the CSRF token is
-- derived from the session token (SHA-256 under its own label) and so is never stored.
-- A session lives until expires_at (NICHEMATCH_SESSION_TTL_S after sign-in), until it
-- is revoked (sign-out), or until its key is revoked or deleted (the lookup joins the
-- live key; ON DELETE CASCADE removes the rows with the key).
CREATE TABLE sessions (
    id          bigserial PRIMARY KEY,
    token_hash  text NOT NULL UNIQUE,
    api_key_id  bigint NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);
CREATE INDEX sessions_api_key_id ON sessions (api_key_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
