import { describe, expect, it } from "vitest";
import { isDigest, parseDigest, shortDigest } from "./digest";

const HEX64 = "0b31b1c02ff458ad9b7b81cbdf8f028bd54699fa151f221d1e8de6817db93427";
const HEX128 = `${HEX64}${"ab".repeat(32)}`;

describe("parseDigest", () => {
  it("accepts a lowercase sha256 digest and splits it", () => {
    expect(parseDigest(`sha256:${HEX64}`)).toEqual({ ok: true, digest: `sha256:${HEX64}`, algorithm: "sha256", hex: HEX64 });
  });

  it("accepts a lowercase sha512 digest", () => {
    expect(parseDigest(`sha512:${HEX128}`)).toEqual({ ok: true, digest: `sha512:${HEX128}`, algorithm: "sha512", hex: HEX128 });
  });

  it("rejects uppercase hex instead of lowercasing it", () => {
    const upper = `sha256:${HEX64.toUpperCase()}`;
    const result = parseDigest(upper);
    expect(result).toEqual({ ok: false, reason: "digest hex must be lowercase" });
    // A single uppercase letter is enough.
    expect(parseDigest(`sha256:${HEX64.slice(0, 63)}F`).ok).toBe(false);
  });

  it("rejects an uppercase algorithm name", () => {
    const result = parseDigest(`SHA256:${HEX64}`);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain('unsupported digest algorithm "SHA256"');
  });

  it.each([
    ["one short", `sha256:${HEX64.slice(1)}`, "sha256 digest must have 64 hex characters, got 63"],
    ["one long", `sha256:${HEX64}0`, "sha256 digest must have 64 hex characters, got 65"],
    ["empty", "sha256:", "sha256 digest must have 64 hex characters, got 0"],
    ["a sha256 length under sha512", `sha512:${HEX64}`, "sha512 digest must have 128 hex characters, got 64"],
    ["a sha512 length under sha256", `sha256:${HEX128}`, "sha256 digest must have 64 hex characters, got 128"],
  ])("rejects a wrong length (%s)", (_label, input, reason) => {
    expect(parseDigest(input)).toEqual({ ok: false, reason });
  });

  it.each(["md5", "sha1", "sha384", "blake3", ""])("rejects the algorithm %j", (algorithm) => {
    const result = parseDigest(`${algorithm}:${HEX64}`);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/unsupported digest algorithm .*\(sha256 or sha512\)/);
  });

  it("quotes at most 20 characters of an unknown algorithm", () => {
    const result = parseDigest(`${"x".repeat(500)}:${HEX64}`);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toContain(`"${"x".repeat(20)}"`);
      expect(result.reason).not.toContain("x".repeat(21));
    }
  });

  it.each([
    ["a g", `sha256:${HEX64.slice(0, 63)}g`],
    ["a space", `sha256:${HEX64.slice(0, 63)} `],
    ["a leading space", ` sha256:${HEX64}`],
    ["a colon", `sha256:${HEX64.slice(0, 63)}:`],
    ["a newline", `sha256:${HEX64}\n`],
    ["non-ASCII", `sha256:${HEX64.slice(0, 63)}é`],
  ])("rejects non-hex content (%s)", (_label, input) => {
    expect(parseDigest(input).ok).toBe(false);
  });

  it("reports non-hex before length, so the reason names the real problem", () => {
    expect(parseDigest("sha256:xyz")).toEqual({ ok: false, reason: "digest must be hexadecimal" });
  });

  it("requires the algorithm:hex form", () => {
    const result = parseDigest(HEX64);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain("algorithm:hex");
    expect(parseDigest("").ok).toBe(false);
  });

  it("does not accept the percent-encoded form (decoding is the purl parser's job)", () => {
    expect(parseDigest(`sha256%3A${HEX64}`).ok).toBe(false);
  });
});

describe("isDigest", () => {
  it("agrees with parseDigest", () => {
    expect(isDigest(`sha256:${HEX64}`)).toBe(true);
    expect(isDigest(`sha512:${HEX128}`)).toBe(true);
    expect(isDigest(`sha256:${HEX64.toUpperCase()}`)).toBe(false);
    expect(isDigest(`sha256:${HEX64.slice(2)}`)).toBe(false);
    expect(isDigest("latest")).toBe(false);
  });
});

describe("shortDigest", () => {
  it("keeps the algorithm and the first 12 hex characters", () => {
    expect(shortDigest(`sha256:${HEX64}`)).toBe("sha256:0b31b1c02ff4");
    expect(shortDigest(`sha256:${HEX64}`, 4)).toBe("sha256:0b31");
  });

  it("truncates a string without an algorithm", () => {
    expect(shortDigest("abcdefabcdefabcdef")).toBe("abcdefabcdef");
  });
});
