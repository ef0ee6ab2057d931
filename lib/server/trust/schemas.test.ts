import { describe, expect, it } from "vitest";
import { jsonPath } from "@/lib/api/errors";
import { ZCreateTrustedIdentity, ZCreateTrustedKey, ZCreateTrustRoot, ZCreateX509Root, ZRevokeTrust } from "./schemas";

const paths = (result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[] }> } }) =>
  (result.error?.issues ?? []).map((i) => jsonPath(i.path)).sort();

describe("trust request schemas", () => {
  it("accepts the DESIGN.md key shape, de-duplicating environments", () => {
    const parsed = ZCreateTrustedKey.parse({
      name: "release-key",
      publicKey: "-----BEGIN PUBLIC KEY-----...",
      environments: ["prod", "prod"],
    });
    expect(parsed.environments).toEqual(["prod"]);
    expect(ZCreateTrustedKey.parse({ name: "k", publicKey: "x" }).environments).toEqual([]);
  });

  it("names every bad key field", () => {
    const result = ZCreateTrustedKey.safeParse({ name: "", publicKey: "", environments: ["ok", " "], validUntil: "soon" });
    expect(paths(result)).toEqual(["$.environments[1]", "$.name", "$.publicKey", "$.validUntil"]);
  });

  it.each(["has space", "-leading", "a/b", "x".repeat(101)])("refuses the name %j", (name) => {
    expect(paths(ZCreateTrustedKey.safeParse({ name, publicKey: "k" }))).toEqual(["$.name"]);
  });

  it("refuses a validity window that ends before it starts", () => {
    const result = ZCreateTrustedKey.safeParse({
      name: "k",
      publicKey: "k",
      validFrom: "2026-11-25T10:00:00Z",
      validUntil: "2026-11-25T10:00:00Z",
    });
    expect(paths(result)).toEqual(["$.validUntil"]);
  });

  it("accepts the DESIGN.md identity shape and insists on an https issuer", () => {
    const identity = {
      name: "release-workflow",
      subject: "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main",
      subjectPattern: false,
      issuer: "https://token.actions.githubusercontent.com",
    };
    expect(ZCreateTrustedIdentity.parse(identity)).toMatchObject({ subjectPattern: false, environments: [] });
    expect(paths(ZCreateTrustedIdentity.safeParse({ ...identity, issuer: "http://token.actions.githubusercontent.com" }))).toEqual([
      "$.issuer",
    ]);
    expect(paths(ZCreateTrustedIdentity.safeParse({ ...identity, subjectPattern: "yes" }))).toEqual(["$.subjectPattern"]);
  });

  it("takes a trust root as { name, trustedRoot, thresholds? } with small whole thresholds", () => {
    expect(ZCreateTrustRoot.parse({ name: "r", trustedRoot: { mediaType: "x" } }).thresholds).toBeUndefined();
    expect(paths(ZCreateTrustRoot.safeParse({ name: "r", trustedRoot: [], thresholds: { tlog: 1.5, ctlog: -1, timestamp: 11 } }))).toEqual([
      "$.thresholds.ctlog",
      "$.thresholds.timestamp",
      "$.thresholds.tlog",
      "$.trustedRoot",
    ]);
  });

  it("takes an X.509 root as { name, certificate }", () => {
    expect(paths(ZCreateX509Root.safeParse({ name: "n" }))).toEqual(["$.certificate"]);
  });

  it("needs a revocation reason; `at` is optional and must be a time", () => {
    expect(ZRevokeTrust.parse({ reason: " key leaked " })).toEqual({ reason: "key leaked" });
    expect(ZRevokeTrust.parse({ reason: "r", at: "2026-11-25T10:00:00Z" }).at).toBe("2026-11-25T10:00:00Z");
    expect(paths(ZRevokeTrust.safeParse({ reason: "  ", at: "yesterday" }))).toEqual(["$.at", "$.reason"]);
    expect(paths(ZRevokeTrust.safeParse({}))).toEqual(["$.reason"]);
  });
});
