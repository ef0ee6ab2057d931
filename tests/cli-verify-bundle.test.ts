// The CLI wiring of verify-bundle (the verifier itself is tested case by case in lib/verify).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fixturesDir } from "./helpers/fixtures";

const IDENTITY =
  "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const ISSUER = "https://token.actions.githubusercontent.com";

function run(caseName: string): { status: number | null; verdict: string | undefined } {
  const dir = join(fixturesDir(), "sigstore", caseName);
  const args = ["bin/vitrine.mjs", "verify-bundle", "--bundle", join(dir, "bundle.sigstore.json")];
  if (existsSync(join(dir, "key.pub"))) args.push("--key", join(dir, "key.pub"));
  else args.push("--certificate-identity", IDENTITY, "--certificate-oidc-issuer", ISSUER);
  if (existsSync(join(dir, "trusted_root.json"))) args.push("--trusted-root", join(dir, "trusted_root.json"));
  args.push(existsSync(join(dir, "artifact")) ? join(dir, "artifact") : join(fixturesDir(), "sigstore", "a.txt"));
  const r = spawnSync(process.execPath, args, { encoding: "utf8", timeout: 60_000 });
  let verdict: string | undefined;
  try {
    verdict = (JSON.parse(r.stdout) as { verdict?: string }).verdict;
  } catch {
    verdict = undefined;
  }
  return { status: r.status, verdict };
}

describe("npx vitrine verify-bundle", () => {
  it.each([
    ["happy-path-v0.3", 0, "verified"],
    ["rekor2-dsse-happy-path", 0, "verified"],
    ["managed-key-happy-path", 0, "verified"],
    ["signature-mismatch_fail", 1, "invalid"],
    ["message-digest-mismatch_fail", 1, "invalid"],
  ])("%s exits %i with a %s JSON verdict", (caseName, status, verdict) => {
    expect(run(caseName)).toEqual({ status, verdict });
  });

  it("refuses bad flags with exit 2", () => {
    const r = spawnSync(process.execPath, ["bin/vitrine.mjs", "verify-bundle", "--bundle"], { encoding: "utf8" });
    expect(r.status).toBe(2);
  });
});
