-- Budget plans (issue 14, docs/api.md "Budget plans"): each POST /v1/brands/{id}/plans is
-- stored with the request as validated (defaults filled in) and the reply's plan. Plans go
-- with their brand. created_by_key_id is the API key that asked (no foreign key: a revoked
-- or deleted key leaves its plans). A brand's per-tier price overrides live in its doc
-- (brands.doc->'price_overrides'), validated like every brand field: no column here.
CREATE TABLE plans (
    id                bigserial PRIMARY KEY,
    brand_id          bigint NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
    created_by_key_id bigint,
    request           jsonb NOT NULL,
    -- goal, portfolio, totals, alternative, alternative_reason, comparison, solver
    result            jsonb NOT NULL,
    budget_cents      bigint NOT NULL CHECK (budget_cents > 0),
    cost_cents        bigint NOT NULL CHECK (cost_cents >= 0 AND cost_cents <= budget_cents),
    created_at        timestamptz NOT NULL DEFAULT now()
);
-- GET /v1/brands/{id}/plans pages newest first by id.
CREATE INDEX plans_brand ON plans (brand_id, id);
