-- Web shop: raw events (with the session each belongs to), rejects, sessions, customers.
-- Designed for self-service analysis: every session row carries its counts and dimensions
-- (referrer domain, device), and shop_events.session_id joins events to their session.

CREATE TABLE shop_events (
    source_file  TEXT NOT NULL,
    line_number  BIGINT NOT NULL,
    event_id     TEXT NOT NULL,
    type         TEXT NOT NULL,
    ts           TIMESTAMPTZ NOT NULL,
    customer_id  TEXT,              -- null for anonymous visitors
    session_id   TEXT,              -- null for anonymous visitors
    user_agent   TEXT,
    ip           TEXT,
    page         TEXT,
    referrer     TEXT,
    query        TEXT,
    product      TEXT,
    position     BIGINT
);

CREATE TABLE shop_events_rejects (
    source_file  TEXT NOT NULL,
    line_number  BIGINT NOT NULL,
    reason       TEXT NOT NULL,
    detail       TEXT NOT NULL,
    raw          TEXT NOT NULL
);

CREATE TABLE shop_sessions (
    session_id                       TEXT PRIMARY KEY,
    customer_id                      TEXT NOT NULL,
    session_index                    BIGINT NOT NULL,
    session_start                    TIMESTAMPTZ NOT NULL,
    session_end                      TIMESTAMPTZ NOT NULL,
    duration_seconds                 DOUBLE PRECISION NOT NULL CHECK (duration_seconds >= 0),
    events                           BIGINT NOT NULL,
    page_views                       BIGINT NOT NULL,
    searches                         BIGINT NOT NULL,
    cart_adds                        BIGINT NOT NULL,
    cart_removes                     BIGINT NOT NULL,
    related_product_visits           BIGINT NOT NULL,
    recently_visited_product_visits  BIGINT NOT NULL,
    recommendation_visits            BIGINT NOT NULL,
    sign_ups                         BIGINT NOT NULL,
    orders                           BIGINT NOT NULL,
    other_events                     BIGINT NOT NULL,
    has_order                        BOOLEAN NOT NULL,
    first_page                       TEXT,
    first_referrer                   TEXT,
    referrer_domain                  TEXT NOT NULL,
    device                           TEXT NOT NULL
);

CREATE TABLE customers (
    customer_id                  TEXT PRIMARY KEY,
    first_seen                   TIMESTAMPTZ NOT NULL,
    last_seen                    TIMESTAMPTZ NOT NULL,
    sessions                     BIGINT NOT NULL,
    events                       BIGINT NOT NULL,
    orders                       BIGINT NOT NULL,
    first_order_at               TIMESTAMPTZ,
    sessions_before_first_order  BIGINT
);

-- postgres: CREATE INDEX shop_sessions_customer_idx ON shop_sessions (customer_id, session_start);
