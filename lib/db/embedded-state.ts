// Where the embedded database lives and how a second process finds the one already running.
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

export type EmbeddedState = { url: string; pid: number; startedAt: string };

export function dataDir(base: string): string {
  return resolve(base);
}

export function pgDataDir(base: string): string {
  return join(dataDir(base), "pgdata");
}

function statePath(base: string): string {
  return join(dataDir(base), "server.json");
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The running embedded server's URL, if a live Vitrine process owns it. */
export function readEmbeddedState(base: string): EmbeddedState | null {
  const path = statePath(base);
  if (!existsSync(path)) return null;
  try {
    const state = JSON.parse(readFileSync(path, "utf8")) as EmbeddedState;
    if (typeof state.url === "string" && typeof state.pid === "number" && isAlive(state.pid)) return state;
  } catch {
    // A torn or foreign file: treat as absent.
  }
  return null;
}

export function writeEmbeddedState(base: string, state: EmbeddedState): void {
  writeFileSync(statePath(base), JSON.stringify(state), { mode: 0o600 });
}

export function clearEmbeddedState(base: string): void {
  rmSync(statePath(base), { force: true });
}
