-- Run once by the postgres image when its volume is new: Dagster's own database beside the warehouse
-- (Dagster's tables would otherwise share a schema with footfall's, and both have a `runs` table).
CREATE DATABASE dagster OWNER footfall;
