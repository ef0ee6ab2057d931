// The ledger and the document bodies are partitioned by month (docs/architecture.md "Partitioning"):
// rows land in their month's partition (or DEFAULT), partitions are created ahead idempotently, the
// guarantees of the unpartitioned tables still hold, reads and ledger verification span partitions,
// a month of bodies can be detached for archiving without breaking verification, and migrating a
// populated database moves its rows into their months.
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TokenActor } from "@/lib/auth/actor";
import { MIGRATIONS_DIR, migrate } from "@/lib/db/migrate";
import { ensurePartitions, monthStart, partitionName } from "@/lib/db/partitions";
import { checkChainSegment, GENESIS_HASH, hashLedgerEntry } from "@/lib/domain/ledger";
import { detachDocumentBodies } from "@/lib/server/documents/detach-document-bodies";
import { getDocument } from "@/lib/server/documents/get-document";
import { ingestEventsRequest } from "@/lib/server/ingest/ingest-requests";
import { appendLedgerEntry } from "@/lib/server/ledger/append-ledger-entry";
import { listLedgerEntries } from "@/lib/server/ledger/list-ledger-entries";
import { verifyLedger } from "@/lib/server/ledger/verify-ledger";
import { databaseKind, resetDatabase, setupTestDatabase, withPg } from "./helpers/db";
import { createFreshDatabase, type FreshDatabase } from "./helpers/fresh-database";

const { db } = setupTestDatabase();
const hex = (n: number) => n.toString(16).padStart(64, "0");
const DAY = 86_400_000;

const NOW = new Date();
const THIS_MONTH = monthStart(NOW);
const NEXT_MONTH = monthStart(NOW, 1);
const FAR_PAST = new Date("2001-03-04T05:06:07.089Z");

async function token(): Promise<TokenActor> {
  const t = await db().apiToken.create({ data: { name: "ci", prefix: "vtr_ci", tokenHash: "c".repeat(64), scopes: ["ingest"] } });
  return { kind: "token", id: t.id, name: "ci", scopes: ["ingest"] };
}

/** One CDEvent, ingested as if at `now`; returns its document id. */
async function ingestAt(actor: TokenActor, n: number, now: Date): Promise<string> {
  const event = {
    context: {
      specversion: "0.5.1",
      id: `e-${n}`,
      source: "/ci",
      type: "dev.cdevents.artifact.published.0.3.0",
      timestamp: now.toISOString(),
    },
    subject: { id: `pkg:oci/app@sha256%3A${hex(n)}?repository_url=registry.test/app`, content: {} },
  };
  const outcome = await ingestEventsRequest({
    actor,
    headers: new Headers({ "content-type": "application/json" }),
    body: Buffer.from(JSON.stringify(event)),
    idempotencyKey: null,
    now,
  });
  const id = outcome.answer.results[0]?.id;
  expect(outcome.answer.results[0]?.status).toBe("accepted");
  return id as string;
}

/** The partition each row of `table` is stored in, keyed by document id (bodies) or sequence (ledger). */
async function placement(table: "document_bodies" | "ledger_entries"): Promise<Map<string, string>> {
  const key = table === "document_bodies" ? "document_id::text" : "sequence::text";
  return withPg(async (c) => {
    const { rows } = await c.query<{ key: string; part: string }>(`SELECT ${key} AS key, tableoid::regclass::text AS part FROM ${table}`);
    return new Map(rows.map((r) => [r.key, r.part]));
  });
}

async function partitionsOf(table: string): Promise<string[]> {
  return withPg(async (c) => {
    const { rows } = await c.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass ORDER BY 1`,
      [table],
    );
    return rows.map((r) => r.name);
  });
}

describe("monthly partitions", () => {
  beforeEach(resetDatabase);

  it("partitions the ledger and the document bodies by range on their time; documents stay one table", async () => {
    const keys = await withPg(async (c) => {
      const { rows } = await c.query<{ name: string; kind: string; key: string | null }>(
        `SELECT c.relname AS name, c.relkind::text AS kind, pg_get_partkeydef(c.oid) AS key FROM pg_class c
         WHERE c.relnamespace = 'public'::regnamespace AND c.relname IN ('ledger_entries', 'document_bodies', 'documents') ORDER BY 1`,
      );
      return rows;
    });
    expect(keys).toEqual([
      { name: "document_bodies", kind: "p", key: "RANGE (received_at)" },
      { name: "documents", kind: "r", key: null },
      { name: "ledger_entries", kind: "p", key: "RANGE (created_at)" },
    ]);
    for (const table of ["ledger_entries", "document_bodies"] as const) {
      const parts = await partitionsOf(table);
      expect(parts).toContain(`${table}_default`);
      for (const months of [0, 1, 2, 3]) expect(parts).toContain(partitionName(table, monthStart(NOW, months)));
    }
  });

  it("puts each row in its UTC month's partition, a far-past one in DEFAULT; reads and verification span them all", async () => {
    const actor = await token();
    const thisMonth = await ingestAt(actor, 1, NOW);
    const nextMonth = await ingestAt(actor, 2, new Date(NEXT_MONTH.getTime() + 3 * DAY));
    const farPast = await ingestAt(actor, 3, FAR_PAST);
    // The last millisecond of this month and the first of the next: UTC month bounds.
    await db().$transaction((tx) =>
      appendLedgerEntry(tx, { kind: "test.edge", actor: "system:test", payload: {}, now: new Date(NEXT_MONTH.getTime() - 1) }),
    );
    await db().$transaction((tx) => appendLedgerEntry(tx, { kind: "test.edge", actor: "system:test", payload: {}, now: NEXT_MONTH }));

    const bodies = await placement("document_bodies");
    expect(bodies.get(thisMonth)).toBe(partitionName("document_bodies", THIS_MONTH));
    expect(bodies.get(nextMonth)).toBe(partitionName("document_bodies", NEXT_MONTH));
    expect(bodies.get(farPast)).toBe("document_bodies_default");
    const ledger = await placement("ledger_entries");
    expect([...ledger.entries()].sort(([a], [b]) => Number(a) - Number(b))).toEqual([
      ["1", partitionName("ledger_entries", THIS_MONTH)],
      ["2", partitionName("ledger_entries", NEXT_MONTH)],
      ["3", "ledger_entries_default"],
      ["4", partitionName("ledger_entries", THIS_MONTH)],
      ["5", partitionName("ledger_entries", NEXT_MONTH)],
    ]);

    // Reads through the parent: each document with its bytes, the ledger in sequence order whatever the month.
    for (const [id, n] of [
      [thisMonth, 1],
      [nextMonth, 2],
      [farPast, 3],
    ] as const) {
      const doc = await getDocument({ id });
      expect(JSON.parse(Buffer.from(doc?.content?.body ?? []).toString()).context.id).toBe(`e-${n}`);
    }
    expect((await listLedgerEntries({ limit: 10 })).items.map((e) => e.sequence)).toEqual(["5", "4", "3", "2", "1"]);
    expect(await verifyLedger()).toMatchObject({ valid: true, entries: 5, firstBrokenSequence: null });

    // A body altered in its partition (triggers lifted, as an attacker with the owner's rights would) is still found.
    await withPg(async (c) => {
      await c.query("ALTER TABLE document_bodies DISABLE TRIGGER USER");
      try {
        await c.query(`UPDATE document_bodies SET body = '\\x7b7d' WHERE document_id = $1`, [nextMonth]);
      } finally {
        await c.query("ALTER TABLE document_bodies ENABLE TRIGGER USER");
      }
    });
    expect(await verifyLedger()).toMatchObject({
      valid: false,
      firstBrokenSequence: "2",
      reason: expect.stringMatching(/does not match the sha256/),
    });
  });

  it("ensurePartitions creates only what is missing, once, and leaves a month already in DEFAULT there", async () => {
    // The migration and `vitrine migrate` made this month and the next three already.
    await withPg(async (c) => expect(await ensurePartitions(c)).toEqual([]));

    const later = monthStart(NOW, 13);
    const expected = [
      partitionName("document_bodies", later),
      partitionName("document_bodies", monthStart(later, 1)),
      partitionName("ledger_entries", later),
      partitionName("ledger_entries", monthStart(later, 1)),
    ];
    await withPg(async (c) => expect(await ensurePartitions(c, { now: later, monthsAhead: 1 })).toEqual(expected));
    await withPg(async (c) => expect(await ensurePartitions(c, { now: later, monthsAhead: 1 })).toEqual([]));
    expect(await partitionsOf("ledger_entries")).toEqual(expect.arrayContaining(expected.slice(2)));

    // Rows that fell into DEFAULT (no partition for their month) stay there: creating the month is skipped.
    const actor = await token();
    const stranded = await ingestAt(actor, 4, FAR_PAST);
    await withPg(async (c) => expect(await ensurePartitions(c, { now: FAR_PAST, monthsAhead: 0 })).toEqual([]));
    expect((await placement("document_bodies")).get(stranded)).toBe("document_bodies_default");
    expect(await partitionsOf("document_bodies")).not.toContain(partitionName("document_bodies", FAR_PAST));
    expect(await verifyLedger()).toMatchObject({ valid: true, entries: 1 });
  });

  // PGlite has one session: concurrent callers cannot be told apart there.
  it.skipIf(databaseKind() === "embedded")("ensurePartitions on several instances at once creates each partition once", async () => {
    const later = monthStart(NOW, 20);
    const results = await Promise.all([1, 2, 3].map(() => withPg((c) => ensurePartitions(c, { now: later, monthsAhead: 2 }))));
    const created = results.flat().sort();
    expect(created).toHaveLength(6);
    expect(new Set(created).size).toBe(6);
  });

  it("new partitions are guarded like their parent: no TRUNCATE by trigger, read and append only for the app role", async () => {
    const later = monthStart(NOW, 30);
    const created = await withPg((c) => ensurePartitions(c, { now: later, monthsAhead: 0 }));
    expect(created).toEqual([partitionName("document_bodies", later), partitionName("ledger_entries", later)]);
    await withPg(async (c) => {
      for (const part of created) {
        await expect(c.query(`TRUNCATE ${part}`)).rejects.toThrow(/append-only/);
        const { rows } = await c.query<{
          app: boolean;
          select: boolean;
          insert: boolean;
          update: boolean;
          delete: boolean;
          truncate: boolean;
        }>(
          `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'vitrine_app') AS app,
                  has_table_privilege('vitrine_app', $1, 'SELECT') AS select, has_table_privilege('vitrine_app', $1, 'INSERT') AS insert,
                  has_table_privilege('vitrine_app', $1, 'UPDATE') AS update, has_table_privilege('vitrine_app', $1, 'DELETE') AS delete,
                  has_table_privilege('vitrine_app', $1, 'TRUNCATE') AS truncate`,
          [part],
        );
        expect(rows[0], part).toEqual({ app: true, select: true, insert: true, update: false, delete: false, truncate: false });
      }
    });
    // The app's role may keep partitions ahead without being able to create tables (SECURITY DEFINER).
    const further = monthStart(NOW, 31);
    const byApp = await withPg(async (c) => {
      await c.query("SET ROLE vitrine_app");
      try {
        return await ensurePartitions(c, { now: further, monthsAhead: 0 });
      } finally {
        await c.query("RESET ROLE");
      }
    });
    expect(byApp).toEqual([partitionName("document_bodies", further), partitionName("ledger_entries", further)]);
  });

  it("a document is stored with exactly one body, dated in its own month", async () => {
    const actor = await token();
    const id = await ingestAt(actor, 5, NOW);
    const attempt = (sql: string) =>
      withPg(async (c) => {
        await c.query("BEGIN");
        try {
          await c.query(sql);
          await c.query("COMMIT");
        } catch (error) {
          await c.query("ROLLBACK");
          throw error;
        }
      });
    // A document without a body is refused when its transaction commits.
    await expect(
      attempt(
        `INSERT INTO documents (id, sha256, format, content_type, size_bytes) VALUES ('00000000-0000-7000-8000-00000000000a', '${"a".repeat(64)}', 'x', 'application/json', 2)`,
      ),
    ).rejects.toThrow(/stored without its body/);
    // A second body, or one dated in another month than its document, has no document to belong to.
    await expect(
      attempt(
        `INSERT INTO document_bodies SELECT document_id, received_at + interval '40 days', body FROM document_bodies WHERE document_id = '${id}'`,
      ),
    ).rejects.toThrow(/foreign key/);
    await expect(
      attempt(`INSERT INTO document_bodies SELECT document_id, received_at, body FROM document_bodies WHERE document_id = '${id}'`),
    ).rejects.toThrow(/duplicate key/);
    expect(await db().documentBody.count()).toBe(1);
    expect(await db().document.count()).toBe(1);
  });

  it("verification names a missing body or an edited identity row, unless the ledger records the month as detached", async () => {
    const actor = await token();
    const past = monthStart(NOW, -2);
    const month = past.toISOString().slice(0, 7);
    const detachedPart = partitionName("document_bodies", past);
    // The test database was migrated this month: give the past month its partitions, as a database running then had.
    await withPg((c) => ensurePartitions(c, { now: past, monthsAhead: 0 }));
    const old = await ingestAt(actor, 6, new Date(past.getTime() + DAY));
    await ingestAt(actor, 7, NOW);
    expect((await placement("document_bodies")).get(old)).toBe(detachedPart);
    expect(await verifyLedger()).toMatchObject({ valid: true, entries: 2 });

    // Behind Vitrine's back, with the triggers lifted: a body deleted, then an identity row's hash edited.
    const tamper = (sql: string, params: unknown[] = []) =>
      withPg(async (c) => {
        await c.query("BEGIN");
        await c.query("SET LOCAL session_replication_role = replica");
        await c.query(sql, params);
        await c.query("COMMIT");
      });
    const [kept] = await withPg(
      async (c) => (await c.query<{ body: Buffer }>("SELECT body FROM document_bodies WHERE document_id = $1", [old])).rows,
    );
    await tamper("DELETE FROM document_bodies WHERE document_id = $1", [old]);
    expect(await verifyLedger()).toMatchObject({
      valid: false,
      firstBrokenSequence: "1",
      reason: expect.stringMatching(/bytes .* are missing/),
    });
    await tamper("INSERT INTO document_bodies SELECT id, received_at, $2 FROM documents WHERE id = $1", [old, kept?.body]);
    expect(await verifyLedger()).toMatchObject({ valid: true, entries: 2 });
    await tamper(`UPDATE documents SET sha256 = '${"f".repeat(64)}' WHERE id = $1`, [old]);
    expect(await verifyLedger()).toMatchObject({
      valid: false,
      firstBrokenSequence: "1",
      reason: expect.stringMatching(/recorded sha256 does not match/),
    });
    await tamper("UPDATE documents SET sha256 = encode(sha256($2), 'hex') WHERE id = $1", [old, kept?.body]);
    expect(await verifyLedger()).toMatchObject({ valid: true, entries: 2 });

    // Retention: the month leaves document_bodies, recorded in the ledger first.
    const system = { kind: "system", name: "test" } as const;
    await expect(detachDocumentBodies({ month: NOW.toISOString().slice(0, 7), actor: system, now: NOW })).rejects.toThrow(/has not/);
    try {
      const detached = await detachDocumentBodies({ month, actor: system, now: NOW });
      const manifest = `sha256:${createHash("sha256")
        .update(`${old} ${createHash("sha256").update(kept!.body).digest("hex")}\n`)
        .digest("hex")}`;
      expect(detached).toEqual({
        partition: detachedPart,
        from: past.toISOString(),
        to: monthStart(past, 1).toISOString(),
        documents: 1,
        bytes: kept!.body.byteLength,
        manifest,
        ledgerSequence: "3",
      });
      expect(await partitionsOf("document_bodies")).not.toContain(detachedPart);
      expect((await getDocument({ id: old }))?.content).toBeNull();
      // What remains verifies: the identity row still has the hash its entry records, and the ledger says where the bytes went.
      expect(await verifyLedger()).toMatchObject({ valid: true, entries: 3 });
      await tamper(`UPDATE documents SET sha256 = '${"f".repeat(64)}' WHERE id = $1`, [old]);
      expect(await verifyLedger()).toMatchObject({ valid: false, firstBrokenSequence: "1" });
      await tamper("UPDATE documents SET sha256 = encode(sha256($2), 'hex') WHERE id = $1", [old, kept?.body]);
      // The detached table holds exactly what the manifest says, for the archive.
      const archived = await withPg(
        async (c) => (await c.query<{ document_id: string; body: Buffer }>(`SELECT document_id, body FROM ${detachedPart}`)).rows,
      );
      expect(archived).toEqual([{ document_id: old, body: kept!.body }]);
      await expect(detachDocumentBodies({ month, actor: system, now: NOW })).rejects.toThrow(/has no partition/);
    } finally {
      // Archived, it is dropped (here: so that nothing outside schema.prisma is left behind).
      await withPg((c) => c.query(`DROP TABLE IF EXISTS ${detachedPart}`));
    }
  });
});

describe("migrating a populated database to monthly partitions", () => {
  let fresh: FreshDatabase;
  let dir: string;
  const MIGRATION = "20261126090000_monthly_partitions";

  beforeAll(async () => {
    fresh = await createFreshDatabase();
    dir = mkdtempSync(join(tmpdir(), "vitrine-migrations-"));
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    // The database as it was before this migration: it and every later one left out.
    for (const name of readdirSync(dir)) if (/^\d{14}_/.test(name) && name >= MIGRATION) rmSync(join(dir, name), { recursive: true });
  });
  afterAll(async () => {
    await fresh.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("moves every ledger entry and document body into its month, unchanged, and guards the result", async () => {
    await migrate({ url: fresh.url, dir });
    const client = new pg.Client({ connectionString: fresh.url });
    await client.connect();
    try {
      // A valid chain, each entry recording a document: one far in the past (older than the ten years partitions
      // are made for), one two months ago, one now.
      const twoMonthsAgo = new Date(monthStart(NOW, -2).getTime() + 5 * DAY);
      const times = [FAR_PAST, twoMonthsAgo, NOW].map((t) => new Date(t.getTime()));
      let prevHash = GENESIS_HASH;
      const bodies = new Map<string, Buffer>();
      for (const [i, at] of times.entries()) {
        const id = `00000000-0000-7000-8000-00000000010${i}`;
        const body = Buffer.from(JSON.stringify({ n: i, at: at.toISOString() }));
        const sha = createHash("sha256").update(body).digest("hex");
        bodies.set(id, body);
        await client.query(
          "INSERT INTO documents (id, sha256, format, content_type, body, size_bytes, received_at) VALUES ($1, $2, 'cdevents', 'application/json', $3, $4, $5)",
          [id, sha, body, body.byteLength, at],
        );
        const content = {
          sequence: BigInt(i + 1),
          kind: "document.accepted",
          actor: "system:test",
          subject: null,
          documentId: id,
          payload: { sha256: `sha256:${sha}` },
          prevHash,
          createdAt: at,
        };
        const entryHash = hashLedgerEntry(content);
        await client.query(
          "INSERT INTO ledger_entries (sequence, kind, actor, subject, document_id, payload, prev_hash, entry_hash, created_at) VALUES ($1, $2, $3, NULL, $4, $5, $6, $7, $8)",
          [i + 1, content.kind, content.actor, id, content.payload, prevHash, entryHash, at],
        );
        prevHash = entryHash;
      }
      const ledgerBefore = (await client.query("SELECT * FROM ledger_entries ORDER BY sequence")).rows;

      expect((await migrate({ url: fresh.url })).applied[0]).toBe(MIGRATION);

      const ledgerAfter = await client.query("SELECT *, tableoid::regclass::text AS part FROM ledger_entries ORDER BY sequence");
      expect(ledgerAfter.rows.map(({ part: _, ...row }) => row)).toEqual(ledgerBefore);
      expect(ledgerAfter.rows.map((r) => r.part)).toEqual([
        "ledger_entries_default",
        partitionName("ledger_entries", twoMonthsAgo),
        partitionName("ledger_entries", NOW),
      ]);
      const chain = checkChainSegment(
        ledgerAfter.rows.map((r) => ({
          sequence: BigInt(r.sequence),
          kind: r.kind,
          actor: r.actor,
          subject: r.subject,
          documentId: r.document_id,
          payload: r.payload,
          prevHash: r.prev_hash,
          entryHash: r.entry_hash,
          createdAt: r.created_at,
        })),
        null,
      );
      expect(chain).toEqual({ valid: true, entries: 3 });

      const after = await client.query<{ document_id: string; body: Buffer; part: string }>(
        "SELECT document_id, body, tableoid::regclass::text AS part FROM document_bodies ORDER BY received_at",
      );
      expect(after.rows).toEqual([
        {
          document_id: "00000000-0000-7000-8000-000000000100",
          body: bodies.get("00000000-0000-7000-8000-000000000100"),
          part: "document_bodies_default",
        },
        {
          document_id: "00000000-0000-7000-8000-000000000101",
          body: bodies.get("00000000-0000-7000-8000-000000000101"),
          part: partitionName("document_bodies", twoMonthsAgo),
        },
        {
          document_id: "00000000-0000-7000-8000-000000000102",
          body: bodies.get("00000000-0000-7000-8000-000000000102"),
          part: partitionName("document_bodies", NOW),
        },
      ]);
      const bodyColumn = await client.query(
        "SELECT 1 FROM information_schema.columns WHERE table_name = 'documents' AND column_name = 'body'",
      );
      expect(bodyColumn.rows).toEqual([]);
      // Partitions for the months that have rows, and from this month on; none for the empty month between.
      const parts = (
        await client.query<{ name: string }>(
          "SELECT relname AS name FROM pg_class WHERE relname LIKE 'ledger_entries_p%' AND relkind = 'r'",
        )
      ).rows.map((r) => r.name);
      expect(parts.sort()).toEqual(
        [twoMonthsAgo, NOW, monthStart(NOW, 1), monthStart(NOW, 2), monthStart(NOW, 3)]
          .map((t) => partitionName("ledger_entries", t))
          .sort(),
      );
      expect(parts).not.toContain(partitionName("ledger_entries", monthStart(NOW, -1)));

      // The migrated ledger refuses a fork, and takes the true successor.
      const fork = ledgerAfter.rows[1];
      await expect(
        client.query(
          "INSERT INTO ledger_entries (sequence, kind, actor, payload, prev_hash, entry_hash, created_at) VALUES (4, 'x', 'system:test', '{}', $1, $2, now())",
          [fork.prev_hash, `sha256:${"d".repeat(64)}`],
        ),
      ).rejects.toThrow(/does not extend the head/);
      await client.query(
        "INSERT INTO ledger_entries (sequence, kind, actor, payload, prev_hash, entry_hash, created_at) VALUES (4, 'x', 'system:test', '{}', $1, $2, now())",
        [prevHash, `sha256:${"d".repeat(64)}`],
      );
    } finally {
      await client.end();
    }
  });
});
