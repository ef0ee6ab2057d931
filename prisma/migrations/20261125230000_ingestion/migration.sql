-- CreateEnum
CREATE TYPE "BuildArtifactRole" AS ENUM ('input', 'output');

-- CreateEnum
CREATE TYPE "DeploymentStatus" AS ENUM ('running', 'replaced', 'removed');

-- DropIndex
DROP INDEX "documents_event_source_event_id_key";

-- AlterTable
ALTER TABLE "artifacts" ADD COLUMN "deleted_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "documents" ADD COLUMN "event_type" TEXT,
ADD COLUMN "route" TEXT NOT NULL DEFAULT 'events';

-- CreateTable
CREATE TABLE "environments" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "uri" TEXT,
    "is_demo" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "environments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sources" (
    "id" UUID NOT NULL,
    "repository" TEXT NOT NULL,
    "commit" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sources_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "builds" (
    "id" UUID NOT NULL,
    "builder_id" TEXT NOT NULL,
    "invocation_id" TEXT NOT NULL,
    "build_type" TEXT,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "outcome" TEXT NOT NULL DEFAULT 'unknown',
    "document_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "builds_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "build_sources" (
    "build_id" UUID NOT NULL,
    "source_id" UUID NOT NULL,

    CONSTRAINT "build_sources_pkey" PRIMARY KEY ("build_id","source_id")
);

-- CreateTable
CREATE TABLE "build_artifacts" (
    "build_id" UUID NOT NULL,
    "artifact_id" UUID NOT NULL,
    "role" "BuildArtifactRole" NOT NULL,

    CONSTRAINT "build_artifacts_pkey" PRIMARY KEY ("build_id","artifact_id","role")
);

-- CreateTable
CREATE TABLE "artifact_edges" (
    "from_id" UUID NOT NULL,
    "to_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,

    CONSTRAINT "artifact_edges_pkey" PRIMARY KEY ("from_id","to_id","kind")
);

-- CreateTable
CREATE TABLE "signatures" (
    "id" UUID NOT NULL,
    "artifact_id" UUID NOT NULL,
    "document_id" UUID NOT NULL,
    "format" TEXT NOT NULL,
    "signer_identity" TEXT,
    "signer_issuer" TEXT,
    "key_hint" TEXT,
    "material" JSONB NOT NULL,
    "verdict" TEXT,
    "verdict_reason" TEXT,
    "evidence" JSONB,
    "verified_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "signatures_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "attestations" (
    "id" UUID NOT NULL,
    "document_id" UUID NOT NULL,
    "envelope" TEXT NOT NULL,
    "statement_type" TEXT NOT NULL,
    "predicate_type" TEXT NOT NULL,
    "build_id" UUID,
    "material" JSONB NOT NULL,
    "verdict" TEXT,
    "verdict_reason" TEXT,
    "evidence" JSONB,
    "verified_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "attestations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "attestation_subjects" (
    "attestation_id" UUID NOT NULL,
    "digest" TEXT NOT NULL,
    "name" TEXT,
    "artifact_id" UUID NOT NULL,

    CONSTRAINT "attestation_subjects_pkey" PRIMARY KEY ("attestation_id","digest")
);

-- CreateTable
CREATE TABLE "verification_claims" (
    "id" UUID NOT NULL,
    "document_id" UUID NOT NULL,
    "verifier" TEXT NOT NULL,
    "artifact_id" UUID,
    "reference" TEXT,
    "result" TEXT NOT NULL,
    "policy" TEXT,
    "rule" TEXT,
    "message" TEXT,
    "environment" TEXT,
    "namespace" TEXT,
    "identity" TEXT,
    "issuer" TEXT,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "verification_claims_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "deployments" (
    "id" UUID NOT NULL,
    "environment_id" UUID NOT NULL,
    "cluster" TEXT,
    "namespace" TEXT,
    "workload" TEXT NOT NULL,
    "artifact_id" UUID,
    "reference" TEXT,
    "pinned" BOOLEAN NOT NULL,
    "tag_reference" TEXT,
    "resolved_digest" TEXT,
    "status" "DeploymentStatus" NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_at" TIMESTAMPTZ(3),
    "document_id" UUID,
    "is_demo" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "deployments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "signing_keys" (
    "fingerprint" TEXT NOT NULL,
    "algorithm" TEXT NOT NULL,
    "public_key_pem" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "signing_keys_pkey" PRIMARY KEY ("fingerprint")
);

-- CreateTable
CREATE TABLE "ledger_checkpoints" (
    "id" UUID NOT NULL,
    "sequence" BIGINT NOT NULL,
    "head_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "key_fingerprint" TEXT NOT NULL,
    "signature" TEXT NOT NULL,

    CONSTRAINT "ledger_checkpoints_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "documents_token_id_received_at_idx" ON "documents"("token_id", "received_at");

-- CreateIndex
CREATE UNIQUE INDEX "documents_event_source_event_id_event_type_key" ON "documents"("event_source", "event_id", "event_type");

-- CreateIndex
CREATE UNIQUE INDEX "environments_name_key" ON "environments"("name");

-- CreateIndex
CREATE INDEX "sources_commit_idx" ON "sources"("commit");

-- CreateIndex
CREATE UNIQUE INDEX "sources_repository_commit_key" ON "sources"("repository", "commit");

-- CreateIndex
CREATE INDEX "builds_builder_id_idx" ON "builds"("builder_id");

-- CreateIndex
CREATE UNIQUE INDEX "builds_builder_id_invocation_id_key" ON "builds"("builder_id", "invocation_id");

-- CreateIndex
CREATE INDEX "build_sources_source_id_idx" ON "build_sources"("source_id");

-- CreateIndex
CREATE INDEX "build_artifacts_artifact_id_role_idx" ON "build_artifacts"("artifact_id", "role");

-- CreateIndex
CREATE INDEX "artifact_edges_to_id_idx" ON "artifact_edges"("to_id");

-- CreateIndex
CREATE INDEX "signatures_artifact_id_idx" ON "signatures"("artifact_id");

-- CreateIndex
CREATE INDEX "signatures_signer_identity_idx" ON "signatures"("signer_identity");

-- CreateIndex
CREATE UNIQUE INDEX "signatures_document_id_artifact_id_key" ON "signatures"("document_id", "artifact_id");

-- CreateIndex
CREATE UNIQUE INDEX "attestations_document_id_key" ON "attestations"("document_id");

-- CreateIndex
CREATE INDEX "attestations_predicate_type_idx" ON "attestations"("predicate_type");

-- CreateIndex
CREATE INDEX "attestation_subjects_artifact_id_idx" ON "attestation_subjects"("artifact_id");

-- CreateIndex
CREATE INDEX "verification_claims_artifact_id_idx" ON "verification_claims"("artifact_id");

-- CreateIndex
CREATE INDEX "verification_claims_document_id_idx" ON "verification_claims"("document_id");

-- CreateIndex
CREATE INDEX "deployments_environment_id_workload_ended_at_idx" ON "deployments"("environment_id", "workload", "ended_at");

-- CreateIndex
CREATE INDEX "deployments_artifact_id_idx" ON "deployments"("artifact_id");

-- CreateIndex
CREATE INDEX "deployments_started_at_idx" ON "deployments"("started_at");

-- CreateIndex
CREATE INDEX "ledger_checkpoints_created_at_idx" ON "ledger_checkpoints"("created_at");

-- CreateIndex
CREATE INDEX "ledger_checkpoints_sequence_idx" ON "ledger_checkpoints"("sequence");

-- AddForeignKey
ALTER TABLE "builds" ADD CONSTRAINT "builds_document_id_fkey" FOREIGN KEY ("document_id") REFERENCES "documents"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "build_sources" ADD CONSTRAINT "build_sources_build_id_fkey" FOREIGN KEY ("build_id") REFERENCES "builds"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "build_sources" ADD CONSTRAINT "build_sources_source_id_fkey" FOREIGN KEY ("source_id") REFERENCES "sources"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "build_artifacts" ADD CONSTRAINT "build_artifacts_build_id_fkey" FOREIGN KEY ("build_id") REFERENCES "builds"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "build_artifacts" ADD CONSTRAINT "build_artifacts_artifact_id_fkey" FOREIGN KEY ("artifact_id") REFERENCES "artifacts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "artifact_edges" ADD CONSTRAINT "artifact_edges_from_id_fkey" FOREIGN KEY ("from_id") REFERENCES "artifacts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "artifact_edges" ADD CONSTRAINT "artifact_edges_to_id_fkey" FOREIGN KEY ("to_id") REFERENCES "artifacts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "signatures" ADD CONSTRAINT "signatures_artifact_id_fkey" FOREIGN KEY ("artifact_id") REFERENCES "artifacts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "signatures" ADD CONSTRAINT "signatures_document_id_fkey" FOREIGN KEY ("document_id") REFERENCES "documents"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "attestations" ADD CONSTRAINT "attestations_document_id_fkey" FOREIGN KEY ("document_id") REFERENCES "documents"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "attestation_subjects" ADD CONSTRAINT "attestation_subjects_attestation_id_fkey" FOREIGN KEY ("attestation_id") REFERENCES "attestations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "attestation_subjects" ADD CONSTRAINT "attestation_subjects_artifact_id_fkey" FOREIGN KEY ("artifact_id") REFERENCES "artifacts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "verification_claims" ADD CONSTRAINT "verification_claims_document_id_fkey" FOREIGN KEY ("document_id") REFERENCES "documents"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "verification_claims" ADD CONSTRAINT "verification_claims_artifact_id_fkey" FOREIGN KEY ("artifact_id") REFERENCES "artifacts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_environment_id_fkey" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_artifact_id_fkey" FOREIGN KEY ("artifact_id") REFERENCES "artifacts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_document_id_fkey" FOREIGN KEY ("document_id") REFERENCES "documents"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_checkpoints" ADD CONSTRAINT "ledger_checkpoints_key_fingerprint_fkey" FOREIGN KEY ("key_fingerprint") REFERENCES "signing_keys"("fingerprint") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Vitrine: checkpoints are evidence too; they are never changed or removed.
CREATE TRIGGER "ledger_checkpoints_append_only"
  BEFORE UPDATE OR DELETE ON "ledger_checkpoints"
  FOR EACH ROW EXECUTE FUNCTION "vitrine_ledger_append_only"();
