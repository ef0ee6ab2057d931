// The flags of `npm run bench:overload`. A bad or unknown flag is a usage error (exit 2).

export const PHASES = ["overload", "postgres-restart", "app-crash"] as const;
export type PhaseName = (typeof PHASES)[number];

export type OverloadArgs = {
  /** Seconds each phase offers the overload. */
  duration: number;
  /** Seconds the calibration measures (after a 3 s warm-up). */
  calibrationSeconds: number;
  /** Concurrent clients of the calibration; the overload runs `factor` times as many. */
  clients: number;
  /** CDEvents per request. */
  batch: number;
  /** The overload as a multiple of the calibrated sustainable rate. */
  factor: number;
  phases: PhaseName[];
  /** Exit non-zero when an invariant breaks (an acked event missing or stored twice, a 5xx other than 503, ...). */
  ci: boolean;
  /** Build the app even when the build folder has one. */
  rebuild: boolean;
  help: boolean;
};

export const USAGE = `usage: npm run bench:overload -- [--duration S] [--ci] [--clients N] [--batch N] [--factor F]
                                 [--calibration-seconds S] [--phases overload,postgres-restart,app-crash] [--rebuild]

  --duration S              seconds of overload per phase (default 60)
  --ci                      exit 1 if an acknowledged event is missing or stored twice, a 5xx other than 503
                            was answered, a 429/503 lacked Retry-After, a request hung, or the ledger does not verify
  --clients N               concurrent clients of the calibration (default 16, under the app's in-flight cap of
                            20); the overload uses factor x N
  --batch N                 CDEvents per request (default 10)
  --factor F                overload as a multiple of the calibrated sustainable rate (default 4)
  --calibration-seconds S   seconds the calibration measures (default: duration / 2, from 4 to 10)
  --phases LIST             which phases to run, comma-separated (default: all three)
  --rebuild                 rebuild the app even if the build folder (VITRINE_NEXT_DIST_DIR, default
                            .next-bench-overload) already holds a build`;

export class UsageError extends Error {}

function integer(flag: string, value: string | undefined, min: number, max: number): number {
  if (value === undefined || !/^\d+$/.test(value)) throw new UsageError(`${flag} needs a whole number from ${min} to ${max}`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`${flag} must be from ${min} to ${max}, got ${value}`);
  return n;
}

function decimal(flag: string, value: string | undefined, min: number, max: number): number {
  if (value === undefined || !/^\d+(\.\d+)?$/.test(value)) throw new UsageError(`${flag} needs a number from ${min} to ${max}`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`${flag} must be from ${min} to ${max}, got ${value}`);
  return n;
}

/** Parses argv (without node and the script); throws UsageError. `--flag=value` and `--flag value` both work. */
export function parseOverloadArgs(argv: string[]): OverloadArgs {
  const out: Omit<OverloadArgs, "calibrationSeconds"> & { calibrationSeconds?: number } = {
    duration: 60,
    clients: 16,
    batch: 10,
    factor: 4,
    phases: [...PHASES],
    ci: false,
    rebuild: false,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf("=");
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = () => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) return undefined;
      i++;
      return next;
    };
    const boolean = (set: () => void) => {
      if (inline !== undefined) throw new UsageError(`${flag} takes no value`);
      set();
    };
    switch (flag) {
      case "--duration":
        out.duration = integer(flag, value(), 1, 3600);
        break;
      case "--calibration-seconds":
        out.calibrationSeconds = integer(flag, value(), 1, 600);
        break;
      case "--clients":
        out.clients = integer(flag, value(), 1, 256);
        break;
      case "--batch":
        out.batch = integer(flag, value(), 1, 1000);
        break;
      case "--factor":
        out.factor = decimal(flag, value(), 1, 20);
        break;
      case "--phases": {
        const v = value();
        const list = v?.split(",").map((s) => s.trim()) ?? [];
        const unknown = list.filter((p) => !(PHASES as readonly string[]).includes(p));
        if (!v || list.length === 0 || unknown.length > 0)
          throw new UsageError(
            `--phases needs a comma-separated list of ${PHASES.join(", ")}${unknown.length ? `; unknown: ${unknown.join(", ")}` : ""}`,
          );
        out.phases = PHASES.filter((p) => list.includes(p));
        break;
      }
      case "--ci":
        boolean(() => {
          out.ci = true;
        });
        break;
      case "--rebuild":
        boolean(() => {
          out.rebuild = true;
        });
        break;
      case "--help":
      case "-h":
        out.help = true;
        break;
      default:
        throw new UsageError(`unknown flag ${arg}`);
    }
  }
  return { ...out, calibrationSeconds: out.calibrationSeconds ?? Math.min(10, Math.max(4, Math.round(out.duration / 2))) };
}
