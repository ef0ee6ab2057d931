import { armor, createMessage, enums, generateKey, type PrivateKey, reformatKey, revokeKey, sign } from "openpgp";
import { beforeAll, describe, expect, it } from "vitest";
import type { TrustedKey } from "./keys";
import { mpiEncodingProblem, verifyOpenPgp } from "./openpgp";
import { flipByte } from "./test-pki";

const now = new Date("2026-06-15T12:00:00Z");
const keyCreated = new Date("2026-01-01T00:00:00Z");
const signedAt = new Date("2026-03-01T00:00:00Z");
const sums = Buffer.from(
  "3f786850e387550fdab836ed7e6dc881de23001b7b5b2f1b4b7a6f3a3e0b7c5d  vitrine-linux-amd64.tar.gz\n" +
    "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447  vitrine-darwin-arm64.tar.gz\n",
);

type Signer = { privateKey: PrivateKey; armoredPublic: string; fingerprint: string };

async function newSigner(options: { v6?: boolean; signingSubkey?: boolean } = {}): Promise<Signer> {
  const { privateKey, publicKey } = await generateKey({
    userIDs: [{ name: "Acme Release", email: "release@acme.dev" }],
    date: keyCreated,
    format: "object",
    ...(options.signingSubkey ? { subkeys: [{}, { sign: true }] } : {}),
    ...(options.v6 ? { config: { v6Keys: true } } : {}),
  });
  return { privateKey, armoredPublic: publicKey.armor(), fingerprint: publicKey.getFingerprint() };
}

async function detach(signers: PrivateKey[], data: Uint8Array | string, date = signedAt): Promise<Uint8Array> {
  const message = typeof data === "string" ? await createMessage({ text: data, date }) : await createMessage({ binary: data, date });
  return sign({ message, signingKeys: signers, detached: true, date, format: "binary" });
}

const armored = (binary: Uint8Array) => armor(enums.armor.signature, binary);
const trusted = (signer: Signer | string, extra: Partial<TrustedKey> = {}): TrustedKey => ({
  id: "k1",
  name: "release-key",
  kind: "openpgp",
  publicKey: typeof signer === "string" ? signer : signer.armoredPublic,
  ...extra,
});

let release: Signer;
let stranger: Signer;
let signature: Uint8Array;

beforeAll(async () => {
  [release, stranger] = await Promise.all([newSigner(), newSigner()]);
  signature = await detach([release.privateKey], sums);
});

describe("verifyOpenPgp", () => {
  it("is verified with a trusted key: fingerprint, user id and signing time as evidence", async () => {
    const result = await verifyOpenPgp({ signedData: sums, armoredSignature: armored(signature), keys: [trusted(release)], now });
    expect(result.verdict).toBe("verified");
    expect(result.evidence.keyFingerprint).toBe(release.fingerprint);
    expect(result.evidence.identity).toBe("Acme Release <release@acme.dev>");
    expect(result.reason).toContain(signedAt.toISOString());
  });

  it("is verified for a v6 key, a signing subkey and a text-mode signature", async () => {
    const v6 = await newSigner({ v6: true });
    const v6Result = await verifyOpenPgp({
      signedData: sums,
      armoredSignature: armored(await detach([v6.privateKey], sums)),
      keys: [trusted(v6)],
      now,
    });
    expect(v6Result).toMatchObject({ verdict: "verified", evidence: { keyFingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) } });

    const withSubkey = await newSigner({ signingSubkey: true });
    const subkeySig = await detach([withSubkey.privateKey], sums);
    const subkeyResult = await verifyOpenPgp({ signedData: sums, armoredSignature: armored(subkeySig), keys: [trusted(withSubkey)], now });
    expect(subkeyResult).toMatchObject({ verdict: "verified", evidence: { keyFingerprint: withSubkey.fingerprint } });

    const text = `sha256:${"ab".repeat(32)}\n`;
    const textSig = await detach([release.privateKey], text);
    const textResult = await verifyOpenPgp({
      signedData: Buffer.from(text),
      armoredSignature: armored(textSig),
      keys: [trusted(release)],
      now,
    });
    expect(textResult.verdict).toBe("verified");
  });

  it("is untrusted when the issuer key is not among the trusted keys", async () => {
    const result = await verifyOpenPgp({ signedData: sums, armoredSignature: armored(signature), keys: [trusted(stranger)], now });
    expect(result.verdict).toBe("untrusted");
    expect(result.reason).toContain(release.fingerprint);
    expect(result.evidence.keyFingerprint).toBe(release.fingerprint);
    expect((await verifyOpenPgp({ signedData: sums, armoredSignature: armored(signature), keys: [], now })).verdict).toBe("untrusted");
  });

  it("ignores PEM entries and trust entries that do not parse", async () => {
    const keys = [
      trusted(release, { kind: "pem" }),
      trusted("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n-----END PGP PUBLIC KEY BLOCK-----\n"),
    ];
    expect((await verifyOpenPgp({ signedData: sums, armoredSignature: armored(signature), keys, now })).verdict).toBe("untrusted");
  });

  it("is invalid when the data was changed or the signature was made over other data", async () => {
    const changed = Buffer.from(sums.toString().replace("3f78", "3f79"));
    const result = await verifyOpenPgp({ signedData: changed, armoredSignature: armored(signature), keys: [trusted(release)], now });
    expect(result.verdict).toBe("invalid");
    expect(result.evidence.keyFingerprint).toBe(release.fingerprint);
  });

  it("is invalid when the signature claims to be made in the future", async () => {
    const future = await detach([release.privateKey], sums, new Date("2026-06-16T12:00:00Z"));
    const result = await verifyOpenPgp({ signedData: sums, armoredSignature: armored(future), keys: [trusted(release)], now });
    expect(result).toMatchObject({ verdict: "invalid", reason: expect.stringMatching(/future/) });
  });

  it("is revoked when the trust entry is revoked by now, whenever the signature was made", async () => {
    const revoked = trusted(release, { revokedAt: new Date("2026-05-01T00:00:00Z") });
    expect((await verifyOpenPgp({ signedData: sums, armoredSignature: armored(signature), keys: [revoked], now })).verdict).toBe("revoked");
    const later = trusted(release, { revokedAt: new Date("2026-07-01T00:00:00Z") });
    expect((await verifyOpenPgp({ signedData: sums, armoredSignature: armored(signature), keys: [later], now })).verdict).toBe("verified");
  });

  it("honours the key's own OpenPGP revocation: a compromise always, a retirement only after its date", async () => {
    const compromised = await revokeKey({
      key: release.privateKey,
      reasonForRevocation: { flag: enums.reasonForRevocation.keyCompromised },
      date: new Date("2026-04-01T00:00:00Z"),
      format: "armored",
    });
    const hard = await verifyOpenPgp({
      signedData: sums,
      armoredSignature: armored(signature),
      keys: [trusted(compromised.publicKey)],
      now,
    });
    expect(hard).toMatchObject({ verdict: "revoked", reason: expect.stringMatching(/revocation/) });

    const retiredLater = await revokeKey({
      key: release.privateKey,
      reasonForRevocation: { flag: enums.reasonForRevocation.keyRetired },
      date: new Date("2026-04-01T00:00:00Z"),
      format: "armored",
    });
    const soft = await verifyOpenPgp({
      signedData: sums,
      armoredSignature: armored(signature),
      keys: [trusted(retiredLater.publicKey)],
      now,
    });
    expect(soft.verdict).toBe("verified");

    const retiredBefore = await revokeKey({
      key: release.privateKey,
      reasonForRevocation: { flag: enums.reasonForRevocation.keyRetired },
      date: new Date("2026-02-01T00:00:00Z"),
      format: "armored",
    });
    const early = await verifyOpenPgp({
      signedData: sums,
      armoredSignature: armored(signature),
      keys: [trusted(retiredBefore.publicKey)],
      now,
    });
    expect(early.verdict).toBe("revoked");
  });

  it("is expired outside the trust entry's window", async () => {
    const ended = trusted(release, { validUntil: new Date("2026-06-01T00:00:00Z") });
    expect((await verifyOpenPgp({ signedData: sums, armoredSignature: armored(signature), keys: [ended], now })).verdict).toBe("expired");
    const notYet = trusted(release, { validFrom: new Date("2026-07-01T00:00:00Z") });
    expect((await verifyOpenPgp({ signedData: sums, armoredSignature: armored(signature), keys: [notYet], now })).verdict).toBe("expired");
  });

  it("honours OpenPGP key expiry: expired if the key had expired when it signed", async () => {
    // The same key material, re-certified to expire 30 days after creation (2026-01-31).
    const expiring = await reformatKey({
      privateKey: release.privateKey,
      userIDs: [{ name: "Acme Release", email: "release@acme.dev" }],
      keyExpirationTime: 30 * 24 * 3600,
      date: keyCreated,
      format: "armored",
    });
    const result = await verifyOpenPgp({
      signedData: sums,
      armoredSignature: armored(signature),
      keys: [trusted(expiring.publicKey)],
      now,
    });
    expect(result).toMatchObject({ verdict: "expired", reason: expect.stringMatching(/expired 2026-01-31/) });

    // Signed while the key was valid: still good after it expired (OpenPGP semantics).
    const early = await detach([release.privateKey], sums, new Date("2026-01-15T00:00:00Z"));
    const stillGood = await verifyOpenPgp({ signedData: sums, armoredSignature: armored(early), keys: [trusted(expiring.publicKey)], now });
    expect(stillGood.verdict).toBe("verified");
  });

  it("with several signatures: one trusted valid signature suffices, an invalid one wins", async () => {
    const both = await detach([stranger.privateKey, release.privateKey], sums);
    expect((await verifyOpenPgp({ signedData: sums, armoredSignature: armored(both), keys: [trusted(release)], now })).verdict).toBe(
      "verified",
    );
    expect((await verifyOpenPgp({ signedData: sums, armoredSignature: armored(both), keys: [trusted(stranger)], now })).verdict).toBe(
      "verified",
    );
    const other = await detach([stranger.privateKey], Buffer.from("other data"));
    const mixed = Buffer.concat([Buffer.from(signature), Buffer.from(other)]);
    const keys = [trusted(release), trusted(stranger, { id: "k2", name: "second" })];
    expect((await verifyOpenPgp({ signedData: sums, armoredSignature: armored(mixed), keys, now })).verdict).toBe("invalid");
  });

  it("is unverifiable without a signature and invalid when the armour does not parse", async () => {
    expect((await verifyOpenPgp({ signedData: sums, armoredSignature: "", keys: [trusted(release)], now })).verdict).toBe("unverifiable");
    const garbage = "-----BEGIN PGP SIGNATURE-----\n\nnot really\n-----END PGP SIGNATURE-----\n";
    expect((await verifyOpenPgp({ signedData: sums, armoredSignature: garbage, keys: [trusted(release)], now })).verdict).toBe("invalid");
  });
});

/** The packet body of a new-format (openpgp.js) binary signature, and where it starts. */
function packetBody(binary: Uint8Array): { start: number; body: Buffer } {
  const first = binary[1] as number;
  const start = first < 192 ? 2 : 3;
  const length = first < 192 ? first : ((first - 192) << 8) + (binary[2] as number) + 192;
  return { start, body: Buffer.from(binary.subarray(start, start + length)) };
}

describe("MPI encoding", () => {
  it("refuses a bit count that differs from the value but reads the same bytes (openpgp.js alone would verify it)", async () => {
    const { start, body } = packetBody(signature);
    const hashed = body.readUInt16BE(4);
    const unhashed = body.readUInt16BE(6 + hashed);
    const mpi = start + 6 + hashed + 2 + unhashed + 2; // first MPI of the signature material
    const patched = Buffer.from(signature);
    const bits = patched.readUInt16BE(mpi);
    const bytes = Math.ceil(bits / 8);
    patched.writeUInt16BE(bits === bytes * 8 ? bits - 1 : bytes * 8, mpi);
    expect(Math.ceil(patched.readUInt16BE(mpi) / 8)).toBe(bytes);
    expect(mpiEncodingProblem(patched)).toMatch(/declares \d+ bits but holds \d+/);
    const result = await verifyOpenPgp({ signedData: sums, armoredSignature: armored(patched), keys: [trusted(release)], now });
    expect(result).toMatchObject({ verdict: "invalid", reason: expect.stringMatching(/not canonically encoded/) });
  });

  it("reads GnuPG's old-format packet headers", async () => {
    const { body } = packetBody(signature);
    const oldFormat = Buffer.concat([Buffer.from([0x89, body.length >> 8, body.length & 0xff]), body]); // tag 2, two-octet length
    expect(mpiEncodingProblem(signature)).toBeNull();
    expect(mpiEncodingProblem(oldFormat)).toBeNull();
    const result = await verifyOpenPgp({ signedData: sums, armoredSignature: armored(oldFormat), keys: [trusted(release)], now });
    expect(result.verdict).toBe("verified");
    expect(mpiEncodingProblem(oldFormat.subarray(0, oldFormat.length - 5))).toMatch(/truncated/);
  });
});

// Every byte position is tried: CPU-bound, so these get more than the default 5 s on a busy machine.
describe("tampering", { timeout: 60_000 }, () => {
  it("a flipped byte anywhere in the signed data is never verified", async () => {
    const armoredSig = armored(signature);
    for (let i = 0; i < sums.length; i++) {
      const result = await verifyOpenPgp({ signedData: flipByte(sums, i), armoredSignature: armoredSig, keys: [trusted(release)], now });
      expect(result.verdict, `data byte ${i}`).not.toBe("verified");
    }
  });

  it("a flipped byte anywhere in the signature packet is never verified", async () => {
    const outcomes = new Set<string>();
    for (let i = 0; i < signature.length; i++) {
      const result = await verifyOpenPgp({
        signedData: sums,
        armoredSignature: armored(flipByte(signature, i)),
        keys: [trusted(release)],
        now,
      });
      expect(result.verdict, `signature byte ${i}`).not.toBe("verified");
      outcomes.add(result.verdict);
    }
    expect(outcomes.has("invalid")).toBe(true);
  });
});
