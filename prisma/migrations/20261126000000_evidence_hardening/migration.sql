-- DropIndex
DROP INDEX "documents_idempotency_key_key";

-- CreateIndex
CREATE UNIQUE INDEX "documents_token_id_idempotency_key_key" ON "documents"("token_id", "idempotency_key");

-- Vitrine: stored documents are evidence too: never changed or removed (their ledger entries
-- record their sha256, and `ledger verify` recomputes it).
CREATE TRIGGER "documents_append_only"
  BEFORE UPDATE OR DELETE ON "documents"
  FOR EACH ROW EXECUTE FUNCTION "vitrine_ledger_append_only"();

CREATE TRIGGER "documents_no_truncate"
  BEFORE TRUNCATE ON "documents"
  FOR EACH STATEMENT EXECUTE FUNCTION "vitrine_ledger_append_only"();

CREATE TRIGGER "ledger_checkpoints_no_truncate"
  BEFORE TRUNCATE ON "ledger_checkpoints"
  FOR EACH STATEMENT EXECUTE FUNCTION "vitrine_ledger_append_only"();

-- Tables added by later migrations get the app role's privileges too.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'vitrine_app') THEN
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO vitrine_app;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'vitrine: cannot alter default privileges (%); grant new tables to vitrine_app by hand', SQLERRM;
END
$$;
