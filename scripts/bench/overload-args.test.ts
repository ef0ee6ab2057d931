import { describe, expect, it } from "vitest";
import { parseOverloadArgs, UsageError } from "./overload-args";

describe("bench:overload flags", () => {
  it("has defaults: 60 s, 16 clients, batches of 10, 4x, every phase", () => {
    expect(parseOverloadArgs([])).toEqual({
      duration: 60,
      calibrationSeconds: 10,
      clients: 16,
      batch: 10,
      factor: 4,
      phases: ["overload", "postgres-restart", "app-crash"],
      ci: false,
      rebuild: false,
      help: false,
    });
  });

  it("reads the CI form and both spellings of a value", () => {
    const args = parseOverloadArgs(["--duration", "8", "--ci", "--batch=5", "--factor", "2.5", "--phases", "app-crash,overload"]);
    expect(args).toMatchObject({ duration: 8, calibrationSeconds: 4, ci: true, batch: 5, factor: 2.5, phases: ["overload", "app-crash"] });
    expect(parseOverloadArgs(["--duration=30", "--calibration-seconds", "3"]).calibrationSeconds).toBe(3);
  });

  it.each([
    [["--bogus"], /unknown flag --bogus/],
    [["--duration"], /--duration needs a whole number/],
    [["--duration", "abc"], /--duration needs a whole number/],
    [["--duration", "-5"], /--duration needs a whole number/],
    [["--duration", "0"], /--duration must be from 1/],
    [["--duration", "1.5"], /--duration needs a whole number/],
    [["--duration", "--ci"], /--duration needs a whole number/],
    [["--clients", "100000"], /--clients must be from 1 to 256/],
    [["--factor", "0.5"], /--factor must be from 1/],
    [["--factor", "x"], /--factor needs a number/],
    [["--phases", "overload,meteor"], /unknown: meteor/],
    [["--phases"], /--phases needs/],
    [["--ci=yes"], /--ci takes no value/],
    [["8"], /unknown flag 8/],
  ])("refuses %j", (argv, message) => {
    expect(() => parseOverloadArgs(argv)).toThrow(UsageError);
    expect(() => parseOverloadArgs(argv)).toThrow(message);
  });
});
