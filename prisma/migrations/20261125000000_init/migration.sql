-- CreateEnum
CREATE TYPE "Role" AS ENUM ('admin', 'security', 'compliance', 'oncall', 'viewer');

-- CreateEnum
CREATE TYPE "TokenScope" AS ENUM ('ingest', 'read', 'admin', 'admission');

-- CreateEnum
CREATE TYPE "ArtifactKind" AS ENUM ('oci_image', 'oci_index', 'file', 'package', 'unknown');

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "role" "Role" NOT NULL,
    "password_hash" TEXT,
    "oidc_subject" TEXT,
    "is_demo" BOOLEAN NOT NULL DEFAULT false,
    "disabled_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_sign_in_at" TIMESTAMPTZ(3),

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_tokens" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "scopes" "TokenScope"[],
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "artifacts" (
    "id" UUID NOT NULL,
    "digest" TEXT NOT NULL,
    "kind" "ArtifactKind" NOT NULL DEFAULT 'unknown',
    "media_type" TEXT,
    "size_bytes" BIGINT,
    "is_demo" BOOLEAN NOT NULL DEFAULT false,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "artifacts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "artifact_names" (
    "id" UUID NOT NULL,
    "artifact_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "purl" TEXT,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "artifact_names_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tags" (
    "id" UUID NOT NULL,
    "reference" TEXT NOT NULL,
    "repository" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tags_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tag_history" (
    "id" UUID NOT NULL,
    "tag_id" UUID NOT NULL,
    "artifact_id" UUID NOT NULL,
    "digest" TEXT NOT NULL,
    "valid_from" TIMESTAMPTZ(3) NOT NULL,
    "valid_to" TIMESTAMPTZ(3),
    "document_id" UUID,

    CONSTRAINT "tag_history_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "documents" (
    "id" UUID NOT NULL,
    "sha256" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "content_type" TEXT NOT NULL,
    "body" BYTEA NOT NULL,
    "size_bytes" INTEGER NOT NULL,
    "event_id" TEXT,
    "event_source" TEXT,
    "idempotency_key" TEXT,
    "token_id" UUID,
    "is_demo" BOOLEAN NOT NULL DEFAULT false,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "documents_pkey" PRIMARY KEY ("id")
);

-- CreateTable
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

    CONSTRAINT "ledger_entries_pkey" PRIMARY KEY ("sequence")
);

-- CreateTable
CREATE TABLE "rate_limit_buckets" (
    "key" TEXT NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "rate_limit_buckets_pkey" PRIMARY KEY ("key","window_start")
);

-- CreateTable
CREATE TABLE "settings" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "settings_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE UNIQUE INDEX "users_oidc_subject_key" ON "users"("oidc_subject");

-- CreateIndex
CREATE UNIQUE INDEX "api_tokens_token_hash_key" ON "api_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "api_tokens_created_at_idx" ON "api_tokens"("created_at");

-- CreateIndex
CREATE UNIQUE INDEX "artifacts_digest_key" ON "artifacts"("digest");

-- CreateIndex
CREATE INDEX "artifacts_first_seen_at_id_idx" ON "artifacts"("first_seen_at", "id");

-- CreateIndex
CREATE INDEX "artifact_names_name_idx" ON "artifact_names"("name");

-- CreateIndex
CREATE UNIQUE INDEX "artifact_names_artifact_id_name_key" ON "artifact_names"("artifact_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "tags_reference_key" ON "tags"("reference");

-- CreateIndex
CREATE INDEX "tags_repository_idx" ON "tags"("repository");

-- CreateIndex
CREATE INDEX "tag_history_tag_id_valid_from_idx" ON "tag_history"("tag_id", "valid_from");

-- CreateIndex
CREATE INDEX "tag_history_artifact_id_idx" ON "tag_history"("artifact_id");

-- CreateIndex
CREATE UNIQUE INDEX "documents_sha256_key" ON "documents"("sha256");

-- CreateIndex
CREATE UNIQUE INDEX "documents_idempotency_key_key" ON "documents"("idempotency_key");

-- CreateIndex
CREATE INDEX "documents_received_at_idx" ON "documents"("received_at");

-- CreateIndex
CREATE UNIQUE INDEX "documents_event_source_event_id_key" ON "documents"("event_source", "event_id");

-- CreateIndex
CREATE UNIQUE INDEX "ledger_entries_entry_hash_key" ON "ledger_entries"("entry_hash");

-- CreateIndex
CREATE INDEX "ledger_entries_kind_sequence_idx" ON "ledger_entries"("kind", "sequence");

-- CreateIndex
CREATE INDEX "ledger_entries_subject_idx" ON "ledger_entries"("subject");

-- AddForeignKey
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "artifact_names" ADD CONSTRAINT "artifact_names_artifact_id_fkey" FOREIGN KEY ("artifact_id") REFERENCES "artifacts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tag_history" ADD CONSTRAINT "tag_history_tag_id_fkey" FOREIGN KEY ("tag_id") REFERENCES "tags"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tag_history" ADD CONSTRAINT "tag_history_artifact_id_fkey" FOREIGN KEY ("artifact_id") REFERENCES "artifacts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tag_history" ADD CONSTRAINT "tag_history_document_id_fkey" FOREIGN KEY ("document_id") REFERENCES "documents"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "documents" ADD CONSTRAINT "documents_token_id_fkey" FOREIGN KEY ("token_id") REFERENCES "api_tokens"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Vitrine: the ledger is append-only. Rows can be inserted, never changed or removed, by anyone
-- going through SQL; `vitrine ledger verify` still detects edits made with the trigger disabled.
CREATE FUNCTION "vitrine_ledger_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger_entries is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER "ledger_entries_append_only"
  BEFORE UPDATE OR DELETE ON "ledger_entries"
  FOR EACH ROW EXECUTE FUNCTION "vitrine_ledger_append_only"();

CREATE TRIGGER "ledger_entries_no_truncate"
  BEFORE TRUNCATE ON "ledger_entries"
  FOR EACH STATEMENT EXECUTE FUNCTION "vitrine_ledger_append_only"();
