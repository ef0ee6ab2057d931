import { describe, expect, it } from "vitest";
import { nextReportRun, reportPeriod } from "./report-schedule";

const at = (iso: string) => new Date(iso);

describe("scheduled report runs", () => {
  it("runs weekly reports on the next Monday at 06:00 UTC, never at the same instant again", () => {
    // 2026-11-26 is a Thursday.
    expect(nextReportRun("weekly", at("2026-11-26T10:00:00Z")).toISOString()).toBe("2026-11-30T06:00:00.000Z");
    expect(nextReportRun("weekly", at("2026-11-30T05:59:59Z")).toISOString()).toBe("2026-11-30T06:00:00.000Z");
    expect(nextReportRun("weekly", at("2026-11-30T06:00:00Z")).toISOString()).toBe("2026-12-07T06:00:00.000Z");
  });

  it("runs monthly reports on the 1st at 06:00 UTC, across the year's end", () => {
    expect(nextReportRun("monthly", at("2026-11-26T10:00:00Z")).toISOString()).toBe("2026-12-01T06:00:00.000Z");
    expect(nextReportRun("monthly", at("2026-12-01T06:00:00Z")).toISOString()).toBe("2027-01-01T06:00:00.000Z");
    expect(nextReportRun("monthly", at("2026-12-01T05:00:00Z")).toISOString()).toBe("2026-12-01T06:00:00.000Z");
  });

  it("covers the seven days, or the calendar month, before the run", () => {
    expect(reportPeriod("weekly", at("2026-11-30T06:00:00Z"))).toEqual({
      from: at("2026-11-23T00:00:00Z"),
      to: at("2026-11-30T00:00:00Z"),
    });
    expect(reportPeriod("monthly", at("2027-01-01T06:00:00Z"))).toEqual({
      from: at("2026-12-01T00:00:00Z"),
      to: at("2027-01-01T00:00:00Z"),
    });
    expect(reportPeriod("monthly", at("2026-03-01T06:00:00Z"))).toEqual({
      from: at("2026-02-01T00:00:00Z"),
      to: at("2026-03-01T00:00:00Z"),
    });
  });
});
