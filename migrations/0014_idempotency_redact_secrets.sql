-- Idempotency records stored the whole 201 reply of POST /v1/keys, /v1/webhooks and
-- /v1/inbound-sources, so the new API key or signing secret sat in clear for 24 h. The server
-- now stores those replies with the secret member set to null (a replay shows null: the secret
-- is shown once). This removes the secrets from the records written before.
UPDATE idempotency_keys
   SET body = jsonb_set(body::jsonb, '{key}', 'null')::text
 WHERE method = 'POST' AND path = '/v1/keys' AND body IS NOT NULL
   AND content_type LIKE 'application/json%' AND status BETWEEN 200 AND 299;

UPDATE idempotency_keys
   SET body = jsonb_set(body::jsonb, '{secret}', 'null')::text
 WHERE method = 'POST' AND path IN ('/v1/webhooks', '/v1/inbound-sources') AND body IS NOT NULL
   AND content_type LIKE 'application/json%' AND status BETWEEN 200 AND 299;
