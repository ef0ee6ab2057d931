import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import type { TokenActor } from "@/lib/auth/actor";
import { startEmbeddedPostgres } from "@/lib/db/embedded";
import { ingestEventsRequest } from "@/lib/server/ingest/ingest-requests";
import { verifyLedger } from "@/lib/server/ledger/verify-ledger";
import { signInOidcUser } from "@/lib/server/users/sign-in-oidc-user";
import { resetDatabase, setupTestDatabase, withPg } from "./helpers/db";
import { setTestEnv } from "./helpers/env";

const { db } = setupTestDatabase();
const hex = (n: number) => n.toString(16).padStart(64, "0");

async function token(name: string): Promise<TokenActor> {
  const t = await db().apiToken.create({
    data: { name, prefix: `vtr_${name}`, tokenHash: name.padEnd(64, "0").slice(0, 64), scopes: ["ingest"] },
  });
  return { kind: "token", id: t.id, name, scopes: ["ingest"] };
}

function send(actor: TokenActor, body: unknown, idempotencyKey: string | null = null) {
  return ingestEventsRequest({
    actor,
    headers: new Headers({ "content-type": "application/json" }),
    body: Buffer.from(JSON.stringify(body)),
    idempotencyKey,
    now: new Date(),
  });
}

function published(id: string, n: number, timestamp = "2026-11-20T10:00:00Z") {
  return {
    context: { specversion: "0.5.1", id, source: "/ci", type: "dev.cdevents.artifact.published.0.3.0", timestamp },
    subject: { id: `pkg:oci/app@sha256%3A${hex(n)}?repository_url=registry.test/app`, content: {} },
  };
}

function deployed(id: string, n: number, timestamp: string) {
  return {
    context: { specversion: "0.5.1", id, source: "/argo", type: "dev.cdevents.service.deployed.0.3.0", timestamp },
    subject: {
      id: "api",
      content: { environment: { id: "prod" }, artifactId: `pkg:oci/app@sha256%3A${hex(n)}?repository_url=registry.test/app` },
    },
  };
}

describe("evidence hardening", () => {
  beforeEach(resetDatabase);

  it("a stored document rewritten behind Vitrine's back breaks verification, naming its entry", async () => {
    const actor = await token("a");
    await send(actor, [published("e-1", 1), published("e-2", 2)]);
    expect((await verifyLedger()).valid).toBe(true);
    // The bytes live in document_bodies (partitioned by month); the identity row in documents.
    const e2 = `(SELECT id FROM documents WHERE event_id = 'e-2')`;
    await withPg(async (c) => {
      await expect(c.query(`UPDATE document_bodies SET body = '\\x7b7d'`)).rejects.toThrow(/append-only/);
      await c.query("ALTER TABLE document_bodies DISABLE TRIGGER USER");
      await c.query(`UPDATE document_bodies SET body = '\\x7b7d' WHERE document_id = ${e2}`);
      await c.query("ALTER TABLE document_bodies ENABLE TRIGGER USER");
    });
    const entry = await db().ledgerEntry.findFirstOrThrow({ where: { payload: { path: ["eventId"], equals: "e-2" } } });
    const result = await verifyLedger();
    expect(result).toMatchObject({ valid: false, firstBrokenSequence: entry.sequence.toString() });
    expect(result.reason).toMatch(/does not match the sha256/);
  });

  it("an Idempotency-Key belongs to its token: another token's key never hides a document", async () => {
    const a = await token("a");
    const b = await token("b");
    const first = await send(a, published("i-1", 10), "build-42");
    expect(first.answer.results[0]?.status).toBe("accepted");
    const other = await send(b, published("i-2", 11), "build-42");
    expect(other.answer.results[0]?.status).toBe("accepted");
    expect((await send(a, published("i-1", 10), "build-42")).answer.results[0]).toMatchObject({
      status: "duplicate",
      id: first.answer.results[0]?.id,
    });
    expect((await send(a, published("i-3", 12), "build-42")).answer.results[0]).toMatchObject({
      status: "duplicate",
      id: first.answer.results[0]?.id,
    });
  });

  it("a late deployment event is history: it does not end the deployment that runs now", async () => {
    const actor = await token("a");
    await send(actor, deployed("d-2", 2, "2026-11-20T09:10:00Z"));
    const late = await send(actor, deployed("d-1", 1, "2026-11-20T09:05:00Z"));
    expect(late.answer.results[0]?.notes?.join(" ")).toMatch(/later deployment/);
    const rows = await db().deployment.findMany({ orderBy: { startedAt: "asc" }, include: { artifact: true } });
    expect(rows.map((r) => [r.artifact?.digest, r.status, r.endedAt?.toISOString() ?? null])).toEqual([
      [`sha256:${hex(1)}`, "replaced", "2026-11-20T09:10:00.000Z"],
      [`sha256:${hex(2)}`, "running", null],
    ]);
  });

  it.each(["0000-01-01T00:00:00Z", "9999-12-31T23:59:59-01:00", "1969-12-31T23:59:59Z"])(
    "refuses the timestamp %s per item, keeping the batch",
    async (timestamp) => {
      const actor = await token("a");
      const { answer } = await send(actor, [published("t-ok", 20), published("t-bad", 21, timestamp)]);
      expect(answer).toMatchObject({ accepted: 1, rejected: 1 });
      expect(answer.results[1]?.problem?.errors[0]?.path).toBe("$.context.timestamp");
    },
  );

  it("OIDC links an existing account by email only when the email is verified and the account has no password", async () => {
    setTestEnv({ OIDC_DEFAULT_ROLE: "viewer", OIDC_ROLE_MAP: undefined });
    const admin = await db().user.create({ data: { email: "root@acme.test", role: "admin", passwordHash: "scrypt$x" } });
    expect(
      await signInOidcUser({ profile: { sub: "attacker", email: "ROOT@acme.test", email_verified: false }, now: new Date() }),
    ).toBeNull();
    expect(
      await signInOidcUser({ profile: { sub: "attacker", email: "root@acme.test", email_verified: true }, now: new Date() }),
    ).toBeNull();
    expect((await db().user.findUniqueOrThrow({ where: { id: admin.id } })).oidcSubject).toBeNull();
    const sso = await db().user.create({ data: { email: "sso@acme.test", role: "oncall" } });
    expect(await signInOidcUser({ profile: { sub: "sso-sub", email: "sso@acme.test", email_verified: true }, now: new Date() })).toEqual({
      id: sso.id,
    });
    setTestEnv({ OIDC_DEFAULT_ROLE: undefined });
  });

  it("a second process cannot open an embedded data folder that is in use", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "vitrine-lock-")), "pgdata");
    const first = await startEmbeddedPostgres({ dataDir: dir });
    try {
      // Same process, same pid: simulate another owner by writing a live foreign pid (ours' parent).
      const { writeFileSync } = await import("node:fs");
      writeFileSync(`${dir}.lock`, String(process.ppid));
      await expect(startEmbeddedPostgres({ dataDir: dir })).rejects.toThrow(/in use by process/);
    } finally {
      const { writeFileSync } = await import("node:fs");
      writeFileSync(`${dir}.lock`, String(process.pid));
      await first.stop();
    }
  });
});
