import { describe, expect, it } from "vitest";
import { checkChainSegment, GENESIS_HASH, hashLedgerEntry, type LedgerEntryContent } from "./ledger";

type Entry = LedgerEntryContent & { entryHash: string };

const base: LedgerEntryContent = {
  sequence: 1n,
  kind: "document.accepted",
  actor: "token:0193b0a4-0000-7000-8000-000000000001",
  subject: "artifact:sha256:0b31b1c02ff458ad9b7b81cbdf8f028bd54699fa151f221d1e8de6817db93427",
  documentId: "0193b0a4-0000-7000-8000-000000000002",
  payload: { format: "cdevents", nested: { b: 2, a: [1, "x", null] } },
  prevHash: GENESIS_HASH,
  createdAt: new Date("2026-11-25T10:00:00.123Z"),
};

/** A valid chain of n entries, as appendLedgerEntry builds it. */
function chain(n: number): Entry[] {
  const out: Entry[] = [];
  for (let i = 1; i <= n; i++) {
    const prev = out[out.length - 1];
    const content: LedgerEntryContent = {
      ...base,
      sequence: BigInt(i),
      payload: { i },
      prevHash: prev ? prev.entryHash : GENESIS_HASH,
      createdAt: new Date(Date.UTC(2026, 10, 25, 10, 0, i)),
    };
    out.push({ ...content, entryHash: hashLedgerEntry(content) });
  }
  return out;
}

/** Replaces entry i (0-based) and keeps its stored hash, as an edit made in SQL would. */
function tamper(entries: Entry[], i: number, change: Partial<LedgerEntryContent>): Entry[] {
  return entries.map((e, j) => (j === i ? { ...e, ...change } : e));
}

describe("hashLedgerEntry", () => {
  it("is deterministic and shaped sha256:<64 hex>", () => {
    const a = hashLedgerEntry(base);
    expect(a).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(hashLedgerEntry({ ...base, payload: { nested: { a: [1, "x", null], b: 2 }, format: "cdevents" } })).toBe(a);
    expect(hashLedgerEntry({ ...base, createdAt: new Date(base.createdAt.getTime()) })).toBe(a);
  });

  it.each<[string, Partial<LedgerEntryContent>]>([
    ["sequence", { sequence: 2n }],
    ["kind", { kind: "document.rejected" }],
    ["actor", { actor: "system:cli" }],
    ["subject", { subject: null }],
    ["subject text", { subject: "artifact:sha256:1" }],
    ["documentId", { documentId: null }],
    ["payload value", { payload: { format: "cdevents", nested: { b: 3, a: [1, "x", null] } } }],
    ["payload array order", { payload: { format: "cdevents", nested: { b: 2, a: ["x", 1, null] } } }],
    ["payload null vs missing", { payload: { format: "cdevents", nested: { b: 2, a: [1, "x"] } } }],
    ["payload type", { payload: { format: "cdevents", nested: { b: "2", a: [1, "x", null] } } }],
    ["prevHash", { prevHash: `sha256:${"1".repeat(64)}` }],
    ["createdAt by one millisecond", { createdAt: new Date(base.createdAt.getTime() + 1) }],
  ])("changes when %s changes", (_field, change) => {
    expect(hashLedgerEntry({ ...base, ...change })).not.toBe(hashLedgerEntry(base));
  });

  it("does not confuse a null subject with the text 'null'", () => {
    expect(hashLedgerEntry({ ...base, subject: null })).not.toBe(hashLedgerEntry({ ...base, subject: "null" }));
  });
});

describe("checkChainSegment", () => {
  it("accepts a whole chain from genesis", () => {
    expect(checkChainSegment(chain(5), null)).toEqual({ valid: true, entries: 5 });
  });

  it("accepts an empty segment", () => {
    expect(checkChainSegment([], null)).toEqual({ valid: true, entries: 0 });
  });

  it("continues from the previous page's last entry", () => {
    const all = chain(6);
    const last = all[2] as Entry;
    expect(checkChainSegment(all.slice(3), { sequence: last.sequence, entryHash: last.entryHash })).toEqual({ valid: true, entries: 3 });
    // The same page is broken if it is checked against the wrong predecessor.
    expect(checkChainSegment(all.slice(3), null)).toMatchObject({ valid: false, firstBrokenSequence: 1n });
  });

  it("detects a changed payload and names that entry", () => {
    const result = checkChainSegment(tamper(chain(5), 2, { payload: { i: 99 } }), null);
    expect(result).toEqual({ valid: false, entries: 2, firstBrokenSequence: 3n, reason: "entry content does not match its hash" });
  });

  it("detects a change to any other field, e.g. the actor or the time", () => {
    expect(checkChainSegment(tamper(chain(4), 1, { actor: "user:someone-else" }), null)).toMatchObject({
      valid: false,
      firstBrokenSequence: 2n,
    });
    expect(checkChainSegment(tamper(chain(4), 3, { createdAt: new Date(0) }), null)).toMatchObject({
      valid: false,
      firstBrokenSequence: 4n,
    });
  });

  it("detects a recomputed hash, because the next entry's link no longer matches", () => {
    const entries = chain(4);
    const edited = { ...(entries[1] as Entry), payload: { i: 99 } };
    edited.entryHash = hashLedgerEntry(edited);
    entries[1] = edited;
    const result = checkChainSegment(entries, null);
    expect(result).toEqual({
      valid: false,
      entries: 2,
      firstBrokenSequence: 3n,
      reason: "previous-hash link does not match the entry before it",
    });
  });

  it("detects a bad prevHash", () => {
    const entries = chain(3);
    const bad = { ...(entries[1] as Entry), prevHash: GENESIS_HASH };
    bad.entryHash = hashLedgerEntry(bad);
    entries[1] = bad;
    expect(checkChainSegment(entries, null)).toEqual({
      valid: false,
      entries: 1,
      firstBrokenSequence: 2n,
      reason: "previous-hash link does not match the entry before it",
    });
  });

  it("detects a first entry that does not start from genesis", () => {
    const [first] = chain(1);
    const forged = { ...(first as Entry), prevHash: `sha256:${"f".repeat(64)}` };
    forged.entryHash = hashLedgerEntry(forged);
    expect(checkChainSegment([forged], null)).toMatchObject({ valid: false, firstBrokenSequence: 1n });
  });

  it("detects a missing sequence and names the missing number", () => {
    const entries = chain(5);
    entries.splice(2, 1);
    expect(checkChainSegment(entries, null)).toEqual({
      valid: false,
      entries: 2,
      firstBrokenSequence: 3n,
      reason: "entry 3 is missing (found 4 next)",
    });
  });

  it("detects a chain that does not start at 1", () => {
    expect(checkChainSegment(chain(3).slice(1), null)).toEqual({
      valid: false,
      entries: 0,
      firstBrokenSequence: 1n,
      reason: "entry 1 is missing (found 2 next)",
    });
  });

  it("detects two entries swapped", () => {
    const entries = chain(5);
    [entries[1], entries[2]] = [entries[2] as Entry, entries[1] as Entry];
    expect(checkChainSegment(entries, null)).toMatchObject({ valid: false, firstBrokenSequence: 2n });
  });

  it("reports the first broken sequence when several are broken", () => {
    let entries = tamper(chain(8), 6, { kind: "x" });
    entries = tamper(entries, 3, { kind: "y" });
    entries = tamper(entries, 5, { kind: "z" });
    expect(checkChainSegment(entries, null)).toMatchObject({ valid: false, entries: 3, firstBrokenSequence: 4n });
  });

  it("detects a duplicated entry (a fork)", () => {
    const entries = chain(3);
    entries.splice(2, 0, entries[1] as Entry);
    expect(checkChainSegment(entries, null)).toMatchObject({ valid: false, firstBrokenSequence: 3n });
  });
});
