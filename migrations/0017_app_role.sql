-- A least-privilege role for the running service (issue 10 item 8; docs/operations.md).
-- nichematch_app (NOLOGIN) may read and write rows, and nothing else: no DDL, no
-- TRUNCATE of our tables, no ownership. A login role for `serve` is made a member of it:
--   CREATE ROLE nichematch_svc LOGIN PASSWORD '...' IN ROLE nichematch_app;
-- Migrations keep running as the owner (`nichematch migrate`), and `serve` runs with
-- NICHEMATCH_MIGRATE_ON_START=0. Tables created by later migrations get the same rights
-- through the default privileges below (for objects the migrating role creates).
--
-- Roles are cluster-wide: a migrating role without CREATEROLE cannot create it, and
-- another database of the cluster may have created it already (also concurrently); in
-- those cases the grants are still given when the role exists, and skipped with a
-- notice when it does not, so the migration never fails on this.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'nichematch_app') THEN
        BEGIN
            CREATE ROLE nichematch_app NOLOGIN;
        EXCEPTION
            WHEN duplicate_object OR unique_violation THEN NULL;  -- created meanwhile
            WHEN insufficient_privilege THEN
                RAISE NOTICE 'nichematch_app not created (no CREATEROLE); create it and re-run the grants of 0017_app_role.sql';
        END;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'nichematch_app') THEN
        EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO nichematch_app', current_database());
        GRANT USAGE ON SCHEMA public TO nichematch_app;
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO nichematch_app;
        GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO nichematch_app;
        ALTER DEFAULT PRIVILEGES IN SCHEMA public
            GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO nichematch_app;
        ALTER DEFAULT PRIVILEGES IN SCHEMA public
            GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO nichematch_app;
    END IF;
END
$$;
