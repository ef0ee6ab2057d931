import { describe, expect, it } from "vitest";
import { arrayItemBytes, arrayItemSpans, objectValueSpan } from "./json-spans";

const text = (b: Uint8Array) => Buffer.from(b).toString("utf8");

describe("json spans", () => {
  it("finds each array item exactly as written, whitespace, escapes and number forms included", () => {
    const body = ' [ {"n":9007199254740993,"f":1.50,"k":1,"k":2} ,\n  "a\\"],[{" , [1, [2, {"x":"]"}]], true, null , -0.0e+1 ]';
    const items = arrayItemBytes(Buffer.from(body))!.map(text);
    expect(items).toEqual(['{"n":9007199254740993,"f":1.50,"k":1,"k":2}', '"a\\"],[{"', '[1, [2, {"x":"]"}]]', "true", "null", "-0.0e+1"]);
    for (const item of items) expect(() => JSON.parse(item)).not.toThrow();
  });

  it("keeps multi-byte characters intact", () => {
    const items = arrayItemBytes(Buffer.from('[{"name":"café ☕ 𝄞"},{"k":"\\u00e9"}]'))!.map(text);
    expect(items).toEqual(['{"name":"café ☕ 𝄞"}', '{"k":"\\u00e9"}']);
  });

  it("handles empty arrays and non-arrays", () => {
    expect(arrayItemSpans("[]")).toEqual([]);
    expect(arrayItemSpans("  [ ]  ")).toEqual([]);
    expect(arrayItemSpans('{"a":1}')).toBeNull();
  });

  it("finds the array under a top-level key, the last one when repeated", () => {
    const body = '{"events":[1], "x": {"events":[9]}, "events" : [ {"id":"a"}, {"id":"b"} ] }';
    expect(arrayItemBytes(Buffer.from(body), { key: "events" })!.map(text)).toEqual(['{"id":"a"}', '{"id":"b"}']);
    expect(objectValueSpan('{"a":"}"}', "b")).toBeNull();
    expect(arrayItemBytes(Buffer.from('{"other":[]}'), { key: "events" })).toBeNull();
  });
});
