import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical-json";

describe("canonicalJson", () => {
  it("sorts keys and writes no whitespace", () => {
    expect(canonicalJson({ b: 1, a: "x", c: [true, null] })).toBe('{"a":"x","b":1,"c":[true,null]}');
  });

  it("gives the same text whatever the insertion order", () => {
    const one = { z: { y: 1, x: 2 }, a: [{ d: 1, c: 2 }] };
    const two = { a: [{ c: 2, d: 1 }], z: { x: 2, y: 1 } };
    expect(canonicalJson(one)).toBe(canonicalJson(two));
    expect(canonicalJson(one)).toBe('{"a":[{"c":2,"d":1}],"z":{"x":2,"y":1}}');
  });

  it("sorts nested objects at every depth but keeps array order", () => {
    expect(canonicalJson({ o: { n: { b: 2, a: 1 } }, l: [3, 1, 2] })).toBe('{"l":[3,1,2],"o":{"n":{"a":1,"b":2}}}');
  });

  it("sorts keys by UTF-16 code units, not by locale", () => {
    // "Z" (0x5a) < "a" (0x61) < "é" (0xe9); a locale sort would put "é" near "e".
    expect(canonicalJson({ é: 1, a: 2, Z: 3, f: 4 })).toBe('{"Z":3,"a":2,"f":4,"é":1}');
  });

  it("escapes strings as JSON does", () => {
    expect(canonicalJson({ s: 'quote " backslash \\ newline \n' })).toBe('{"s":"quote \\" backslash \\\\ newline \\n"}');
  });

  it("prints numbers as ECMAScript does", () => {
    expect(canonicalJson([1, 1.5, -0, 1e21, 0.1])).toBe("[1,1.5,0,1e+21,0.1]");
  });

  it.each([NaN, Infinity, -Infinity])("refuses the non-finite number %s", (n) => {
    expect(() => canonicalJson({ n })).toThrow(/non-finite/);
  });

  it("drops undefined object members, and writes undefined array items as null", () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(canonicalJson([undefined, 1])).toBe("[null,1]");
  });

  it("distinguishes a missing member from a null one", () => {
    expect(canonicalJson({ a: null })).not.toBe(canonicalJson({}));
  });

  it("writes dates as ISO strings and bigints as strings", () => {
    expect(canonicalJson({ at: new Date("2026-11-25T10:00:00.123Z"), n: 12345678901234567890n })).toBe(
      '{"at":"2026-11-25T10:00:00.123Z","n":"12345678901234567890"}',
    );
  });

  it.each([
    ["a function", () => 1],
    ["a symbol", Symbol("s")],
    ["undefined at the top", undefined],
  ])("refuses %s", (_label, value) => {
    expect(() => canonicalJson(value)).toThrow(TypeError);
  });

  it("refuses a function nested in an object rather than dropping it silently", () => {
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/cannot encode function/);
  });
});
