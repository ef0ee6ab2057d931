import { describe, expect, it } from "vitest";
import { artifactStatus, deploymentStatus, LINEAGE_STATUSES, trustEntryStatus, verdictStatus, worstStatus } from "./lineage";

const NOW = new Date("2026-11-26T12:00:00Z");
const before = new Date("2026-11-01T00:00:00Z");
const after = new Date("2026-12-01T00:00:00Z");

describe("lineage statuses", () => {
  it("orders statuses worst first and ignores null and unknown strings", () => {
    expect(LINEAGE_STATUSES[0]).toBe("invalid");
    expect(worstStatus(["verified", "untrusted", null])).toBe("untrusted");
    expect(worstStatus(["pass", "fail"])).toBe("fail");
    expect(worstStatus(["revoked", "invalid", "verified"])).toBe("invalid");
    expect(worstStatus([null, "something-new"])).toBeNull();
    expect(worstStatus([])).toBeNull();
  });

  it("an artefact: any alarming verdict wins, then verified, untrusted, unverifiable, unsigned", () => {
    expect(artifactStatus({ signatures: [], attestations: [] })).toBe("unsigned");
    expect(artifactStatus({ signatures: ["verified", "untrusted"], attestations: [] })).toBe("verified");
    expect(artifactStatus({ signatures: ["untrusted", "unverifiable"], attestations: [] })).toBe("untrusted");
    expect(artifactStatus({ signatures: [null], attestations: [] })).toBe("unverifiable");
    expect(artifactStatus({ signatures: ["verified"], attestations: ["invalid"] })).toBe("invalid");
    expect(artifactStatus({ signatures: ["verified", "revoked", "subject-mismatch"], attestations: [] })).toBe("subject-mismatch");
    expect(artifactStatus({ signatures: ["expired"], attestations: ["verified"] })).toBe("expired");
    // A verified attestation alone does not make an artefact signed.
    expect(artifactStatus({ signatures: [], attestations: ["verified"] })).toBe("unsigned");
  });

  it("deployments, trust entries and verdicts", () => {
    expect(deploymentStatus(null)).toBeNull();
    expect(deploymentStatus(true)).toBe("pass");
    expect(deploymentStatus(false)).toBe("fail");
    expect(trustEntryStatus(null, NOW)).toBe("untrusted");
    expect(trustEntryStatus({ revokedAt: null, validFrom: null, validUntil: null }, NOW)).toBe("trusted");
    expect(trustEntryStatus({ revokedAt: before, validFrom: null, validUntil: null }, NOW)).toBe("revoked");
    expect(trustEntryStatus({ revokedAt: after, validFrom: null, validUntil: null }, NOW)).toBe("trusted");
    expect(trustEntryStatus({ revokedAt: null, validFrom: null, validUntil: before }, NOW)).toBe("expired");
    expect(trustEntryStatus({ revokedAt: null, validFrom: after, validUntil: null }, NOW)).toBe("untrusted");
    expect(verdictStatus("subject-mismatch")).toBe("subject-mismatch");
    expect(verdictStatus(null)).toBeNull();
    expect(verdictStatus("weird")).toBeNull();
  });
});
