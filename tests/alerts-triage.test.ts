// Alert triage against a real database: every action changes the alert, writes a timeline event and a
// ledger entry in one transaction; refused transitions are 409s and change nothing; suppressions
// reopen when they expire; the queue's filters, orders, pages and counts. Alerts are inserted as rows,
// in the shape the rule engine writes.
import { beforeEach, describe, expect, it } from "vitest";
import { type AppError, toAppError } from "@/lib/api/errors";
import type { Actor, UserActor } from "@/lib/auth/actor";
import { withTransaction } from "@/lib/db/sql";
import { getAlertStats } from "@/lib/server/alerts/alert-stats";
import { getAlert } from "@/lib/server/alerts/get-alert";
import { listAlerts, type TListAlertsQuery, ZListAlertsQuery } from "@/lib/server/alerts/list-alerts";
import { reopenExpiredSuppressions, SUPPRESSION_EXPIRY_ACTOR, triageAlert } from "@/lib/server/alerts/triage-alert";
import { uuidv7 } from "@/lib/server/ingest/uuid";
import { verifyLedger } from "@/lib/server/ledger/verify-ledger";
import { resetDatabase, setupTestDatabase, withPg } from "./helpers/db";

const { db } = setupTestDatabase();

const NOW = new Date("2026-11-26T10:00:00.000Z");
const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

let oncall: UserActor;
let other: UserActor;
let disabledId: string;

type AlertSeed = {
  rule?: string;
  severity?: string;
  status?: string;
  environment?: string | null;
  subjectKind?: string;
  subjectId?: string;
  subjectLabel?: string;
  summary?: string;
  evidence?: unknown;
  createdAt?: Date;
  updatedAt?: Date;
  assigneeId?: string | null;
  suppressedUntil?: Date | null;
};

async function insertAlert(seed: AlertSeed = {}): Promise<string> {
  const created = seed.createdAt ?? at(-60);
  const id = uuidv7(created.getTime());
  const rule = seed.rule ?? "unsigned-deployed";
  const subjectId = seed.subjectId ?? `sha256:${"a".repeat(63)}${Math.floor(Math.random() * 10)}`;
  await withPg((c) =>
    c.query(
      `INSERT INTO alerts (id, dedupe_key, rule, severity, status, environment, subject_kind, subject_id, subject_label, summary, evidence,
                           assignee_id, suppressed_until, suppression_reason, first_fired_at, last_fired_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13, $14, $15, $15, $15, $16)`,
      [
        id,
        `${rule}|${subjectId}|${id}`,
        rule,
        seed.severity ?? "critical",
        seed.status ?? "open",
        seed.environment === undefined ? "prod" : seed.environment,
        seed.subjectKind ?? "artifact",
        subjectId,
        seed.subjectLabel ?? "registry.test/app@sha256:aaaa",
        seed.summary ?? "An unsigned image runs in prod",
        JSON.stringify(seed.evidence ?? { documents: [], ledger: [] }),
        seed.assigneeId ?? null,
        seed.suppressedUntil ?? null,
        seed.suppressedUntil ? "maintenance window" : null,
        created,
        seed.updatedAt ?? created,
      ],
    ),
  );
  await withPg((c) =>
    c.query(`INSERT INTO alert_events (id, alert_id, kind, actor, data, created_at) VALUES ($1, $2, 'fired', 'system:alerts', '{}', $3)`, [
      uuidv7(created.getTime()),
      id,
      created,
    ]),
  );
  return id;
}

async function row(id: string) {
  return db().alert.findUniqueOrThrow({ where: { id } });
}

async function eventsOf(id: string) {
  return db().alertEvent.findMany({ where: { alertId: id }, orderBy: [{ createdAt: "asc" }, { ledgerSequence: "asc" }] });
}

async function expectAppError(promise: Promise<unknown>, status: number, match?: RegExp | { path: string }): Promise<AppError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  const appError = toAppError(caught);
  expect(appError, `expected an error with status ${status}, got ${String(caught)}`).not.toBeNull();
  expect(appError!.status).toBe(status);
  if (match instanceof RegExp) expect(appError!.message).toMatch(match);
  else if (match) expect(appError!.extra.errors?.map((e) => e.path)).toContain(match.path);
  return appError!;
}

function triage(actor: Actor, id: string, action: Parameters<typeof triageAlert>[0]["action"], input: unknown, now = NOW) {
  return triageAlert({ actor, id, action, input, now });
}

function list(raw: Record<string, string>, actor: Actor | null = oncall) {
  return listAlerts({ query: ZListAlertsQuery.parse(raw) as TListAlertsQuery, actor });
}

async function ledgerEntry(sequence: bigint | null) {
  expect(sequence).not.toBeNull();
  return db().ledgerEntry.findFirstOrThrow({ where: { sequence: sequence! } });
}

beforeEach(async () => {
  await resetDatabase();
  const mk = (email: string, name: string, role: "oncall" | "security" | "viewer", disabled = false) =>
    db().user.create({ data: { email, name, role, disabledAt: disabled ? NOW : null } });
  const [a, b, d] = await Promise.all([
    mk("oncall@test", "On Call", "oncall"),
    mk("sec@test", "Sec Lead", "security"),
    mk("gone@test", "Gone", "viewer", true),
  ]);
  oncall = { kind: "user", id: a.id, email: a.email, name: a.name, role: "oncall" };
  other = { kind: "user", id: b.id, email: b.email, name: b.name, role: "security" };
  disabledId = d.id;
});

describe("triage actions", () => {
  it("acknowledge: status, time, an event and a ledger entry with the note, in one go", async () => {
    const id = await insertAlert();
    const detail = await triage(oncall, id, "acknowledge", { note: "  looking  " });
    expect(detail).toMatchObject({ id, status: "acknowledged", acknowledgedAt: NOW.toISOString(), updatedAt: NOW.toISOString() });
    const events = await eventsOf(id);
    expect(events.map((e) => e.kind)).toEqual(["fired", "acknowledged"]);
    const ack = events[1]!;
    expect(ack).toMatchObject({ actor: `user:${oncall.id}`, note: "looking", data: { from: "open", to: "acknowledged" } });
    const entry = await ledgerEntry(ack.ledgerSequence);
    expect(entry).toMatchObject({ kind: "alert.acknowledged", actor: `user:${oncall.id}`, subject: `alert:${id}` });
    expect(entry.payload).toMatchObject({ note: "looking", rule: "unsigned-deployed", from: "open", to: "acknowledged" });
    // The timeline answers the event with its actor's name and its ledger link (an on-call engineer reads the ledger).
    expect(detail.timeline.at(-1)).toMatchObject({
      kind: "acknowledged",
      actor: { kind: "user", label: "On Call" },
      ledgerSequence: String(ack.ledgerSequence),
      ledgerHref: `/ledger?entry=${ack.ledgerSequence}`,
    });
    expect(await verifyLedger()).toMatchObject({ valid: true });
  });

  it("acknowledge without a body; twice is a 409 that changes nothing", async () => {
    const id = await insertAlert();
    await triage(oncall, id, "acknowledge", {});
    const before = await db().ledgerEntry.count();
    await expectAppError(triage(other, id, "acknowledge", {}), 409, /already acknowledged/);
    expect(await db().ledgerEntry.count()).toBe(before);
    expect((await eventsOf(id)).length).toBe(2);
  });

  it("assign: to an active user, again to the same is a 409, disabled or unknown users are 422, null unassigns", async () => {
    const id = await insertAlert();
    const assigned = await triage(oncall, id, "assign", { assigneeId: other.id });
    expect(assigned.assignee).toEqual({ id: other.id, name: "Sec Lead", email: "sec@test" });
    expect((await row(id)).status).toBe("open");
    const ev = (await eventsOf(id)).at(-1)!;
    expect(ev).toMatchObject({ kind: "assigned", data: { assignee: { id: other.id, email: "sec@test" }, previous: null } });
    expect((await ledgerEntry(ev.ledgerSequence)).kind).toBe("alert.assigned");

    await expectAppError(triage(oncall, id, "assign", { assigneeId: other.id }), 409, /already assigned to Sec Lead/);
    await expectAppError(triage(oncall, id, "assign", { assigneeId: disabledId }), 422, { path: "$.assigneeId" });
    await expectAppError(triage(oncall, id, "assign", { assigneeId: "00000000-0000-4000-8000-000000000000" }), 422, {
      path: "$.assigneeId",
    });
    await expectAppError(triage(oncall, id, "assign", { assigneeId: "not-a-uuid" }), 422, { path: "$.assigneeId" });
    await expectAppError(triage(oncall, id, "assign", {}), 422, { path: "$.assigneeId" });

    const unassigned = await triage(oncall, id, "assign", { assigneeId: null });
    expect(unassigned.assignee).toBeNull();
    expect((await eventsOf(id)).at(-1)).toMatchObject({ kind: "assigned", data: { assignee: null, previous: { id: other.id } } });
    await expectAppError(triage(oncall, id, "assign", { assigneeId: null }), 409, /not assigned/);
  });

  it("comment: 1 to 4000 characters, in any status", async () => {
    const id = await insertAlert({ status: "resolved" });
    await expectAppError(triage(oncall, id, "comment", { note: "   " }), 422, { path: "$.note" });
    await expectAppError(triage(oncall, id, "comment", { note: "x".repeat(4001) }), 422, { path: "$.note" });
    await expectAppError(triage(oncall, id, "comment", {}), 422, { path: "$.note" });
    await expectAppError(triage(oncall, id, "comment", { note: "ok", extra: 1 }), 422);
    const detail = await triage(oncall, id, "comment", { note: "x".repeat(4000) });
    expect(detail.status).toBe("resolved");
    const ev = (await eventsOf(id)).at(-1)!;
    expect(ev.kind).toBe("commented");
    expect(ev.note).toHaveLength(4000);
    expect((await ledgerEntry(ev.ledgerSequence)).payload).toMatchObject({ note: "x".repeat(4000) });
  });

  it("resolve: a note is required; resolving twice, or acknowledging a resolved alert, is a 409", async () => {
    const id = await insertAlert({ status: "acknowledged" });
    await expectAppError(triage(oncall, id, "resolve", {}), 422, { path: "$.note" });
    const detail = await triage(oncall, id, "resolve", { note: "redeployed the signed image" }, at(5));
    expect(detail).toMatchObject({ status: "resolved", resolvedAt: at(5).toISOString() });
    const entry = await ledgerEntry((await eventsOf(id)).at(-1)!.ledgerSequence);
    expect(entry).toMatchObject({
      kind: "alert.resolved",
      payload: { note: "redeployed the signed image", from: "acknowledged", to: "resolved" },
    });
    await expectAppError(triage(oncall, id, "resolve", { note: "again" }), 409, /already resolved/);
    const ack = await expectAppError(triage(oncall, id, "acknowledge", {}), 409);
    expect(ack.message).toMatch(/resolved alert cannot be acknowledged/);
    await expectAppError(triage(oncall, id, "suppress", { justification: "x", until: at(60).toISOString() }), 409);
    await expectAppError(triage(oncall, id, "assign", { assigneeId: other.id }), 409);
  });

  it("suppress: a justification and an end in the future, at most 90 days away", async () => {
    const id = await insertAlert();
    const until = at(60).toISOString();
    await expectAppError(triage(oncall, id, "suppress", { until }), 422, { path: "$.justification" });
    await expectAppError(triage(oncall, id, "suppress", { justification: "known", until: at(-1).toISOString() }), 422, { path: "$.until" });
    await expectAppError(triage(oncall, id, "suppress", { justification: "known", until: at(91 * 24 * 60).toISOString() }), 422, {
      path: "$.until",
    });
    await expectAppError(triage(oncall, id, "suppress", { justification: "known", until: "tomorrow" }), 422, { path: "$.until" });
    const detail = await triage(oncall, id, "suppress", { justification: "known base image, fix Monday", until });
    expect(detail).toMatchObject({ status: "suppressed", suppressedUntil: until, suppressionReason: "known base image, fix Monday" });
    const entry = await ledgerEntry((await eventsOf(id)).at(-1)!.ledgerSequence);
    expect(entry).toMatchObject({ kind: "alert.suppressed", payload: { note: "known base image, fix Monday", until } });
    await expectAppError(triage(oncall, id, "acknowledge", {}), 409, /suppressed alert cannot be acknowledged/);
    // Extending a suppression is a change of its own, recorded with the previous end.
    const later = at(120).toISOString();
    await triage(oncall, id, "suppress", { justification: "still waiting", until: later });
    expect((await eventsOf(id)).at(-1)?.data).toMatchObject({ until: later, previousUntil: until });
  });

  it("an unknown alert is a 404, whatever the action", async () => {
    for (const action of ["acknowledge", "comment", "resolve"] as const) {
      await expectAppError(triage(oncall, "00000000-0000-4000-8000-000000000000", action, { note: "n" }), 404, /No alert/);
    }
  });

  it("concurrent acknowledgements: exactly one wins, the other is a 409", async () => {
    const id = await insertAlert();
    const results = await Promise.allSettled([triage(oncall, id, "acknowledge", {}), triage(other, id, "acknowledge", {})]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect((rejected.reason as AppError).status).toBe(409);
    expect((await eventsOf(id)).filter((e) => e.kind === "acknowledged")).toHaveLength(1);
    expect(await verifyLedger()).toMatchObject({ valid: true });
  });
});

describe("suppression expiry", () => {
  it("reopens expired suppressions only, with an unsuppressed event and a ledger entry by the system", async () => {
    const expired = await insertAlert({ status: "suppressed", suppressedUntil: at(-1) });
    const current = await insertAlert({ status: "suppressed", suppressedUntil: at(60) });
    const reopened = await withTransaction((sql) => reopenExpiredSuppressions(sql, NOW));
    expect(reopened).toEqual([expired]);
    expect(await row(expired)).toMatchObject({ status: "open", suppressedUntil: null, suppressionReason: null, updatedAt: NOW });
    expect((await row(current)).status).toBe("suppressed");
    const ev = (await eventsOf(expired)).at(-1)!;
    expect(ev).toMatchObject({ kind: "unsuppressed", actor: SUPPRESSION_EXPIRY_ACTOR, data: { from: "suppressed", to: "open" } });
    const entry = await ledgerEntry(ev.ledgerSequence);
    expect(entry).toMatchObject({ kind: "alert.unsuppressed", actor: SUPPRESSION_EXPIRY_ACTOR, subject: `alert:${expired}` });
    // Nothing is due any more; later, the second one is.
    expect(await withTransaction((sql) => reopenExpiredSuppressions(sql, NOW))).toEqual([]);
    expect(await withTransaction((sql) => reopenExpiredSuppressions(sql, at(60)))).toEqual([current]);
    expect(await verifyLedger()).toMatchObject({ valid: true });
  });

  it("a suppression made through triage reopens when it runs out, and can then be acknowledged", async () => {
    const id = await insertAlert();
    await triage(oncall, id, "suppress", { justification: "deploy freeze", until: at(30).toISOString() });
    expect(await withTransaction((sql) => reopenExpiredSuppressions(sql, at(29)))).toEqual([]);
    expect(await withTransaction((sql) => reopenExpiredSuppressions(sql, at(30)))).toEqual([id]);
    const detail = await triage(oncall, id, "acknowledge", {}, at(31));
    expect(detail.timeline.map((e) => e.kind)).toEqual(["fired", "suppressed", "unsuppressed", "acknowledged"]);
    expect(detail.timeline[2]?.actor).toMatchObject({ kind: "system", label: "Vitrine (suppression-expiry)" });
  });
});

describe("the queue", () => {
  it("filters by status (several), severity, rule, environment, assignee, time and text", async () => {
    const a = await insertAlert({
      severity: "critical",
      status: "open",
      rule: "unsigned-deployed",
      environment: "prod",
      createdAt: at(-300),
    });
    const b = await insertAlert({
      severity: "high",
      status: "acknowledged",
      rule: "tag-mutated",
      environment: null,
      subjectKind: "tag",
      subjectId: "registry.test/app:1.0",
      subjectLabel: "registry.test/app:1.0",
      summary: "Tag 1.0 moved to another digest",
      assigneeId: oncall.id,
      createdAt: at(-200),
    });
    const c = await insertAlert({
      severity: "medium",
      status: "resolved",
      rule: "missing-provenance",
      environment: "staging",
      createdAt: at(-100),
    });
    const d = await insertAlert({
      severity: "critical",
      status: "suppressed",
      environment: "prod",
      assigneeId: other.id,
      createdAt: at(-50),
    });
    const ids = async (q: Record<string, string>) => (await list(q)).items.map((i) => i.id).sort();

    expect(await ids({})).toEqual([a, b, c, d].sort());
    expect(await ids({ status: "open,acknowledged" })).toEqual([a, b].sort());
    expect(await ids({ severity: "critical" })).toEqual([a, d].sort());
    expect(await ids({ rule: "tag-mutated" })).toEqual([b]);
    expect(await ids({ environment: "prod" })).toEqual([a, d].sort());
    expect(await ids({ assignee: "me" })).toEqual([b]);
    expect(await ids({ assignee: other.id })).toEqual([d]);
    expect(await ids({ assignee: "none" })).toEqual([a, c].sort());
    expect(await ids({ timeField: "created", from: at(-250).toISOString() })).toEqual([b, c, d].sort());
    expect(await ids({ timeField: "created", from: at(-250).toISOString(), to: at(-100).toISOString() })).toEqual([b]);
    expect(await ids({ q: "moved" })).toEqual([b]);
    expect(await ids({ q: "registry.test/app:1" })).toEqual([b]);
    expect(await ids({ q: "100%_" })).toEqual([]);

    // The contract shape, extended.
    const item = (await list({ rule: "tag-mutated" })).items[0]!;
    expect(item).toMatchObject({
      id: b,
      rule: "tag-mutated",
      severity: "high",
      status: "acknowledged",
      environment: null,
      subject: { kind: "tag", id: "registry.test/app:1.0" },
      summary: "Tag 1.0 moved to another digest",
      createdAt: at(-200).toISOString(),
      updatedAt: at(-200).toISOString(),
      assignee: { id: oncall.id, name: "On Call", email: "oncall@test" },
    });
  });

  it("counts per severity and status for the same filters (each facet without its own filter)", async () => {
    await insertAlert({ severity: "critical", status: "open" });
    await insertAlert({ severity: "critical", status: "acknowledged" });
    await insertAlert({ severity: "high", status: "open" });
    await insertAlert({ severity: "low", status: "resolved" });
    await insertAlert({ severity: "high", status: "open", environment: "dev" });
    const page = await list({ status: "open", environment: "prod" });
    expect(page.counts.severity).toEqual({ critical: 1, high: 1, medium: 0, low: 0 });
    expect(page.counts.status).toEqual({ open: 2, acknowledged: 1, resolved: 1, suppressed: 0 });
    expect(page.counts.total).toBe(2);
    const bySeverity = await list({ severity: "critical", environment: "prod" });
    expect(bySeverity.counts.status).toEqual({ open: 1, acknowledged: 1, resolved: 0, suppressed: 0 });
    expect(bySeverity.counts.severity).toEqual({ critical: 2, high: 1, medium: 0, low: 1 });
    expect(bySeverity.counts.total).toBe(2);
  });

  it("pages through every alert once, newest change first or worst severity first", async () => {
    const severities = ["low", "critical", "medium", "high"];
    const made: Array<{ id: string; severity: string; updatedAt: Date }> = [];
    for (let i = 0; i < 23; i++) {
      const severity = severities[i % 4]!;
      // Some share an update time, so the id breaks ties.
      const updatedAt = at(-Math.floor(i / 2));
      made.push({ id: await insertAlert({ severity, createdAt: at(-100 - i), updatedAt }), severity, updatedAt });
    }
    for (const sort of ["updated", "severity"] as const) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await list({ sort, limit: "5", ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((i) => i.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor && pages < 20);
      expect(pages).toBe(5);
      const rank = (s: string) => ["critical", "high", "medium", "low"].indexOf(s);
      const expected = [...made]
        .sort(
          (x, y) =>
            (sort === "severity" ? rank(x.severity) - rank(y.severity) : 0) ||
            y.updatedAt.getTime() - x.updatedAt.getTime() ||
            (x.id < y.id ? 1 : -1),
        )
        .map((m) => m.id);
      expect(seen).toEqual(expected);
    }
  });

  it("refuses a bad cursor, a cursor of the other sort, assignee=me for a token, and bad filters (422 naming the parameter)", async () => {
    for (let i = 0; i < 3; i++) await insertAlert();
    const first = await list({ limit: "1" });
    expect(first.nextCursor).not.toBeNull();
    await expectAppError(list({ cursor: "nonsense" }), 422, { path: "$.query.cursor" });
    await expectAppError(list({ cursor: first.nextCursor!, sort: "severity" }), 422, { path: "$.query.cursor" });
    const token: Actor = { kind: "token", id: "00000000-0000-4000-8000-000000000001", name: "t", scopes: ["read"] };
    await expectAppError(list({ assignee: "me" }, token), 422, { path: "$.query.assignee" });
    expect(ZListAlertsQuery.safeParse({ status: "open,closed" }).success).toBe(false);
    expect(ZListAlertsQuery.safeParse({ severity: "" }).success).toBe(false);
    expect(ZListAlertsQuery.safeParse({ assignee: "bob" }).success).toBe(false);
    expect(ZListAlertsQuery.safeParse({ from: "yesterday" }).success).toBe(false);
    expect(ZListAlertsQuery.safeParse({ limit: "0" }).success).toBe(false);
    expect(ZListAlertsQuery.safeParse({ from: "2026-11-01", to: "2026-11-26T00:00:00Z", status: "open, suppressed" }).success).toBe(true);
  });
});

describe("the alert page's data", () => {
  it("links evidence and subject; documents and ledger entries only for ledger readers", async () => {
    const doc = "01900000-0000-7000-8000-000000000001";
    const id = await insertAlert({
      evidence: {
        documents: [doc, "not-an-id"],
        ledger: [12, "13"],
        policy: "default",
        image: `sha256:${"b".repeat(64)}`,
        nested: { a: 1 },
      },
    });
    const reader = await getAlert({ id, canReadLedger: true });
    expect(reader?.evidence.documents).toEqual([{ id: doc, href: `/api/v1/documents/${doc}` }]);
    expect(reader?.evidence.ledger).toEqual([
      { sequence: "12", href: "/ledger?entry=12" },
      { sequence: "13", href: "/ledger?entry=13" },
    ]);
    expect([...(reader?.evidence.facts ?? [])].sort((x, y) => x.key.localeCompare(y.key))).toEqual([
      { key: "image", value: `sha256:${"b".repeat(64)}`, href: `/artifacts/sha256%3A${"b".repeat(64)}` },
      { key: "nested", value: '{"a":1}', href: null },
      { key: "policy", value: "default", href: null },
    ]);
    expect(reader?.subject.href).toMatch(/^\/artifacts\/sha256%3Aa{63}\d$/);
    const viewer = await getAlert({ id, canReadLedger: false });
    expect(viewer?.evidence.documents).toEqual([{ id: doc, href: null }]);
    expect(viewer?.evidence.ledger.every((l) => l.href === null)).toBe(true);
    expect(await getAlert({ id: "00000000-0000-4000-8000-000000000000", canReadLedger: true })).toBeNull();
    expect(await getAlert({ id: "nope", canReadLedger: true })).toBeNull();
  });

  it("subject links per kind", async () => {
    const keyId = "01900000-0000-7000-8000-0000000000aa";
    const cases: Array<[AlertSeed, string | null]> = [
      [{ subjectKind: "deployment", subjectId: "01900000-0000-7000-8000-000000000002", environment: "prod" }, "/environments/prod"],
      [{ subjectKind: "tag", subjectId: "registry.test/team/app:1.0" }, "/tags/registry.test/team/app:1.0"],
      [{ subjectKind: "key", subjectId: keyId }, `/trust/keys/${keyId}`],
      [{ subjectKind: "key", subjectId: `identities:${keyId}` }, `/trust/identities/${keyId}`],
      [{ subjectKind: "key", subjectId: "fingerprint:sha256:abc" }, null],
    ];
    for (const [seed, href] of cases) {
      const id = await insertAlert(seed);
      expect((await getAlert({ id, canReadLedger: false }))?.subject.href, JSON.stringify(seed)).toBe(href);
    }
  });
});

describe("overview figures", () => {
  it("open alerts by severity, new alerts per day, mean times to acknowledge and resolve, top rules, newest critical", async () => {
    const day = 24 * 60;
    const a = await insertAlert({ severity: "critical", createdAt: at(-2 * day) });
    const b = await insertAlert({ severity: "high", rule: "tag-mutated", createdAt: at(-2 * day + 10) });
    await insertAlert({ severity: "high", rule: "tag-mutated", createdAt: at(-40 * day) });
    await insertAlert({ severity: "low", status: "acknowledged", createdAt: at(-10) });
    // a: acknowledged after 10 minutes, resolved after an hour; b: acknowledged after 30 minutes.
    await triage(oncall, a, "acknowledge", {}, at(-2 * day + 10));
    await triage(oncall, a, "resolve", { note: "fixed" }, at(-2 * day + 60));
    await triage(oncall, b, "acknowledge", {}, at(-2 * day + 40));

    const stats = await getAlertStats({ now: NOW });
    expect(stats.perDay).toHaveLength(30);
    expect(stats.perDay.at(-1)?.day).toBe("2026-11-26");
    expect(stats.perDay[0]?.day).toBe("2026-10-28");
    const d = stats.perDay.find((x) => x.day === "2026-11-24")!;
    expect(d).toMatchObject({ created: 2, acknowledged: 2, resolved: 1, meanAckSeconds: 20 * 60, meanResolveSeconds: 60 * 60 });
    expect(stats.perDay.find((x) => x.day === "2026-11-26")?.created).toBe(1);
    expect(stats.perDay.reduce((n, x) => n + x.created, 0)).toBe(3);
    expect(stats).toMatchObject({ meanAckSeconds: 20 * 60, meanResolveSeconds: 3600, acknowledgements: 2, resolutions: 1 });
    expect(stats.openBySeverity).toEqual([
      { severity: "critical", open: 0, acknowledged: 0 },
      { severity: "high", open: 1, acknowledged: 1 },
      { severity: "medium", open: 0, acknowledged: 0 },
      { severity: "low", open: 0, acknowledged: 1 },
    ]);
    expect(stats.topRules[0]).toEqual({ rule: "unsigned-deployed", alerts: 2, active: 1 });
    expect(stats.topRules[1]).toEqual({ rule: "tag-mutated", alerts: 1, active: 1 });
    expect(stats.newestCritical.map((x) => x.id)).toEqual([a]);
  });
});
