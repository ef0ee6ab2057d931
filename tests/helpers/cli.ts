// `npx vitrine ...` as scripts run it: a real process against the test database, with its exit code, stdout and stderr.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { databaseUrl } from "./db";

export type CliRun = { code: number | null; stdout: string; stderr: string };

export function runVitrine(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(process.cwd(), "bin", "vitrine.mjs"), ...args], {
      cwd: process.cwd(),
      env: { ...process.env, DATABASE_URL: databaseUrl(), NODE_ENV: "test", ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString("utf8");
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? "");
  });
}
