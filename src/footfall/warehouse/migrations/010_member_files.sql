-- The membership inbox's processed files, committed in the same transaction as the batch's members
-- and its run record: with a warehouse, this table (not manifest.json) says what was processed, so a
-- run killed after its commit can never leave a batch the next run would process again.
CREATE TABLE member_files (
    sha256        TEXT PRIMARY KEY,
    file_name     TEXT NOT NULL,
    batch_id      TEXT NOT NULL,
    run_id        TEXT NOT NULL,
    processed_at  TIMESTAMPTZ NOT NULL
);
