import { describe, expect, it } from "vitest";
import { childPath, decodeBase64, parseDsseEnvelope, parseInTotoStatement, statementFromDsse } from "./dsse";

const HEX64 = "a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf";
const b64 = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64");

function statement(overrides: Record<string, unknown> = {}) {
  return {
    _type: "https://in-toto.io/Statement/v1",
    subject: [{ name: "a.txt", digest: { sha256: HEX64 } }],
    predicateType: "https://example.com/predicate/v1",
    predicate: {},
    ...overrides,
  };
}

describe("decodeBase64", () => {
  it("decodes standard and URL-safe base64, padded or not", () => {
    expect(decodeBase64("aGVsbG8=")?.toString()).toBe("hello");
    expect(decodeBase64("aGVsbG8")?.toString()).toBe("hello");
    expect(decodeBase64("-_8")?.toString("hex")).toBe("fbff");
    expect(decodeBase64("")?.length).toBe(0);
  });

  it("refuses truncated, non-canonical and foreign input", () => {
    expect(decodeBase64("aGVsbG=")).toBeNull(); // padded, but not to a multiple of four
    expect(decodeBase64("aGVsbG")).toBeNull(); // trailing bits set: a truncated string
    expect(decodeBase64("aGVsb")).toBeNull(); // length 4n+1 is never base64
    expect(decodeBase64("aGVs bG8=")).toBeNull();
    expect(decodeBase64("aGVsbG8=!")).toBeNull();
    expect(decodeBase64("a+b_")).toBeNull(); // mixed alphabets
  });
});

describe("childPath", () => {
  it("uses dots for plain keys and brackets otherwise", () => {
    expect(childPath("$", "critical")).toBe("$.critical");
    expect(childPath("$.a", "docker-manifest-digest")).toBe("$.a.docker-manifest-digest");
    expect(childPath("$", "io.cncf.notary.signingScheme")).toBe('$["io.cncf.notary.signingScheme"]');
    expect(childPath("$.subject", 2)).toBe("$.subject[2]");
  });
});

describe("parseInTotoStatement", () => {
  it("accepts v1 and v0.1 statements and lists each sha256/sha512 subject digest", () => {
    const sha512 = "ab".repeat(64);
    const parsed = parseInTotoStatement(
      statement({ subject: [{ name: "a.txt", digest: { sha256: HEX64, sha512, sha1: "x" } }, { digest: { sha512 } }] }),
      "$.statement",
    );
    expect(parsed.ok && parsed.value.subjects).toEqual([
      { name: "a.txt", digest: `sha256:${HEX64}` },
      { name: "a.txt", digest: `sha512:${sha512}` },
      { name: null, digest: `sha512:${sha512}` },
    ]);
    const v01 = parseInTotoStatement(statement({ _type: "https://in-toto.io/Statement/v0.1" }), "$.statement");
    expect(v01.ok && v01.value.statementType).toBe("https://in-toto.io/Statement/v0.1");
  });

  it.each([
    ["an unknown _type", { _type: "https://in-toto.io/Statement/v2" }, "$.statement._type"],
    ["a missing _type", { _type: undefined }, "$.statement._type"],
    ["a missing predicateType", { predicateType: undefined }, "$.statement.predicateType"],
    ["an empty predicateType", { predicateType: "" }, "$.statement.predicateType"],
    ["no subjects", { subject: [] }, "$.statement.subject"],
    ["a subject without digest", { subject: [{ name: "a" }] }, "$.statement.subject[0].digest"],
    ["a sha1-only subject", { subject: [{ digest: { sha1: "a".repeat(40) } }] }, "$.statement.subject[0].digest"],
    ["an uppercase subject digest", { subject: [{ digest: { sha256: HEX64.toUpperCase() } }] }, "$.statement.subject[0].digest.sha256"],
    ["a short subject digest", { subject: [{ digest: { sha256: HEX64.slice(1) } }] }, "$.statement.subject[0].digest.sha256"],
  ])("rejects %s", (_label, overrides, path) => {
    const parsed = parseInTotoStatement(statement(overrides), "$.statement");
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors.map((e) => e.path)).toContain(path);
  });

  it("rejects what is not an object", () => {
    expect(parseInTotoStatement("{}", "$.statement")).toEqual({
      ok: false,
      errors: [{ path: "$.statement", message: "must be an in-toto Statement object" }],
    });
  });
});

describe("DSSE envelopes", () => {
  const envelope = { payloadType: "application/vnd.in-toto+json", payload: b64(statement()), signatures: [{ sig: b64("sig"), keyid: "" }] };

  it("decodes the payload and reads the statement", () => {
    const parsed = parseDsseEnvelope(envelope, "$.envelope");
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.signatures).toEqual([{ keyid: null }]);
    const st = statementFromDsse(parsed.value, "$.envelope");
    expect(st.ok && st.value.predicateType).toBe("https://example.com/predicate/v1");
  });

  it.each([
    ["missing signatures", { ...envelope, signatures: undefined }, "$.envelope.signatures"],
    ["an empty signature list", { ...envelope, signatures: [] }, "$.envelope.signatures"],
    ["an empty sig", { ...envelope, signatures: [{ sig: "" }] }, "$.envelope.signatures[0].sig"],
    ["a truncated payload", { ...envelope, payload: envelope.payload.slice(0, 9) }, "$.envelope.payload"],
    ["a missing payloadType", { ...envelope, payloadType: undefined }, "$.envelope.payloadType"],
  ])("rejects %s", (_label, value, path) => {
    const parsed = parseDsseEnvelope(value, "$.envelope");
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors.map((e) => e.path)).toContain(path);
  });

  it("rejects a payload that is not in-toto JSON, naming the decoded payload", () => {
    const notJson = parseDsseEnvelope({ ...envelope, payload: b64("not json {") }, "$.envelope");
    expect(notJson.ok).toBe(true);
    if (!notJson.ok) return;
    const st = statementFromDsse(notJson.value, "$.envelope");
    expect(st.ok).toBe(false);
    if (!st.ok) expect(st.errors[0]?.path).toBe("$.envelope.payload(decoded)");

    const other = parseDsseEnvelope({ ...envelope, payloadType: "text/plain" }, "$.envelope");
    if (!other.ok) throw new Error("envelope should parse");
    const wrongType = statementFromDsse(other.value, "$.envelope");
    expect(!wrongType.ok && wrongType.errors[0]?.path).toBe("$.envelope.payloadType");
  });
});
