// npm run bench:verify - signature verifications per second, per format Vitrine verifies, on ONE core.
//
// Each format is verified by the real verifier in lib/verify, called with the arguments the server's
// computeVerdict (lib/server/verification/verify-signature.ts) builds for a stored signature, against
// a trust store holding the one entry that matches. Inputs are made once, before any timing: real
// Sigstore conformance bundles from the shared fixtures (the public-good root Vitrine ships, or the
// case's own), keys made with node:crypto and openpgp, X.509 chains made with lib/verify/test-pki.
//
// The verify loop runs in the main thread, one verification at a time (no worker threads, nothing
// concurrent): the figures are what one core does. Per format: a warm-up, then a fixed duration,
// timing every call; every result must be `verified` (anything else aborts: failures are not
// measured), and one tampered input per format must NOT verify, checked before timing.
//
//   npm run bench:verify [-- --seconds 5 --warmup 1]
//   env: BENCH_VERIFY_SECONDS, BENCH_VERIFY_WARMUP_SECONDS (the flags win)
//
// Prints a table (verifications/s, mean, p50 and p99 microseconds per verification, CPU time per
// wall-clock second), peak RSS, node version and CPU model, then one JSON line for machines.
import { createHash, generateKeyPairSync, type KeyObject, sign, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { FlattenedSign } from "jose";
import { createMessage, generateKey, sign as openPgpSign, type PrivateKey } from "openpgp";
import { verifyCosign } from "@/lib/verify/cosign";
import type { TrustedIdentity, TrustedKey, TrustedX509Root } from "@/lib/verify/keys";
import { NOTARY_PAYLOAD_CONTENT_TYPE, verifyNotationJws } from "@/lib/verify/notation";
import { verifyOpenPgp } from "@/lib/verify/openpgp";
import { PUBLIC_GOOD_TRUSTED_ROOT } from "@/lib/verify/public-good-root";
import { type SigstorePolicy, verifySigstoreBundle } from "@/lib/verify/sigstore";
import { CONFORMANCE_IDENTITY, CONFORMANCE_ISSUER, conformanceCase, readJson } from "@/lib/verify/test-fixtures";
import { EKU, type IssuedCertificate, issueCertificate, issueChain, type KeyPair, type NameSpec } from "@/lib/verify/test-pki";
import type { Verdict, VerificationResult } from "@/lib/verify/verdict";

// ---------------------------------------------------------------------------------------------
// Options

class UsageError extends Error {}
class BenchError extends Error {}

const USAGE = `usage: npm run bench:verify [-- --seconds N] [--warmup N] [--only A,B]
  --seconds N   timed seconds per format, 0 < N <= 600 (default 5; env BENCH_VERIFY_SECONDS)
  --warmup N    warm-up seconds per format, 0 <= N <= 60 (default 1; env BENCH_VERIFY_WARMUP_SECONDS)
  --only A,B    only these formats (ids as in the table's first column)`;

type Options = { seconds: number; warmupSeconds: number; only: string[] | null };

function parseSeconds(name: string, raw: string, min: { value: number; inclusive: boolean }, max: number): number {
  const value = /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  const aboveMin = min.inclusive ? value >= min.value : value > min.value;
  if (!Number.isFinite(value) || !aboveMin || value > max) {
    throw new UsageError(`${name} must be a number of seconds ${min.inclusive ? ">=" : ">"} ${min.value} and <= ${max} (got "${raw}")`);
  }
  return value;
}

function parseOptions(argv: string[], env: NodeJS.ProcessEnv): Options | "help" {
  let seconds: [string, string] | null = env.BENCH_VERIFY_SECONDS !== undefined ? ["BENCH_VERIFY_SECONDS", env.BENCH_VERIFY_SECONDS] : null;
  let warmup: [string, string] | null =
    env.BENCH_VERIFY_WARMUP_SECONDS !== undefined ? ["BENCH_VERIFY_WARMUP_SECONDS", env.BENCH_VERIFY_WARMUP_SECONDS] : null;
  let only: string[] | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") return "help";
    const [flag, inline] =
      arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg];
    if (flag !== "--seconds" && flag !== "--warmup" && flag !== "--only") throw new UsageError(`unknown argument "${arg}"`);
    const value = inline ?? argv[++i];
    if (value === undefined || value === "") throw new UsageError(`${flag} needs a value`);
    if (flag === "--seconds") seconds = ["--seconds", value];
    else if (flag === "--warmup") warmup = ["--warmup", value];
    else only = value.split(",").map((f) => f.trim());
  }
  return {
    only,
    seconds: seconds ? parseSeconds(seconds[0], seconds[1], { value: 0, inclusive: false }, 600) : 5,
    warmupSeconds: warmup ? parseSeconds(warmup[0], warmup[1], { value: 0, inclusive: true }, 60) : 1,
  };
}

// ---------------------------------------------------------------------------------------------
// Inputs

type Case = {
  /** Short id, used in the JSON line. */
  format: string;
  /** What is verified, for people. */
  label: string;
  /** One verification, exactly as the server would run it. */
  run: () => Promise<VerificationResult> | VerificationResult;
  /** The same verification over a tampered input: must not come out `verified`. */
  control: () => Promise<VerificationResult> | VerificationResult;
};

const EXPECTED: Verdict = "verified";
const sha256 = (data: Uint8Array | string) => createHash("sha256").update(data).digest("hex");
const ARTIFACT_DIGEST = `sha256:${sha256("vitrine bench: app image manifest")}`;
const OTHER_DIGEST = `sha256:${sha256("vitrine bench: another manifest")}`;
/** What a trust root row holds by default (prisma schema defaults). */
const ROOT_THRESHOLDS = { tlogThreshold: 1, ctlogThreshold: 1, timestampThreshold: 1 };
const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** As computeVerdict's fulcioRootsPem: every CA certificate of a trust root, as PEM. */
function fulcioRootsPem(root: unknown): string[] {
  const cas =
    (root as { certificateAuthorities?: Array<{ certChain?: { certificates?: Array<{ rawBytes?: string }> } }> }).certificateAuthorities ??
    [];
  return cas.flatMap((ca) =>
    (ca.certChain?.certificates ?? []).flatMap((c) =>
      c.rawBytes ? [new X509Certificate(Buffer.from(c.rawBytes, "base64")).toString()] : [],
    ),
  );
}

function sigstoreCases(): Case[] {
  const make = (format: string, label: string, caseName: string): Case => {
    const c = conformanceCase(caseName);
    if (!c.shouldVerify) throw new BenchError(`sigstore fixture ${caseName} is a _fail case`);
    const bundle = readJson(c.bundlePath);
    // The server holds the artefact's digest, not its bytes.
    const digest = `sha256:${sha256(readFileSync(c.artifactPath))}`;
    const trustedRoot = c.trustedRootPath ? readJson(c.trustedRootPath) : PUBLIC_GOOD_TRUSTED_ROOT;
    const policy: SigstorePolicy = c.keyPath
      ? { key: { pem: readFileSync(c.keyPath, "utf8") } }
      : { identity: { subject: CONFORMANCE_IDENTITY, subjectIsRegex: false, issuer: CONFORMANCE_ISSUER } };
    const base = { bundle, trustedRoot, thresholds: ROOT_THRESHOLDS, policy };
    return {
      format,
      label: `${label} (fixture ${caseName})`,
      run: () => verifySigstoreBundle({ ...base, artifact: { digest } }),
      control: () => verifySigstoreBundle({ ...base, artifact: { digest: OTHER_DIGEST } }),
    };
  };
  return [
    make("sigstore-keyless", "Sigstore bundle v0.3, keyless, message signature, Rekor v1", "happy-path-v0.3"),
    make("sigstore-dsse", "Sigstore bundle v0.3, keyless, in-toto DSSE, Rekor v1", "happy-path-intoto-in-dsse-v3"),
    make("sigstore-managed-key", "Sigstore bundle v0.3, managed key, message signature", "managed-key-happy-path"),
  ];
}

function simpleSigning(digest: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      critical: {
        identity: { "docker-reference": "registry.acme.dev/app" },
        image: { "docker-manifest-digest": digest },
        type: "cosign container image signature",
      },
      optional: null,
    }),
  );
}

function cosignCases(now: Date): Case[] {
  // The trust store's Fulcio anchors: the public-good root's, plus a private Fulcio CA for keyless.
  const publicGoodFulcio = fulcioRootsPem(PUBLIC_GOOD_TRUSTED_ROOT);
  const payload = simpleSigning(ARTIFACT_DIGEST);
  const material = (signature: Buffer, certificate: string | null = null, chain: string | null = null) => ({
    payload: payload.toString("base64"),
    signature: signature.toString("base64"),
    certificate,
    certificateChain: chain,
  });
  // As computeVerdict passes a stored cosign signature's material.
  const args = (m: ReturnType<typeof material>, trust: { keys: TrustedKey[]; identities: TrustedIdentity[]; fulcio: string[] }) => ({
    artifactDigest: ARTIFACT_DIGEST,
    payloadB64: String(m.payload ?? ""),
    signatureB64: String(m.signature ?? ""),
    certificatePem: typeof m.certificate === "string" ? m.certificate : null,
    certificateChainPem: typeof m.certificateChain === "string" ? m.certificateChain : null,
    keys: trust.keys,
    identities: trust.identities,
    fulcioRootsPem: trust.fulcio,
    now,
  });

  const p256 = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const key: TrustedKey = {
    id: "bench-key",
    name: "release-key",
    kind: "pem",
    publicKey: p256.publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
  const keyed = args(material(sign("sha256", payload, { key: p256.privateKey, dsaEncoding: "der" })), {
    keys: [key],
    identities: [],
    fulcio: publicGoodFulcio,
  });

  const workflow = "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main";
  const issuer = "https://token.actions.githubusercontent.com";
  const fulcio = issueChain({
    notBefore: new Date(now.getTime() - 30 * DAY),
    notAfter: new Date(now.getTime() + 365 * DAY),
    // A Fulcio certificate lives ~10 minutes; the signing time is its notBefore.
    leafNotBefore: new Date(now.getTime() - 5 * 60_000),
    leafNotAfter: new Date(now.getTime() + 5 * 60_000),
    leafSubject: [],
    leaf: { sanUri: workflow, fulcioIssuerV1: issuer, fulcioIssuerV2: issuer },
  });
  const identity: TrustedIdentity = { id: "bench-identity", name: "release-workflow", subject: workflow, subjectIsRegex: false, issuer };
  const keyless = args(
    material(
      sign("sha256", payload, { key: fulcio.leaf.privateKey, dsaEncoding: "der" }),
      fulcio.leaf.pem,
      `${fulcio.intermediate.pem}${fulcio.root.pem}`,
    ),
    { keys: [], identities: [identity], fulcio: [...publicGoodFulcio, fulcio.root.pem] },
  );

  return [
    {
      format: "cosign-key-p256",
      label: "cosign simple signing, ECDSA P-256 key",
      run: () => verifyCosign(keyed),
      control: () => verifyCosign({ ...keyed, artifactDigest: OTHER_DIGEST }),
    },
    {
      format: "cosign-keyless",
      label: "cosign simple signing, keyless (P-256 Fulcio-style chain of 3)",
      run: () => verifyCosign(keyless),
      control: () => verifyCosign({ ...keyless, artifactDigest: OTHER_DIGEST }),
    },
  ];
}

async function openPgpCases(now: Date): Promise<Case[]> {
  const sums = Buffer.from(
    `${sha256("vitrine-linux-amd64")}  vitrine-linux-amd64.tar.gz\n${sha256("vitrine-darwin-arm64")}  vitrine-darwin-arm64.tar.gz\n`,
  );
  const keyCreated = new Date(now.getTime() - DAY);
  const signedAt = new Date(now.getTime() - HOUR);
  const make = async (format: string, label: string, options: { type: "ecc" | "rsa"; rsaBits?: number }): Promise<Case> => {
    const { privateKey, publicKey } = await generateKey({
      userIDs: [{ name: "Acme Release", email: "release@acme.dev" }],
      date: keyCreated,
      format: "object",
      ...options,
    });
    const signature = await openPgpSign({
      message: await createMessage({ binary: sums, date: signedAt }),
      signingKeys: privateKey as PrivateKey,
      detached: true,
      date: signedAt,
      format: "armored",
    });
    const key: TrustedKey = { id: `bench-${format}`, name: "release-key", kind: "openpgp", publicKey: publicKey.armor() };
    // As stored: the signed bytes in base64, decoded by computeVerdict.
    const material = { signedData: sums.toString("base64"), signature: String(signature) };
    const args = {
      signedData: Buffer.from(String(material.signedData ?? ""), "base64"),
      armoredSignature: String(material.signature ?? ""),
      keys: [key],
      now,
    };
    const tampered = Buffer.from(args.signedData);
    tampered[0] = (tampered[0] ?? 0) ^ 0x01;
    return {
      format,
      label,
      run: () => verifyOpenPgp(args),
      control: () => verifyOpenPgp({ ...args, signedData: tampered }),
    };
  };
  return [
    await make("openpgp-ed25519", "OpenPGP detached, Ed25519 (v4 EdDSA key, as gpg makes)", { type: "ecc" }),
    await make("openpgp-rsa3072", "OpenPGP detached, RSA-3072", { type: "rsa", rsaBits: 3072 }),
  ];
}

type X509Chain = { root: IssuedCertificate; intermediate: IssuedCertificate; leaf: IssuedCertificate; leafKey: KeyObject };

/** root -> intermediate -> leaf, all RSA: the Notary Project's certificate profile. */
function rsaChain(now: Date, bits: number): X509Chain {
  const pair = (): KeyPair => generateKeyPairSync("rsa", { modulusLength: bits });
  const [rootKey, intermediateKey, leafKey] = [pair(), pair(), pair()];
  const validity = { notBefore: new Date(now.getTime() - 30 * DAY), notAfter: new Date(now.getTime() + 365 * DAY) };
  const name = (cn: string): NameSpec => [
    ["C", "US"],
    ["O", "Acme"],
    ["CN", cn],
  ];
  const root = issueCertificate({
    subject: name("Acme RSA Root"),
    publicKey: rootKey.publicKey,
    signingKey: rootKey.privateKey,
    ...validity,
    ca: { isCA: true, pathLen: 1 },
    keyUsage: { bits: ["keyCertSign", "cRLSign"] },
  });
  const intermediate = issueCertificate({
    subject: name("Acme RSA Intermediate"),
    publicKey: intermediateKey.publicKey,
    issuer: { certificate: root },
    signingKey: rootKey.privateKey,
    ...validity,
    ca: { isCA: true, pathLen: 0 },
    keyUsage: { bits: ["keyCertSign", "cRLSign"] },
  });
  const leaf = issueCertificate({
    subject: name("release signer"),
    publicKey: leafKey.publicKey,
    issuer: { certificate: intermediate },
    signingKey: intermediateKey.privateKey,
    ...validity,
    ca: { isCA: false },
    keyUsage: { bits: ["digitalSignature"] },
    extKeyUsage: [EKU.codeSigning],
  });
  return { root, intermediate, leaf, leafKey: leafKey.privateKey };
}

async function notationCases(now: Date): Promise<Case[]> {
  const signingTime = new Date(now.getTime() - HOUR).toISOString().replace(/\.\d+Z$/, "Z");
  const make = async (format: string, label: string, chain: X509Chain, alg: string): Promise<Case> => {
    const payload = { targetArtifact: { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: ARTIFACT_DIGEST, size: 1234 } };
    const envelope = await new FlattenedSign(Buffer.from(JSON.stringify(payload)))
      .setProtectedHeader({
        alg,
        cty: NOTARY_PAYLOAD_CONTENT_TYPE,
        crit: ["io.cncf.notary.signingScheme"],
        "io.cncf.notary.signingScheme": "notary.x509",
        "io.cncf.notary.signingTime": signingTime,
      })
      .setUnprotectedHeader({
        x5c: [chain.leaf.der, chain.intermediate.der, chain.root.der].map((der) => der.toString("base64")),
        "io.cncf.notary.signingAgent": "vitrine-bench",
      })
      .sign(chain.leafKey, { crit: { "io.cncf.notary.signingScheme": true } });
    // Stored as the envelope's JSON object; computeVerdict passes material.envelope.
    const material = { envelope: JSON.parse(JSON.stringify(envelope)) as unknown };
    const roots: TrustedX509Root[] = [{ id: `bench-${format}`, name: "acme-ca", certificatePem: chain.root.pem }];
    const identities: TrustedIdentity[] = [
      { id: "bench-signer", name: "release-signer", subject: "CN=release signer,O=Acme,C=US", subjectIsRegex: false, issuer: "" },
    ];
    const args = { artifactDigest: ARTIFACT_DIGEST, envelope: material.envelope, roots, identities, now };
    return {
      format,
      label,
      run: () => verifyNotationJws(args),
      control: () => verifyNotationJws({ ...args, artifactDigest: OTHER_DIGEST }),
    };
  };
  const ec = issueChain({ notBefore: new Date(now.getTime() - 30 * DAY), notAfter: new Date(now.getTime() + 365 * DAY) });
  return [
    await make("notary-es256", "Notary JWS, ES256, P-256 chain of 3", { ...ec, leafKey: ec.leaf.privateKey }, "ES256"),
    await make("notary-ps384-rsa3072", "Notary JWS, PS384, RSA-3072 chain of 3", rsaChain(now, 3072), "PS384"),
  ];
}

// ---------------------------------------------------------------------------------------------
// Measurement

type Measurement = {
  format: string;
  label: string;
  ops: number;
  seconds: number;
  opsPerSecond: number;
  meanUs: number;
  p50Us: number;
  p99Us: number;
  /** Process CPU seconds per wall-clock second while timing (~1.0 = one core busy). */
  cpuCores: number;
};

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function expectVerified(c: Case, result: VerificationResult): void {
  if (result?.verdict !== EXPECTED) {
    throw new BenchError(`${c.format}: expected ${EXPECTED}, got ${result?.verdict}: ${result?.reason}`);
  }
}

async function measure(c: Case, options: Options): Promise<Measurement> {
  expectVerified(c, await c.run());
  const control = await c.control();
  if (control.verdict === EXPECTED) throw new BenchError(`${c.format}: the tampered control input came out ${control.verdict}`);

  const warmupEnd = performance.now() + options.warmupSeconds * 1000;
  while (performance.now() < warmupEnd) expectVerified(c, await c.run());

  let samples = new Float64Array(1 << 16);
  let n = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  let t1 = started;
  do {
    const t0 = performance.now();
    const result = await c.run();
    t1 = performance.now();
    expectVerified(c, result);
    if (n === samples.length) {
      const grown = new Float64Array(samples.length * 2);
      grown.set(samples);
      samples = grown;
    }
    samples[n++] = t1 - t0;
  } while (t1 < deadline);
  const wallMs = t1 - started;
  const cpu = process.cpuUsage(cpuBefore);

  const sorted = samples.slice(0, n).sort();
  let total = 0;
  for (const ms of sorted) total += ms;
  return {
    format: c.format,
    label: c.label,
    ops: n,
    seconds: wallMs / 1000,
    opsPerSecond: n / (wallMs / 1000),
    meanUs: (total / n) * 1000,
    p50Us: percentile(sorted, 50) * 1000,
    p99Us: percentile(sorted, 99) * 1000,
    cpuCores: (cpu.user + cpu.system) / 1000 / wallMs,
  };
}

// ---------------------------------------------------------------------------------------------
// Report

const us = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const round = (v: number, digits: number) => Number(v.toFixed(digits));

function report(results: Measurement[], options: Options, setupSeconds: number, loadBefore: number[]): void {
  const cpus = os.cpus();
  const cpuModel = cpus[0]?.model.trim() ?? "unknown";
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  const header = ["format", "verifications/s", "mean µs/op", "p50 µs", "p99 µs", "ops", "CPU (cores)"];
  const rows = results.map((r) => [
    r.format,
    Math.round(r.opsPerSecond).toLocaleString("en"),
    us(r.meanUs),
    us(r.p50Us),
    us(r.p99Us),
    r.ops.toLocaleString("en"),
    r.cpuCores.toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ");

  console.log(`\nbench:verify - verifications per second on 1 core (main thread, one verification at a time, no workers)`);
  console.log(
    `  ${options.seconds} s timed after ${options.warmupSeconds} s warm-up per format; every timed result checked "${EXPECTED}"; inputs made once (${setupSeconds.toFixed(1)} s)\n`,
  );
  console.log(`  ${line(header)}`);
  console.log(`  ${widths.map((w) => "-".repeat(w)).join("  ")}`);
  for (const row of rows) console.log(`  ${line(row)}`);
  console.log("");
  for (const r of results) console.log(`  ${r.format.padEnd(widths[0]!)}  ${r.label}`);
  console.log("");
  console.log(`  peak RSS      ${peakRssMiB.toFixed(0)} MiB`);
  console.log(`  node          ${process.version} (${process.platform}/${process.arch})`);
  console.log(`  CPU           ${cpuModel} (${cpus.length} logical CPUs on the machine; 1 used for the verify loop)`);
  console.log(`  CPU (cores)   process CPU time / wall time while timing; above 1.00 is V8's GC and libuv helper threads`);
  console.log(
    `  load average  ${loadBefore.map((l) => l.toFixed(2)).join(" ")} before, ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")} after`,
  );
  const starved = results.filter((r) => round(r.cpuCores, 2) < 0.9).map((r) => r.format);
  if (starved.length > 0) {
    console.log(
      `  warning       less than 0.9 of a core while timing ${starved.join(", ")}: other processes took CPU, so those figures are low`,
    );
  }
  console.log(
    JSON.stringify({
      bench: "verify",
      cores: 1,
      seconds: options.seconds,
      warmupSeconds: options.warmupSeconds,
      node: process.version,
      cpu: cpuModel,
      logicalCpus: cpus.length,
      peakRssMiB: Math.round(peakRssMiB),
      loadAverage: os.loadavg().map((l) => round(l, 2)),
      results: results.map((r) => ({
        format: r.format,
        verificationsPerSecond: Math.round(r.opsPerSecond),
        meanUs: round(r.meanUs, 1),
        p50Us: round(r.p50Us, 1),
        p99Us: round(r.p99Us, 1),
        ops: r.ops,
        cpuCores: round(r.cpuCores, 2),
      })),
    }),
  );
}

async function main(): Promise<void> {
  const parsed = parseOptions(process.argv.slice(2), process.env);
  if (parsed === "help") {
    console.log(USAGE);
    return;
  }
  const options = parsed;
  const now = new Date();
  const loadBefore = os.loadavg();
  const t0 = performance.now();
  const all = [...sigstoreCases(), ...cosignCases(now), ...(await openPgpCases(now)), ...(await notationCases(now))];
  const unknown = options.only?.filter((f) => !all.some((c) => c.format === f)) ?? [];
  if (unknown.length > 0) {
    throw new UsageError(
      `unknown format ${unknown.map((f) => `"${f}"`).join(", ")} for --only; formats: ${all.map((c) => c.format).join(", ")}`,
    );
  }
  const cases = options.only ? all.filter((c) => options.only?.includes(c.format)) : all;
  const setupSeconds = (performance.now() - t0) / 1000;
  console.error(
    `bench:verify: ${cases.length} formats x (${options.warmupSeconds} s warm-up + ${options.seconds} s), about ${Math.ceil(cases.length * (options.seconds + options.warmupSeconds))} s`,
  );
  const results: Measurement[] = [];
  for (const c of cases) {
    const result = await measure(c, options);
    console.error(`  ${c.format.padEnd(22)} ${Math.round(result.opsPerSecond).toLocaleString("en").padStart(9)} verifications/s`);
    results.push(result);
  }
  report(results, options, setupSeconds, loadBefore);
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`bench:verify: ${error.message}\n${USAGE}`);
    process.exit(2);
  }
  console.error(
    `bench:verify: ${error instanceof BenchError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  process.exit(1);
});
