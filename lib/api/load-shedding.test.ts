import { describe, expect, it } from "vitest";
import { AppError, problemResponse } from "./errors";
import { admitIngestRequest, ingestInFlight, ingestInFlightLimit, SHED_RETRY_AFTER_SECONDS } from "./load-shedding";

describe("ingestion load shedding", () => {
  it("admits up to the limit, then refuses 503 with Retry-After until one finishes", () => {
    const before = ingestInFlight();
    const limit = before + 3;
    const releases = [admitIngestRequest(limit), admitIngestRequest(limit), admitIngestRequest(limit)];
    expect(ingestInFlight()).toBe(before + 3);
    let refused: unknown;
    try {
      admitIngestRequest(limit);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(AppError);
    const app = refused as AppError;
    expect(app.status).toBe(503);
    expect(app.extra.shed).toBe(true);
    expect(problemResponse(app).headers.get("retry-after")).toBe(String(SHED_RETRY_AFTER_SECONDS));
    // A refused request takes no slot.
    expect(ingestInFlight()).toBe(before + 3);
    releases[0]!();
    releases[0]!(); // releasing twice frees one slot only
    expect(ingestInFlight()).toBe(before + 2);
    const again = admitIngestRequest(limit);
    expect(ingestInFlight()).toBe(before + 3);
    for (const r of [again, releases[1]!, releases[2]!]) r();
    expect(ingestInFlight()).toBe(before);
  });

  it("allows twice the pool, and at least 16", () => {
    expect(ingestInFlightLimit(1)).toBe(16);
    expect(ingestInFlightLimit(4)).toBe(16);
    expect(ingestInFlightLimit(10)).toBe(20);
    expect(ingestInFlightLimit(40)).toBe(80);
  });
});
