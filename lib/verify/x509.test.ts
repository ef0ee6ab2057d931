import { describe, expect, it } from "vitest";
import { EKU, ecKeyPair, flipByte, issueCertificate, issueChain, pemOf } from "./test-pki";
import {
  buildTrustedPath,
  type Certificate,
  checkOrderedChain,
  fulcioIssuer,
  invalidAt,
  parseCertificateDer,
  parseCertificatesPem,
  parseDistinguishedName,
  profileProblem,
  sameDistinguishedName,
  subjectAltNameIdentity,
} from "./x509";

const notBefore = new Date("2026-01-01T00:00:00Z");
const notAfter = new Date("2027-01-01T00:00:00Z");
const chain = issueChain({
  notBefore,
  notAfter,
  leaf: {
    sanUri: "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main",
    fulcioIssuerV2: "https://token.actions.githubusercontent.com",
  },
});
const cert = (der: Buffer) => parseCertificateDer(der) as Certificate;
const root = cert(chain.root.der);
const intermediate = cert(chain.intermediate.der);
const leaf = cert(chain.leaf.der);
const otherRoot = cert(issueChain({ notBefore, notAfter }).root.der);

describe("parsing", () => {
  it("reads DER and PEM lists (also base64 of PEM), with fingerprints, DNs and validity", () => {
    expect(leaf.subjectDn).toBe("C=US, O=Acme, CN=release signer");
    expect(leaf.issuerDn).toBe("C=US, O=Acme Test, CN=Acme Test Intermediate");
    expect(leaf.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(leaf.notBefore.toISOString()).toBe(notBefore.toISOString());
    const pems = `${chain.leaf.pem}${chain.intermediate.pem}`;
    const list = parseCertificatesPem(pems);
    expect(list.ok && list.value.map((c) => c.subjectDn)).toEqual([leaf.subjectDn, intermediate.subjectDn]);
    const encoded = parseCertificatesPem(Buffer.from(pems).toString("base64"));
    expect(encoded.ok && encoded.value.length).toBe(2);
  });

  it("refuses truncated, garbled and padded certificates", () => {
    expect(parseCertificateDer(chain.leaf.der.subarray(0, 200))).toBeNull();
    expect(parseCertificateDer(Buffer.concat([chain.leaf.der, Buffer.from([0])]))).toBeNull();
    expect(parseCertificatesPem(`${chain.leaf.pem}trailing words`)).toMatchObject({ ok: false });
    expect(parseCertificatesPem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")).toMatchObject({ ok: false });
    expect(parseCertificatesPem("not base64 !!")).toMatchObject({ ok: false });
  });

  it("reads the Fulcio SAN and issuer (v2 UTF8String, else v1 raw bytes)", () => {
    expect(subjectAltNameIdentity(leaf)).toBe("https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main");
    expect(fulcioIssuer(leaf)).toBe("https://token.actions.githubusercontent.com");
    const key = ecKeyPair();
    const v1 = cert(
      issueCertificate({
        subject: [["CN", "v1"]],
        publicKey: key.publicKey,
        signingKey: key.privateKey,
        notBefore,
        notAfter,
        sanEmail: "dev@acme.dev",
        fulcioIssuerV1: "https://accounts.google.com",
      }).der,
    );
    expect(subjectAltNameIdentity(v1)).toBe("dev@acme.dev");
    expect(fulcioIssuer(v1)).toBe("https://accounts.google.com");
    expect(fulcioIssuer(root)).toBeNull();
    expect(subjectAltNameIdentity(root)).toBeNull();
  });
});

describe("distinguished names", () => {
  it("compares attribute sets in any order and notation's CN-first form", () => {
    const goForm = parseDistinguishedName("CN=release signer,O=Acme,C=US");
    expect(goForm && sameDistinguishedName(goForm, leaf.subject)).toBe(true);
    const spaced = parseDistinguishedName("C=US, O=Acme, CN=release signer");
    expect(spaced && sameDistinguishedName(spaced, leaf.subject)).toBe(true);
    const wrong = parseDistinguishedName("C=US, O=Acme, CN=release signer 2");
    expect(wrong && sameDistinguishedName(wrong, leaf.subject)).toBe(false);
    const fewer = parseDistinguishedName("O=Acme, CN=release signer");
    expect(fewer && sameDistinguishedName(fewer, leaf.subject)).toBe(false);
  });

  it("reads escaped commas as part of a value", () => {
    const key = ecKeyPair();
    const tricky = cert(
      issueCertificate({
        subject: [
          ["O", "Acme, Inc."],
          ["CN", "signer"],
        ],
        publicKey: key.publicKey,
        signingKey: key.privateKey,
        notBefore,
        notAfter,
      }).der,
    );
    const parsed = parseDistinguishedName("CN=signer, O=Acme\\, Inc.");
    expect(parsed && sameDistinguishedName(parsed, tricky.subject)).toBe(true);
    const split = parseDistinguishedName("CN=signer, O=Acme, O=Inc.");
    expect(split && sameDistinguishedName(split, tricky.subject)).toBe(false);
  });
});

describe("paths to trust anchors", () => {
  it("builds leaf -> intermediate -> root from an unordered pool", () => {
    const path = buildTrustedPath({ leaf, intermediates: [otherRoot, intermediate], anchors: [root] });
    expect(path.ok).toBe(true);
    if (path.ok) {
      expect(path.path.map((c) => c.subjectDn)).toEqual([leaf.subjectDn, intermediate.subjectDn, root.subjectDn]);
      expect(path.anchorIndex).toBe(2);
    }
  });

  it("stops at an anchored intermediate", () => {
    const path = buildTrustedPath({ leaf, intermediates: [], anchors: [intermediate] });
    expect(path.ok && path.path.length).toBe(2);
  });

  it("is untrusted without an anchor and invalid when a certificate's signature fails under its issuer", () => {
    expect(buildTrustedPath({ leaf, intermediates: [intermediate], anchors: [otherRoot] })).toMatchObject({
      ok: false,
      verdict: "untrusted",
    });
    expect(buildTrustedPath({ leaf, intermediates: [intermediate], anchors: [] })).toMatchObject({ ok: false, verdict: "untrusted" });
    const forged = cert(flipByte(chain.leaf.der, -3)); // inside the signature value
    expect(buildTrustedPath({ leaf: forged, intermediates: [intermediate], anchors: [root] })).toMatchObject({
      ok: false,
      verdict: "invalid",
    });
  });

  it("does not accept a look-alike intermediate (same name, other key)", () => {
    const fake = issueChain({ notBefore, notAfter });
    const lookAlike = cert(fake.intermediate.der);
    expect(lookAlike.subjectDn).toBe(intermediate.subjectDn);
    const path = buildTrustedPath({ leaf, intermediates: [lookAlike], anchors: [root] });
    expect(path.ok).toBe(false);
  });

  it("checks an x5c-style ordered chain", () => {
    expect(checkOrderedChain([leaf, intermediate, root])).toBeNull();
    expect(checkOrderedChain([leaf, root, intermediate])).toMatch(/not in order/);
    expect(checkOrderedChain([leaf, intermediate])).toMatch(/does not end with a root/);
    expect(checkOrderedChain([leaf, intermediate, otherRoot])).toMatch(/did not issue/);
    expect(checkOrderedChain([])).toMatch(/empty/);
  });
});

describe("certificate profiles", () => {
  it("accepts a proper chain for both profiles", () => {
    expect(profileProblem([leaf, intermediate, root], "fulcio")).toBeNull();
    expect(profileProblem([leaf, intermediate, root], "notary")).toBeNull();
  });

  it("refuses a non-CA issuer, a CA leaf, a leaf without codeSigning (Fulcio) and pathLen overruns", () => {
    const badCa = issueChain({ notBefore, notAfter, intermediateCa: { isCA: false } });
    expect(profileProblem([cert(badCa.leaf.der), cert(badCa.intermediate.der), cert(badCa.root.der)], "fulcio")).toMatch(/not a CA/);
    const caLeaf = issueChain({ notBefore, notAfter, leaf: { ca: { isCA: true } } });
    expect(profileProblem([cert(caLeaf.leaf.der), cert(caLeaf.intermediate.der), cert(caLeaf.root.der)], "fulcio")).toMatch(
      /must not be a CA/,
    );
    const noCodeSigning = issueChain({ notBefore, notAfter, leaf: { extKeyUsage: [EKU.serverAuth] } });
    const path = [cert(noCodeSigning.leaf.der), cert(noCodeSigning.intermediate.der), cert(noCodeSigning.root.der)];
    expect(profileProblem(path, "fulcio")).toMatch(/codeSigning/);
    expect(profileProblem(path, "notary")).toMatch(/1\.3\.6\.1\.5\.5\.7\.3\.1 is not allowed/);
    // root pathLen 1 allows one intermediate; a second one below it overruns it.
    const deepKey = ecKeyPair();
    const second = issueCertificate({
      subject: [["CN", "second intermediate"]],
      publicKey: deepKey.publicKey,
      issuer: { certificate: chain.intermediate },
      signingKey: chain.intermediate.privateKey,
      notBefore,
      notAfter,
      ca: { isCA: true },
      keyUsage: { bits: ["keyCertSign"] },
    });
    const deepLeaf = issueCertificate({
      subject: [["CN", "deep leaf"]],
      publicKey: ecKeyPair().publicKey,
      issuer: { certificate: second },
      signingKey: deepKey.privateKey,
      notBefore,
      notAfter,
      keyUsage: { bits: ["digitalSignature"] },
      extKeyUsage: [EKU.codeSigning],
    });
    expect(profileProblem([cert(deepLeaf.der), cert(second.der), intermediate, root], "fulcio")).toMatch(/pathLenConstraint 0/);
  });

  it("applies the Notary Project leaf key-usage rules", () => {
    const nonCritical = issueChain({ notBefore, notAfter, leaf: { keyUsage: { bits: ["digitalSignature"], critical: false } } });
    const encipher = issueChain({ notBefore, notAfter, leaf: { keyUsage: { bits: ["digitalSignature", "keyEncipherment"] } } });
    const asPath = (c: typeof chain) => [cert(c.leaf.der), cert(c.intermediate.der), cert(c.root.der)];
    expect(profileProblem(asPath(nonCritical), "notary")).toMatch(/critical/);
    expect(profileProblem(asPath(encipher), "notary")).toMatch(/keyEncipherment/);
    expect(profileProblem(asPath(encipher), "fulcio")).toBeNull();
  });

  it("refuses SHA-1 certificate signatures", () => {
    const sha1 = issueChain({ notBefore, notAfter, leaf: { signatureOid: "1.2.840.10045.4.1" } });
    expect(profileProblem([cert(sha1.leaf.der), cert(sha1.intermediate.der), cert(sha1.root.der)], "notary")).toMatch(/SHA1/);
  });
});

describe("validity", () => {
  it("names the first certificate outside its validity", () => {
    const expired = issueChain({ notBefore, notAfter, leafNotAfter: new Date("2026-02-01T00:00:00Z") });
    const path = [cert(expired.leaf.der), cert(expired.intermediate.der), cert(expired.root.der)];
    expect(invalidAt(path, new Date("2026-01-15T00:00:00Z"))).toBeNull();
    expect(invalidAt(path, new Date("2026-03-01T00:00:00Z"))).toMatch(/release signer.*expired 2026-02-01/);
    expect(invalidAt(path, new Date("2025-12-01T00:00:00Z"))).toMatch(/only valid from/);
    expect(pemOf(chain.leaf.der)).toBe(chain.leaf.pem);
  });
});
