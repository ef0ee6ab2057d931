import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  CONFORMANCE_IDENTITY,
  CONFORMANCE_ISSUER,
  conformanceArgv,
  conformanceCase,
  conformanceCases,
  publicGoodRootPath,
} from "./test-fixtures";
import type { VerificationResult } from "./verdict";
import { parseVerifyBundleArgs, runVerifyBundle } from "./verify-bundle-cli";

type Run = { code: number; stdout: string; stderr: string; result: VerificationResult | null; reads: string[] };

async function run(argv: string[], files: Record<string, Buffer> = {}): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const reads: string[] = [];
  const code = await runVerifyBundle(argv, {
    readFile: (file) => {
      reads.push(file);
      return files[file] ?? readFileSync(file);
    },
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
  });
  const result = stdout ? (JSON.parse(stdout) as VerificationResult) : null;
  return { code, stdout, stderr, result, reads };
}

const cases = conformanceCases();

describe("verify-bundle: Sigstore client conformance cases (bundle-verify)", () => {
  it("finds every case folder, happy and _fail", () => {
    expect(cases.length).toBeGreaterThanOrEqual(12);
    expect(cases.some((c) => !c.shouldVerify)).toBe(true);
  });

  for (const c of cases) {
    it(`${c.name}: ${c.shouldVerify ? "verifies (exit 0)" : "does not verify (exit non-zero)"} from the artefact file`, async () => {
      const { code, result, stdout } = await run(conformanceArgv(c));
      expect(stdout.endsWith("\n")).toBe(true);
      if (c.shouldVerify) {
        expect(result?.verdict, result?.reason).toBe("verified");
        expect(code).toBe(0);
      } else {
        expect(result?.verdict).not.toBe("verified");
        expect(code).toBe(1);
      }
    });

    it(`${c.name}: same outcome from sha256:<hex> of the artefact`, async () => {
      const digest = `sha256:${createHash("sha256").update(readFileSync(c.artifactPath)).digest("hex")}`;
      const { code, result, reads } = await run(conformanceArgv(c, digest));
      expect(reads).not.toContain(c.artifactPath);
      if (c.shouldVerify) {
        expect(result?.verdict, result?.reason).toBe("verified");
        expect(code).toBe(0);
      } else {
        expect(result?.verdict).not.toBe("verified");
        expect(code).not.toBe(0);
      }
    });
  }

  it("reports the failing reason of each _fail case", async () => {
    const reasons: Record<string, string> = {};
    for (const c of cases.filter((x) => !x.shouldVerify)) {
      const { result } = await run(conformanceArgv(c));
      reasons[c.name] = `${result?.verdict}: ${result?.reason}`;
    }
    expect(reasons["signature-mismatch_fail"]).toMatch(/^invalid: /);
    expect(reasons["dsse-mismatch-sig_fail"]).toMatch(/^invalid: /);
    expect(reasons["message-digest-mismatch_fail"]).toMatch(/^invalid: the bundle's messageDigest/);
    // Its key.pub is not a valid P-256 point, so there is no trusted key to verify with.
    expect(reasons["managed-key-wrong-key_fail"]).toMatch(/^unverifiable: the trusted key is not a usable PEM public key/);
  });

  it("uses the public-good root shipped with Vitrine when no --trusted-root is given", async () => {
    const c = conformanceCase("happy-path-v0.3");
    const { result, reads } = await run(conformanceArgv(c));
    expect(reads).toEqual([c.bundlePath, c.artifactPath]);
    const shipped = readFileSync(path.join(import.meta.dirname, "trusted_root.public-good.json"));
    expect(shipped.equals(readFileSync(publicGoodRootPath()))).toBe(true);
    const withExplicitRoot = await run([...conformanceArgv(c).slice(0, -1), "--trusted-root", publicGoodRootPath(), c.artifactPath]);
    expect(withExplicitRoot.result?.evidence.trustRoot).toBe(result?.evidence.trustRoot);
  });

  it("prints evidence with the verdict", async () => {
    const { result } = await run(conformanceArgv(conformanceCase("happy-path-v0.3")));
    expect(result?.evidence).toMatchObject({
      identity: CONFORMANCE_IDENTITY,
      issuer: CONFORMANCE_ISSUER,
      logIndex: "79571823",
      integratedTime: "2024-03-19T17:26:26.000Z",
    });
    expect(result?.evidence.keyFingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(result?.evidence.trustRoot).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("exits 1 with untrusted for the right bundle and another identity", async () => {
    const c = conformanceCase("happy-path-v0.3");
    const argv = conformanceArgv(c).map((a) =>
      a === CONFORMANCE_IDENTITY ? "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main" : a,
    );
    const { code, result, stderr } = await run(argv);
    expect(code).toBe(1);
    expect(result?.verdict).toBe("untrusted");
    expect(stderr).toContain("untrusted");
  });

  it("accepts --certificate-identity-regexp, anchored", async () => {
    const c = conformanceCase("happy-path-v0.3");
    const base = ["--bundle", c.bundlePath, "--certificate-oidc-issuer", CONFORMANCE_ISSUER, c.artifactPath];
    const full = await run(["--certificate-identity-regexp", "https://github\\.com/sigstore-conformance/.+@refs/heads/main", ...base]);
    expect(full.result?.verdict).toBe("verified");
    const fragment = await run(["--certificate-identity-regexp", "sigstore-conformance", ...base]);
    expect(fragment.result?.verdict).toBe("untrusted");
    expect(fragment.code).toBe(1);
  });

  it("accepts --flag=value", async () => {
    const c = conformanceCase("managed-key-happy-path");
    const { code } = await run([`--bundle=${c.bundlePath}`, `--key=${c.keyPath}`, c.artifactPath]);
    expect(code).toBe(0);
  });
});

describe("verify-bundle: material that cannot be read", () => {
  const c = conformanceCase("happy-path-v0.3");
  const missing = path.join(import.meta.dirname, "does-not-exist.json");

  it("an unreadable bundle, artefact, key or trusted root is unverifiable (exit 1)", async () => {
    const variants = [
      conformanceArgv(c).map((a) => (a === c.bundlePath ? missing : a)),
      conformanceArgv(c, missing),
      [...conformanceArgv(c).slice(0, -1), "--trusted-root", missing, c.artifactPath],
      ["--bundle", c.bundlePath, "--key", missing, c.artifactPath],
    ];
    for (const argv of variants) {
      const { code, result } = await run(argv);
      expect(code).toBe(1);
      expect(result?.verdict, argv.join(" ")).toBe("unverifiable");
    }
  });

  it("a bundle file that is not JSON is invalid; a trusted root that is not JSON is unverifiable", async () => {
    const notJson = Buffer.from("{ not json");
    const bundle = await run(conformanceArgv(c), { [c.bundlePath]: notJson });
    expect(bundle.result?.verdict).toBe("invalid");
    const root = await run([...conformanceArgv(c).slice(0, -1), "--trusted-root", "/virtual/root.json", c.artifactPath], {
      "/virtual/root.json": notJson,
    });
    expect(root.result?.verdict).toBe("unverifiable");
    expect(root.code).toBe(1);
  });
});

describe("verify-bundle: bad usage exits 2 without a verdict", () => {
  const c = conformanceCase("happy-path-v0.3");
  const identity = ["--certificate-identity", CONFORMANCE_IDENTITY, "--certificate-oidc-issuer", CONFORMANCE_ISSUER];
  const bad: Array<[string, string[]]> = [
    ["no arguments", []],
    ["no --bundle", [...identity, c.artifactPath]],
    ["no artefact", ["--bundle", c.bundlePath, ...identity]],
    ["two artefacts", ["--bundle", c.bundlePath, ...identity, c.artifactPath, c.artifactPath]],
    ["no policy", ["--bundle", c.bundlePath, c.artifactPath]],
    ["identity without issuer", ["--bundle", c.bundlePath, "--certificate-identity", CONFORMANCE_IDENTITY, c.artifactPath]],
    ["issuer without identity", ["--bundle", c.bundlePath, "--certificate-oidc-issuer", CONFORMANCE_ISSUER, c.artifactPath]],
    ["key and identity", ["--bundle", c.bundlePath, "--key", "k.pub", ...identity, c.artifactPath]],
    ["identity and identity regexp", ["--bundle", c.bundlePath, ...identity, "--certificate-identity-regexp", ".*", c.artifactPath]],
    ["unknown flag", ["--bundle", c.bundlePath, ...identity, "--offline", c.artifactPath]],
    ["flag without value", ["--bundle", c.bundlePath, ...identity, c.artifactPath, "--trusted-root"]],
    ["flag followed by a flag", ["--bundle", "--key", "k.pub", c.artifactPath]],
    ["flag given twice", ["--bundle", c.bundlePath, "--bundle", c.bundlePath, ...identity, c.artifactPath]],
    ["malformed digest", ["--bundle", c.bundlePath, ...identity, "sha256:ABC"]],
    ["uppercase digest", ["--bundle", c.bundlePath, ...identity, `sha256:${"A".repeat(64)}`]],
  ];
  for (const [name, argv] of bad) {
    it(name, async () => {
      const { code, stdout, stderr } = await run(argv);
      expect(code).toBe(2);
      expect(stdout).toBe("");
      expect(stderr).toMatch(/^verify-bundle: .+\nusage: /);
    });
  }

  it("parses a digest artefact and a file artefact apart", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    expect(parseVerifyBundleArgs(["--bundle", "b", "--key", "k", digest])).toMatchObject({ artifact: { digest } });
    expect(parseVerifyBundleArgs(["--bundle", "b", "--key", "k", "./sha.txt"])).toMatchObject({ artifact: { file: "./sha.txt" } });
    expect(parseVerifyBundleArgs(["--bundle", "b", "--key", "k", "--", "--weird-name"])).toMatchObject({
      artifact: { file: "--weird-name" },
    });
  });
});
