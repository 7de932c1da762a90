-- Pipeline statuses, stored match runs and their ranked results (SPEC §5).

CREATE TABLE creator_statuses (
    brand_id    bigint NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
    creator_id  bigint NOT NULL REFERENCES creators(id) ON DELETE CASCADE,
    status      text NOT NULL CHECK (status IN ('shortlisted', 'contacted', 'accepted', 'declined', 'excluded')),
    note        text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (brand_id, creator_id)
);
CREATE INDEX creator_statuses_brand_status ON creator_statuses (brand_id, status, creator_id);

CREATE TABLE match_runs (
    id          bigserial PRIMARY KEY,
    brand_id    bigint NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
    goal        text NOT NULL,
    weights     jsonb NOT NULL,
    -- The effective brand the run ranked for (stored brand plus body overrides).
    query       jsonb NOT NULL,
    candidates  bigint NOT NULL,
    stored      integer NOT NULL,
    duration_ms double precision,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX match_runs_brand ON match_runs (brand_id, id);

CREATE TABLE match_results (
    run_id      bigint NOT NULL REFERENCES match_runs(id) ON DELETE CASCADE,
    rank        integer NOT NULL,
    creator_id  bigint NOT NULL,
    score       double precision NOT NULL,
    -- The whole result as replied (rank, score, creator snapshot, components,
    -- estimates, reasons) minus the live pipeline status, joined at read time.
    doc         jsonb NOT NULL,
    PRIMARY KEY (run_id, rank)
);
