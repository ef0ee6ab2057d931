-- A Postgres-backed job queue shared by every app instance: work that must survive a crash or run
-- beside requests (re-evaluation after a trust change, notification delivery). A pending job may
-- carry a dedupe key so identical requests coalesce; the key is cleared when a worker claims it.
CREATE TABLE "jobs" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "dedupe_key" TEXT,
    "run_at" TIMESTAMPTZ(3) NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "max_attempts" INTEGER NOT NULL DEFAULT 8,
    "locked_by" TEXT,
    "locked_until" TIMESTAMPTZ(3),
    "done_at" TIMESTAMPTZ(3),
    "failed_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "jobs_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "jobs_dedupe_key_key" ON "jobs"("dedupe_key");
CREATE INDEX "jobs_done_at_run_at_idx" ON "jobs"("done_at", "run_at");

-- Each running deployment's result under its environment's trust policy, kept current by the queue.
ALTER TABLE "deployments" ADD COLUMN "policy_pass" BOOLEAN,
ADD COLUMN "policy_failures" JSONB,
ADD COLUMN "evaluated_at" TIMESTAMPTZ(3);

-- Where an external verifier's claim and Vitrine's own verdict disagree about an artefact.
CREATE TABLE "verifier_disagreements" (
    "id" UUID NOT NULL,
    "claim_id" UUID NOT NULL,
    "artifact_id" UUID NOT NULL,
    "verifier" TEXT NOT NULL,
    "claim_result" TEXT NOT NULL,
    "vitrine_status" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "detected_at" TIMESTAMPTZ(3) NOT NULL,
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "verifier_disagreements_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "verifier_disagreements_claim_id_key" ON "verifier_disagreements"("claim_id");
CREATE INDEX "verifier_disagreements_artifact_id_idx" ON "verifier_disagreements"("artifact_id");

ALTER TABLE "verifier_disagreements" ADD CONSTRAINT "verifier_disagreements_claim_id_fkey" FOREIGN KEY ("claim_id") REFERENCES "verification_claims"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "verifier_disagreements" ADD CONSTRAINT "verifier_disagreements_artifact_id_fkey" FOREIGN KEY ("artifact_id") REFERENCES "artifacts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
