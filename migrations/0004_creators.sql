-- Creators (SPEC §4), bulk imports, and what matching needs to select candidates
-- without scanning the table (see docs/scoring.md and docs/performance.md).

-- Text that full-text search and niche matching look at. Declared IMMUTABLE because
-- array_to_string over text[] is, in practice, immutable (the planner marks it stable
-- only because of arbitrary element types).
CREATE FUNCTION nm_creator_search_text(bio text, categories text[], hashtags text[])
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT to_tsvector('simple',
        coalesce(array_to_string(categories, ' '), '') || ' ' ||
        coalesce(array_to_string(hashtags, ' '), '') || ' ' ||
        coalesce(bio, ''))
$$;

CREATE TABLE creators (
    id                    bigserial PRIMARY KEY,
    platform              text NOT NULL,
    handle                text NOT NULL,
    display_name          text,
    profile_url           text,
    email                 text,
    followers             bigint NOT NULL CHECK (followers >= 0),
    following             bigint,
    posts_count           bigint,
    avg_likes             double precision,
    avg_comments          double precision,
    avg_shares            double precision,
    avg_views             double precision,
    engagement_rate       double precision,
    engagement_derived    boolean NOT NULL DEFAULT false,
    categories            text[] NOT NULL DEFAULT '{}',
    hashtags              text[] NOT NULL DEFAULT '{}',
    bio                   text,
    country               text,
    language              text,
    audience_countries    jsonb,
    audience_female_share double precision,
    price_per_post_cents  bigint,
    follower_growth_30d   double precision,
    last_post_at          timestamptz,
    external_id           text,
    search                tsvector GENERATED ALWAYS AS (nm_creator_search_text(bio, categories, hashtags)) STORED,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    UNIQUE (platform, handle)
);
CREATE INDEX creators_categories ON creators USING gin (categories);
CREATE INDEX creators_hashtags ON creators USING gin (hashtags);
CREATE INDEX creators_search ON creators USING gin (search);
CREATE INDEX creators_followers ON creators (followers);
CREATE INDEX creators_country ON creators (country) WHERE country IS NOT NULL;

CREATE TABLE imports (
    id               bigserial PRIMARY KEY,
    api_key_id       bigint,
    format           text NOT NULL,
    status           text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed', 'failed')),
    on_error         text NOT NULL DEFAULT 'skip',
    default_platform text,
    received         bigint NOT NULL DEFAULT 0,
    inserted         bigint NOT NULL DEFAULT 0,
    updated          bigint NOT NULL DEFAULT 0,
    rejected         bigint NOT NULL DEFAULT 0,
    bytes            bigint NOT NULL DEFAULT 0,
    errors           jsonb NOT NULL DEFAULT '[]',
    ignored_columns  jsonb NOT NULL DEFAULT '[]',
    failure          text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    heartbeat_at     timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz
);
