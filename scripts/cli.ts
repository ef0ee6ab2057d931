// `npx vitrine <command>`: what the UI does for people, for scripts. Thin: parses flags, calls lib/.
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { z } from "zod";
import { TOKEN_SCOPES } from "@/lib/auth/permissions";
import { setDb } from "@/lib/db/client";
import { migrate } from "@/lib/db/migrate";
import { EnvError } from "@/lib/env";
import { withDatabase } from "./lib/with-database";

const USAGE = `Usage: vitrine <command> [options]

Commands:
  migrate                                     apply database migrations
  seed --demo                                 load demo users (one per role) and demo artefacts
  user create --email E --role R --password-stdin [--name N]
                                              create a user (roles: admin, security, compliance, oncall, viewer)
  token create --name N --scope S [--scope S] [--expires-days D]
                                              create an API token (scopes: ${TOKEN_SCOPES.join(", ")}); printed once
  ledger verify                               recompute the evidence ledger chain; exit 1 if broken
  documents detach-bodies --month YYYY-MM     retention: record a past month of document bytes in the ledger and
                                              detach its partition for archiving (docs/architecture.md "Partitioning")
  report verify FILE [--signature FILE.sig] [--public-key PEM]
                                              verify an exported report (CSV, JSON, PDF); exit 0 only when valid,
                                              JSON on stdout; offline with --public-key
  verify-bundle --bundle F (--certificate-identity I --certificate-oidc-issuer O | --key K) [--trusted-root R] FILE_OR_DIGEST
                                              verify a Sigstore bundle offline; exit 0 only when verified, JSON verdict on stdout

Without DATABASE_URL the commands use the embedded database under .vitrine/.`;

class UsageError extends Error {}

function fail(message: string, code = 2): never {
  process.stderr.write(`vitrine: ${message}\n`);
  process.exit(code);
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new UsageError("--password-stdin reads the password from standard input; pipe it in");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

async function main(argv: string[]): Promise<number> {
  const [command, sub, ...rest] = argv;
  if (!command || command === "help" || command === "--help" || command === "-h") {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  const now = new Date();
  if (command === "migrate") {
    parseArgs({ args: argv.slice(1), options: {}, strict: true });
    return withDatabase({ migrate: false }, async ({ url }) => {
      const result = await migrate({ url, log: (l) => process.stderr.write(`${l}\n`) });
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return 0;
    });
  }
  if (command === "seed") {
    const { values } = parseArgs({ args: argv.slice(1), options: { demo: { type: "boolean" } }, strict: true });
    if (!values.demo) throw new UsageError("seed needs --demo (the only seed there is)");
    return withDatabase({ migrate: true }, async () => {
      const { seedDemo } = await import("@/lib/server/seed/seed-demo");
      const creds = await seedDemo({ now });
      // The password is only for the users created now; existing demo users keep theirs.
      const created = creds.users.length ? { demoPassword: creds.password } : {};
      process.stdout.write(`${JSON.stringify({ ...created, users: creds.users, alreadyPresent: creds.existing })}\n`);
      return 0;
    });
  }
  if (command === "user" && sub === "create") {
    const { values } = parseArgs({
      args: rest,
      options: { email: { type: "string" }, role: { type: "string" }, "password-stdin": { type: "boolean" }, name: { type: "string" } },
      strict: true,
    });
    if (!values.email || !values.role) throw new UsageError("user create needs --email and --role");
    if (!values["password-stdin"]) throw new UsageError("user create needs --password-stdin (passwords never go on the command line)");
    const password = await readStdin();
    const { ZCreateUser } = await import("@/lib/server/users/schemas");
    const input = ZCreateUser.safeParse({ email: values.email, role: values.role, password, name: values.name });
    const flag = (p: PropertyKey | undefined) => (p === "password" ? "--password-stdin" : `--${String(p ?? "input")}`);
    if (!input.success) throw new UsageError(input.error.issues.map((i) => `${flag(i.path[0])}: ${i.message}`).join("; "));
    return withDatabase({ migrate: true }, async () => {
      const { createUser } = await import("@/lib/server/users/create-user");
      const user = await createUser({ actor: { kind: "system", name: "cli" }, input: input.data, now });
      process.stdout.write(`${JSON.stringify(user)}\n`);
      return 0;
    });
  }
  if (command === "token" && sub === "create") {
    const { values } = parseArgs({
      args: rest,
      options: { name: { type: "string" }, scope: { type: "string", multiple: true }, "expires-days": { type: "string" } },
      strict: true,
    });
    const scopes = (values.scope ?? [])
      .flatMap((s) => s.split(","))
      .map((s) => s.trim())
      .filter(Boolean);
    const { ZCreateToken } = await import("@/lib/server/tokens/schemas");
    const expires = values["expires-days"];
    if (expires !== undefined && !/^\d+$/.test(expires)) throw new UsageError("--expires-days must be a whole number of days");
    const input = ZCreateToken.safeParse({ name: values.name, scopes, ...(expires ? { expiresInDays: Number(expires) } : {}) });
    if (!input.success) {
      throw new UsageError(
        input.error.issues
          .map(
            (i) =>
              `--${i.path[0] === "scopes" ? "scope" : String(i.path[0] ?? "input")}: ${i.message}${i.path[0] === "scopes" ? ` (one of ${TOKEN_SCOPES.join(", ")})` : ""}`,
          )
          .join("; "),
      );
    }
    return withDatabase({ migrate: true }, async () => {
      const { createToken } = await import("@/lib/server/tokens/create-token");
      const token = await createToken({ actor: { kind: "system", name: "cli" }, input: input.data, now });
      process.stderr.write("This token is shown once. Store it now; Vitrine keeps only its hash.\n");
      process.stdout.write(`${token.secret}\n`);
      return 0;
    });
  }
  if (command === "verify-bundle") {
    // No database: pure verification against the given (or the bundled public-good) trust root.
    const { runVerifyBundle } = await import("@/lib/verify/verify-bundle-cli");
    return runVerifyBundle(argv.slice(1), {
      readFile: (path: string) => readFileSync(path),
      stdout: (s: string) => process.stdout.write(s.endsWith("\n") ? s : `${s}\n`),
      stderr: (s: string) => process.stderr.write(s.endsWith("\n") ? s : `${s}\n`),
    });
  }
  if (command === "ledger" && sub === "verify") {
    parseArgs({ args: rest, options: {}, strict: true });
    return withDatabase({ migrate: false }, async () => {
      const { verifyLedger } = await import("@/lib/server/ledger/verify-ledger");
      const result = await verifyLedger();
      process.stdout.write(`${JSON.stringify(result)}\n`);
      if (!result.valid) process.stderr.write(`ledger broken at entry ${result.firstBrokenSequence}: ${result.reason}\n`);
      return result.valid ? 0 : 1;
    });
  }
  if (command === "documents" && sub === "detach-bodies") {
    const { values } = parseArgs({ args: rest, options: { month: { type: "string" } }, strict: true });
    if (!values.month) throw new UsageError("documents detach-bodies needs --month YYYY-MM");
    const month = values.month;
    return withDatabase({ migrate: false }, async () => {
      const { detachDocumentBodies } = await import("@/lib/server/documents/detach-document-bodies");
      const result = await detachDocumentBodies({ month, actor: { kind: "system", name: "cli" }, now });
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return 0;
    });
  }
  if (command === "report" && sub === "verify") {
    const { parseReportVerifyArgs, REPORT_VERIFY_USAGE, verifyWithPublicKey } = await import("@/lib/verify/report-verify-cli");
    const args = parseReportVerifyArgs(rest);
    if (typeof args === "string") throw new UsageError(`${args}\n\n${REPORT_VERIFY_USAGE}`);
    const read = (path: string, flag: string) => {
      try {
        return readFileSync(path);
      } catch (error) {
        throw new UsageError(`${flag}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? "error"})`);
      }
    };
    const bytes = read(args.file, "FILE");
    const sigPath = args.signature ?? (existsSync(`${args.file}.sig`) ? `${args.file}.sig` : null);
    const signature = sigPath ? read(sigPath, "--signature").toString("utf8").trim() : null;
    const print = (result: { valid: boolean; reason: string | null }) => {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      if (!result.valid) process.stderr.write(`not valid: ${result.reason}\n`);
      return result.valid ? 0 : 1;
    };
    if (args.publicKey) {
      const result = verifyWithPublicKey({ bytes, signature, publicKeyPem: read(args.publicKey, "--public-key").toString("utf8") });
      if (typeof result === "string") throw new UsageError(result);
      return print(result);
    }
    return withDatabase({ migrate: false }, async () => {
      const { verifyReportFile } = await import("@/lib/server/reports/verify-report");
      return print(await verifyReportFile({ bytes, signature }));
    });
  }
  throw new UsageError(`unknown command "${[command, sub].filter(Boolean).join(" ")}"\n\n${USAGE}`);
}

main(process.argv.slice(2))
  .then((code) => {
    setDb(undefined);
    process.exit(code);
  })
  .catch((error: unknown) => {
    if (error instanceof UsageError) fail(error.message, 2);
    if (error instanceof EnvError) fail(error.message, 2);
    if (error instanceof z.ZodError) fail(error.issues.map((i) => i.message).join("; "), 2);
    const code = error && typeof error === "object" && "code" in error ? String((error as { code: unknown }).code) : "";
    if (code.startsWith("ERR_PARSE_ARGS")) fail((error as Error).message, 2);
    if (error && typeof error === "object" && "name" in error && (error as { name: unknown }).name === "AppError")
      fail((error as Error).message, 1);
    fail(`${(error as Error)?.message ?? String(error)}`, 1);
  });
