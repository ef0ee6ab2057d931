import { describe, expect, it } from "vitest";
import { decodeTimeCursor, encodeTimeCursor } from "./time-cursor";

const ID = "01890a5d-ac96-774b-bcce-b302099a8057";

describe("time cursors", () => {
  it("round-trip a time and an id", () => {
    const at = new Date("2026-03-01T10:20:30.456Z");
    expect(decodeTimeCursor(encodeTimeCursor(at, ID))).toEqual({ at, id: ID });
  });

  it("refuse what they did not write", () => {
    for (const bad of [
      "",
      "not a cursor!",
      Buffer.from("2026-03-01T10:20:30.456Z").toString("base64url"),
      Buffer.from(`yesterday|${ID}`).toString("base64url"),
      Buffer.from("2026-03-01T10:20:30.456Z|not-a-uuid").toString("base64url"),
      Buffer.from(`2026-03-01T10:20:30.456Z|${ID}|x`).toString("base64url"),
      Buffer.from(`2026-13-45T10:20:30.456Z|${ID}`).toString("base64url"),
      "a".repeat(500),
    ]) {
      expect(decodeTimeCursor(bad), bad).toBeNull();
    }
  });
});
