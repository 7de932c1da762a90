-- The delivery workers claim per endpoint (docs/webhooks.md, "Delivery semantics"): for each
-- endpoint that is not disabled, its oldest due pending deliveries, up to a few in flight to
-- any one endpoint, so that one slow receiver cannot take every slot. Without this index each
-- endpoint's probe would filter the whole due backlog.
--
-- Partial (pending deliveries only), so it stays small on a healthy system; on a large
-- backlog, create it by hand with CREATE INDEX CONCURRENTLY (same name) before deploying, as
-- for 0011. The 5 s statement timeout would cut a long build short.
SET LOCAL statement_timeout = 0;

CREATE INDEX IF NOT EXISTS webhook_deliveries_endpoint_due
    ON webhook_deliveries (endpoint_id, next_attempt_at, id) WHERE state = 'pending';
