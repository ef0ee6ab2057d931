// `npx vitrine ...` as scripts use it: a real process, flags, stdin, exit codes and stdout.
import { beforeEach, describe, expect, it } from "vitest";
import { verifyPassword } from "@/lib/auth/password";
import { ROLES } from "@/lib/auth/permissions";
import { authenticateToken } from "@/lib/server/tokens/authenticate-token";
import { type CliRun, runVitrine } from "./helpers/cli";
import { resetDatabase, setupTestDatabase } from "./helpers/db";
import { appendEntries, withLedgerUnlocked } from "./helpers/ledger";

const { db } = setupTestDatabase();
const PASSWORD = "a long enough password";

type Run = CliRun;
const vitrine = runVitrine;

/** stdout must be exactly one JSON document (logs go elsewhere). */
function json(run: Run): unknown {
  expect(run.stdout.trim().split("\n"), run.stdout).toHaveLength(1);
  return JSON.parse(run.stdout);
}

describe("vitrine CLI", () => {
  beforeEach(resetDatabase);

  describe("user create", () => {
    it("creates a user from a password on stdin and prints it as JSON", async () => {
      const run = await vitrine(["user", "create", "--email", "Ops@Example.com", "--role", "viewer", "--password-stdin"], {
        stdin: `${PASSWORD}\n`,
      });
      expect(run.code, run.stderr).toBe(0);
      const printed = json(run) as { id: string; email: string; role: string };
      expect(printed).toMatchObject({ email: "ops@example.com", role: "viewer", id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      const user = await db().user.findUniqueOrThrow({ where: { email: "ops@example.com" } });
      expect(user.id).toBe(printed.id);
      // The trailing newline of `echo` is not part of the password.
      expect(await verifyPassword(PASSWORD, user.passwordHash as string)).toBe(true);
      expect(run.stdout).not.toContain(PASSWORD);
      expect(await db().ledgerEntry.findFirstOrThrow()).toMatchObject({ kind: "user.created", actor: "system:cli" });
    });

    it("refuses a duplicate with exit 1", async () => {
      const args = ["user", "create", "--email", "dup@example.com", "--role", "viewer", "--password-stdin"];
      expect((await vitrine(args, { stdin: PASSWORD })).code).toBe(0);
      const again = await vitrine(args, { stdin: PASSWORD });
      expect(again.code).toBe(1);
      expect(again.stderr).toContain("already exists");
      expect(again.stdout).toBe("");
      expect(await db().user.count()).toBe(1);
    });

    // Refusals write nothing, so they run side by side (each one is a process start).
    it.concurrent.each<[string, string[], string, RegExp]>([
      ["a bad role", ["--email", "a@example.com", "--role", "root", "--password-stdin"], PASSWORD, /--role/],
      ["a bad email", ["--email", "not-an-email", "--role", "viewer", "--password-stdin"], PASSWORD, /--email/],
      ["a missing --role", ["--email", "a@example.com", "--password-stdin"], PASSWORD, /--role/],
      ["a missing --email", ["--role", "viewer", "--password-stdin"], PASSWORD, /--email/],
      ["a missing --password-stdin", ["--email", "a@example.com", "--role", "viewer"], PASSWORD, /--password-stdin/],
      ["an unknown flag", ["--email", "a@example.com", "--role", "viewer", "--password-stdin", "--colour", "blue"], PASSWORD, /--colour/],
      ["a password given as a flag", ["--email", "a@example.com", "--role", "viewer", "--password", PASSWORD], "", /--password/],
      ["an empty password", ["--email", "a@example.com", "--role", "viewer", "--password-stdin"], "", /password/],
    ])("exits 2 on %s, naming the flag, and creates nothing", async (_label, flags, stdin, names) => {
      const run = await vitrine(["user", "create", ...flags], { stdin });
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(/^vitrine: /);
      expect(run.stderr).toMatch(names);
      expect(run.stdout).toBe("");
      expect(await db().user.count()).toBe(0);
    });

    // Bug: the message for a short password reads "--password: must be at least 12 characters",
    // naming a flag that does not exist (and that scripts must never use); the flag is --password-stdin.
    it("exits 2 on a short password with a message naming --password-stdin", async () => {
      const run = await vitrine(["user", "create", "--email", "a@example.com", "--role", "viewer", "--password-stdin"], { stdin: "short" });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain("at least 12 characters");
      expect(run.stderr).toContain("--password-stdin");
      expect(await db().user.count()).toBe(0);
    });
  });

  describe("token create", () => {
    it("prints a vtr_ token once on stdout, which authenticates with its scope", async () => {
      const run = await vitrine(["token", "create", "--name", "ci", "--scope", "ingest"]);
      expect(run.code, run.stderr).toBe(0);
      const lines = run.stdout.split("\n").filter(Boolean);
      expect(lines).toHaveLength(1);
      const secret = lines[0] as string;
      expect(secret).toMatch(/^vtr_[A-Za-z0-9_-]{43}$/);
      expect(run.stderr).toMatch(/shown once/i);
      expect(run.stderr).not.toContain(secret);
      const actor = await authenticateToken({ token: secret, now: new Date() });
      expect(actor).toMatchObject({ kind: "token", name: "ci", scopes: ["ingest"] });
      // Only the hash is stored.
      const row = await db().apiToken.findFirstOrThrow();
      expect(row.tokenHash).not.toBe(secret);
      expect(JSON.stringify(row)).not.toContain(secret);
    });

    it("takes several scopes, repeated or comma-separated, and an expiry", async () => {
      const run = await vitrine([
        "token",
        "create",
        "--name",
        "ops",
        "--scope",
        "read,admin",
        "--scope",
        "admission",
        "--expires-days",
        "30",
      ]);
      expect(run.code, run.stderr).toBe(0);
      const row = await db().apiToken.findFirstOrThrow();
      expect(row.scopes).toEqual(["read", "admin", "admission"]);
      expect(row.expiresAt).not.toBeNull();
    });

    it.concurrent.each<[string, string[], RegExp]>([
      ["an unknown scope", ["--name", "ci", "--scope", "nope"], /--scope.*one of ingest, read, admin, admission/],
      ["no scope", ["--name", "ci"], /--scope/],
      ["no name", ["--scope", "ingest"], /--name/],
      ["a bad expiry", ["--name", "ci", "--scope", "ingest", "--expires-days", "soon"], /--expires-days/],
      ["an unknown flag", ["--name", "ci", "--scope", "ingest", "--forever"], /--forever/],
    ])("exits 2 on %s, naming the flag", async (_label, flags, names) => {
      const run = await vitrine(["token", "create", ...flags]);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(names);
      expect(run.stdout).toBe("");
      expect(await db().apiToken.count()).toBe(0);
    });
  });

  describe("ledger verify", () => {
    it("exits 0 and prints {valid: true} for an intact ledger", async () => {
      await appendEntries(db(), 3);
      const run = await vitrine(["ledger", "verify"]);
      expect(run.code, run.stderr).toBe(0);
      expect(json(run)).toMatchObject({ valid: true, entries: 3, firstBrokenSequence: null });
    });

    it("exits 1 and names the entry after tampering", async () => {
      await appendEntries(db(), 4);
      await withLedgerUnlocked((c) => c.query(`UPDATE "ledger_entries" SET "payload" = '{"i": 1000}' WHERE "sequence" = 3`));
      const run = await vitrine(["ledger", "verify"]);
      expect(run.code).toBe(1);
      expect(json(run)).toMatchObject({ valid: false, entries: 2, firstBrokenSequence: "3" });
      expect(run.stderr).toContain("ledger broken at entry 3");
    });
  });

  describe("documents detach-bodies", () => {
    it("exits 2 without --month, and 1 for a month that has not ended, detaching nothing", async () => {
      const usage = await vitrine(["documents", "detach-bodies"]);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toContain("--month YYYY-MM");
      const current = await vitrine(["documents", "detach-bodies", "--month", new Date().toISOString().slice(0, 7)]);
      expect(current.code).toBe(1);
      expect(current.stderr).toMatch(/has not/);
      expect(await db().ledgerEntry.count()).toBe(0);
    });
  });

  it("migrate is idempotent", async () => {
    for (let i = 0; i < 2; i++) {
      const run = await vitrine(["migrate"]);
      expect(run.code, run.stderr).toBe(0);
      const result = json(run) as { applied: string[]; alreadyApplied: string[] };
      expect(result.applied).toEqual([]);
      expect(result.alreadyApplied.length).toBeGreaterThan(0);
    }
  });

  it("seed --demo creates one demo user per role and demo artefacts, and can run again", async () => {
    const run = await vitrine(["seed", "--demo"]);
    expect(run.code, run.stderr).toBe(0);
    const printed = json(run) as { demoPassword: string; users: Array<{ email: string; role: string }> };
    expect(printed.users.map((u) => u.role).sort()).toEqual([...ROLES].sort());
    const users = await db().user.findMany();
    expect(users).toHaveLength(5);
    expect(users.every((u) => u.isDemo)).toBe(true);
    expect(users.map((u) => u.role).sort()).toEqual([...ROLES].sort());
    expect(await verifyPassword(printed.demoPassword, users[0]?.passwordHash as string)).toBe(true);
    const artifacts = await db().artifact.findMany();
    expect(artifacts.length).toBeGreaterThan(0);
    expect(artifacts.every((a) => a.isDemo)).toBe(true);

    const again = await vitrine(["seed", "--demo"]);
    expect(again.code, again.stderr).toBe(0);
    expect(await db().user.count()).toBe(5);
    expect(await db().artifact.count()).toBe(artifacts.length);
    const verify = await vitrine(["ledger", "verify"]);
    expect(json(verify)).toMatchObject({ valid: true });
  });

  it.concurrent.each<[string, string[], number]>([
    ["no command", [], 2],
    ["an unknown command", ["frobnicate"], 2],
    ["seed without --demo", ["seed"], 2],
    ["help", ["help"], 0],
  ])("answers %s with the usage", async (_label, args, code) => {
    const run = await vitrine(args);
    expect(run.code).toBe(code);
    expect(`${run.stdout}${run.stderr}`).toMatch(/Usage: vitrine <command>|seed needs --demo/);
  });
});
