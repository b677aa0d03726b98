-- Runs, the HTTP access log, its rejects and its sessions report.
-- Large fact tables carry no primary key: loads replace rows by source file instead,
-- which keeps bulk loads fast on DuckDB and gives the same idempotence on both warehouses.

CREATE TABLE runs (
    run_id            TEXT PRIMARY KEY,
    command           TEXT NOT NULL,
    status            TEXT NOT NULL,
    started_at        TIMESTAMPTZ NOT NULL,
    finished_at       TIMESTAMPTZ NOT NULL,
    duration_seconds  DOUBLE PRECISION NOT NULL,
    inputs            TEXT NOT NULL,
    rows_read         BIGINT NOT NULL,
    rows_accepted     BIGINT NOT NULL,
    rows_rejected     BIGINT NOT NULL,
    rows_written      BIGINT NOT NULL,
    details           TEXT NOT NULL
);

CREATE TABLE http_log (
    source_file         TEXT NOT NULL,
    line_number         BIGINT NOT NULL,
    ts                  TIMESTAMPTZ NOT NULL,
    utc_offset_minutes  SMALLINT NOT NULL,
    sub_micro_nanos     SMALLINT NOT NULL,
    method              TEXT NOT NULL,
    path                TEXT NOT NULL,
    user_id             TEXT NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('campaign_view', 'reward_issued', 'other')),
    campaign_id         TEXT,
    reward_id           TEXT
);

CREATE TABLE http_log_rejects (
    source_file  TEXT NOT NULL,
    line_number  BIGINT NOT NULL,
    reason       TEXT NOT NULL,
    detail       TEXT NOT NULL,
    raw          TEXT NOT NULL
);

CREATE TABLE http_sessions (
    user_id                         TEXT NOT NULL,
    session_start                   TIMESTAMPTZ NOT NULL,
    session_end                     TIMESTAMPTZ NOT NULL,
    campaigns                       TEXT[] NOT NULL,
    rewards_issued                  TEXT[] NOT NULL,
    reward_driven_by_campaign_view  BOOLEAN NOT NULL,
    events                          BIGINT NOT NULL,
    campaign_views                  BIGINT NOT NULL,
    rewards_issued_count            BIGINT NOT NULL,
    CHECK (session_start <= session_end)
);
