import { createHash, generateKeyPairSync, type KeyObject } from "node:crypto";
import { generateKey } from "openpgp";
import { describe, expect, it } from "vitest";
import {
  compileIdentityPattern,
  decodeBase64,
  MAX_IDENTITY_SUBJECT_LENGTH,
  matchesIdentitySubject,
  parseOpenPgpPublicKey,
  parsePemPublicKey,
  pickWindow,
  windowState,
} from "./keys";

const pem = (key: KeyObject) => key.export({ type: "spki", format: "pem" }).toString();
const sha256Spki = (key: KeyObject) =>
  `sha256:${createHash("sha256")
    .update(key.export({ type: "spki", format: "der" }))
    .digest("hex")}`;
const created = new Date("2026-01-01T00:00:00Z");

describe("parsePemPublicKey", () => {
  it.each([
    ["ECDSA P-256", generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey, "ecdsa-p256"],
    ["ECDSA P-384", generateKeyPairSync("ec", { namedCurve: "P-384" }).publicKey, "ecdsa-p384"],
    ["Ed25519", generateKeyPairSync("ed25519").publicKey, "ed25519"],
    ["RSA 2048", generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey, "rsa"],
  ])("accepts %s and fingerprints its SPKI DER", (_, key, algorithm) => {
    const parsed = parsePemPublicKey(pem(key));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.algorithm).toBe(algorithm);
    expect(parsed.value.fingerprint).toBe(sha256Spki(key));
    expect(parsed.value.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("gives the same fingerprint whatever the PEM line wrapping, and reads PKCS#1 RSA keys", () => {
    const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const body = publicKey.export({ type: "spki", format: "der" }).toString("base64");
    const rewrapped = `-----BEGIN PUBLIC KEY-----\n${body.match(/.{1,76}/g)?.join("\n")}\n-----END PUBLIC KEY-----\n`;
    const pkcs1 = publicKey.export({ type: "pkcs1", format: "pem" }).toString();
    const a = parsePemPublicKey(pem(publicKey));
    const b = parsePemPublicKey(rewrapped);
    const c = parsePemPublicKey(pkcs1);
    expect(a.ok && b.ok && c.ok).toBe(true);
    if (a.ok && b.ok && c.ok) expect(new Set([a.value.fingerprint, b.value.fingerprint, c.value.fingerprint]).size).toBe(1);
  });

  it.each([
    ["RSA below 2048 bits", pem(generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey), /1024 bits; at least 2048/],
    ["secp256k1", pem(generateKeyPairSync("ec", { namedCurve: "secp256k1" }).publicKey), /curve secp256k1/],
    ["P-521", pem(generateKeyPairSync("ec", { namedCurve: "P-521" }).publicKey), /P-521/],
    ["X25519 (not a signing key)", pem(generateKeyPairSync("x25519").publicKey), /x25519/],
    [
      "a private key",
      generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      /private key/,
    ],
    ["two keys in one text", `${pem(generateKeyPairSync("ed25519").publicKey)}${pem(generateKeyPairSync("ed25519").publicKey)}`, /one PEM/],
    ["garbage between the markers", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", /does not parse/],
    ["not PEM at all", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA", /one PEM/],
  ])("refuses %s with a clear reason", (_, text, reason) => {
    const parsed = parsePemPublicKey(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });
});

describe("parseOpenPgpPublicKey", () => {
  it("gives a v4 key's 40-hex fingerprint and a v6 key's 64-hex one", async () => {
    const v4 = await generateKey({ userIDs: [{ name: "Release", email: "release@acme.dev" }], date: created, format: "object" });
    const v6 = await generateKey({
      userIDs: [{ name: "Release", email: "release@acme.dev" }],
      date: created,
      format: "object",
      config: { v6Keys: true },
    });
    const a = await parseOpenPgpPublicKey(v4.publicKey.armor());
    const b = await parseOpenPgpPublicKey(v6.publicKey.armor());
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(a.value.fingerprint).toMatch(/^[0-9a-f]{40}$/);
    expect(a.value.fingerprint).toBe(v4.publicKey.getFingerprint());
    expect(a.value.version).toBe(4);
    expect(a.value.userIds).toEqual(["Release <release@acme.dev>"]);
    expect(b.value.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(b.value.version).toBe(6);
  });

  it("refuses private keys, RSA below 2048 bits and garbage", async () => {
    const key = await generateKey({ userIDs: [{ name: "x" }], date: created, format: "object" });
    const privateArmor = key.privateKey.armor();
    expect(await parseOpenPgpPublicKey(privateArmor)).toMatchObject({ ok: false, reason: expect.stringMatching(/private key/) });
    // A private key relabelled as public is still refused once parsed.
    const relabelled = privateArmor.replaceAll("PRIVATE KEY BLOCK", "PUBLIC KEY BLOCK");
    expect((await parseOpenPgpPublicKey(relabelled)).ok).toBe(false);
    const weak = await generateKey({
      type: "rsa",
      rsaBits: 1024,
      userIDs: [{ name: "weak" }],
      date: created,
      format: "object",
      config: { minRSABits: 1024 },
    });
    expect(await parseOpenPgpPublicKey(weak.publicKey.armor())).toMatchObject({ ok: false, reason: expect.stringMatching(/1024 bits/) });
    expect((await parseOpenPgpPublicKey("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n-----END PGP PUBLIC KEY BLOCK-----\n")).ok).toBe(
      false,
    );
    expect(await parseOpenPgpPublicKey("hello")).toMatchObject({ ok: false, reason: expect.stringMatching(/armored/) });
  });
});

describe("identity patterns", () => {
  const workflow = "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main";

  it("anchors every pattern: no prefix or suffix match, alternation included", () => {
    const pattern = compileIdentityPattern("https://github\\.com/acme/.+/\\.github/workflows/release\\.yml@refs/heads/main");
    expect(pattern.ok).toBe(true);
    if (!pattern.ok) return;
    expect(pattern.value.test(workflow)).toBe(true);
    expect(pattern.value.test(`${workflow}-evil`)).toBe(false);
    expect(pattern.value.test(`https://evil.example/?${workflow}`)).toBe(false);
    const alternation = compileIdentityPattern("a@acme\\.dev|b@acme\\.dev");
    expect(alternation.ok && alternation.value.test("a@acme.dev")).toBe(true);
    expect(alternation.ok && alternation.value.test("a@acme.dev|b@acme.dev")).toBe(false);
    expect(alternation.ok && alternation.value.test("xa@acme.dev")).toBe(false);
  });

  it("accepts explicit ^ and $ and treats an unescaped dot as any character", () => {
    const explicit = compileIdentityPattern("^release@acme.dev$");
    expect(explicit.ok && explicit.value.test("release@acme.dev")).toBe(true);
    expect(explicit.ok && explicit.value.test("release@acmeXdev")).toBe(true);
    expect(explicit.ok && explicit.value.test("release@acme.dev.evil")).toBe(false);
    const escaped = compileIdentityPattern("price\\$");
    expect(escaped.ok && escaped.value.test("price$")).toBe(true);
  });

  it("agrees with JavaScript's RegExp on the subset it supports", () => {
    const patterns = [
      "[^/@]+@acme\\.dev",
      "v[0-9]+(\\.[0-9]+){0,2}",
      "(a|b)*c?",
      "\\w+-\\d{2,}",
      "(?<org>acme|beta)/(?:app|lib)",
      "é+\\s.",
    ];
    const subjects = [
      "dev@acme.dev",
      "a/b@acme.dev",
      "v1.2.3",
      "v1.2.3.4",
      "ababc",
      "abx",
      "x_y-123",
      "x-1",
      "acme/lib",
      "beta/app",
      "éé z",
      "",
    ];
    for (const source of patterns) {
      const compiled = compileIdentityPattern(source);
      expect(compiled.ok, source).toBe(true);
      if (!compiled.ok) continue;
      const reference = new RegExp(`^(?:${source})$`, "u");
      for (const subject of subjects) expect(compiled.value.test(subject), `${source} on ${subject}`).toBe(reference.test(subject));
    }
  });

  it.each([
    ["an invalid expression", "(unclosed", /not a valid regular expression/],
    ["a back-reference", "(a)\\1", /back-references/],
    ["look-ahead", "(?=a)a", /look-around/],
    ["a word boundary", "\\bacme", /word boundaries/],
    ["an enormous repetition", "(a{1000}){1000}", /too large/],
    ["an empty pattern", "", /empty/],
    ["an over-long pattern", "a".repeat(600), /at most 512/],
  ])("refuses %s", (_, pattern, reason) => {
    const compiled = compileIdentityPattern(pattern);
    expect(compiled.ok).toBe(false);
    if (!compiled.ok) expect(compiled.reason).toMatch(reason);
  });

  it("matches in linear time: patterns that take V8's backtracking engine seconds take milliseconds", () => {
    const subject = "a".repeat(MAX_IDENTITY_SUBJECT_LENGTH);
    for (const pattern of ["(a+)+b", "(a|aa)*b", ".*a.*a.*a.*x", "(.*)*x"]) {
      const compiled = compileIdentityPattern(pattern);
      expect(compiled.ok, pattern).toBe(true);
      if (!compiled.ok) continue;
      const started = performance.now();
      expect(compiled.value.test(subject)).toBe(false);
      // A guard against catastrophic backtracking (minutes), not a speed target.
      expect(performance.now() - started, pattern).toBeLessThan(10_000);
    }
  });

  it("never matches a subject over the length limit, exact or pattern", () => {
    const long = `https://github.com/${"a".repeat(MAX_IDENTITY_SUBJECT_LENGTH)}`;
    expect(matchesIdentitySubject({ subject: ".*", subjectIsRegex: true }, long)).toBe(false);
    expect(matchesIdentitySubject({ subject: long, subjectIsRegex: false }, long)).toBe(false);
    expect(matchesIdentitySubject({ subject: ".*", subjectIsRegex: true }, "short")).toBe(true);
  });

  it("compares exact subjects exactly, and an invalid pattern matches nothing", () => {
    expect(matchesIdentitySubject({ subject: workflow, subjectIsRegex: false }, workflow)).toBe(true);
    expect(matchesIdentitySubject({ subject: workflow, subjectIsRegex: false }, workflow.toUpperCase())).toBe(false);
    // As an exact subject, regex metacharacters are literal.
    expect(matchesIdentitySubject({ subject: "a.c", subjectIsRegex: false }, "abc")).toBe(false);
    expect(matchesIdentitySubject({ subject: "(", subjectIsRegex: true }, "(")).toBe(false);
  });
});

describe("trust windows", () => {
  const at = new Date("2026-06-01T00:00:00Z");
  const before = new Date("2026-05-01T00:00:00Z");
  const after = new Date("2026-07-01T00:00:00Z");

  it("revokedAt <= time is revoked; validFrom inclusive, validUntil exclusive", () => {
    expect(windowState({}, at)).toEqual({ state: "ok" });
    expect(windowState({ revokedAt: at }, at).state).toBe("revoked");
    expect(windowState({ revokedAt: after }, at).state).toBe("ok");
    expect(windowState({ validFrom: at }, at).state).toBe("ok");
    expect(windowState({ validFrom: after }, at).state).toBe("expired");
    expect(windowState({ validUntil: at }, at).state).toBe("expired");
    expect(windowState({ validUntil: after, validFrom: before }, at).state).toBe("ok");
  });

  it("a revocation is never masked by another entry for the same signer", () => {
    expect(pickWindow([{ validUntil: before }, {}], at)?.state).toBe("ok");
    expect(pickWindow([{}, { revokedAt: before }], at)?.state).toBe("revoked");
    expect(pickWindow([{ validUntil: before }], at)?.state).toBe("expired");
    expect(pickWindow([], at)).toBeNull();
  });
});

describe("decodeBase64", () => {
  it("decodes strict base64 and refuses anything else", () => {
    expect(decodeBase64("aGVsbG8=")?.toString()).toBe("hello");
    expect(decodeBase64("aGVs\nbG8=")?.toString()).toBe("hello");
    expect(decodeBase64("aGVsbG8")?.toString()).toBe("hello");
    expect(decodeBase64("aGVsbG8*")).toBeNull();
    expect(decodeBase64("aGVsbG9=")).toBeNull(); // stray bits
    expect(decodeBase64("a")).toBeNull();
  });
});
