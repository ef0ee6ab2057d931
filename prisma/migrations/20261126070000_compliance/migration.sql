-- Compliance views (issue 7): daily snapshots of the six counts per environment, and the indexes
-- behind the window query (deployments of an environment by start) and the admission check
-- (allowed decisions whose images name an artefact).
CREATE TABLE "compliance_snapshots" (
    "environment" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "total" INTEGER NOT NULL,
    "pinned" INTEGER NOT NULL,
    "verified_signature" INTEGER NOT NULL,
    "verified_provenance" INTEGER NOT NULL,
    "admitted" INTEGER NOT NULL,
    "compliant" INTEGER NOT NULL,
    "computed_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "compliance_snapshots_pkey" PRIMARY KEY ("environment", "day")
);

CREATE INDEX "deployments_environment_id_started_at_idx" ON "deployments"("environment_id", "started_at");
CREATE INDEX "admission_decisions_images_idx" ON "admission_decisions" USING GIN ("images" jsonb_path_ops);
