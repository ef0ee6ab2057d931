#!/usr/bin/env node
// Entry point for `npx vitrine`: runs scripts/cli.ts with tsx, from the package root.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const result = spawnSync(
  process.execPath,
  ["--conditions=react-server", "--import", "tsx", join(root, "scripts", "cli.ts"), ...process.argv.slice(2)],
  { stdio: "inherit", cwd: process.cwd(), env: { ...process.env, TSX_TSCONFIG_PATH: join(root, "tsconfig.json") } },
);
process.exit(result.status ?? 1);
