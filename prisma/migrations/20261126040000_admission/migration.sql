-- Vitrine as the admission gate: every decision on a Kubernetes AdmissionReview, kept as a
-- deployment attempt. The review itself is a stored document; its ledger entries record both.
-- CreateTable
CREATE TABLE "admission_decisions" (
    "id" UUID NOT NULL,
    "document_id" UUID NOT NULL,
    "request_uid" TEXT NOT NULL,
    "environment" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "workload_kind" TEXT NOT NULL,
    "workload_name" TEXT,
    "operation" TEXT NOT NULL,
    "dry_run" BOOLEAN NOT NULL DEFAULT false,
    "allowed" BOOLEAN NOT NULL,
    "images" JSONB NOT NULL,
    "message" TEXT,
    "requested_by" TEXT,
    "decided_at" TIMESTAMPTZ(3) NOT NULL,
    "duration_ms" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "admission_decisions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "admission_decisions_request_uid_key" ON "admission_decisions"("request_uid");
CREATE INDEX "admission_decisions_environment_decided_at_idx" ON "admission_decisions"("environment", "decided_at");
CREATE INDEX "admission_decisions_decided_at_idx" ON "admission_decisions"("decided_at");

-- AddForeignKey
ALTER TABLE "admission_decisions" ADD CONSTRAINT "admission_decisions_document_id_fkey" FOREIGN KEY ("document_id") REFERENCES "documents"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Vitrine: decisions are evidence: the app role may add them, never change or remove them.
REVOKE UPDATE, DELETE, TRUNCATE ON "admission_decisions" FROM PUBLIC;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'vitrine_app') THEN
    REVOKE UPDATE, DELETE, TRUNCATE ON "admission_decisions" FROM vitrine_app;
  END IF;
END
$$;
