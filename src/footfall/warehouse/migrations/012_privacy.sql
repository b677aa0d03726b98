-- Personal data goes only to the team that needs it (docs/access.md).
-- A member's email, date of birth, mobile number and membership id (which a brute force over dates
-- turns back into the date of birth) are personal; `member_key` is a random stand-in that joins a
-- member's orders without revealing who they are.
ALTER TABLE members ADD COLUMN member_key TEXT DEFAULT (cast(gen_random_uuid() AS TEXT));
CREATE UNIQUE INDEX members_key_idx ON members (member_key);
CREATE VIEW order_members AS
    SELECT o.order_id, m.member_key FROM orders o JOIN members m ON m.membership_id = o.membership_id;
-- postgres: DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'membership') THEN CREATE ROLE membership NOLOGIN; END IF; IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'footfall_reader') THEN CREATE ROLE footfall_reader NOLOGIN; END IF; END $$;
-- postgres: REVOKE SELECT ON members, orders FROM analytics, logistics;
-- postgres: GRANT SELECT (member_key, batch_id, source_file) ON members TO analytics;
-- postgres: GRANT SELECT (member_key, first_name, last_name) ON members TO logistics;
-- postgres: GRANT SELECT (order_id, created_at, status, total_price, total_weight_kg) ON orders TO analytics, logistics;
-- postgres: GRANT SELECT ON order_members TO analytics, logistics;
-- postgres: DO $$ BEGIN EXECUTE format('GRANT USAGE ON SCHEMA %I TO membership, footfall_reader', current_schema()); EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO footfall_reader', current_schema()); EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT ON TABLES TO footfall_reader', current_schema()); END $$;
-- postgres: GRANT SELECT ON members, member_files TO membership;
-- postgres: DO $$ BEGIN EXECUTE format('GRANT footfall_reader TO %I', current_user); EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database()); EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO %I', current_database(), current_user); END $$;
