// `npm run bench`: runs every `bench:*` script of package.json one after the other, reads the JSON
// line each prints last ({"bench": ..., figures}), and writes docs/benchmarks.md: the machine, a
// summary (what each measures, ok or failed, wall time), then a table of figures per benchmark. A
// benchmark that fails is listed with its exit code, and the command exits non-zero. `--only a,b`
// runs a subset (names without the `bench:` prefix), e.g. `--only overload`.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";

type Result = { name: string; code: number; seconds: number; figures: Record<string, unknown> | null; tail: string };

// What each benchmark measures, for the summary table (a bench:* script not listed here still runs).
const MEASURES: Record<string, string> = {
  "bench:ingest": "events/s and latency of ingestion over HTTP",
  "bench:verify": "signature verifications/s per format",
  "bench:admission": "AdmissionReview decision latency",
  "bench:alerts": "ingest to alert and to webhook",
  "bench:lineage": "lineage, blast radius and list latency at 100k artefacts",
  "bench:report": "signed CSV export of 100k deployments",
  "bench:overload":
    "4x the sustainable ingest rate, alone, across a Postgres restart and an app SIGKILL: every acked event stored once, 503 + Retry-After, ledger valid (own Postgres cluster, no DATABASE_URL needed)",
};

// Extra arguments: bench:overload exits non-zero only with --ci when an invariant breaks (an acked
// event lost or stored twice, a 5xx other than 503, ...), so here that shows as a failure.
const ARGS: Record<string, string[]> = { "bench:overload": ["--", "--ci"] };

function parseArgs(argv: string[]): { only: string[] | null } {
  let only: string[] | null = null;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--only") {
      const value = argv[++i];
      if (!value || !/^[a-z,-]+$/.test(value)) {
        console.error("--only needs a comma-separated list of benchmark names, e.g. --only ingest,verify");
        process.exit(2);
      }
      only = value.split(",");
    } else {
      console.error(`unknown flag ${argv[i]} (known: --only a,b)`);
      process.exit(2);
    }
  }
  return { only };
}

function run(script: string): Promise<Result> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "--silent", script, ...(ARGS[script] ?? [])], {
      stdio: ["ignore", "pipe", "inherit"],
      env: process.env,
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      process.stdout.write(chunk);
      out += chunk.toString();
      if (out.length > 2_000_000) out = out.slice(-1_000_000);
    });
    child.on("exit", (code) => {
      const lines = out.trim().split("\n");
      let figures: Record<string, unknown> | null = null;
      for (const line of lines.reverse()) {
        if (!line.startsWith("{")) continue;
        try {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          if (typeof parsed.bench === "string") {
            figures = parsed;
            break;
          }
        } catch {
          // not the figures line
        }
      }
      resolve({ name: script, code: code ?? 1, seconds: (Date.now() - started) / 1000, figures, tail: out.slice(-2000) });
    });
  });
}

/** Flattens nested figures: { results: [{ format: "x", perSecond: 1 }] } -> "results[x].perSecond". */
function flatten(value: unknown, prefix = "", out: Array<[string, string]> = []): Array<[string, string]> {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      const label =
        item && typeof item === "object"
          ? String((item as Record<string, unknown>).format ?? (item as Record<string, unknown>).name ?? i)
          : String(i);
      flatten(item, `${prefix}[${label}]`, out);
    });
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === "bench" || k === "format" || k === "name") continue;
      flatten(v, prefix ? `${prefix}.${k}` : k, out);
    }
  } else {
    out.push([prefix, typeof value === "number" ? value.toLocaleString("en") : String(value)]);
  }
  return out;
}

async function main() {
  const { only } = parseArgs(process.argv.slice(2));
  const pkg = JSON.parse(readFileSync(join(process.cwd(), "package.json"), "utf8")) as { scripts: Record<string, string> };
  const scripts = Object.keys(pkg.scripts)
    .filter((s) => s.startsWith("bench:"))
    .filter((s) => !only || only.includes(s.slice("bench:".length)));
  if (scripts.length === 0) {
    console.error("no benchmark matches");
    process.exit(2);
  }
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")} at start`;
  const results: Result[] = [];
  for (const script of scripts) {
    console.log(`\n==== npm run ${script}`);
    results.push(await run(script));
  }
  const lines = [
    "# Benchmarks",
    "",
    `Written by \`npm run bench\` on ${new Date().toISOString()}: ${machine}.`,
    "Each benchmark's own output explains its method; these are the figures it printed last.",
    "",
    "| benchmark | measures | result | wall time |",
    "|---|---|---|---|",
    ...results.map(
      (r) =>
        `| \`${r.name}\` | ${MEASURES[r.name] ?? ""} | ${r.code === 0 ? "ok" : `failed (exit ${r.code})`} | ${r.seconds.toFixed(0)} s |`,
    ),
    "",
  ];
  for (const r of results) {
    lines.push(`## ${r.name}`, "");
    if (!r.figures) {
      lines.push("No figures were printed. The end of its output:", "", "```", r.tail.trim(), "```", "");
      continue;
    }
    lines.push("| figure | value |", "|---|---|");
    for (const [k, v] of flatten(r.figures)) lines.push(`| ${k} | ${v} |`);
    lines.push("");
  }
  writeFileSync(join(process.cwd(), "docs", "benchmarks.md"), `${lines.join("\n")}\n`);
  console.log(`\nwrote docs/benchmarks.md (${results.length} benchmarks, ${results.filter((r) => r.code !== 0).length} failed)`);
  if (results.some((r) => r.code !== 0)) process.exit(1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
