// Test support only: the Sigstore client conformance cases in the shared, unedited fixtures
// (../shared/fixtures/sigstore, or VITRINE_SHARED_DIR/fixtures/sigstore), and what each one implies.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

export const CONFORMANCE_IDENTITY =
  "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
export const CONFORMANCE_ISSUER = "https://token.actions.githubusercontent.com";

export function sigstoreFixturesDir(): string {
  const candidates = [
    path.join(process.cwd(), "..", "shared", "fixtures", "sigstore"),
    ...(process.env.VITRINE_SHARED_DIR ? [path.join(process.env.VITRINE_SHARED_DIR, "fixtures", "sigstore")] : []),
  ];
  const dir = candidates.find((c) => existsSync(c));
  if (!dir) throw new Error("sigstore fixtures not found: set VITRINE_SHARED_DIR to the shared folder");
  return dir;
}

export type ConformanceCase = {
  name: string;
  /** Folders ending in `_fail` must not verify. */
  shouldVerify: boolean;
  bundlePath: string;
  /** `artifact` in the folder, else the shared `a.txt`. */
  artifactPath: string;
  /** The folder's own trusted_root.json; null means the public-good root. */
  trustedRootPath: string | null;
  /** `key.pub` means verify with that key instead of an identity. */
  keyPath: string | null;
};

export function conformanceCases(): ConformanceCase[] {
  const root = sigstoreFixturesDir();
  return readdirSync(root)
    .filter((name) => statSync(path.join(root, name)).isDirectory())
    .sort()
    .map((name) => {
      const dir = path.join(root, name);
      const optional = (file: string) => (existsSync(path.join(dir, file)) ? path.join(dir, file) : null);
      return {
        name,
        shouldVerify: !name.endsWith("_fail"),
        bundlePath: path.join(dir, "bundle.sigstore.json"),
        artifactPath: optional("artifact") ?? path.join(root, "a.txt"),
        trustedRootPath: optional("trusted_root.json"),
        keyPath: optional("key.pub"),
      };
    });
}

export function conformanceCase(name: string): ConformanceCase {
  const found = conformanceCases().find((c) => c.name === name);
  if (!found) throw new Error(`no conformance case ${name}`);
  return found;
}

/** The `verify-bundle` arguments the conformance suite would pass for a case. */
export function conformanceArgv(c: ConformanceCase, artifact: string = c.artifactPath): string[] {
  const policy = c.keyPath
    ? ["--key", c.keyPath]
    : ["--certificate-identity", CONFORMANCE_IDENTITY, "--certificate-oidc-issuer", CONFORMANCE_ISSUER];
  const root = c.trustedRootPath ? ["--trusted-root", c.trustedRootPath] : [];
  return ["--bundle", c.bundlePath, ...policy, ...root, artifact];
}

export function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, "utf8")) as unknown;
}

export function publicGoodRootPath(): string {
  return path.join(sigstoreFixturesDir(), "trusted_root.public-good.json");
}

/** Everything verifySigstoreBundle needs for a case, read from disk. */
export function loadCase(name: string) {
  const c = conformanceCase(name);
  return {
    bundle: readJson(c.bundlePath) as Record<string, unknown>,
    bytes: readFileSync(c.artifactPath),
    trustedRoot: readJson(c.trustedRootPath ?? publicGoodRootPath()),
    keyPem: c.keyPath ? readFileSync(c.keyPath, "utf8") : null,
  };
}
