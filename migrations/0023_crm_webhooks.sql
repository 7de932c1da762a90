-- CRM-grade outbound webhooks (issue 18, docs/webhooks.md).
--
-- webhook_endpoints.brand_ids: NULL delivers every brand's events (and the events that
-- belong to no brand); a list delivers only the events of those brands. An endpoint created
-- with a brand-scoped key is pinned to that brand.
-- previous_secret / previous_secret_until: after POST /v1/webhooks/{id}/rotate-secret the old
-- secret (sealed like secret) keeps signing, next to the new one, until previous_secret_until.
ALTER TABLE webhook_endpoints
    ADD COLUMN brand_ids bigint[],
    ADD COLUMN previous_secret text,
    ADD COLUMN previous_secret_until timestamptz;

-- The brand an event belongs to (NULL: none, e.g. import.completed), for the endpoints'
-- brand filter at fan-out and for GET /v1/events?brand_id=.
ALTER TABLE events ADD COLUMN brand_id bigint;
