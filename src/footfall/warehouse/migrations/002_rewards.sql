-- Rewards: campaigns, the rewards each campaign offers, and reward transactions (issued, redeemed, ...).
-- Ids are text, like every id in footfall (they meet the ids parsed from HTTP paths).

CREATE TABLE campaign (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    status      TEXT,
    updated_at  TIMESTAMPTZ
);

CREATE TABLE reward_campaign (
    id           TEXT PRIMARY KEY,
    reward_name  TEXT NOT NULL,
    updated_at   TIMESTAMPTZ,
    campaign_id  TEXT NOT NULL REFERENCES campaign (id)
);

CREATE TABLE reward_transaction (
    id                  TEXT PRIMARY KEY,
    status              TEXT NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    reward_campaign_id  TEXT NOT NULL REFERENCES reward_campaign (id)
);

-- postgres: CREATE INDEX reward_transaction_reward_idx ON reward_transaction (reward_campaign_id, updated_at);

CREATE TABLE rewards_rejects (
    table_name   TEXT NOT NULL,
    source_file  TEXT NOT NULL,
    line_number  BIGINT NOT NULL,
    reason       TEXT NOT NULL,
    detail       TEXT NOT NULL,
    raw          TEXT NOT NULL
);
