-- API tokens for `footfall serve` (docs/serving.md#authentication). Only a SHA-256 hash of each token is
-- kept: the token itself is printed once by `footfall auth token create` and stored nowhere.
--   token_id:  a short public id (the first 12 hex digits of the hash), shown by `footfall auth token list`
--   role:      viewer (aggregates only), analyst (also personal data), admin (everything)
--   revoked_at: set by `footfall auth token revoke`; a revoked token stops working within a second
CREATE TABLE api_tokens (
    token_id      TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('viewer', 'analyst', 'admin')),
    token_sha256  TEXT NOT NULL UNIQUE,
    created_at    TIMESTAMPTZ NOT NULL,
    revoked_at    TIMESTAMPTZ
);
-- The hashes are the API's to read (its read-only role reads every table), not the analytics team's,
-- which 006_roles lets read every table created later.
-- postgres: REVOKE SELECT ON api_tokens FROM analytics;
