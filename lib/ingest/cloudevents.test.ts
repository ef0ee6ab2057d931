import { describe, expect, it } from "vitest";
import { fixtureBytes } from "@/tests/helpers/fixtures";
import {
  type CloudEvent,
  type CloudEventItem,
  type CloudEventsRequest,
  cdeventBindingProblems,
  cdeventFromCloudEvent,
  checkPlainJsonValue,
  isCdeventCloudEvent,
  isCloudEventsMediaType,
  parseCloudEventsRequest,
  parseJsonText,
  parseRfc3339,
} from "./cloudevents";

const utf8 = (text: string) => new TextEncoder().encode(text);
const json = (value: unknown) => utf8(JSON.stringify(value));

const BASE = { specversion: "1.0", id: "A234-1234-1234", source: "/staging/tekton/", type: "com.example.someevent" };
const HEADERS = { "ce-specversion": "1.0", "ce-id": "A234-1234-1234", "ce-source": "/staging/tekton/", "ce-type": "com.example.someevent" };

function request(result: CloudEventsRequest): Extract<CloudEventsRequest, { ok: true }> {
  if (!result.ok) throw new Error(`expected a readable request, got ${JSON.stringify(result)}`);
  return result;
}

function good(item: CloudEventItem | undefined): CloudEvent {
  if (!item?.ok) throw new Error(`expected a valid event, got ${JSON.stringify(item)}`);
  return item.event;
}

function bad(item: CloudEventItem | undefined): Extract<CloudEventItem, { ok: false }> {
  if (item === undefined || item.ok) throw new Error(`expected an invalid event, got ${JSON.stringify(item)}`);
  return item;
}

function structured(value: unknown) {
  return parseCloudEventsRequest({ headers: {}, contentType: "application/cloudevents+json; charset=utf-8", body: json(value) });
}

describe("binary mode", () => {
  it("reads attributes from ce-* headers and JSON data from the body", () => {
    const result = request(
      parseCloudEventsRequest({
        headers: {
          ...HEADERS,
          "ce-time": "2018-04-05T03:56:24Z",
          "ce-subject": "Euro%20%E2%82%AC%20%F0%9F%98%80",
          "ce-traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
          "content-type": "application/json",
          host: "vitrine.example",
        },
        contentType: "application/json; charset=utf-8",
        body: json({ hello: "world" }),
      }),
    );
    expect(result.mode).toBe("binary");
    expect(good(result.events[0])).toEqual({
      specversion: "1.0",
      id: "A234-1234-1234",
      source: "/staging/tekton/",
      type: "com.example.someevent",
      subject: "Euro € 😀",
      time: "2018-04-05T03:56:24Z",
      datacontenttype: "application/json; charset=utf-8",
      data: { hello: "world" },
      extensions: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
    });
  });

  it("keeps non-JSON data as base64", () => {
    const result = request(
      parseCloudEventsRequest({ headers: HEADERS, contentType: "application/octet-stream", body: new Uint8Array([0, 1, 254, 255]) }),
    );
    const event = good(result.events[0]);
    expect(event.data).toBeUndefined();
    expect(event.data_base64).toBe("AAH+/w==");
  });

  it("accepts an event without data, and double-quoted header values", () => {
    const result = request(
      parseCloudEventsRequest({ headers: { ...HEADERS, "ce-id": '"A234 \\"quoted\\""' }, contentType: "", body: new Uint8Array() }),
    );
    const event = good(result.events[0]);
    expect(event.id).toBe('A234 "quoted"');
    expect(event.data).toBeUndefined();
    expect(event.data_base64).toBeUndefined();
  });

  it("refuses missing and invalid attributes with the header that is wrong", () => {
    const { "ce-id": _id, "ce-source": _source, ...rest } = HEADERS;
    const missing = bad(request(parseCloudEventsRequest({ headers: rest, contentType: "application/json", body: json({}) })).events[0]);
    expect(missing.errors.map((e) => e.path)).toEqual(["header ce-id", "header ce-source"]);

    const cases: Array<[Record<string, string>, string]> = [
      [{ "ce-time": "yesterday" }, "header ce-time"],
      [{ "ce-type": "" }, "header ce-type"],
      [{ "ce-source": "has space%20inside" }, "header ce-source"],
      [{ "ce-subject": "%C0%A0" }, "header ce-subject"],
      [{ "ce-subject": "100%" }, "header ce-subject"],
      [{ "ce-datacontenttype": "application/json" }, "header ce-datacontenttype"],
      [{ "ce-Bad_Name": "x" }, "header ce-bad_name"],
    ];
    for (const [headers, path] of cases) {
      const item = bad(
        request(parseCloudEventsRequest({ headers: { ...HEADERS, ...headers }, contentType: "application/json", body: json({}) }))
          .events[0],
      );
      expect(item.errors.map((e) => e.path)).toContain(path);
    }
  });

  it("refuses specversion 0.3", () => {
    const item = bad(
      request(
        parseCloudEventsRequest({ headers: { ...HEADERS, "ce-specversion": "0.3" }, contentType: "application/json", body: json({}) }),
      ).events[0],
    );
    expect(item.detail).toMatch(/0\.3.*not supported.*1\.0/);
    expect(item.errors).toEqual([{ path: "header ce-specversion", message: 'must be "1.0"' }]);
  });

  it("refuses JSON data that does not parse", () => {
    const item = bad(
      request(parseCloudEventsRequest({ headers: HEADERS, contentType: "application/json", body: utf8("{nope") })).events[0],
    );
    expect(item.detail).toMatch(/not valid JSON/);
  });

  it("is not a CloudEvent without ce-specversion or a CloudEvents content type", () => {
    const result = parseCloudEventsRequest({
      headers: { "content-type": "application/json" },
      contentType: "application/json",
      body: json({}),
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.detail).toMatch(/Not a CloudEvent/);
  });
});

describe("structured mode", () => {
  it("reads one event in the JSON format", () => {
    const result = request(
      structured({
        ...BASE,
        time: "2018-04-05T17:31:00.123456789+02:00",
        comexampleextension1: "value",
        count: 7,
        flag: true,
        data: [1, 2],
      }),
    );
    expect(result.mode).toBe("structured");
    expect(good(result.events[0])).toEqual({
      ...BASE,
      time: "2018-04-05T17:31:00.123456789+02:00",
      data: [1, 2],
      extensions: { comexampleextension1: "value", count: 7, flag: true },
    });
  });

  it("accepts data_base64 and refuses it beside data", () => {
    expect(good(request(structured({ ...BASE, data_base64: "AAH+/w==" })).events[0]).data_base64).toBe("AAH+/w==");
    expect(bad(request(structured({ ...BASE, data: 1, data_base64: "AA==" })).events[0]).errors[0]?.path).toBe("$.data_base64");
    expect(bad(request(structured({ ...BASE, data_base64: "not base64!" })).events[0]).errors[0]?.path).toBe("$.data_base64");
  });

  it("refuses missing and invalid attributes with their paths", () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ id: undefined }, "$.id"],
      [{ id: "" }, "$.id"],
      [{ id: 42 }, "$.id"],
      [{ source: "" }, "$.source"],
      [{ type: undefined }, "$.type"],
      [{ specversion: undefined }, "$.specversion"],
      [{ time: "2018-02-30T00:00:00Z" }, "$.time"],
      [{ time: "2018-04-05T17:31:00" }, "$.time"],
      [{ subject: "" }, "$.subject"],
      [{ subject: "line\nbreak" }, "$.subject"],
      [{ datacontenttype: "json" }, "$.datacontenttype"],
      [{ dataschema: "relative/schema" }, "$.dataschema"],
      [{ myExtension: "x" }, "$.myExtension"],
      [{ nested: { a: 1 } }, "$.nested"],
      [{ fraction: 1.5 }, "$.fraction"],
    ];
    for (const [overrides, path] of cases) {
      const item = bad(request(structured({ ...BASE, ...overrides })).events[0]);
      expect(item.errors.map((e) => e.path)).toContain(path);
    }
  });

  it("refuses specversion 0.3 and non-objects", () => {
    expect(bad(request(structured({ ...BASE, specversion: "0.3" })).events[0]).errors).toEqual([
      { path: "$.specversion", message: 'must be "1.0"' },
    ]);
    expect(bad(request(structured([BASE])).events[0]).errors[0]?.path).toBe("$");
  });

  it("refuses a body that is not JSON, and other event formats, as a whole", () => {
    expect(parseCloudEventsRequest({ headers: {}, contentType: "application/cloudevents+json", body: utf8("{") }).ok).toBe(false);
    expect(
      parseCloudEventsRequest({ headers: {}, contentType: "application/cloudevents+json", body: new Uint8Array([0xff, 0xfe]) }).ok,
    ).toBe(false);
    const avro = parseCloudEventsRequest({ headers: HEADERS, contentType: "application/cloudevents+avro", body: new Uint8Array([1]) });
    expect(avro.ok).toBe(false);
    if (!avro.ok) expect(avro.detail).toMatch(/not supported/);
  });

  it("refuses a 10,000-deep document quickly", () => {
    const started = performance.now();
    const result = parseCloudEventsRequest({
      headers: {},
      contentType: "application/cloudevents+json",
      body: utf8(`{"specversion":"1.0","data":${"[".repeat(10_000)}${"]".repeat(10_000)}}`),
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.detail).toMatch(/deeper than 64/);
    // A guard against exponential blow-up (seconds to hours), not a speed target: that is the benchmarks'.
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});

describe("batch mode", () => {
  it("answers one result per item", () => {
    const result = request(
      parseCloudEventsRequest({
        headers: {},
        contentType: "application/cloudevents-batch+json",
        body: json([
          { ...BASE, data: { n: 1 } },
          { ...BASE, id: "" },
          { ...BASE, id: "two", specversion: "0.3" },
          { ...BASE, id: "three", type: "com.example.other" },
        ]),
      }),
    );
    expect(result.mode).toBe("batch");
    expect(result.events.map((e) => [e.index, e.ok])).toEqual([
      [0, true],
      [1, false],
      [2, false],
      [3, true],
    ]);
    expect(bad(result.events[1]).errors[0]?.path).toBe("$[1].id");
    expect(bad(result.events[2]).errors[0]?.path).toBe("$[2].specversion");
  });

  it("accepts an empty batch and refuses a non-array or oversized one", () => {
    expect(
      request(parseCloudEventsRequest({ headers: {}, contentType: "application/cloudevents-batch+json", body: json([]) })).events,
    ).toEqual([]);
    expect(parseCloudEventsRequest({ headers: {}, contentType: "application/cloudevents-batch+json", body: json(BASE) }).ok).toBe(false);
    const big = parseCloudEventsRequest({
      headers: {},
      contentType: "application/cloudevents-batch+json",
      body: json(Array.from({ length: 1001 }, (_, i) => ({ ...BASE, id: String(i) }))),
    });
    expect(big.ok).toBe(false);
  });
});

describe("CDEvents over CloudEvents", () => {
  const cdevent = JSON.parse(fixtureBytes("cdevents", "conformance", "artifact_published.json").toString("utf8")) as {
    context: { id: string; source: string; type: string; timestamp: string };
    subject: { id: string };
  };
  const ceHeaders = {
    "ce-specversion": "1.0",
    "ce-id": cdevent.context.id,
    "ce-source": cdevent.context.source,
    "ce-type": cdevent.context.type,
    "ce-subject": encodeURIComponent(cdevent.subject.id),
    "ce-time": cdevent.context.timestamp,
  };

  it("hands back the whole CDEvent from binary mode (application/cdevents+json)", () => {
    const result = request(
      parseCloudEventsRequest({ headers: ceHeaders, contentType: "application/cdevents+json; charset=utf-8", body: json(cdevent) }),
    );
    const ce = good(result.events[0]);
    expect(isCdeventCloudEvent(ce)).toBe(true);
    expect(ce.subject).toBe(cdevent.subject.id);
    expect(cdeventFromCloudEvent(ce)).toEqual(cdevent);
    expect(cdeventBindingProblems(ce, cdeventFromCloudEvent(ce))).toEqual([]);
  });

  it("hands back the CDEvent from structured mode, decoding base64 JSON data", () => {
    const attributes = { specversion: "1.0", id: cdevent.context.id, source: cdevent.context.source, type: cdevent.context.type };
    const plain = good(request(structured({ ...attributes, datacontenttype: "application/json", data: cdevent })).events[0]);
    expect(cdeventFromCloudEvent(plain)).toEqual(cdevent);
    const encoded = good(
      request(
        structured({
          ...attributes,
          datacontenttype: "application/json",
          data_base64: Buffer.from(JSON.stringify(cdevent)).toString("base64"),
        }),
      ).events[0],
    );
    expect(cdeventFromCloudEvent(encoded)).toEqual(cdevent);
  });

  it("reports a CloudEvent whose attributes disagree with the CDEvent context", () => {
    const ce = good(request(structured({ ...BASE, data: cdevent })).events[0]);
    expect(isCdeventCloudEvent(ce)).toBe(false);
    expect(cdeventBindingProblems(ce, cdeventFromCloudEvent(ce)).map((p) => p.path)).toEqual([
      "$.data.context.id",
      "$.data.context.source",
      "$.data.context.type",
    ]);
    expect(cdeventBindingProblems(ce, "text")).toEqual([{ path: "$.data", message: expect.stringMatching(/whole CDEvent/) }]);
    const empty = good(request(structured({ ...BASE })).events[0]);
    expect(cdeventFromCloudEvent(empty)).toBeUndefined();
  });
});

describe("shared helpers", () => {
  it("parses RFC 3339 timestamps strictly", () => {
    expect(parseRfc3339("2016-03-09T14:44:26.402973972-08:00")).toEqual(new Date("2016-03-09T22:44:26.402Z"));
    expect(parseRfc3339("2024-02-29t00:00:00z")).toEqual(new Date("2024-02-29T00:00:00Z"));
    // Evidence times are stored as timestamptz: years before 1970 or after 9999 are refused.
    expect(parseRfc3339("0001-01-01T00:00:00Z")).toBeNull();
    expect(parseRfc3339("1970-01-01T00:00:00Z")?.getUTCFullYear()).toBe(1970);
    expect(parseRfc3339("2023-02-29T00:00:00Z")).toBeNull();
    expect(parseRfc3339("2023-01-01T24:00:00Z")).toBeNull();
    expect(parseRfc3339("2023-01-01 00:00:00Z")).toBeNull();
    expect(parseRfc3339("2023-01-01T00:00:00")).toBeNull();
    expect(parseRfc3339(1700000000)).toBeNull();
  });

  it("refuses deep or non-JSON values without recursion", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(checkPlainJsonValue(deep)).toMatch(/deeper than 64/);
    expect(checkPlainJsonValue({ a: [1, "x", null, true] })).toBeNull();
    expect(checkPlainJsonValue({ a: Number.POSITIVE_INFINITY })).toMatch(/finite/);
    expect(checkPlainJsonValue({ a: new Uint8Array(1) })).toMatch(/plain objects/);
    expect(parseJsonText("").ok).toBe(false);
  });

  it("knows the structured and batch media types", () => {
    expect(isCloudEventsMediaType("application/cloudevents+json; charset=UTF-8")).toBe(true);
    expect(isCloudEventsMediaType("application/cloudevents-batch+json")).toBe(true);
    expect(isCloudEventsMediaType("application/json")).toBe(false);
  });
});
