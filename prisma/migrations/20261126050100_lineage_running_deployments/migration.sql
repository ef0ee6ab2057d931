-- What runs now (ended_at IS NULL) across all environments: the blast radius joins a subject's
-- artefacts with the running deployments, a few per workload among a history that only grows.
CREATE INDEX "deployments_ended_at_idx" ON "deployments"("ended_at");
