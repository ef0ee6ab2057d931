import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fixtureBytes, fixtureNames, fixturesDir } from "@/tests/helpers/fixtures";
import { parseCertificateDer, parsePemChain, parseSigstoreBundle } from "./sigstore-bundle";

type Json = Record<string, unknown>;
const json = (...parts: string[]) => JSON.parse(fixtureBytes(...parts).toString("utf8")) as Json;
const cases = fixtureNames("sigstore").filter((name) => existsSync(join(fixturesDir(), "sigstore", name, "bundle.sigstore.json")));
const leafOf = (bundle: Json) => (bundle.verificationMaterial as { certificate: { rawBytes: string } }).certificate.rawBytes;
const pem = (der: string) => `-----BEGIN CERTIFICATE-----\n${der.match(/.{1,64}/g)?.join("\n")}\n-----END CERTIFICATE-----\n`;

describe("parseSigstoreBundle", () => {
  it.each(cases)("reads %s", (name) => {
    const bundle = json("sigstore", name, "bundle.sigstore.json");
    const parsed = parseSigstoreBundle(bundle, "$.bundle");
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(parsed.value.mediaType).toBe(bundle.mediaType);
    expect(parsed.value.version).toBe(
      String(bundle.mediaType).includes("0.1") ? "0.1" : String(bundle.mediaType).includes("0.2") ? "0.2" : "0.3",
    );
    expect(parsed.value.content.kind).toBe("dsseEnvelope" in bundle ? "dsseEnvelope" : "messageSignature");
    expect(parsed.value.tlogKinds.length).toBeGreaterThan(0);
  });

  it("reads the claimed message digest as an artefact digest", () => {
    const parsed = parseSigstoreBundle(json("sigstore", "happy-path-v0.1", "bundle.sigstore.json"), "$.bundle");
    expect(parsed.ok && parsed.value.content).toEqual({
      kind: "messageSignature",
      messageDigest: { algorithm: "SHA2_256", digest: "sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf" },
    });
  });

  it("maps the library's findings to JSON paths", () => {
    const bundle = json("sigstore", "happy-path-intoto-in-dsse-v3", "bundle.sigstore.json");
    const envelope = bundle.dsseEnvelope as { signatures: unknown[] };
    const twoSignatures = { ...bundle, dsseEnvelope: { ...envelope, signatures: [envelope.signatures[0], envelope.signatures[0]] } };
    expect(parseSigstoreBundle(twoSignatures, "$.bundle")).toEqual({
      ok: false,
      errors: [{ path: "$.bundle.dsseEnvelope.signatures", message: "a bundle's DSSE envelope must have exactly one signature" }],
    });
  });
});

describe("certificates", () => {
  const leaf = leafOf(json("sigstore", "happy-path-v0.3", "bundle.sigstore.json"));

  it("reads a Fulcio certificate's identity and issuer", () => {
    const info = parseCertificateDer(Buffer.from(leaf, "base64"));
    expect(info).toMatchObject({
      identity: expect.stringMatching(/^https:\/\/github\.com\/sigstore-conformance\//),
      issuer: "https://token.actions.githubusercontent.com",
      subjectDn: "",
      issuerDn: "O=sigstore.dev, CN=sigstore-intermediate",
      fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });
    expect(parseCertificateDer(Buffer.from("not DER"))).toBeNull();
  });

  it("parses a PEM chain, raw or base64-wrapped", () => {
    const chain = parsePemChain(`${pem(leaf)}${pem(leaf)}`, "$.certificate");
    expect(chain.ok && chain.value).toHaveLength(2);
    const wrapped = parsePemChain(Buffer.from(pem(leaf)).toString("base64"), "$.certificate");
    expect(wrapped.ok).toBe(true);
  });

  it.each([
    ["an empty string", ""],
    ["no PEM block", "hello"],
    ["a truncated block", pem(leaf).slice(0, 300)],
    ["a block that is not a certificate", pem(Buffer.from("junk").toString("base64"))],
    ["text around the blocks", `garbage\n${pem(leaf)}`],
    ["a number", 42],
  ])("rejects %s", (_label, value) => {
    const parsed = parsePemChain(value, "$.certificate");
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors.map((e) => e.path)).toEqual(["$.certificate"]);
  });
});
