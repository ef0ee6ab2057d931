// `vitrine verify-bundle`: the Sigstore client conformance interface
// (https://github.com/sigstore/sigstore-conformance/blob/main/docs/cli_protocol.md), verify half.
// Prints the VerificationResult as JSON on stdout; exit 0 verified, 1 not verified, 2 bad usage.
import { parseDigest } from "@/lib/domain/digest";
import { PUBLIC_GOOD_TRUSTED_ROOT } from "./public-good-root";
import { type SigstorePolicy, verifySigstoreBundle } from "./sigstore";
import type { Verdict, VerificationResult } from "./verdict";

export type VerifyBundleIo = {
  readFile(path: string): Buffer;
  stdout(s: string): void;
  stderr(s: string): void;
};

export const VERIFY_BUNDLE_USAGE = `usage: vitrine verify-bundle --bundle FILE
         (--certificate-identity SAN | --certificate-identity-regexp PATTERN) --certificate-oidc-issuer ISSUER
         | --key PEM_FILE
         [--trusted-root FILE] ARTIFACT_FILE_OR_DIGEST

  ARTIFACT_FILE_OR_DIGEST  a file, or sha256:<64 hex> of it
  --trusted-root           a Sigstore trusted_root.json (default: the public-good root shipped with Vitrine)
  --certificate-identity-regexp  matches the whole SAN (anchored)
exit status: 0 verified, 1 not verified (the JSON verdict says why), 2 bad usage`;

const VALUE_FLAGS = [
  "--bundle",
  "--certificate-identity",
  "--certificate-identity-regexp",
  "--certificate-oidc-issuer",
  "--key",
  "--trusted-root",
] as const;
type Flag = (typeof VALUE_FLAGS)[number];

export type VerifyBundleArgs = {
  bundle: string;
  policy: { identity: string; identityIsRegex: boolean; issuer: string } | { key: string };
  trustedRoot: string | null;
  artifact: { file: string } | { digest: string };
};

/** Parses argv (after `verify-bundle`); a string is the usage problem. */
export function parseVerifyBundleArgs(argv: string[]): VerifyBundleArgs | string {
  const flags = new Map<Flag, string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("--") || arg === "-") {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (!(VALUE_FLAGS as readonly string[]).includes(name)) return `unknown option ${name}`;
    const flag = name as Flag;
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      i++;
    }
    if (value === undefined || value === "" || (eq < 0 && value.startsWith("--"))) return `${flag} needs a value`;
    if (flags.has(flag)) return `${flag} is given twice`;
    flags.set(flag, value);
  }

  const bundle = flags.get("--bundle");
  if (!bundle) return "--bundle is required";
  if (positional.length !== 1) return positional.length === 0 ? "ARTIFACT_FILE_OR_DIGEST is required" : "give exactly one artefact";
  const target = positional[0] as string;

  const identity = flags.get("--certificate-identity");
  const regexp = flags.get("--certificate-identity-regexp");
  const issuer = flags.get("--certificate-oidc-issuer");
  const key = flags.get("--key");
  let policy: VerifyBundleArgs["policy"];
  if (key !== undefined) {
    if (identity !== undefined || regexp !== undefined || issuer !== undefined) {
      return "--key cannot be combined with --certificate-identity / --certificate-oidc-issuer";
    }
    policy = { key };
  } else {
    if (identity !== undefined && regexp !== undefined) return "give --certificate-identity or --certificate-identity-regexp, not both";
    const subject = identity ?? regexp;
    if (subject === undefined || issuer === undefined) {
      return "give --certificate-identity (or --certificate-identity-regexp) with --certificate-oidc-issuer, or --key";
    }
    policy = { identity: subject, identityIsRegex: regexp !== undefined, issuer };
  }

  let artifact: VerifyBundleArgs["artifact"] = { file: target };
  if (/^sha(256|512):/.test(target)) {
    const digest = parseDigest(target);
    if (!digest.ok) return `artefact digest ${target.slice(0, 80)}: ${digest.reason}`;
    artifact = { digest: digest.digest };
  }
  return { bundle, policy, trustedRoot: flags.get("--trusted-root") ?? null, artifact };
}

function readJson(io: VerifyBundleIo, path: string): { ok: true; value: unknown } | { ok: false; why: "read" | "json"; detail: string } {
  let bytes: Buffer;
  try {
    bytes = io.readFile(path);
  } catch (error) {
    return { ok: false, why: "read", detail: error instanceof Error ? error.message : String(error) };
  }
  try {
    return { ok: true, value: JSON.parse(bytes.toString("utf8")) as unknown };
  } catch (error) {
    return { ok: false, why: "json", detail: error instanceof Error ? error.message : String(error) };
  }
}

function readText(io: VerifyBundleIo, path: string): string | null {
  try {
    return io.readFile(path).toString("utf8");
  } catch {
    return null;
  }
}

/** Runs `verify-bundle ARGS`; returns the exit code. Reads files only through `io`; never the network. */
export async function runVerifyBundle(argv: string[], io: VerifyBundleIo): Promise<number> {
  const args = parseVerifyBundleArgs(argv);
  if (typeof args === "string") {
    io.stderr(`verify-bundle: ${args}\n${VERIFY_BUNDLE_USAGE}\n`);
    return 2;
  }
  const result = await verifyFromArgs(args, io);
  io.stdout(`${JSON.stringify(result)}\n`);
  if (result.verdict !== "verified") io.stderr(`verify-bundle: ${result.verdict}: ${result.reason}\n`);
  return result.verdict === "verified" ? 0 : 1;
}

async function verifyFromArgs(args: VerifyBundleArgs, io: VerifyBundleIo): Promise<VerificationResult> {
  const stop = (verdict: Verdict, reason: string): VerificationResult => ({ verdict, reason, evidence: {} });

  const bundle = readJson(io, args.bundle);
  if (!bundle.ok) {
    return bundle.why === "read"
      ? stop("unverifiable", `cannot read the bundle ${args.bundle}: ${bundle.detail}`)
      : stop("invalid", `the bundle ${args.bundle} is not JSON: ${bundle.detail}`);
  }

  let trustedRoot: unknown = PUBLIC_GOOD_TRUSTED_ROOT;
  if (args.trustedRoot !== null) {
    const root = readJson(io, args.trustedRoot);
    if (!root.ok) return stop("unverifiable", `cannot use the trusted root ${args.trustedRoot}: ${root.detail}`);
    trustedRoot = root.value;
  }

  let policy: SigstorePolicy;
  if ("key" in args.policy) {
    const pem = readText(io, args.policy.key);
    if (pem === null) return stop("unverifiable", `cannot read the key ${args.policy.key}`);
    policy = { key: { pem } };
  } else {
    policy = { identity: { subject: args.policy.identity, subjectIsRegex: args.policy.identityIsRegex, issuer: args.policy.issuer } };
  }

  let artifact: { bytes?: Uint8Array; digest?: string };
  if ("digest" in args.artifact) artifact = { digest: args.artifact.digest };
  else {
    try {
      artifact = { bytes: io.readFile(args.artifact.file) };
    } catch (error) {
      return stop(
        "unverifiable",
        `cannot read the artefact ${args.artifact.file}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  return verifySigstoreBundle({ bundle: bundle.value, artifact, trustedRoot, policy });
}
