import { createHash, generateKeyPairSync, X509Certificate } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { FlattenedSign, generateKeyPair } from "jose";
import { createMessage, generateKey, type PrivateKey, sign } from "openpgp";
import { beforeAll, describe, expect, it } from "vitest";
import type { AdaptedDocument, SignatureSubmitted } from "@/lib/domain/events";
import { fixtureBytes, fixtureNames, fixturesDir } from "@/tests/helpers/fixtures";
import { adaptSignatureRequest, parseChecksumText } from "./signatures";

const now = new Date("2026-01-15T12:00:00Z");
const HEX64 = "0b31b1c02ff458ad9b7b81cbdf8f028bd54699fa151f221d1e8de6817db93427";
const OTHER64 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const IDENTITY =
  "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const ISSUER = "https://token.actions.githubusercontent.com";

const sha256 = (bytes: Buffer | string) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
const b64 = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64");
/** Cuts base64 to a length of 4n+1, which no base64 string has: certainly truncated. */
function truncate(base64: string): string {
  let n = base64.replace(/=+$/, "").length - 1;
  while (n % 4 !== 1) n--;
  return base64.slice(0, n);
}
function pem(derBase64: string): string {
  return `-----BEGIN CERTIFICATE-----\n${derBase64.match(/.{1,64}/g)?.join("\n")}\n-----END CERTIFICATE-----\n`;
}
function json<T = Record<string, unknown>>(...parts: string[]): T {
  return JSON.parse(fixtureBytes(...parts).toString("utf8")) as T;
}
type Path = Array<string | number>;
function at(value: unknown, path: Path): unknown {
  return path.reduce<unknown>((v, key) => (v as Record<string | number, unknown> | undefined)?.[key], value);
}
function str(value: unknown, path: Path): string {
  const found = at(value, path);
  if (typeof found !== "string") throw new Error(`no string at ${path.join(".")}`);
  return found;
}
/** A deep copy with each [path, value] set (undefined deletes): one bad field per test. */
function patch<T>(value: T, ...edits: Array<[Path, unknown]>): T {
  const copy = structuredClone(value);
  for (const [path, replacement] of edits) {
    const parent = at(copy, path.slice(0, -1)) as Record<string | number, unknown>;
    const key = path[path.length - 1] as string | number;
    if (replacement === undefined) delete parent[key];
    else parent[key] = replacement;
  }
  return copy;
}

const A_TXT = sha256(fixtureBytes("sigstore", "a.txt"));
const sigstoreCases = fixtureNames("sigstore").filter((name) => existsSync(join(fixturesDir(), "sigstore", name, "bundle.sigstore.json")));
function caseArtifact(name: string): string {
  return existsSync(join(fixturesDir(), "sigstore", name, "artifact")) ? sha256(fixtureBytes("sigstore", name, "artifact")) : A_TXT;
}
const keylessLeaf = json<{ verificationMaterial: { certificate: { rawBytes: string } } }>(
  "sigstore",
  "happy-path-v0.3",
  "bundle.sigstore.json",
).verificationMaterial.certificate.rawBytes;

function accepted(result: AdaptedDocument): Extract<AdaptedDocument, { ok: true }> {
  if (!result.ok) throw new Error(`rejected: ${result.detail} ${JSON.stringify(result.errors)}`);
  return result;
}
function only(result: AdaptedDocument): SignatureSubmitted {
  const doc = accepted(result);
  expect(doc.events).toHaveLength(1);
  return doc.events[0] as SignatureSubmitted;
}
function rejectedPaths(result: AdaptedDocument): string[] {
  if (result.ok) throw new Error(`accepted: ${JSON.stringify(result.events).slice(0, 300)}`);
  expect(result.detail.length).toBeGreaterThan(0);
  return result.errors.map((e) => e.path);
}

describe("adaptSignatureRequest: request envelope", () => {
  it("lists the fixture cases it will run", () => {
    expect(sigstoreCases.length).toBeGreaterThanOrEqual(12);
  });

  it.each([
    ["a non-object body", [], "$"],
    ["a missing format", { artifact: `sha256:${HEX64}` }, "$.format"],
    ["an unknown format", { format: "x509-detached" }, "$.format"],
  ])("rejects %s", async (_label, body, path) => {
    const result = await adaptSignatureRequest(body, { now });
    expect(rejectedPaths(result)).toEqual([path]);
  });

  it("names the supported formats when the format is unknown", async () => {
    const result = await adaptSignatureRequest({ format: "gpg" }, { now });
    expect(!result.ok && result.errors[0]?.message).toMatch(/sigstore-bundle, cosign, openpgp, notation-jws/);
  });

  it("rejects COSE envelopes clearly, whichever way they are named", async () => {
    const cose = await adaptSignatureRequest({ artifact: `sha256:${HEX64}`, format: "notation-cose", envelope: "0oRY" }, { now });
    expect(rejectedPaths(cose)).toEqual(["$.format"]);
    expect(!cose.ok && cose.detail).toMatch(/COSE envelopes are not supported yet/);
    const byMediaType = await adaptSignatureRequest(
      { artifact: `sha256:${HEX64}`, format: "notation", mediaType: "application/cose", envelope: "0oRY" },
      { now },
    );
    expect(rejectedPaths(byMediaType)).toEqual(["$.mediaType"]);
  });
});

describe("adaptSignatureRequest: sigstore-bundle", () => {
  it.each(sigstoreCases)("accepts the %s fixture (structurally valid, verdict comes later)", async (name) => {
    const bundle = json("sigstore", name, "bundle.sigstore.json");
    const artifact = caseArtifact(name);
    const doc = accepted(await adaptSignatureRequest({ artifact, format: "sigstore-bundle", bundle }, { now }));
    expect(doc.documentType).toBe("signature/sigstore-bundle");
    expect(doc.eventId).toBeNull();
    expect(doc.eventSource).toBeNull();
    const event = doc.events[0] as SignatureSubmitted;
    expect(doc.events).toHaveLength(1);
    expect(event).toMatchObject({
      type: "signature.submitted",
      format: "sigstore-bundle",
      occurredAt: now,
      artifact: { digest: artifact, raw: artifact },
    });
    expect(event.material.bundle).toBe(bundle);
    if (existsSync(join(fixturesDir(), "sigstore", name, "key.pub"))) {
      expect(event.signerHint.keyHint).toEqual(expect.any(String));
      expect(event.signerHint.identity ?? null).toBeNull();
    } else if (name !== "intoto-with-custom-trust-root") {
      expect(event.signerHint).toMatchObject({ identity: IDENTITY, issuer: ISSUER });
    }
    if (name === "message-digest-mismatch_fail") {
      expect(event.material.messageDigestMatchesArtifact).toBe(false);
      expect(doc.notes.join(" ")).toMatch(/messageDigest .* differs from the artifact/);
    } else {
      expect(doc.notes.join(" ")).not.toMatch(/mismatch/);
    }
  });

  it("reads the managed key hint and the DSSE subjects", async () => {
    const managed = only(
      await adaptSignatureRequest(
        { artifact: A_TXT, format: "sigstore-bundle", bundle: json("sigstore", "managed-key-happy-path", "bundle.sigstore.json") },
        { now },
      ),
    );
    expect(managed.signerHint.keyHint).toBe("TLMsSDfG3ajPsWge+z/vX5T/zluXnmvbkTkwLIV68Tk=");
    expect(managed.material.messageDigestMatchesArtifact).toBe(true);
    const dsse = only(
      await adaptSignatureRequest(
        { artifact: A_TXT, format: "sigstore-bundle", bundle: json("sigstore", "happy-path-intoto-in-dsse-v3", "bundle.sigstore.json") },
        { now },
      ),
    );
    expect(dsse.material).toMatchObject({ subjectDigests: [A_TXT], predicateType: "https://slsa.dev/provenance/v1" });
  });

  it("accepts a DSSE bundle whose subject is another artefact, with a note for the verifier", async () => {
    const bundle = json("sigstore", "rekor2-dsse-happy-path", "bundle.sigstore.json");
    const doc = accepted(await adaptSignatureRequest({ artifact: `sha256:${HEX64}`, format: "sigstore-bundle", bundle }, { now }));
    expect(doc.notes.join(" ")).toMatch(/not among the in-toto subjects/);
  });

  it("reads an email identity from the cosign attestation bundle", async () => {
    const bundle = json("cosign", "oci-attestation.sigstore.json");
    const event = only(await adaptSignatureRequest({ artifact: `sha256:${HEX64}`, format: "sigstore-bundle", bundle }, { now }));
    expect(event.signerHint).toMatchObject({ identity: "cody@soyland.com", issuer: "https://github.com/login/oauth" });
  });

  const base = () => json("sigstore", "happy-path-v0.3", "bundle.sigstore.json");
  const leafCert = at(base(), ["verificationMaterial", "certificate"]);
  it.each<[string, Array<[Path, unknown]>, string]>([
    ["an unknown media type", [[["mediaType"], "application/vnd.dev.sigstore.bundle.v0.4+json"]], "$.bundle.mediaType"],
    ["a missing media type", [[["mediaType"], undefined]], "$.bundle.mediaType"],
    [
      "a truncated signature",
      [[["messageSignature", "signature"], truncate(str(base(), ["messageSignature", "signature"]))]],
      "$.bundle.messageSignature.signature",
    ],
    [
      "a messageDigest of the wrong length",
      [[["messageSignature", "messageDigest", "digest"], b64("short")]],
      "$.bundle.messageSignature.messageDigest.digest",
    ],
    [
      "an unknown digest algorithm",
      [[["messageSignature", "messageDigest", "algorithm"], "MD5"]],
      "$.bundle.messageSignature.messageDigest.algorithm",
    ],
    ["no content", [[["messageSignature"], undefined]], "$.bundle"],
    ["both contents", [[["dsseEnvelope"], { payloadType: "x", payload: "eA==", signatures: [{ sig: "eA==" }] }]], "$.bundle"],
    ["no verification material", [[["verificationMaterial"], undefined]], "$.bundle.verificationMaterial"],
    [
      "a certificate that is not X.509",
      [[["verificationMaterial", "certificate", "rawBytes"], b64("not a certificate")]],
      "$.bundle.verificationMaterial.certificate.rawBytes",
    ],
    [
      "a certificate chain in a v0.3 bundle",
      [
        [["verificationMaterial", "certificate"], undefined],
        [["verificationMaterial", "x509CertificateChain"], { certificates: [leafCert] }],
      ],
      "$.bundle.verificationMaterial.x509CertificateChain",
    ],
    [
      "a tlog entry without inclusion proof",
      [[["verificationMaterial", "tlogEntries", 0, "inclusionProof"], undefined]],
      "$.bundle.verificationMaterial.tlogEntries[0].inclusionProof",
    ],
  ])("rejects %s", async (_label, edits, path) => {
    const result = await adaptSignatureRequest({ artifact: A_TXT, format: "sigstore-bundle", bundle: patch(base(), ...edits) }, { now });
    expect(rejectedPaths(result)).toContain(path);
  });

  it("rejects a bundle that is not an object", async () => {
    const result = await adaptSignatureRequest({ artifact: A_TXT, format: "sigstore-bundle", bundle: "{}" }, { now });
    expect(rejectedPaths(result)).toEqual(["$.bundle"]);
  });

  it("rejects a missing bundle and a bad artefact digest together", async () => {
    const result = await adaptSignatureRequest(
      { artifact: A_TXT.toUpperCase().replace("SHA256", "sha256"), format: "sigstore-bundle" },
      { now },
    );
    expect(rejectedPaths(result)).toEqual(["$.artifact", "$.bundle"]);
    expect(!result.ok && result.errors[0]?.message).toBe("digest hex must be lowercase");
  });

  it.each([`sha256:${HEX64.slice(1)}`, `md5:${HEX64.slice(32)}`, HEX64, 42])("rejects the artefact %s", async (artifact) => {
    const result = await adaptSignatureRequest({ artifact, format: "sigstore-bundle", bundle: base() }, { now });
    expect(rejectedPaths(result)).toEqual(["$.artifact"]);
  });
});

describe("adaptSignatureRequest: cosign", () => {
  const simple = (digest = `sha256:${HEX64}`) => ({
    critical: {
      identity: { "docker-reference": "registry.acme.dev/app" },
      image: { "docker-manifest-digest": digest },
      type: "cosign container image signature",
    },
    optional: { creator: "test" },
  });
  const request = (overrides: Record<string, unknown> = {}) => ({
    artifact: `sha256:${HEX64}`,
    format: "cosign",
    payload: b64(simple()),
    signature: b64("signature bytes"),
    certificate: pem(keylessLeaf),
    ...overrides,
  });

  it("accepts a keyless signature and reads the certificate identity", async () => {
    const doc = accepted(await adaptSignatureRequest(request(), { now }));
    expect(doc.documentType).toBe("signature/cosign");
    expect(doc.notes).toEqual([]);
    const event = doc.events[0] as SignatureSubmitted;
    expect(event.artifact).toEqual({ digest: `sha256:${HEX64}`, repository: "registry.acme.dev/app", tag: null, raw: `sha256:${HEX64}` });
    expect(event.signerHint).toMatchObject({ identity: IDENTITY, issuer: ISSUER });
    expect(event.material).toMatchObject({
      payload: b64(simple()),
      simpleSigning: { dockerReference: "registry.acme.dev/app", manifestDigest: `sha256:${HEX64}` },
    });
  });

  it("accepts a key-based signature, a base64-wrapped PEM, and a payload naming another digest (noted)", async () => {
    const keyed = only(await adaptSignatureRequest(request({ certificate: undefined, keyHint: "release-key" }), { now }));
    expect(keyed.signerHint).toEqual({ keyHint: "release-key" });
    only(await adaptSignatureRequest(request({ certificate: b64(pem(keylessLeaf)) }), { now }));
    const other = accepted(await adaptSignatureRequest(request({ payload: b64(simple(`sha256:${OTHER64}`)) }), { now }));
    expect(other.notes.join(" ")).toMatch(/subject mismatch/);
  });

  it("keeps a PEM public-key hint and names its fingerprint; refuses one that is not a key", async () => {
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const hint = publicKey.export({ type: "spki", format: "pem" }).toString();
    const keyed = only(await adaptSignatureRequest(request({ certificate: undefined, publicKey: hint }), { now }));
    expect(keyed.signerHint.keyHint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(keyed.material).toMatchObject({ publicKey: hint });
    const bad = await adaptSignatureRequest(
      request({ certificate: undefined, publicKey: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----" }),
      {
        now,
      },
    );
    expect(bad.ok).toBe(false);
    expect(JSON.stringify(bad)).toContain("$.publicKey");
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["a truncated payload", { payload: truncate(b64(simple())) }, "$.payload"],
    ["a payload that is not JSON", { payload: b64("{not json") }, "$.payload(decoded)"],
    [
      "a payload without manifest digest",
      { payload: b64({ critical: { ...simple().critical, image: {} } }) },
      "$.payload(decoded).critical.image.docker-manifest-digest",
    ],
    [
      "a payload without identity",
      { payload: b64({ critical: { ...simple().critical, identity: undefined } }) },
      "$.payload(decoded).critical.identity",
    ],
    [
      "a payload of another type",
      { payload: b64({ critical: { ...simple().critical, type: "something else" } }) },
      "$.payload(decoded).critical.type",
    ],
    [
      "an uppercase manifest digest",
      { payload: b64(simple(`sha256:${HEX64.toUpperCase()}`)) },
      "$.payload(decoded).critical.image.docker-manifest-digest",
    ],
    ["a missing signature", { signature: undefined }, "$.signature"],
    ["a signature that is not base64", { signature: "!!!" }, "$.signature"],
    ["an unparsable certificate", { certificate: pem(b64("definitely not DER")) }, "$.certificate"],
    ["a truncated certificate", { certificate: pem(keylessLeaf).slice(0, 400) }, "$.certificate"],
    ["a certificate that is not PEM", { certificate: "hello" }, "$.certificate"],
    ["a missing artifact", { artifact: undefined }, "$.artifact"],
  ])("rejects %s", async (_label, overrides, path) => {
    const result = await adaptSignatureRequest(request(overrides), { now });
    expect(rejectedPaths(result)).toContain(path);
  });
});

describe("adaptSignatureRequest: openpgp", () => {
  let privateKey: PrivateKey;
  let keyId = "";
  let fingerprint = "";
  let signature = "";
  const detached = async (text: string) =>
    (await sign({
      message: await createMessage({ binary: Buffer.from(text) }),
      signingKeys: privateKey,
      detached: true,
      format: "armored",
    })) as string;
  const sums = `${HEX64}  app-linux-amd64.tar.gz\n${OTHER64} *app-darwin-arm64.tar.gz\n${"c".repeat(128)}  app.zip\n`;
  beforeAll(async () => {
    const generated = await generateKey({
      type: "curve25519",
      userIDs: [{ name: "Release", email: "release@acme.dev" }],
      format: "object",
    });
    privateKey = generated.privateKey;
    keyId = generated.publicKey.getKeyID().toHex();
    fingerprint = generated.publicKey.getFingerprint();
    signature = await detached(sums);
  });

  it("turns every listed digest of a SHA256SUMS file into its own event", async () => {
    const doc = accepted(await adaptSignatureRequest({ format: "openpgp", signedData: b64(sums), signature }, { now }));
    expect(doc.documentType).toBe("signature/openpgp");
    const events = doc.events as SignatureSubmitted[];
    expect(events.map((e) => [e.artifact.digest, e.artifact.repository])).toEqual([
      [`sha256:${HEX64}`, "app-linux-amd64.tar.gz"],
      [`sha256:${OTHER64}`, "app-darwin-arm64.tar.gz"],
      [`sha512:${"c".repeat(128)}`, "app.zip"],
    ]);
    for (const e of events) {
      expect(e).toMatchObject({ format: "openpgp", occurredAt: now, signerHint: { keyId } });
      expect(e.signerHint.keyHint).toBe(fingerprint);
      expect(e.material).toMatchObject({ signature, signedData: b64(sums), keyIds: [keyId] });
    }
    expect(doc.notes).toEqual([]);
  });

  it("notes an artefact the checksum file does not list", async () => {
    const doc = accepted(
      await adaptSignatureRequest({ format: "openpgp", artifact: `sha256:${"d".repeat(64)}`, signedData: b64(sums), signature }, { now }),
    );
    expect(doc.events).toHaveLength(3);
    expect(doc.notes.join(" ")).toMatch(/not listed/);
  });

  it("accepts an artefact without signedData: the signature is over the text sha256:<hex>", async () => {
    const text = `sha256:${HEX64}`;
    const event = only(await adaptSignatureRequest({ format: "openpgp", artifact: text, signature: await detached(text) }, { now }));
    expect(event.artifact).toEqual({ digest: text, repository: null, tag: null, raw: text });
    expect(event.material).toMatchObject({ signedText: text, signedData: b64(text) });
  });

  it("accepts signedData that is the digest text itself, and BSD-style lines", async () => {
    const single = only(await adaptSignatureRequest({ format: "openpgp", signedData: b64(`sha256:${HEX64}\n`), signature }, { now }));
    expect(single.artifact.digest).toBe(`sha256:${HEX64}`);
    const bsd = accepted(
      await adaptSignatureRequest({ format: "openpgp", signedData: b64(`SHA256 (app.tar.gz) = ${HEX64}\r\n`), signature }, { now }),
    );
    expect((bsd.events[0] as SignatureSubmitted).artifact.repository).toBe("app.tar.gz");
  });

  /** Replaces 20 characters in the middle of the armored body: the CRC or the packets break. */
  const breakArmor = (armored: string) => {
    const body = armored.split("\n\n")[1] ?? "";
    return armored.replace(body.slice(10, 30), "A".repeat(20));
  };
  it.each<[string, Record<string, unknown> | ((signature: string) => Record<string, unknown>), string]>([
    ["broken armor", (sig) => ({ signature: breakArmor(sig) }), "$.signature"],
    ["armor without a body", { signature: "-----BEGIN PGP SIGNATURE-----\n\n-----END PGP SIGNATURE-----\n" }, "$.signature"],
    ["a signature that is not armored", { signature: b64("binary") }, "$.signature"],
    ["a truncated signedData", { signedData: truncate(b64(sums)) }, "$.signedData"],
    ["a line that is not a checksum line", { signedData: b64(`${sums}this is not a checksum\n`) }, "$.signedData(decoded).lines[3]"],
    ["an uppercase hex line", { signedData: b64(`${HEX64.toUpperCase()}  app.tar.gz\n`) }, "$.signedData(decoded).lines[0]"],
    ["a digest of a bad length", { signedData: b64(`${HEX64.slice(2)}  app.tar.gz\n`) }, "$.signedData(decoded).lines[0]"],
    ["signed data without digests", { signedData: b64("\n\n") }, "$.signedData(decoded)"],
    ["neither signedData nor artifact", { signedData: undefined }, "$.signedData"],
    ["a bad artifact", { artifact: "sha256:abc" }, "$.artifact"],
  ])("rejects %s", async (_label, overrides, path) => {
    const changes = typeof overrides === "function" ? overrides(signature) : overrides;
    const result = await adaptSignatureRequest({ format: "openpgp", signedData: b64(sums), signature, ...changes }, { now });
    expect(rejectedPaths(result)).toContain(path);
  });

  it("explains which line is wrong", () => {
    const parsed = parseChecksumText(`${HEX64}  ok\n${HEX64.toUpperCase()}  bad\n`, "$.x");
    expect(parsed).toEqual({ ok: false, errors: [{ path: "$.x.lines[1]", message: "line 2: digest hex must be lowercase" }] });
  });
});

describe("adaptSignatureRequest: notation-jws", () => {
  let privateKey: CryptoKey;
  beforeAll(async () => {
    privateKey = (await generateKeyPair("ES256")).privateKey;
  });
  const header = {
    alg: "ES256",
    cty: "application/vnd.cncf.notary.payload.v1+json",
    crit: ["io.cncf.notary.signingScheme"],
    "io.cncf.notary.signingScheme": "notary.x509",
    "io.cncf.notary.signingTime": "2026-01-14T10:00:00Z",
  };
  const target = (digest = `sha256:${HEX64}`) => ({
    targetArtifact: { mediaType: "application/vnd.oci.image.manifest.v1+json", digest, size: 16724 },
  });
  const jws = async (options: { payload?: unknown; protectedHeader?: Record<string, unknown>; x5c?: string[] } = {}) =>
    new FlattenedSign(Buffer.from(typeof options.payload === "string" ? options.payload : JSON.stringify(options.payload ?? target())))
      .setProtectedHeader(options.protectedHeader ?? header)
      .setUnprotectedHeader({ x5c: options.x5c ?? [keylessLeaf], "io.cncf.notary.signingAgent": "notation/1.3.0" })
      .sign(privateKey, { crit: { "io.cncf.notary.signingScheme": true } });
  const leaf = new X509Certificate(Buffer.from(keylessLeaf, "base64"));

  it("reads the target artifact and the signing certificate", async () => {
    const envelope = await jws();
    const doc = accepted(await adaptSignatureRequest({ artifact: `sha256:${HEX64}`, format: "notation-jws", envelope }, { now }));
    expect(doc.documentType).toBe("signature/notation-jws");
    expect(doc.notes).toEqual([]);
    const event = doc.events[0] as SignatureSubmitted;
    expect(event.artifact.digest).toBe(`sha256:${HEX64}`);
    expect(event.signerHint).toEqual({
      identity: null,
      issuer: "O=sigstore.dev, CN=sigstore-intermediate",
      keyHint: `sha256:${leaf.fingerprint256.replaceAll(":", "").toLowerCase()}`,
    });
    expect(event.material).toMatchObject({
      envelope,
      mediaType: "application/jose+json",
      signingScheme: "notary.x509",
      targetArtifact: { size: 16724 },
    });
  });

  it("names the signer by the leaf certificate's subject and issuer", async () => {
    const root = json<{ certificateAuthorities: Array<{ certChain: { certificates: Array<{ rawBytes: string }> } }> }>(
      "sigstore",
      "trusted_root.public-good.json",
    );
    const chain = root.certificateAuthorities[1]?.certChain.certificates.map((c) => c.rawBytes) ?? [];
    expect(chain).toHaveLength(2);
    const envelope = await jws({ x5c: chain });
    const event = only(await adaptSignatureRequest({ artifact: `sha256:${HEX64}`, format: "notation-jws", envelope }, { now }));
    expect(event.signerHint).toMatchObject({ identity: "O=sigstore.dev, CN=sigstore-intermediate", issuer: "O=sigstore.dev, CN=sigstore" });
  });

  it("accepts format notation with the JOSE media type, a compact JWS (noted), and another target (noted)", async () => {
    const envelope = await jws();
    only(
      await adaptSignatureRequest(
        { artifact: `sha256:${HEX64}`, format: "notation", mediaType: "application/jose+json", envelope },
        { now },
      ),
    );
    const compact = accepted(
      await adaptSignatureRequest(
        {
          artifact: `sha256:${HEX64}`,
          format: "notation-jws",
          envelope: `${envelope.protected}.${envelope.payload}.${envelope.signature}`,
        },
        { now },
      ),
    );
    expect(compact.notes.join(" ")).toMatch(/no certificate chain/);
    const other = accepted(await adaptSignatureRequest({ artifact: `sha256:${OTHER64}`, format: "notation-jws", envelope }, { now }));
    expect(other.notes.join(" ")).toMatch(/subject mismatch/);
  });

  it.each<[string, () => Promise<unknown>, string]>([
    ["a wrong content type", () => jws({ protectedHeader: { ...header, cty: "application/json" } }), "$.envelope.protected(decoded).cty"],
    [
      "an unknown signing scheme",
      () => jws({ protectedHeader: { ...header, "io.cncf.notary.signingScheme": "x" } }),
      '$.envelope.protected(decoded)["io.cncf.notary.signingScheme"]',
    ],
    [
      "a missing signing time",
      () => jws({ protectedHeader: { ...header, "io.cncf.notary.signingTime": undefined } }),
      '$.envelope.protected(decoded)["io.cncf.notary.signingTime"]',
    ],
    [
      "a symmetric algorithm",
      async () => ({ ...(await jws()), protected: Buffer.from(JSON.stringify({ ...header, alg: "HS256" })).toString("base64url") }),
      "$.envelope.protected(decoded).alg",
    ],
    [
      "a protected header that is not JSON",
      async () => ({ ...(await jws()), protected: Buffer.from("nope").toString("base64url") }),
      "$.envelope.protected",
    ],
    ["a payload that is not JSON", () => jws({ payload: "not json" }), "$.envelope.payload(decoded)"],
    [
      "a payload without size",
      () => jws({ payload: { targetArtifact: { ...target().targetArtifact, size: undefined } } }),
      "$.envelope.payload(decoded).targetArtifact.size",
    ],
    [
      "an uppercase target digest",
      () => jws({ payload: target(`sha256:${HEX64.toUpperCase()}`) }),
      "$.envelope.payload(decoded).targetArtifact.digest",
    ],
    ["a certificate that is not X.509", () => jws({ x5c: [b64("junk")] }), "$.envelope.header.x5c[0]"],
    ["a missing x5c", async () => ({ ...(await jws()), header: {} }), "$.envelope.header.x5c"],
    ["a truncated signature", async () => ({ ...(await jws()), signature: truncate((await jws()).signature) }), "$.envelope.signature"],
    ["the general JSON serialization", async () => ({ payload: (await jws()).payload, signatures: [] }), "$.envelope.signatures"],
    ["a compact JWS with two parts", async () => "a.b", "$.envelope"],
  ])("rejects %s", async (_label, envelope, path) => {
    const result = await adaptSignatureRequest(
      { artifact: `sha256:${HEX64}`, format: "notation-jws", envelope: await envelope() },
      { now },
    );
    expect(rejectedPaths(result)).toContain(path);
  });

  it("rejects format notation with an unknown media type", async () => {
    const result = await adaptSignatureRequest(
      { artifact: `sha256:${HEX64}`, format: "notation", mediaType: "text/plain", envelope: await jws() },
      { now },
    );
    expect(rejectedPaths(result)).toEqual(["$.mediaType"]);
  });
});
