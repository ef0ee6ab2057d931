// The shared, unedited sample documents (../shared/fixtures, or VITRINE_SHARED_DIR/fixtures).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export function fixturesDir(): string {
  const candidates = [
    process.env.VITRINE_SHARED_DIR ? join(process.env.VITRINE_SHARED_DIR, "fixtures") : null,
    join(process.cwd(), "..", "shared", "fixtures"),
  ];
  const dir = candidates.find((c): c is string => c !== null && existsSync(c));
  if (!dir) throw new Error("fixtures not found: set VITRINE_SHARED_DIR to the shared folder");
  return dir;
}

export function fixtureBytes(...parts: string[]): Buffer {
  return readFileSync(join(fixturesDir(), ...parts));
}

export function fixtureNames(...parts: string[]): string[] {
  return readdirSync(join(fixturesDir(), ...parts)).sort();
}
