-- Vitrine: the high-volume, append-only tables partitioned by month (docs/architecture.md "Partitioning").
--
-- * ledger_entries: range-partitioned on created_at. Postgres only enforces a unique constraint on a
--   partitioned table when it includes the partition key, so the keys become (sequence, created_at)
--   and (entry_hash, created_at); the global guarantees they used to give (no duplicate sequence, no
--   duplicate entry hash, no fork) are kept by a BEFORE INSERT trigger that lets a row in only when it
--   extends the current head, under the advisory lock every append already takes.
-- * documents keeps one small unpartitioned row per document (id, sha256, event identity, idempotency
--   key, token, time, format, size), so content addressing, the unique event keys and the seven foreign
--   keys that reference documents(id) keep working. The bulk, the verbatim bytes, moves to
--   document_bodies, range-partitioned on received_at, one row per document (its key and foreign key are
--   (document_id, received_at) -> documents(id, received_at)), written in the document's transaction.
-- * Monthly partitions are created ahead by vitrine_ensure_partitions() (this migration, `vitrine migrate`
--   and a background duty); a DEFAULT partition takes any row no month partition covers.

-- ---------------------------------------------------------------------------------------------
-- Guards shared by every partition

-- TRUNCATE triggers are not inherited by partitions: each partition gets its own, and loses every
-- privilege but SELECT and INSERT, like its parent.
CREATE FUNCTION "vitrine_protect_evidence_partition"("part" TEXT) RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION "vitrine_ledger_append_only"()',
                 part || '_no_truncate', part);
  EXECUTE format('REVOKE ALL ON %I FROM PUBLIC', part);
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'vitrine_app') THEN
    EXECUTE format('REVOKE ALL ON %I FROM vitrine_app', part);
    EXECUTE format('GRANT SELECT, INSERT ON %I TO vitrine_app', part);
  END IF;
END;
$$;
REVOKE EXECUTE ON FUNCTION "vitrine_protect_evidence_partition"(TEXT) FROM PUBLIC;

-- Creates the missing monthly partitions (UTC months) of both tables for every month from the one
-- holding from_time through the one holding to_time, and returns their names. Idempotent; several
-- instances may call it at once (an advisory lock serialises them, and an existing partition is left
-- alone). A month whose rows already fell into the DEFAULT partition is skipped with a notice: those
-- rows stay readable there. document_bodies goes first, in the order ingestion locks the two tables.
-- SECURITY DEFINER so that the app's role, which may not create tables, can keep partitions ahead.
CREATE FUNCTION "vitrine_ensure_partitions"("from_time" TIMESTAMPTZ, "to_time" TIMESTAMPTZ)
RETURNS SETOF TEXT LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  first_month TIMESTAMP := date_trunc('month', from_time AT TIME ZONE 'UTC');
  last_month TIMESTAMP := date_trunc('month', to_time AT TIME ZONE 'UTC');
  m TIMESTAMP;
  parent TEXT;
  key TEXT;
  part TEXT;
  lo TEXT;
  hi TEXT;
  stranded BOOLEAN;
BEGIN
  IF first_month > last_month THEN
    RETURN;
  END IF;
  IF last_month > first_month + interval '600 months' THEN
    RAISE EXCEPTION 'vitrine_ensure_partitions: % to % is more than 600 months', from_time, to_time;
  END IF;
  PERFORM pg_advisory_xact_lock(72707310);
  FOR parent, key IN SELECT * FROM (VALUES ('document_bodies', 'received_at'), ('ledger_entries', 'created_at')) AS t(p, k) LOOP
    m := first_month;
    WHILE m <= last_month LOOP
      part := format('%s_p%s', parent, to_char(m, 'YYYYMM'));
      lo := to_char(m, 'YYYY-MM-DD') || ' 00:00:00+00';
      hi := to_char(m + interval '1 month', 'YYYY-MM-DD') || ' 00:00:00+00';
      IF to_regclass(format('public.%I', part)) IS NULL THEN
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE %I >= %L::timestamptz AND %I < %L::timestamptz)',
                       parent || '_default', key, lo, key, hi)
          INTO stranded;
        IF stranded THEN
          RAISE NOTICE 'vitrine: partition % not created: rows of that month are in %_default', part, parent;
        ELSE
          EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)', part, parent, lo, hi);
          PERFORM "vitrine_protect_evidence_partition"(part);
          RETURN NEXT part;
        END IF;
      END IF;
      m := m + interval '1 month';
    END LOOP;
  END LOOP;
END;
$$;
REVOKE EXECUTE ON FUNCTION "vitrine_ensure_partitions"(TIMESTAMPTZ, TIMESTAMPTZ) FROM PUBLIC;

-- ---------------------------------------------------------------------------------------------
-- ledger_entries

ALTER TABLE "ledger_entries" RENAME TO "ledger_entries_unpartitioned";
ALTER TABLE "ledger_entries_unpartitioned" DROP CONSTRAINT "ledger_entries_pkey";
DROP INDEX "ledger_entries_entry_hash_key";
DROP INDEX "ledger_entries_kind_sequence_idx";
DROP INDEX "ledger_entries_subject_idx";
DROP INDEX "ledger_entries_document_id_idx";

CREATE TABLE "ledger_entries" (
    "sequence" BIGINT NOT NULL,
    "kind" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "subject" TEXT,
    "document_id" UUID,
    "payload" JSONB NOT NULL,
    "prev_hash" TEXT NOT NULL,
    "entry_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ledger_entries_pkey" PRIMARY KEY ("sequence", "created_at")
) PARTITION BY RANGE ("created_at");

CREATE UNIQUE INDEX "ledger_entries_entry_hash_created_at_key" ON "ledger_entries"("entry_hash", "created_at");
CREATE INDEX "ledger_entries_kind_sequence_idx" ON "ledger_entries"("kind", "sequence");
CREATE INDEX "ledger_entries_subject_idx" ON "ledger_entries"("subject");
CREATE INDEX "ledger_entries_document_id_idx" ON "ledger_entries"("document_id");

CREATE TABLE "ledger_entries_default" PARTITION OF "ledger_entries" DEFAULT;

-- ---------------------------------------------------------------------------------------------
-- document_bodies

CREATE UNIQUE INDEX "documents_id_received_at_key" ON "documents"("id", "received_at");

CREATE TABLE "document_bodies" (
    "document_id" UUID NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL,
    "body" BYTEA NOT NULL,

    CONSTRAINT "document_bodies_pkey" PRIMARY KEY ("document_id", "received_at")
) PARTITION BY RANGE ("received_at");

CREATE TABLE "document_bodies_default" PARTITION OF "document_bodies" DEFAULT;

-- ---------------------------------------------------------------------------------------------
-- Partitions for every month that has rows (at most ten years back; older rows go to DEFAULT) and
-- from this month through three months ahead, then the rows, in order.

SELECT "vitrine_ensure_partitions"("month", "month") FROM (
  SELECT date_trunc('month', "created_at" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS "month" FROM "ledger_entries_unpartitioned"
  UNION
  SELECT date_trunc('month', "received_at" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' FROM "documents") AS "months"
WHERE "month" >= now() - interval '10 years'
ORDER BY "month";
SELECT "vitrine_ensure_partitions"(now(), now() + interval '3 months');

INSERT INTO "ledger_entries" ("sequence", "kind", "actor", "subject", "document_id", "payload", "prev_hash", "entry_hash", "created_at")
SELECT "sequence", "kind", "actor", "subject", "document_id", "payload", "prev_hash", "entry_hash", "created_at"
FROM "ledger_entries_unpartitioned" ORDER BY "sequence";
DROP TABLE "ledger_entries_unpartitioned";

INSERT INTO "document_bodies" ("document_id", "received_at", "body")
SELECT "id", "received_at", "body" FROM "documents" ORDER BY "received_at", "id";
ALTER TABLE "documents" DROP COLUMN "body";
-- Dropping a column leaves its bytes in the table (and its TOAST) until the rows are rewritten.
CLUSTER "documents" USING "documents_pkey";
ALTER TABLE "documents" SET WITHOUT CLUSTER;

ALTER TABLE "document_bodies" ADD CONSTRAINT "document_bodies_document_id_received_at_fkey" FOREIGN KEY ("document_id", "received_at") REFERENCES "documents"("id", "received_at") ON DELETE RESTRICT ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------------------------
-- Guards: append-only as before, plus what the dropped global unique constraints used to say.

CREATE TRIGGER "ledger_entries_append_only"
  BEFORE UPDATE OR DELETE ON "ledger_entries"
  FOR EACH ROW EXECUTE FUNCTION "vitrine_ledger_append_only"();

CREATE TRIGGER "ledger_entries_no_truncate"
  BEFORE TRUNCATE ON "ledger_entries"
  FOR EACH STATEMENT EXECUTE FUNCTION "vitrine_ledger_append_only"();

CREATE TRIGGER "document_bodies_append_only"
  BEFORE UPDATE OR DELETE ON "document_bodies"
  FOR EACH ROW EXECUTE FUNCTION "vitrine_ledger_append_only"();

CREATE TRIGGER "document_bodies_no_truncate"
  BEFORE TRUNCATE ON "document_bodies"
  FOR EACH STATEMENT EXECUTE FUNCTION "vitrine_ledger_append_only"();

-- A new entry must extend the head: the next sequence number, linked to the head's hash, with a hash
-- no entry has. Taken together: no duplicate sequence, no duplicate entry hash, no fork, across every
-- partition. The lock is the one every append takes first (lib/server/ledger/append-ledger-entry.ts),
-- so the head cannot move between this check and the insert; taking it again costs nothing. Rows
-- inserted earlier by the same statement are visible here, so one statement may append many entries.
CREATE FUNCTION "vitrine_ledger_extends_head"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  head_sequence BIGINT;
  head_hash TEXT;
BEGIN
  PERFORM pg_advisory_xact_lock(72707302);
  SELECT "sequence", "entry_hash" INTO head_sequence, head_hash
    FROM public."ledger_entries" ORDER BY "sequence" DESC LIMIT 1;
  head_sequence := coalesce(head_sequence, 0);
  head_hash := coalesce(head_hash, 'sha256:0000000000000000000000000000000000000000000000000000000000000000');
  IF NEW."sequence" <= head_sequence THEN
    RAISE EXCEPTION 'ledger_entries: sequence % is taken (the head is %)', NEW."sequence", head_sequence
      USING ERRCODE = 'unique_violation';
  END IF;
  IF NEW."sequence" <> head_sequence + 1 OR NEW."prev_hash" IS DISTINCT FROM head_hash THEN
    RAISE EXCEPTION 'ledger_entries: entry % does not extend the head (sequence %, hash %)', NEW."sequence", head_sequence, head_hash
      USING ERRCODE = 'check_violation';
  END IF;
  IF EXISTS (SELECT 1 FROM public."ledger_entries" WHERE "entry_hash" = NEW."entry_hash") THEN
    RAISE EXCEPTION 'ledger_entries: entry hash % is taken', NEW."entry_hash" USING ERRCODE = 'unique_violation';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER "ledger_entries_extend_head"
  BEFORE INSERT ON "ledger_entries"
  FOR EACH ROW EXECUTE FUNCTION "vitrine_ledger_extends_head"();

-- Every document is stored with its bytes (as documents.body NOT NULL used to say), checked when the
-- transaction commits.
CREATE FUNCTION "vitrine_document_has_body"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM public."document_bodies" WHERE "document_id" = NEW."id" AND "received_at" = NEW."received_at") THEN
    RAISE EXCEPTION 'documents: document % was stored without its body', NEW."id" USING ERRCODE = 'not_null_violation';
  END IF;
  RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER "documents_body_required"
  AFTER INSERT ON "documents" DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION "vitrine_document_has_body"();

-- ---------------------------------------------------------------------------------------------
-- Privileges, as the ledger privileges migration gives them: read and append, never change.

SELECT "vitrine_protect_evidence_partition"('ledger_entries_default');
SELECT "vitrine_protect_evidence_partition"('document_bodies_default');

REVOKE UPDATE, DELETE, TRUNCATE ON "ledger_entries", "document_bodies" FROM PUBLIC;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'vitrine_app') THEN
    GRANT SELECT, INSERT ON "ledger_entries", "document_bodies" TO vitrine_app;
    REVOKE UPDATE, DELETE, TRUNCATE ON "ledger_entries", "document_bodies" FROM vitrine_app;
    GRANT EXECUTE ON FUNCTION "vitrine_ensure_partitions"(TIMESTAMPTZ, TIMESTAMPTZ) TO vitrine_app;
  END IF;
END
$$;
