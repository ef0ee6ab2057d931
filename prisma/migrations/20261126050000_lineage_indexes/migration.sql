-- Lineage and blast radius (issue 5). Signatures are found by the trust entry they rely on
-- (evidence @> '{"keyFingerprint": ...}' / '{"trustedAs": ...}'): a GIN index with jsonb_path_ops
-- answers those containment queries without reading every signature.
CREATE INDEX "signatures_evidence_idx" ON "signatures" USING GIN ("evidence" jsonb_path_ops);

-- A build's provenance attestations (a build node's status in the lineage graph).
CREATE INDEX "attestations_build_id_idx" ON "attestations"("build_id");
