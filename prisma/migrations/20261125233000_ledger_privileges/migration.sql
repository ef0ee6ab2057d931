-- Vitrine: privileges on the evidence tables, beside the triggers that refuse changes.
-- The app should connect as a login role that is a member of "vitrine_app" (not as the owner):
-- that role may read and append evidence but never UPDATE, DELETE or TRUNCATE it, even with the
-- triggers disabled. Where the migrating user may not create roles, this step says so and goes on.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'vitrine_app') THEN
    CREATE ROLE vitrine_app NOLOGIN;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'vitrine: cannot create role vitrine_app (%); create it and re-grant by hand', SQLERRM;
END
$$;

REVOKE UPDATE, DELETE, TRUNCATE ON "ledger_entries", "ledger_checkpoints", "documents" FROM PUBLIC;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'vitrine_app') THEN
    GRANT USAGE ON SCHEMA public TO vitrine_app;
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO vitrine_app;
    REVOKE UPDATE, DELETE, TRUNCATE ON "ledger_entries", "ledger_checkpoints", "documents" FROM vitrine_app;
  END IF;
END
$$;
