import { describe, expect, it } from "vitest";
import { pageWindow, parseInstant, resolveWindow, trendDays } from "./compliance-window";

const NOW = new Date("2026-11-26T10:30:00.000Z");
const iso = (d: Date) => d.toISOString();

describe("parseInstant", () => {
  it("reads ISO dates (midnight UTC) and date-times with an offset", () => {
    expect(parseInstant("2026-07-01")?.toISOString()).toBe("2026-07-01T00:00:00.000Z");
    expect(parseInstant("2026-07-01T12:00:00Z")?.toISOString()).toBe("2026-07-01T12:00:00.000Z");
    expect(parseInstant("2026-07-01T12:00:00.5+02:00")?.toISOString()).toBe("2026-07-01T10:00:00.500Z");
  });

  it("refuses anything else, and dates that do not exist", () => {
    for (const bad of [
      "",
      "yesterday",
      "2026-7-1",
      "2026-07-01T12:00:00",
      "2026-02-31",
      "2026-02-31T10:00:00Z",
      "2026-13-01",
      "1700000000",
    ])
      expect(parseInstant(bad), bad).toBeNull();
  });
});

describe("resolveWindow", () => {
  it("defaults to the 30 days before now", () => {
    expect(resolveWindow({}, NOW)).toEqual({ ok: true, from: new Date("2026-10-27T10:30:00.000Z"), to: NOW });
    const to = new Date("2026-07-01T00:00:00Z");
    expect(resolveWindow({ to }, NOW)).toEqual({ ok: true, from: new Date("2026-06-01T00:00:00Z"), to });
  });

  it("names the field at fault: from must be before to, at most 400 days", () => {
    const from = new Date("2026-07-01T00:00:00Z");
    expect(resolveWindow({ from, to: from }, NOW)).toMatchObject({ ok: false, field: "from" });
    expect(resolveWindow({ to: new Date("2026-07-01T00:00:00Z"), from: new Date("2026-08-01T00:00:00Z") }, NOW)).toMatchObject({
      ok: false,
      field: "from",
    });
    expect(resolveWindow({ from: new Date("2025-01-01T00:00:00Z"), to: new Date("2026-02-05T00:00:01Z") }, NOW)).toMatchObject({
      ok: false,
      field: "from",
      message: "the window may be at most 400 days",
    });
    // Exactly 400 days is allowed.
    expect(resolveWindow({ from: new Date("2025-01-01T00:00:00Z"), to: new Date("2026-02-05T00:00:00Z") }, NOW).ok).toBe(true);
    // Only `to` given, in the past of the default start: the window would be inverted.
    expect(resolveWindow({ from: new Date("2027-01-01T00:00:00Z") }, NOW)).toMatchObject({ ok: false, field: "from" });
  });
});

describe("pageWindow", () => {
  it("presets end now and start at midnight UTC of the first day they cover", () => {
    const w7 = pageWindow({ window: "7d" }, NOW);
    expect([w7.preset, iso(w7.from), iso(w7.to), w7.error]).toEqual(["7d", "2026-11-20T00:00:00.000Z", iso(NOW), null]);
    expect(iso(pageWindow({}, NOW).from)).toBe("2026-10-28T00:00:00.000Z");
    expect(iso(pageWindow({ window: "90d" }, NOW).from)).toBe("2026-08-29T00:00:00.000Z");
    expect(iso(pageWindow({ window: "qtd" }, NOW).from)).toBe("2026-10-01T00:00:00.000Z");
    expect(iso(pageWindow({ window: "qtd" }, new Date("2026-03-31T23:00:00Z")).from)).toBe("2026-01-01T00:00:00.000Z");
  });

  it("custom dates are inclusive at both ends; bad ones fall back to 30 days with a reason", () => {
    const q3 = pageWindow({ window: "custom", from: "2026-07-01", to: "2026-09-30" }, NOW);
    expect([q3.preset, iso(q3.from), iso(q3.to), q3.error]).toEqual([
      "custom",
      "2026-07-01T00:00:00.000Z",
      "2026-10-01T00:00:00.000Z",
      null,
    ]);
    expect(pageWindow({ from: "2026-07-01", to: "2026-07-01" }, NOW).preset).toBe("custom");
    for (const bad of [
      { from: "2026-07-02", to: "2026-07-01" },
      { from: "2024-01-01", to: "2026-01-01" },
      { from: "nope", to: "2026-01-01" },
      { from: "2026-01-01" },
    ]) {
      const w = pageWindow({ window: "custom", ...bad }, NOW);
      expect(w.preset, JSON.stringify(bad)).toBe("30d");
      expect(w.error, JSON.stringify(bad)).toMatch(/./);
    }
    expect(pageWindow({ window: "bogus" }, NOW).preset).toBe("30d");
  });
});

describe("trendDays", () => {
  it("every UTC day the window touches, never after today", () => {
    expect(trendDays({ from: new Date("2026-11-20T00:00:00Z"), to: NOW }, NOW)).toEqual([
      "2026-11-20",
      "2026-11-21",
      "2026-11-22",
      "2026-11-23",
      "2026-11-24",
      "2026-11-25",
      "2026-11-26",
    ]);
    expect(trendDays({ from: new Date("2026-07-01T12:00:00Z"), to: new Date("2026-07-03T00:00:00Z") }, NOW)).toEqual([
      "2026-07-01",
      "2026-07-02",
    ]);
    expect(trendDays({ from: new Date("2026-12-01T00:00:00Z"), to: new Date("2026-12-08T00:00:00Z") }, NOW)).toEqual([]);
  });
});
