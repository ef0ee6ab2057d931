import { createHash, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type PrehashAlgorithm, parseDerEcdsaSignature, verifyPrehashed } from "./prehashed";

const MESSAGE = Buffer.from("the artefact's bytes\n");

function digestOf(algorithm: PrehashAlgorithm, data: Uint8Array = MESSAGE): Buffer {
  return createHash(algorithm).update(data).digest();
}

function flip(bytes: Uint8Array, index: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[index] = (copy[index] ?? 0) ^ 0x01;
  return copy;
}

type Case = { name: string; publicKey: KeyObject; privateKey: KeyObject; algorithm: PrehashAlgorithm };

const cases: Case[] = [
  { name: "ECDSA P-256 / sha256", ...generateKeyPairSync("ec", { namedCurve: "P-256" }), algorithm: "sha256" },
  {
    name: "ECDSA P-256 / sha512 (digest longer than the order)",
    ...generateKeyPairSync("ec", { namedCurve: "P-256" }),
    algorithm: "sha512",
  },
  { name: "ECDSA P-384 / sha384", ...generateKeyPairSync("ec", { namedCurve: "P-384" }), algorithm: "sha384" },
  {
    name: "ECDSA P-384 / sha256 (digest shorter than the order)",
    ...generateKeyPairSync("ec", { namedCurve: "P-384" }),
    algorithm: "sha256",
  },
  { name: "RSA 2048 PKCS#1 v1.5 / sha256", ...generateKeyPairSync("rsa", { modulusLength: 2048 }), algorithm: "sha256" },
  { name: "RSA 2048 PKCS#1 v1.5 / sha512", ...generateKeyPairSync("rsa", { modulusLength: 2048 }), algorithm: "sha512" },
];

describe("verifyPrehashed", () => {
  for (const c of cases) {
    describe(c.name, () => {
      // Several signatures, so r and s of varied lengths (DER leading zeros) are exercised.
      const signatures = Array.from({ length: 8 }, () => sign(c.algorithm, MESSAGE, c.privateKey));
      const digest = digestOf(c.algorithm);

      it("accepts signatures node:crypto made over the message", () => {
        for (const signature of signatures) {
          expect(verifyPrehashed({ key: c.publicKey, digest, algorithm: c.algorithm, signature })).toBe(true);
        }
      });

      it("refuses another digest, a flipped signature byte and another key", () => {
        const [signature] = signatures as [Buffer];
        const other = digestOf(c.algorithm, Buffer.from("something else"));
        expect(verifyPrehashed({ key: c.publicKey, digest: other, algorithm: c.algorithm, signature })).toBe(false);
        expect(verifyPrehashed({ key: c.publicKey, digest: flip(digest, 0), algorithm: c.algorithm, signature })).toBe(false);
        for (const index of [0, 5, Math.floor(signature.length / 2), signature.length - 1]) {
          expect(verifyPrehashed({ key: c.publicKey, digest, algorithm: c.algorithm, signature: flip(signature, index) })).toBe(false);
        }
        const otherKey =
          c.publicKey.asymmetricKeyType === "rsa"
            ? generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey
            : generateKeyPairSync("ec", { namedCurve: c.publicKey.asymmetricKeyDetails?.namedCurve ?? "P-256" }).publicKey;
        expect(verifyPrehashed({ key: otherKey, digest, algorithm: c.algorithm, signature })).toBe(false);
      });

      it("refuses a digest of the wrong length for its algorithm", () => {
        const [signature] = signatures as [Buffer];
        expect(verifyPrehashed({ key: c.publicKey, digest: digest.subarray(1), algorithm: c.algorithm, signature })).toBe(false);
      });
    });
  }

  it("says unsupported for Ed25519 (pure EdDSA signs the message, not a digest)", () => {
    const { publicKey, privateKey } = generateKeyPairSync("ed25519");
    const signature = sign(null, MESSAGE, privateKey);
    expect(verifyPrehashed({ key: publicKey, digest: digestOf("sha256"), algorithm: "sha256", signature })).toBe("unsupported");
  });

  it("says unsupported for curves it has no parameters for", () => {
    const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-521" });
    const signature = sign("sha512", MESSAGE, privateKey);
    expect(verifyPrehashed({ key: publicKey, digest: digestOf("sha512"), algorithm: "sha512", signature })).toBe("unsupported");
  });

  it("refuses r or s out of range (zero, or not below the group order)", () => {
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const zero = Buffer.from("3006020100020101", "hex");
    expect(verifyPrehashed({ key: publicKey, digest: digestOf("sha256"), algorithm: "sha256", signature: zero })).toBe(false);
    const n = "00ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
    const big = Buffer.from(`3026022100${n.slice(2)}020101`, "hex");
    expect(verifyPrehashed({ key: publicKey, digest: digestOf("sha256"), algorithm: "sha256", signature: big })).toBe(false);
  });
});

describe("parseDerEcdsaSignature", () => {
  it("reads a minimal DER SEQUENCE of two INTEGERs", () => {
    expect(parseDerEcdsaSignature(Buffer.from("3006020105020107", "hex"))).toEqual({ r: 5n, s: 7n });
    expect(parseDerEcdsaSignature(Buffer.from("300702020080020107", "hex"))).toEqual({ r: 128n, s: 7n });
  });

  it("refuses trailing bytes, wrong lengths, negative and non-minimal integers", () => {
    for (const hex of [
      "300602010502010700",
      "3007020105020107",
      "3006020185020107",
      "30070202000502010700",
      "300702020005020107",
      "3106020105020107",
      "",
    ]) {
      expect(parseDerEcdsaSignature(Buffer.from(hex, "hex")), hex).toBeNull();
    }
  });
});
