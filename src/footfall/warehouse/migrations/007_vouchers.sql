-- Vouchers: one row per voucher issued to a user, with the reward, campaign, outcome and the
-- user's attributes at export time (docs/dashboard.md → The voucher export; loaded by `footfall vouchers load`).
-- The recommender reads (user_id, reward_id, issued_at, redeemed_at) as interactions.

CREATE TABLE vouchers (
    voucher_id   TEXT PRIMARY KEY,
    reward_id    TEXT NOT NULL,
    reward_name  TEXT,
    campaign     TEXT,
    user_id      TEXT NOT NULL,
    issued_at    TIMESTAMPTZ NOT NULL,
    redeemed_at  TIMESTAMPTZ,
    status       TEXT NOT NULL CHECK (status IN ('issued', 'redeemed', 'expired')),
    value        DOUBLE PRECISION,
    cost         DOUBLE PRECISION,
    gender       TEXT,
    birth_year   INTEGER,
    signup_date  DATE,
    country      TEXT,
    city         TEXT
);

CREATE TABLE vouchers_rejects (
    source_file  TEXT NOT NULL,
    line_number  BIGINT NOT NULL,
    reason       TEXT NOT NULL,
    detail       TEXT NOT NULL,
    raw          TEXT NOT NULL
);

CREATE INDEX vouchers_user_idx ON vouchers (user_id);
-- postgres: CREATE INDEX vouchers_issued_idx ON vouchers (issued_at);
