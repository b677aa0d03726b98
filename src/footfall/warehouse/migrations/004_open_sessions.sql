-- Incremental runs mark sessions that new data can still extend: their last event is within
-- one gap of the newest event seen. Full runs mark them the same way.

ALTER TABLE http_sessions ADD COLUMN open BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE shop_sessions ADD COLUMN open BOOLEAN NOT NULL DEFAULT FALSE;
