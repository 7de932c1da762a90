-- Match alerts (issue 15; docs/webhooks.md "match.new_candidate"): the score each
-- (brand, creator) was last alerted with. A creator is alerted again for a brand only when
-- its score has moved by more than the documented margin since (src/handlers/alerts.c),
-- so re-importing unchanged data, or a second instance looking at the same change, sends
-- nothing. The brand's alert settings live in brands.doc ('alerts': {"top_n": N}) like
-- every other brand field.
CREATE TABLE match_alerts (
    brand_id    bigint NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
    creator_id  bigint NOT NULL REFERENCES creators(id) ON DELETE CASCADE,
    score       double precision NOT NULL,
    alerted_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (brand_id, creator_id)
);
-- Deleting a creator finds its rows without a scan.
CREATE INDEX match_alerts_creator ON match_alerts (creator_id);
