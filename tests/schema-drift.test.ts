// The drift test: the database the migrations build must be exactly what prisma/schema.prisma
// declares (tables, columns, types, nullability, defaults, keys, indexes, foreign keys, enums).
// Prisma Migrate cannot run here, so nothing else would notice a migration that forgot a change.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { setupTestDatabase, withPg } from "./helpers/db";
import { diffSchemas, type SchemaShape, shapeFromDatabase, shapeFromPrisma } from "./helpers/schema-drift";

setupTestDatabase();

const SCHEMA_PATH = join(process.cwd(), "prisma", "schema.prisma");
const schemaText = () => readFileSync(SCHEMA_PATH, "utf8");
const databaseShape = (): Promise<SchemaShape> => withPg((c) => shapeFromDatabase(c));

/** Applies a regular-expression edit that must match exactly once, so a doctoring that misses fails loudly. */
function edit(text: string, pattern: RegExp, replacement: string): string {
  const matches = text.match(new RegExp(pattern.source, `${pattern.flags.replace("g", "")}g`));
  if (matches?.length !== 1) throw new Error(`doctoring ${pattern} matched ${matches?.length ?? 0} times, expected once`);
  return text.replace(pattern, replacement);
}

/** The body of `model Name { ... }`, so an edit can be confined to one model. */
function editModel(text: string, model: string, pattern: RegExp, replacement: string): string {
  const block = new RegExp(`(^model ${model} \\{\\n)([\\s\\S]*?)(^\\})`, "m");
  const found = block.exec(text);
  if (!found) throw new Error(`model ${model} not found in schema.prisma`);
  return text.replace(block, (_all, open: string, body: string, close: string) => `${open}${edit(body, pattern, replacement)}${close}`);
}

describe("schema drift", () => {
  it("the migrated database matches prisma/schema.prisma", async () => {
    const differences = diffSchemas(shapeFromPrisma(schemaText()), await databaseShape());
    expect(differences, `schema.prisma and prisma/migrations disagree:\n  ${differences.join("\n  ")}\n`).toEqual([]);
  });

  it("reads the types that matter: uuid, timestamptz(3), jsonb, bytea, bigint, enums and enum arrays", async () => {
    const db = await databaseShape();
    expect(db.tables.users?.columns.id).toEqual({ type: "uuid", nullable: false, default: null });
    expect(db.tables.users?.columns.role).toEqual({ type: "enum Role", nullable: false, default: null });
    expect(db.tables.users?.columns.created_at).toEqual({ type: "timestamptz(3)", nullable: false, default: "CURRENT_TIMESTAMP" });
    expect(db.tables.users?.columns.disabled_at).toEqual({ type: "timestamptz(3)", nullable: true, default: null });
    expect(db.tables.api_tokens?.columns.scopes).toMatchObject({ type: "enum TokenScope[]" });
    expect(db.tables.ledger_entries?.columns.payload).toMatchObject({ type: "jsonb", nullable: false });
    expect(db.tables.ledger_entries?.columns.sequence).toMatchObject({ type: "bigint" });
    expect(db.tables.ledger_entries?.primaryKey).toBe("PRIMARY KEY (sequence, created_at)");
    expect(db.tables.document_bodies?.columns.body).toMatchObject({ type: "bytea", nullable: false });
    expect(db.tables.artifacts?.columns.kind).toEqual({ type: "enum ArtifactKind", nullable: false, default: `'unknown'::"ArtifactKind"` });
    expect(db.tables.rate_limit_buckets?.primaryKey).toBe("PRIMARY KEY (key, window_start)");
    expect(db.tables.users?.indexes).toContain("UNIQUE (email)");
    expect(db.tables.artifact_names?.indexes).toContain("UNIQUE (artifact_id, name)");
    expect(db.tables.artifact_names?.foreignKeys).toContain(
      "FOREIGN KEY (artifact_id) REFERENCES artifacts (id) ON DELETE RESTRICT ON UPDATE CASCADE",
    );
    expect(db.tables.api_tokens?.foreignKeys).toContain(
      "FOREIGN KEY (created_by_id) REFERENCES users (id) ON DELETE SET NULL ON UPDATE CASCADE",
    );
    expect(db.enums.Role).toEqual(["admin", "security", "compliance", "oncall", "viewer"]);
    expect(db.tables).not.toHaveProperty("_prisma_migrations");
  });

  it("reports exactly the differences of a doctored schema.prisma", async () => {
    const original = schemaText();
    let doctored = original;
    // A new optional column.
    doctored = editModel(doctored, "User", /^(\s+email\s+String\s+@unique\n)/m, "$1  nickname String?\n");
    // A required column made optional.
    doctored = editModel(doctored, "ApiToken", /^(\s+prefix\s+)String(\s)/m, "$1String?$2");
    // A unique constraint dropped.
    doctored = editModel(doctored, "Artifact", /^(\s+digest\s+String)\s+@unique/m, "$1");
    // A native type changed, a default dropped, and a composite unique added.
    doctored = editModel(
      doctored,
      "Artifact",
      /^(\s+lastSeenAt\s+DateTime\s+)@default\(now\(\)\) (.*)@db\.Timestamptz\(3\)/m,
      "$1$2@db.Timestamptz(6)",
    );
    doctored = editModel(doctored, "Tag", /^(\s+@@index\(\[repository\]\))/m, "$1\n  @@unique([repository, name])");
    // An enum value added, and a foreign key's delete rule changed.
    doctored = edit(doctored, /^(enum Role \{[\s\S]*?\bviewer\n)/m, "$1  auditor\n");
    doctored = editModel(doctored, "ArtifactName", /onDelete: Restrict/, "onDelete: Cascade");

    const db = await databaseShape();
    const baseline = diffSchemas(shapeFromPrisma(original), db);
    const differences = diffSchemas(shapeFromPrisma(doctored), db);
    const expected = [
      "api_tokens.prefix: NULL in schema.prisma, NOT NULL in the database",
      "artifact_names: FOREIGN KEY (artifact_id) REFERENCES artifacts (id) ON DELETE CASCADE ON UPDATE CASCADE is in schema.prisma, not in the database",
      "artifact_names: FOREIGN KEY (artifact_id) REFERENCES artifacts (id) ON DELETE RESTRICT ON UPDATE CASCADE is in the database, not in schema.prisma",
      "artifacts.last_seen_at: default none in schema.prisma, CURRENT_TIMESTAMP in the database",
      "artifacts.last_seen_at: type timestamptz(6) in schema.prisma, timestamptz(3) in the database",
      "artifacts: UNIQUE (digest) is in the database, not in schema.prisma",
      "enum Role: values [admin, security, compliance, oncall, viewer, auditor] in schema.prisma, [admin, security, compliance, oncall, viewer] in the database",
      "tags: UNIQUE (repository, name) is in schema.prisma, not in the database",
      "users.nickname: in schema.prisma (text NULL), not in the database",
    ];
    // Only the doctoring shows up, whatever else the real schema says.
    expect(differences).toEqual([...baseline, ...expected].sort());
  });

  it("reports exactly the differences of a doctored database", async () => {
    const prisma = shapeFromPrisma(schemaText());
    const before = diffSchemas(prisma, await databaseShape());
    const after = await withPg(async (c) => {
      await c.query("BEGIN");
      try {
        await c.query(`ALTER TABLE "users" ADD COLUMN "shoe_size" INTEGER`);
        await c.query(`ALTER TABLE "users" ALTER COLUMN "name" SET NOT NULL`);
        await c.query(`ALTER TABLE "users" ALTER COLUMN "is_demo" DROP DEFAULT`);
        await c.query(`ALTER TABLE "documents" ALTER COLUMN "size_bytes" TYPE BIGINT`);
        await c.query(`DROP INDEX "tags_reference_key"`);
        await c.query(`CREATE UNIQUE INDEX "tags_partial" ON "tags" ("name") WHERE "name" <> 'latest'`);
        await c.query(`ALTER TABLE "api_tokens" DROP CONSTRAINT "api_tokens_created_by_id_fkey"`);
        await c.query(`ALTER TYPE "ArtifactKind" ADD VALUE 'helm_chart'`);
        await c.query(`CREATE TABLE "stray" ("id" TEXT PRIMARY KEY)`);
        return diffSchemas(prisma, await shapeFromDatabase(c));
      } finally {
        await c.query("ROLLBACK");
      }
    });
    expect(after).toEqual(
      [
        ...before,
        "api_tokens: FOREIGN KEY (created_by_id) REFERENCES users (id) ON DELETE SET NULL ON UPDATE CASCADE is in schema.prisma, not in the database",
        "documents.size_bytes: type integer in schema.prisma, bigint in the database",
        "enum ArtifactKind: values [oci_image, oci_index, file, package, unknown] in schema.prisma, [oci_image, oci_index, file, package, unknown, helm_chart] in the database",
        "table stray: in the database, not in schema.prisma",
        "tags: UNIQUE (name) WHERE (name <> 'latest'::text) is in the database, not in schema.prisma",
        "tags: UNIQUE (reference) is in schema.prisma, not in the database",
        "users.is_demo: default false in schema.prisma, none in the database",
        "users.name: NULL in schema.prisma, NOT NULL in the database",
        "users.shoe_size: in the database (integer NULL), not in schema.prisma",
      ].sort(),
    );
    // The rollback really undid it all.
    expect(diffSchemas(prisma, await databaseShape())).toEqual(before);
  });

  it("reads a table partitioned by month as one table, through its parent", async () => {
    const db = await databaseShape();
    // The partitioned parents, with their keys, indexes and foreign keys...
    expect(db.tables.ledger_entries?.indexes).toEqual([
      "INDEX (document_id)",
      "INDEX (kind, sequence)",
      "INDEX (subject)",
      "UNIQUE (entry_hash, created_at)",
    ]);
    expect(db.tables.document_bodies).toEqual({
      columns: {
        document_id: { type: "uuid", nullable: false, default: null },
        received_at: { type: "timestamptz(3)", nullable: false, default: null },
        body: { type: "bytea", nullable: false, default: null },
      },
      primaryKey: "PRIMARY KEY (document_id, received_at)",
      indexes: [],
      foreignKeys: ["FOREIGN KEY (document_id, received_at) REFERENCES documents (id, received_at) ON DELETE RESTRICT ON UPDATE CASCADE"],
    });
    // ...and none of their partitions, which exist (this month's, the DEFAULT one).
    const partitions = await withPg(async (c) => {
      const { rows } = await c.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent IN ('ledger_entries'::regclass, 'document_bodies'::regclass)`,
      );
      return rows.map((r) => r.name);
    });
    expect(partitions).toEqual(expect.arrayContaining(["ledger_entries_default", "document_bodies_default"]));
    expect(partitions.length).toBeGreaterThan(2);
    for (const name of partitions) expect(db.tables).not.toHaveProperty(name);
  });

  it("reports drift on a partitioned table (its parent), whichever side has it", async () => {
    const prisma = shapeFromPrisma(schemaText());
    const before = diffSchemas(prisma, await databaseShape());
    const after = await withPg(async (c) => {
      await c.query("BEGIN");
      try {
        await c.query(`ALTER TABLE "document_bodies" ADD COLUMN "encoding" TEXT`);
        await c.query(`ALTER TABLE "ledger_entries" ALTER COLUMN "kind" DROP NOT NULL`);
        await c.query(`DROP INDEX "ledger_entries_kind_sequence_idx"`);
        await c.query(`CREATE INDEX "ledger_entries_actor_idx" ON "ledger_entries" ("actor")`);
        await c.query(`ALTER TABLE "document_bodies" DROP CONSTRAINT "document_bodies_document_id_received_at_fkey"`);
        return diffSchemas(prisma, await shapeFromDatabase(c));
      } finally {
        await c.query("ROLLBACK");
      }
    });
    expect(after).toEqual(
      [
        ...before,
        "document_bodies.encoding: in the database (text NULL), not in schema.prisma",
        "document_bodies: FOREIGN KEY (document_id, received_at) REFERENCES documents (id, received_at) ON DELETE RESTRICT ON UPDATE CASCADE is in schema.prisma, not in the database",
        "ledger_entries.kind: NOT NULL in schema.prisma, NULL in the database",
        "ledger_entries: INDEX (actor) is in the database, not in schema.prisma",
        "ledger_entries: INDEX (kind, sequence) is in schema.prisma, not in the database",
      ].sort(),
    );

    // The other way: a key that leaves out the partition key, as the unpartitioned tables had it.
    let doctored = editModel(schemaText(), "LedgerEntry", /^(\s+sequence\s+BigInt)\n/m, "$1 @id\n");
    doctored = editModel(doctored, "LedgerEntry", /^\s+@@id\(\[sequence, createdAt\]\)\n/m, "");
    doctored = editModel(doctored, "LedgerEntry", /^(\s+entryHash\s+String)(\s)/m, "$1 @unique$2");
    doctored = editModel(doctored, "DocumentBody", /^(\s+body\s+)Bytes/m, "$1Bytes?");
    expect(diffSchemas(shapeFromPrisma(doctored), await databaseShape())).toEqual(
      [
        ...before,
        "document_bodies.body: NULL in schema.prisma, NOT NULL in the database",
        "ledger_entries: PRIMARY KEY (sequence) in schema.prisma, PRIMARY KEY (sequence, created_at) in the database",
        "ledger_entries: UNIQUE (entry_hash) is in schema.prisma, not in the database",
      ].sort(),
    );
  });

  it("says why an invalid schema.prisma cannot be compared", () => {
    expect(() => shapeFromPrisma(`${schemaText()}\nmodel Broken {\n  id Strin @id\n}\n`)).toThrow(
      /schema.prisma does not validate:[\s\S]*Strin/,
    );
  });
});
