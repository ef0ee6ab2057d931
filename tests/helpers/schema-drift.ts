// The shape of a Postgres schema as the drift test compares it, read two ways: from
// prisma/schema.prisma (through Prisma's own schema engine, compiled to wasm) and from a live
// database's catalog. Each side becomes the same plain description; diffSchemas() lists every
// difference as one readable line.
import { createRequire } from "node:module";
import { stripVTControlCharacters } from "node:util";
import type pg from "pg";

export type ColumnShape = { type: string; nullable: boolean; default: string | null };
export type TableShape = {
  columns: Record<string, ColumnShape>;
  primaryKey: string | null;
  /** "UNIQUE (a, b)", "INDEX (a DESC)", ... */
  indexes: string[];
  /** "FOREIGN KEY (a) REFERENCES t (id) ON DELETE RESTRICT ON UPDATE CASCADE" */
  foreignKeys: string[];
};
export type SchemaShape = { tables: Record<string, TableShape>; enums: Record<string, string[]> };

// ---------------------------------------------------------------------------------------------
// schema.prisma -> shape

type DmmfField = {
  name: string;
  dbName?: string | null;
  kind: "scalar" | "enum" | "object" | "unsupported";
  isList: boolean;
  isRequired: boolean;
  isUnique: boolean;
  isId: boolean;
  type: string;
  nativeType?: [string, string[]] | null;
  default?: unknown;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
  relationOnUpdate?: string;
};
type DmmfModel = { name: string; dbName: string | null; fields: DmmfField[]; primaryKey: { fields: string[] } | null };
type DmmfEnum = { name: string; dbName: string | null; values: Array<{ name: string; dbName: string | null }> };
type DmmfIndex = {
  model: string;
  type: "id" | "unique" | "normal" | "fulltext";
  dbName?: string;
  fields: Array<{ name: string; sortOrder?: "asc" | "desc" }>;
};
type Dmmf = { datamodel: { models: DmmfModel[]; enums: DmmfEnum[]; indexes: DmmfIndex[] } };

const require = createRequire(import.meta.url);

export function readDmmf(schemaText: string): Dmmf {
  const wasm = require("@prisma/prisma-schema-wasm") as { get_dmmf: (params: string) => string };
  try {
    return JSON.parse(wasm.get_dmmf(JSON.stringify({ prismaSchema: schemaText }))) as Dmmf;
  } catch (error) {
    // The engine reports validation errors as JSON with ANSI colours; keep the words.
    const text = stripVTControlCharacters(String((error as Error).message ?? error));
    throw new Error(`schema.prisma does not validate:\n${text}`);
  }
}

/** The Postgres type Prisma Migrate creates for a scalar field (without [] for lists). */
function columnType(field: DmmfField, enums: Map<string, string>): string {
  if (field.kind === "enum") return `enum ${enums.get(field.type) ?? field.type}`;
  const [native, args = []] = field.nativeType ?? [null, []];
  const withArgs = (name: string) => (args.length ? `${name}(${args.join(",")})` : name);
  switch (field.type) {
    case "String":
      if (!native || native === "Text") return "text";
      if (native === "VarChar") return withArgs("varchar");
      if (native === "Char") return withArgs("char");
      if (native === "Uuid") return "uuid";
      if (native === "Inet") return "inet";
      if (native === "Citext") return "citext";
      if (native === "Xml") return "xml";
      break;
    case "Boolean":
      return "boolean";
    case "Int":
      if (!native || native === "Integer") return "integer";
      if (native === "SmallInt") return "smallint";
      if (native === "Oid") return "oid";
      break;
    case "BigInt":
      return "bigint";
    case "Float":
      if (!native || native === "DoublePrecision") return "double precision";
      if (native === "Real") return "real";
      break;
    case "Decimal":
      if (!native) return "numeric(65,30)";
      if (native === "Decimal") return withArgs("numeric");
      if (native === "Money") return "money";
      break;
    case "DateTime":
      if (!native) return "timestamp(3)";
      if (native === "Timestamptz") return `timestamptz(${args[0] ?? 6})`;
      if (native === "Timestamp") return `timestamp(${args[0] ?? 6})`;
      if (native === "Date") return "date";
      if (native === "Time") return `time(${args[0] ?? 6})`;
      if (native === "Timetz") return `timetz(${args[0] ?? 6})`;
      break;
    case "Json":
      return native === "Json" ? "json" : "jsonb";
    case "Bytes":
      return "bytea";
  }
  // Loud on purpose: a type this comparison does not know must be taught, not skipped.
  throw new Error(`schema-drift: no Postgres type known for ${field.type} @db.${native} (field ${field.name})`);
}

/** The default expression Postgres shows (pg_get_expr) for a Prisma @default, or null when Prisma fills it in. */
function columnDefault(field: DmmfField, table: string, column: string, enums: Map<string, string>): string | null {
  const d = field.default;
  if (d === undefined || Array.isArray(d)) return null;
  if (d !== null && typeof d === "object") {
    const fn = d as { name: string; args: unknown[] };
    if (fn.name === "now") return "CURRENT_TIMESTAMP";
    if (fn.name === "autoincrement") return `nextval('${table}_${column}_seq'::regclass)`;
    if (fn.name === "dbgenerated") return String(fn.args[0]);
    // uuid(), cuid(), nanoid(), ulid(): generated by Prisma Client, not by the database.
    return null;
  }
  if (typeof d === "boolean" || typeof d === "number") return String(d);
  if (typeof d === "string") {
    const quoted = `'${d.replace(/'/g, "''")}'`;
    if (field.kind === "enum") return `${quoted}::"${enums.get(field.type) ?? field.type}"`;
    return field.type === "String" ? `${quoted}::text` : quoted;
  }
  return String(d);
}

const ACTIONS: Record<string, string> = {
  Cascade: "CASCADE",
  Restrict: "RESTRICT",
  NoAction: "NO ACTION",
  SetNull: "SET NULL",
  SetDefault: "SET DEFAULT",
};

function describeIndex(unique: boolean, columns: string[]): string {
  return `${unique ? "UNIQUE" : "INDEX"} (${columns.join(", ")})`;
}

function describeForeignKey(options: { columns: string[]; table: string; refColumns: string[]; onDelete: string; onUpdate: string }) {
  return `FOREIGN KEY (${options.columns.join(", ")}) REFERENCES ${options.table} (${options.refColumns.join(", ")}) ON DELETE ${options.onDelete} ON UPDATE ${options.onUpdate}`;
}

export function shapeFromPrisma(schemaText: string): SchemaShape {
  const { datamodel } = readDmmf(schemaText);
  const enumDbNames = new Map(datamodel.enums.map((e) => [e.name, e.dbName ?? e.name]));
  const models = new Map(datamodel.models.map((m) => [m.name, m]));
  const tableOf = (model: DmmfModel) => model.dbName ?? model.name;
  const columnOf = (model: DmmfModel, fieldName: string) => {
    const field = model.fields.find((f) => f.name === fieldName);
    if (!field) throw new Error(`schema-drift: ${model.name}.${fieldName} not found`);
    return field.dbName ?? field.name;
  };

  const shape: SchemaShape = { tables: {}, enums: {} };
  for (const e of datamodel.enums) shape.enums[e.dbName ?? e.name] = e.values.map((v) => v.dbName ?? v.name);

  for (const model of datamodel.models) {
    const table = tableOf(model);
    const t: TableShape = { columns: {}, primaryKey: null, indexes: [], foreignKeys: [] };
    for (const field of model.fields) {
      if (field.kind === "scalar" || field.kind === "enum") {
        const column = field.dbName ?? field.name;
        t.columns[column] = {
          type: `${columnType(field, enumDbNames)}${field.isList ? "[]" : ""}`,
          // Prisma Migrate creates list columns without NOT NULL (a list is never optional in Prisma).
          nullable: field.isList ? true : !field.isRequired,
          default: columnDefault(field, table, column, enumDbNames),
        };
        if (field.isId) t.primaryKey = `PRIMARY KEY (${column})`;
      } else if (field.kind === "object" && field.relationFromFields?.length) {
        const target = models.get(field.type);
        if (!target) throw new Error(`schema-drift: relation ${model.name}.${field.name} to unknown model ${field.type}`);
        const fromFields = field.relationFromFields;
        const allRequired = fromFields.every((f) => model.fields.find((x) => x.name === f)?.isRequired);
        t.foreignKeys.push(
          describeForeignKey({
            columns: fromFields.map((f) => columnOf(model, f)),
            table: tableOf(target),
            refColumns: (field.relationToFields ?? []).map((f) => columnOf(target, f)),
            // Prisma's defaults: Restrict for a required relation, SetNull for an optional one; Cascade on update.
            onDelete: ACTIONS[field.relationOnDelete ?? (allRequired ? "Restrict" : "SetNull")] ?? "?",
            onUpdate: ACTIONS[field.relationOnUpdate ?? "Cascade"] ?? "?",
          }),
        );
      }
    }
    if (model.primaryKey) t.primaryKey = `PRIMARY KEY (${model.primaryKey.fields.map((f) => columnOf(model, f)).join(", ")})`;
    shape.tables[table] = t;
  }

  for (const index of datamodel.indexes) {
    if (index.type === "id") continue;
    const model = models.get(index.model);
    if (!model) continue;
    if (index.type === "fulltext") throw new Error("schema-drift: fulltext indexes do not exist on Postgres");
    const columns = index.fields.map((f) => `${columnOf(model, f.name)}${f.sortOrder === "desc" ? " DESC" : ""}`);
    (shape.tables[tableOf(model)] as TableShape).indexes.push(describeIndex(index.type === "unique", columns));
  }
  for (const t of Object.values(shape.tables)) {
    t.indexes.sort();
    t.foreignKeys.sort();
  }
  return shape;
}

// ---------------------------------------------------------------------------------------------
// database catalog -> shape

/** format_type() text -> the names columnType() uses. */
function normaliseType(formatted: string): string {
  return formatted
    .replace(/^timestamp\((\d)\) with time zone/, "timestamptz($1)")
    .replace(/^timestamp with time zone/, "timestamptz(6)")
    .replace(/^timestamp\((\d)\) without time zone/, "timestamp($1)")
    .replace(/^timestamp without time zone/, "timestamp(6)")
    .replace(/^time\((\d)\) with time zone/, "timetz($1)")
    .replace(/^time\((\d)\) without time zone/, "time($1)")
    .replace(/^character varying/, "varchar")
    .replace(/^character\(/, "char(");
}

const PG_ACTIONS: Record<string, string> = { a: "NO ACTION", r: "RESTRICT", c: "CASCADE", n: "SET NULL", d: "SET DEFAULT" };

/**
 * Reads the public schema of the connected database (Prisma's own bookkeeping table excluded).
 * A partitioned table (relkind 'p') reads as the table it is to Prisma: its columns, keys, indexes
 * and foreign keys are its parent's. Its partitions are not tables of the schema (Prisma has no word
 * for them): they, their indexes and the constraints cloned onto them are left out. Every partition
 * has its parent's columns, and an index or constraint made on the parent is made on each of them,
 * so drift shows on the parent.
 */
export async function shapeFromDatabase(client: pg.Client): Promise<SchemaShape> {
  const shape: SchemaShape = { tables: {}, enums: {} };
  const table = (name: string): TableShape => {
    shape.tables[name] ??= { columns: {}, primaryKey: null, indexes: [], foreignKeys: [] };
    return shape.tables[name];
  };

  const tables = await client.query<{ table: string }>(`
    SELECT c.relname AS table FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> '_prisma_migrations'`);
  for (const r of tables.rows) table(r.table);

  const columns = await client.query<{
    table: string;
    column: string;
    formatted: string;
    typtype: string;
    typname: string;
    elem_typtype: string | null;
    elem_typname: string | null;
    nullable: boolean;
    default: string | null;
  }>(`
    SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS formatted,
           t.typtype, t.typname, et.typtype AS elem_typtype, et.typname AS elem_typname,
           NOT a.attnotnull AS nullable, pg_get_expr(d.adbin, d.adrelid) AS default
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_type t ON t.oid = a.atttypid
    LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> '_prisma_migrations'
      AND a.attnum > 0 AND NOT a.attisdropped`);
  for (const r of columns.rows) {
    let type: string;
    if (r.typtype === "e") type = `enum ${r.typname}`;
    else if (r.elem_typtype === "e") type = `enum ${r.elem_typname}[]`;
    else type = normaliseType(r.formatted);
    table(r.table).columns[r.column] = { type, nullable: r.nullable, default: r.default };
  }

  const indexes = await client.query<{
    table: string;
    is_unique: boolean;
    is_primary: boolean;
    columns: Array<{ name: string | null; desc: boolean }>;
    predicate: string | null;
  }>(`
    SELECT t.relname AS table, ix.indisunique AS is_unique, ix.indisprimary AS is_primary,
           (SELECT json_agg(json_build_object('name', a.attname, 'desc', (ix.indoption[k.ord - 1] & 1) = 1) ORDER BY k.ord)
              FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
              LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum) AS columns,
           pg_get_expr(ix.indpred, ix.indrelid) AS predicate
    FROM pg_index ix
    JOIN pg_class t ON t.oid = ix.indrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
    WHERE n.nspname = 'public' AND NOT t.relispartition AND t.relname <> '_prisma_migrations'`);
  for (const r of indexes.rows) {
    const cols = r.columns.map((c) => `${c.name ?? "<expression>"}${c.desc ? " DESC" : ""}`);
    if (r.is_primary) {
      table(r.table).primaryKey = `PRIMARY KEY (${cols.join(", ")})`;
      continue;
    }
    table(r.table).indexes.push(`${describeIndex(r.is_unique, cols)}${r.predicate ? ` WHERE ${r.predicate}` : ""}`);
  }

  const fks = await client.query<{
    table: string;
    ref_table: string;
    columns: string[];
    ref_columns: string[];
    on_delete: string;
    on_update: string;
  }>(`
    SELECT t.relname AS table, rt.relname AS ref_table, c.confdeltype AS on_delete, c.confupdtype AS on_update,
           (SELECT json_agg(a.attname ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
              JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS columns,
           (SELECT json_agg(a.attname ORDER BY k.ord) FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, ord)
              JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum) AS ref_columns
    FROM pg_constraint c
    JOIN pg_class t ON t.oid = c.conrelid
    JOIN pg_class rt ON rt.oid = c.confrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
    WHERE c.contype = 'f' AND n.nspname = 'public' AND NOT t.relispartition
      -- A foreign key to a partitioned table is cloned once per partition it references.
      AND c.conparentid = 0`);
  for (const r of fks.rows) {
    table(r.table).foreignKeys.push(
      describeForeignKey({
        columns: r.columns,
        table: r.ref_table,
        refColumns: r.ref_columns,
        onDelete: PG_ACTIONS[r.on_delete] ?? r.on_delete,
        onUpdate: PG_ACTIONS[r.on_update] ?? r.on_update,
      }),
    );
  }

  const enums = await client.query<{ name: string; labels: string[] }>(`
    SELECT t.typname AS name, json_agg(e.enumlabel ORDER BY e.enumsortorder) AS labels
    FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname = 'public' GROUP BY t.typname`);
  for (const r of enums.rows) shape.enums[r.name] = r.labels;

  for (const t of Object.values(shape.tables)) {
    t.indexes.sort();
    t.foreignKeys.sort();
  }
  return shape;
}

// ---------------------------------------------------------------------------------------------
// comparison

function describeColumn(c: ColumnShape): string {
  return `${c.type} ${c.nullable ? "NULL" : "NOT NULL"}${c.default !== null ? ` DEFAULT ${c.default}` : ""}`;
}

function setDiff(label: string, expected: string[], actual: string[], out: string[]): void {
  for (const e of expected) if (!actual.includes(e)) out.push(`${label}: ${e} is in schema.prisma, not in the database`);
  for (const a of actual) if (!expected.includes(a)) out.push(`${label}: ${a} is in the database, not in schema.prisma`);
}

/** Every difference between what schema.prisma declares and what the database has, one line each, sorted. */
export function diffSchemas(prisma: SchemaShape, database: SchemaShape): string[] {
  const out: string[] = [];
  for (const name of new Set([...Object.keys(prisma.enums), ...Object.keys(database.enums)])) {
    const want = prisma.enums[name];
    const have = database.enums[name];
    if (!have) out.push(`enum ${name}: in schema.prisma, not in the database`);
    else if (!want) out.push(`enum ${name}: in the database, not in schema.prisma`);
    else if (want.join(",") !== have.join(","))
      out.push(`enum ${name}: values [${want.join(", ")}] in schema.prisma, [${have.join(", ")}] in the database`);
  }
  for (const name of new Set([...Object.keys(prisma.tables), ...Object.keys(database.tables)])) {
    const want = prisma.tables[name];
    const have = database.tables[name];
    if (!have) {
      out.push(`table ${name}: in schema.prisma, not in the database`);
      continue;
    }
    if (!want) {
      out.push(`table ${name}: in the database, not in schema.prisma`);
      continue;
    }
    for (const column of new Set([...Object.keys(want.columns), ...Object.keys(have.columns)])) {
      const w = want.columns[column];
      const h = have.columns[column];
      const label = `${name}.${column}`;
      if (!h) out.push(`${label}: in schema.prisma (${describeColumn(w as ColumnShape)}), not in the database`);
      else if (!w) out.push(`${label}: in the database (${describeColumn(h)}), not in schema.prisma`);
      else {
        if (w.type !== h.type) out.push(`${label}: type ${w.type} in schema.prisma, ${h.type} in the database`);
        if (w.nullable !== h.nullable)
          out.push(`${label}: ${w.nullable ? "NULL" : "NOT NULL"} in schema.prisma, ${h.nullable ? "NULL" : "NOT NULL"} in the database`);
        if (w.default !== h.default)
          out.push(`${label}: default ${w.default ?? "none"} in schema.prisma, ${h.default ?? "none"} in the database`);
      }
    }
    if (want.primaryKey !== have.primaryKey)
      out.push(`${name}: ${want.primaryKey ?? "no primary key"} in schema.prisma, ${have.primaryKey ?? "no primary key"} in the database`);
    setDiff(name, want.indexes, have.indexes, out);
    setDiff(name, want.foreignKeys, have.foreignKeys, out);
  }
  return out.sort();
}
