// The hostile input corpus of `npm run test:adversarial` (tests/adversarial/run.test.ts). Seeded: the same seed gives
// the same requests, byte for byte. Every ingestion route gets `perTarget` distinct malformed or hostile documents,
// every query parameter (and path parameter) of the read routes `perTarget` distinct hostile values.
//
// Documents are invalid by construction: a base document the route accepts (the runner proves it first) plus at
// least one defect its contract refuses (DESIGN.md "Ingestion formats"), sometimes decorated with hostile extra fields.
// Each request carries what its answer must be: a 4xx application/problem+json; for a batch (a JSON array, a
// CloudEvents batch, a registry envelope, a YAML stream) a 200 answer that rejects every item, as DESIGN.md answers
// batches per item; for a read, the statuses its value's class may get (a free-text search term is valid input).
import { createHash } from "node:crypto";
import { stringify as toYaml } from "yaml";

export type Principal = "ingest" | "admission" | "read" | "session:oncall" | "session:compliance";

export type Expectation =
  /** A 4xx application/problem+json, with one of `status` when given. */
  | { kind: "problem"; status?: readonly number[] }
  /** 200 with a batch answer: nothing accepted, every item rejected with a problem. */
  | { kind: "batch-rejected" }
  /** A read: one of `status`; 2xx answers are JSON (or CSV), 4xx answers problem+json. */
  | { kind: "read"; status: readonly number[] }
  /** A valid document with hostile content: stored (201/200) or refused with a problem, never a 5xx. */
  | { kind: "stored-or-refused" };

/** A body larger than the limit, made by the runner: with Content-Length, or streamed in chunks without it. */
export type OversizeBody = { oversize: number; chunked: boolean };

export type CorpusCase = {
  /** What is hostile about it, e.g. "uppercase digest in the purl" (the summary groups by target, failures name this). */
  label: string;
  method: "GET" | "POST";
  /** Path and query, exactly as sent. */
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array | OversizeBody;
  expect: Expectation;
};

export type CorpusTarget = {
  /** The summary row: "POST /api/v1/events", "GET /api/v1/alerts ?from". */
  name: string;
  principal: Principal;
  generate: () => Generator<CorpusCase>;
};

/** Material the bases need that is best taken from real tools' output (the runner reads the shared fixtures). */
export type CorpusMaterial = {
  /** A Sigstore bundle v0.3 with a message signature and a Fulcio certificate. */
  messageBundle: Record<string, unknown>;
  /** A Sigstore bundle whose DSSE envelope carries an in-toto Statement. */
  dsseBundle: Record<string, unknown>;
  /** A readable ASCII-armored detached OpenPGP signature (what it signs does not matter: verdicts are not asked). */
  pgpSignature: string;
  /** One DER X.509 certificate, base64. */
  certificateDer: string;
  /** The digest of an artefact the server knows, for the read routes. */
  knownDigest: string;
};

export const MAX_BODY_BYTES = 5 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------------------------
// Seeded randomness
// ---------------------------------------------------------------------------------------------------------------

export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** mulberry32: small, fast, and the same on every machine. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(list: readonly T[]): T {
    if (list.length === 0) throw new Error("pick from an empty list");
    return list[this.int(list.length)] as T;
  }
  hex(length: number): string {
    let out = "";
    for (let i = 0; i < length; i++) out += "0123456789abcdef"[this.int(16)];
    return out;
  }
  text(length: number, alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"): string {
    const parts: string[] = [];
    for (let i = 0; i < length; i++) parts.push(alphabet[this.int(alphabet.length)] as string);
    return parts.join("");
  }
  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.int(256);
    return out;
  }
  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

/** A target's own stream of randomness, so adding a target does not change the others' requests. */
export function rngFor(seed: number, target: string): Rng {
  return new Rng(createHash("sha256").update(`${seed}\u0000${target}`).digest().readUInt32BE(0));
}

// ---------------------------------------------------------------------------------------------------------------
// Hostile strings
// ---------------------------------------------------------------------------------------------------------------

const SQL_INJECTION = [
  "' OR '1'='1",
  "' OR 1=1 --",
  "'; DROP TABLE documents; --",
  "'); DELETE FROM ledger_entries; --",
  "1; SELECT pg_sleep(10) --",
  "' UNION SELECT token_hash FROM api_tokens --",
  '" OR ""="',
  "admin'--",
  "$$; TRUNCATE artifacts CASCADE; $$",
  "\\'; COPY (SELECT '') TO PROGRAM 'id'; --",
  "%' AND 1=(SELECT COUNT(*) FROM users) AND '%'='",
  "1' AND extractvalue(1,concat(0x7e,version()))--",
  "';SELECT set_config('role','postgres',false);--",
  "E'\\x00'",
  "ORDER BY 1000--",
];

const MARKUP = [
  "<script>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
  '"><svg/onload=alert(1)>',
  "javascript:alert(document.cookie)",
  "<iframe src=javascript:alert(1)>",
  "'><a href=javascript:alert(1)>x</a>",
  "{{constructor.constructor('alert(1)')()}}",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, sent as text
  "${7*7}",
  "<!--",
  "]]><![CDATA[",
  "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>",
  "<style>@import 'http://evil.example/x.css'</style>",
  "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
  "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
];

/** Text Postgres cannot hold (NUL, unpaired surrogates), and text that is merely strange. */
const UNSTORABLE = ["\u0000", "a\u0000b", "\uD800", "x\uDFFFy", "\uDBFF", "\u0000' OR 1=1 --"];
const UNICODE_EDGE = [
  "\u202Egnp.exe",
  "\u202Dabc\u202C",
  "\u200B\u200C\u200D\u2060\uFEFF",
  `e${"\u0301".repeat(50)}`,
  `Z${"\u0336\u0337\u0338".repeat(30)}`,
  "😀👩‍👩‍👧‍👦🏳️‍🌈",
  "\u2028\u2029",
  "\u0085\u00A0\u3000",
  "𝕳𝖊𝖑𝖑𝖔",
  "ＡＢＣ１２３",
  "İıſK",
  "\uFFFD\uFFFE\uFFFF",
  "\u0007\u0008\u001B[31m",
  "\t\r\n",
  "ﷺ",
  "א\u05B0\u05B1",
];
const MISC = [
  "../../../../etc/passwd",
  "..\\..\\windows\\win.ini",
  "file:///etc/shadow",
  "http://169.254.169.254/latest/meta-data/",
  "%s%s%s%n%x",
  "\r\nSet-Cookie: pwned=1",
  "null",
  "undefined",
  "NaN",
  "-1",
  "9".repeat(40),
  "1e309",
  "0x7fffffff",
  "true",
  "[]",
  "{}",
  '{"$ne":null}',
  "__proto__",
  "constructor",
  "%00",
  "%",
  "+",
  "*",
  "?",
  "#",
  "&",
  "=",
];

export function hostileString(rng: Rng, options: { storable?: boolean } = {}): string {
  const pools = [SQL_INJECTION, MARKUP, UNICODE_EDGE, MISC, ...(options.storable ? [] : [UNSTORABLE])];
  let s = rng.pick(rng.pick(pools));
  if (rng.chance(0.3)) s += rng.pick(rng.pick(pools));
  if (rng.chance(0.3)) s = rng.text(rng.range(1, 12)) + s;
  if (rng.chance(0.1)) s = s.repeat(rng.range(2, 40));
  return s;
}

/** Distinct hostile text: a hostile string made unique by a random suffix when needed. */
function hostileUnique(rng: Rng, options: { storable?: boolean } = {}): string {
  const s = hostileString(rng, options);
  return rng.chance(0.5) ? `${s}${rng.text(rng.range(1, 6))}` : s;
}

// ---------------------------------------------------------------------------------------------------------------
// Documents as values
// ---------------------------------------------------------------------------------------------------------------

type Doc = Record<string, unknown>;
type Path = ReadonlyArray<string | number>;

const encoder = new TextEncoder();
const utf8 = (s: string): Uint8Array => encoder.encode(s);
const json = (v: unknown): Uint8Array => utf8(JSON.stringify(v));
const b64 = (s: string | Uint8Array): string => Buffer.from(typeof s === "string" ? utf8(s) : s).toString("base64");
const b64url = (s: string | Uint8Array): string => Buffer.from(typeof s === "string" ? utf8(s) : s).toString("base64url");

function clone<T>(v: T): T {
  return structuredClone(v);
}

function setIn(doc: unknown, path: Path, value: unknown): void {
  let at = doc as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) {
    const next = at[key];
    if (typeof next !== "object" || next === null) at[key] = {};
    at = at[key] as Record<string | number, unknown>;
  }
  at[path[path.length - 1] as string | number] = value;
}

function deleteIn(doc: unknown, path: Path): void {
  let at = doc as Record<string | number, unknown> | undefined;
  for (const key of path.slice(0, -1)) {
    at = at?.[key] as Record<string | number, unknown> | undefined;
    if (typeof at !== "object" || at === null) return;
  }
  if (at) delete at[path[path.length - 1] as string | number];
}

function getIn(doc: unknown, path: Path): unknown {
  let at = doc as Record<string | number, unknown> | undefined;
  for (const key of path) {
    if (typeof at !== "object" || at === null) return undefined;
    at = at[key] as Record<string | number, unknown> | undefined;
  }
  return at;
}

/** The objects inside a document, with their paths (for decorations). */
function objectPaths(doc: unknown, base: Path = [], out: Path[] = []): Path[] {
  if (typeof doc !== "object" || doc === null || out.length > 200) return out;
  if (!Array.isArray(doc)) out.push(base);
  for (const [k, v] of Object.entries(doc)) objectPaths(v, [...base, Array.isArray(doc) ? Number(k) : k], out);
  return out;
}

/** Where an extra field goes: the document, or the first item of a document that is an array (array properties are not JSON). */
function extraHost(doc: unknown): object {
  if (Array.isArray(doc)) {
    const first = doc[0];
    if (typeof first === "object" && first !== null && !Array.isArray(first)) return first;
    throw new Error("no object to hold an extra field");
  }
  return doc as object;
}

/** Values of the wrong type for a field. */
function wrongType(rng: Rng, not: "string" | "number" | "boolean" | "object" | "array"): unknown {
  const candidates: Array<[string, unknown]> = [
    ["string", hostileString(rng, { storable: true })],
    ["number", rng.pick([0, -1, 3.14, 1e21, Number.MAX_SAFE_INTEGER + 2])],
    ["boolean", rng.chance(0.5)],
    ["object", { [hostileString(rng, { storable: true })]: 1 }],
    ["array", [hostileString(rng, { storable: true })]],
    ["null", null],
  ];
  return rng.pick(candidates.filter(([type]) => type !== not))[1];
}

function wrongTypeNotNull(rng: Rng, not: "string" | "number" | "boolean" | "object" | "array"): unknown {
  for (;;) {
    const v = wrongType(rng, not);
    if (v !== null) return v;
  }
}

/** Hostile extra fields at random places: extra fields are allowed, so these never make a document valid or invalid. */
function decorate(rng: Rng, doc: unknown, options: { storable?: boolean } = {}): void {
  if (!rng.chance(0.5)) return;
  const places = objectPaths(doc);
  if (places.length === 0) return;
  for (let i = rng.range(1, 3); i > 0; i--) {
    const at = rng.pick(places);
    const key = rng.chance(0.5) ? `x-${rng.text(6)}` : `${hostileString(rng, options)}${rng.text(3)}`;
    const value = rng.chance(0.6) ? hostileString(rng, options) : wrongType(rng, "string");
    const target = getIn(doc, at) as Record<string, unknown>;
    if (typeof target === "object" && target !== null && !(key in target)) target[key] = value;
  }
}

/** Nesting `levels` deep, as JSON text: arrays, objects or both. */
export function deepJson(levels: number, style: "array" | "object" | "mixed"): string {
  const open: string[] = [];
  const close: string[] = [];
  for (let i = 0; i < levels; i++) {
    const array = style === "array" || (style === "mixed" && i % 2 === 0);
    open.push(array ? "[" : '{"a":');
    close.push(array ? "]" : "}");
  }
  return `${open.join("")}1${close.reverse().join("")}`;
}

/** JSON text with placeholders replaced by raw JSON (numbers JSON.stringify cannot write, deep nesting, huge arrays). */
function jsonWithRaw(doc: unknown, raw: Record<string, string>): Uint8Array {
  let text = JSON.stringify(doc);
  for (const [placeholder, value] of Object.entries(raw)) text = text.replace(JSON.stringify(placeholder), value);
  return utf8(text);
}

const PROBLEM: Expectation = { kind: "problem" };
const BATCH: Expectation = { kind: "batch-rejected" };
const problem = (...status: number[]): Expectation => ({ kind: "problem", status });

// ---------------------------------------------------------------------------------------------------------------
// Digests, purls, references
// ---------------------------------------------------------------------------------------------------------------

function badDigest(rng: Rng): string {
  const hex = rng.hex(64);
  return rng.pick([
    `sha256:${hex.toUpperCase()}`,
    `sha256:${hex.slice(0, 10)}${hex.slice(10, 11).toUpperCase() === hex.slice(10, 11) ? "A" : hex.slice(10, 11).toUpperCase()}${hex.slice(11)}`,
    `SHA256:${hex}`,
    `sha256:${hex.slice(1)}`,
    `sha256:${hex}0`,
    `sha256:${hex.slice(2)}zz`,
    `sha256:${hex.slice(0, 32)} ${hex.slice(33)}`,
    `sha1:${hex.slice(0, 40)}`,
    `md5:${hex.slice(0, 32)}`,
    `sha512:${hex}`,
    `sha256${hex}`,
    `sha256::${hex}`,
    hex,
    "sha256:",
    ":",
    `sha256:${hex}\n`,
    ` sha256:${hex}`,
    `sha256:${"０".repeat(64)}`,
    `sha256:${hostileString(rng)}`,
  ]);
}

/** Hex that is no sha256 or sha512 digest: uppercase, wrong length, not hex. */
function badHex(rng: Rng): string {
  const hex = rng.hex(64);
  return rng.pick([
    hex.toUpperCase().replace(/^[0-9]/, "A"),
    hex.slice(1),
    `${hex}0`,
    `${hex.slice(2)}zz`,
    "",
    ` ${hex}`,
    `${hex.slice(0, 40)}`,
    `sha256:${hex}`,
    hex.repeat(3),
  ]);
}

function badPurl(rng: Rng): string {
  const hex = rng.hex(64);
  const name = rng.pick(["app", "adv/app", "web"]);
  const q = "?repository_url=registry.adv.test/app";
  return rng.pick([
    `pkg:oci/${name}@sha256%3A${hex.toUpperCase()}${q}`,
    `pkg:oci/${name}@sha256%3A${hex.slice(1)}${q}`,
    `pkg:oci/${name}@sha256%3A${hex}ab${q}`,
    `pkg:oci/${name}@sha256%3A${hex.slice(2)}zz${q}`,
    `pkg:oci/${name}@SHA256%3A${hex}${q}`,
    `pkg:oci/${name}@sha1%3A${hex.slice(0, 40)}${q}`,
    `pkg:oci/${name}@sha512%3A${hex}${q}`,
    `pkg:oci/${name}@v1.2.3${q}`,
    `pkg:oci/${name}@${q}`,
    `oci/${name}@sha256%3A${hex}`,
    `pkg:oci/%E0%A4%A@sha256%3A${hex}`,
    `pkg:oci/${name}@sha256%3A${hex}?tag`,
    `pkg:oci/${name}@sha256%3A${hex}?bad key=1`,
    `pkg:oci/${name}@sha256%3A${hex}?repository_url=%zz`,
    `pkg:oci/${name}@sha256%3A${hex}#%zz`,
    `pkg:1ci/${name}@sha256%3A${hex}`,
    "pkg:",
    "pkg:oci",
    "pkg:oci/",
    `pkg:/${name}`,
    `pkg:oci/${name}@%ZZ`,
    `pkg:${"a".repeat(rng.range(4097, 6000))}`,
    `pkg:oci/${encodeURIComponent(hostileString(rng, { storable: true }))}@sha256%3A${hex.toUpperCase()}`,
    `pkg:oci/${name}@sha256%3A${hex}\u0000`,
  ]);
}

// ---------------------------------------------------------------------------------------------------------------
// Generic request-level defects, for any JSON route
// ---------------------------------------------------------------------------------------------------------------

type Mutator = { name: string; heavy?: boolean; make: (rng: Rng) => CorpusCase | null };

/** `arrayIsBatch`: a JSON array body is a batch, answered per item (events, signatures, attestations). */
type Route = { path: string; contentType: string; headers?: Record<string, string>; arrayIsBatch?: boolean };

function postCase(route: Route, label: string, body: Uint8Array | OversizeBody, expect: Expectation, extra: Record<string, string> = {}) {
  const headers: Record<string, string> = { ...(route.headers ?? {}), ...extra };
  if (route.contentType && !("content-type" in extra)) headers["content-type"] = route.contentType;
  if (headers["content-type"] === "") delete headers["content-type"];
  return { label, method: "POST" as const, path: route.path, headers, body, expect };
}

/** Content types no JSON or YAML route accepts. */
const WRONG_CONTENT_TYPES = [
  "text/plain",
  "text/plain; charset=utf-8",
  "text/html",
  "application/xml",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=----x",
  "application/octet-stream",
  "image/png",
  "application/javascript",
  "application/jsonx",
  "application/json-seq",
  "json",
  "application/",
  "/json",
  "*/*",
  "",
];

const GARBAGE = [
  "{",
  "}",
  "[",
  "{'a': 1}",
  '{"a": 1,}',
  '{"a" 1}',
  "{a: 1}",
  "NaN",
  "undefined",
  '{"a": 01}',
  '{"a": .5}',
  '{"a": +1}',
  '{"a": 0x10}',
  '{"a": "\\x41"}',
  '{"a": "\\u12"}',
  '{"a": "unterminated}',
  "<xml/>",
  "// comment\n{}",
  "/* c */ {}",
  '{"a":1}{"b":2}',
  '{"a":1}\n{"b":2}',
  "--- \nkind: x",
  "\u0000",
  "[1, 2",
  '{"a": Infinity}',
  '"\\uD800"x',
  "\u00ff\u00fe",
];

/** Request-level defects that every JSON route refuses whatever the document: parse, encoding, size, type. */
function requestMutators(route: Route, validBody: (rng: Rng) => unknown, options: { storableChecked: boolean }): Mutator[] {
  const mutators: Mutator[] = [
    { name: "empty body", make: () => postCase(route, "empty body", new Uint8Array(), PROBLEM) },
    {
      name: "whitespace body",
      make: (rng) => postCase(route, "whitespace body", utf8(rng.pick([" ", "\n", "\r\n\t ", "   \n\n"])), PROBLEM),
    },
    {
      name: "truncated JSON",
      make: (rng) => {
        const text = JSON.stringify(validBody(rng));
        const cut = text.slice(0, rng.range(1, text.length - 1));
        try {
          JSON.parse(cut);
          return null;
        } catch {
          return postCase(route, "truncated JSON", utf8(cut), PROBLEM);
        }
      },
    },
    {
      name: "not JSON",
      make: (rng) => postCase(route, "not JSON", utf8(rng.pick(GARBAGE) + (rng.chance(0.5) ? rng.text(rng.range(1, 8)) : "")), PROBLEM),
    },
    {
      name: "random bytes",
      make: (rng) => postCase(route, "random bytes", rng.bytes(rng.range(1, 2048)), PROBLEM),
    },
    {
      name: "invalid UTF-8",
      make: (rng) => {
        const text = JSON.stringify(validBody(rng));
        const at = text.indexOf('"', rng.int(text.length)) + 1 || 2;
        const bad = rng.pick([
          [0xff],
          [0xc0, 0xaf],
          [0xed, 0xa0, 0x80],
          [0xf8, 0x88, 0x80, 0x80, 0x80],
          [0x80],
          [0xe2, 0x82],
          [0xf4, 0x90, 0x80, 0x80],
        ]);
        const bytes = utf8(text);
        return postCase(route, "invalid UTF-8", new Uint8Array([...bytes.slice(0, at), ...bad, ...bytes.slice(at)]), PROBLEM);
      },
    },
    {
      name: "UTF-16 body",
      make: (rng) => {
        const text = JSON.stringify(validBody(rng));
        const le = rng.chance(0.5);
        const out = Buffer.alloc(2 + text.length * 2);
        out.writeUInt16BE(le ? 0xfffe : 0xfeff, 0);
        for (let i = 0; i < text.length; i++) {
          if (le) out.writeUInt16LE(text.charCodeAt(i), 2 + i * 2);
          else out.writeUInt16BE(text.charCodeAt(i), 2 + i * 2);
        }
        return postCase(route, "UTF-16 body", new Uint8Array(out), PROBLEM);
      },
    },
    {
      name: "JSON root of the wrong type",
      make: (rng) => {
        const root = rng.pick(["42", "-0", '"a string"', "null", "true", "false", "{}", "[]", "[[]]", "[null]", "[42]", '""', "1e308"]);
        return postCase(
          route,
          "JSON root of the wrong type",
          utf8(root),
          route.arrayIsBatch && root.startsWith("[") && root !== "[]" ? BATCH : PROBLEM,
        );
      },
    },
    {
      name: "10,000 levels of nesting",
      make: (rng) =>
        postCase(route, "10,000 levels of nesting", utf8(deepJson(10_000, rng.pick(["array", "object", "mixed"] as const))), PROBLEM),
    },
    {
      name: "10,000 levels of nesting, unbalanced",
      make: (rng) =>
        postCase(route, "10,000 levels of nesting, unbalanced", utf8(rng.pick(["[", '{"a":'])?.repeat(10_000) ?? "["), PROBLEM),
    },
    {
      name: "a valid document with a field nested 10,000 levels deep",
      make: (rng) => {
        const doc = validBody(rng);
        const placeholder = `__deep_${rng.text(8)}__`;
        setIn(extraHost(doc), [rng.pick(["x-deep", "annotations", "extra"])], placeholder);
        const levels = rng.pick([65, 100, 1000, 10_000]);
        return postCase(
          route,
          `a field nested ${levels} levels deep`,
          jsonWithRaw(doc, { [placeholder]: deepJson(levels, rng.pick(["array", "object", "mixed"] as const)) }),
          PROBLEM,
        );
      },
    },
    {
      name: "a number JSON cannot hold as a finite value",
      make: (rng) => {
        const doc = validBody(rng);
        const placeholder = `__num_${rng.text(8)}__`;
        setIn(extraHost(doc), [`x-${rng.text(4)}`], placeholder);
        return postCase(
          route,
          "a non-finite number (1e999)",
          jsonWithRaw(doc, { [placeholder]: rng.pick(["1e999", "-1e999", "1E400", `${"9".repeat(400)}`]) }),
          PROBLEM,
        );
      },
    },
    {
      name: "wrong content type",
      make: (rng) =>
        postCase(route, "wrong content type", json(validBody(rng)), problem(415, 422), { "content-type": rng.pick(WRONG_CONTENT_TYPES) }),
    },
    {
      name: "oversize body with Content-Length",
      heavy: true,
      make: (rng) =>
        postCase(
          route,
          "oversize body (Content-Length)",
          { oversize: MAX_BODY_BYTES + rng.range(1, 3 * 1024 * 1024), chunked: false },
          problem(413),
        ),
    },
    {
      name: "oversize body streamed without Content-Length",
      heavy: true,
      // Just past the limit: the more is in flight when the server stops reading, the likelier a reset overtakes its answer.
      make: (rng) =>
        postCase(route, "oversize body (chunked)", { oversize: MAX_BODY_BYTES + rng.range(1, 256 * 1024), chunked: true }, problem(413)),
    },
  ];
  if (options.storableChecked) {
    mutators.push({
      name: "text Postgres cannot store",
      make: (rng) => {
        const doc = validBody(rng) as Doc;
        const places = objectPaths(doc);
        const at = rng.pick(places);
        const bad = rng.pick(UNSTORABLE);
        if (rng.chance(0.5)) setIn(doc, [...at, `${rng.text(3)}${bad}`], "x");
        else setIn(doc, [...at, `x-${rng.text(5)}`], `${rng.text(3)}${bad}${hostileString(rng, { storable: true })}`);
        return postCase(route, "NUL or an unpaired surrogate", json(doc), PROBLEM);
      },
    });
  }
  return mutators;
}

/** A valid document made invalid by a defect, then decorated and sent as JSON. */
type Defect = { name: string; apply: (rng: Rng, doc: Doc) => Doc | unknown };

function defectMutators(route: Route, bases: Array<(rng: Rng) => Doc>, defects: Defect[], options: { storable?: boolean } = {}): Mutator[] {
  return defects.map((defect) => ({
    name: defect.name,
    make: (rng: Rng) => {
      const doc = rng.pick(bases)(rng);
      decorate(rng, doc, { storable: options.storable ?? true });
      const out = defect.apply(rng, doc) ?? doc;
      return postCase(route, defect.name, json(out), PROBLEM);
    },
  }));
}

/** Big documents, under the body limit: a huge string or array beside a defect. */
function hugeMutators(route: Route, brokenDoc: (rng: Rng) => Doc): Mutator[] {
  // A defect may have replaced the whole document; an object around it is as invalid.
  const broken = (rng: Rng): Doc => {
    const doc: unknown = brokenDoc(rng);
    return typeof doc === "object" && doc !== null && !Array.isArray(doc) ? (doc as Doc) : { doc };
  };
  return [
    {
      name: "a huge string beside a defect",
      heavy: true,
      make: (rng) => {
        const doc = broken(rng);
        setIn(doc, [`x-${rng.text(4)}`], rng.text(rng.range(1, 4) * 1024 * 1024 - rng.int(1000)));
        return postCase(route, "a huge string (up to 4 MiB) beside a defect", json(doc), PROBLEM);
      },
    },
    {
      name: "a huge array beside a defect",
      heavy: true,
      make: (rng) => {
        const doc = broken(rng);
        const placeholder = `__array_${rng.text(8)}__`;
        setIn(doc, [`x-${rng.text(4)}`], placeholder);
        const items = rng.range(100_000, 600_000);
        const item = rng.pick(["0", "null", '""', "[]", "{}", "true"]);
        return postCase(
          route,
          "a huge array (up to 600,000 items) beside a defect",
          jsonWithRaw(doc, { [placeholder]: `[${`${item},`.repeat(items - 1)}${item}]` }),
          PROBLEM,
        );
      },
    },
  ];
}

/** Bad Idempotency-Key headers on an otherwise valid single document. */
function idempotencyMutators(route: Route, validBody: (rng: Rng) => unknown): Mutator[] {
  return [
    {
      name: "Idempotency-Key too long",
      make: (rng) =>
        postCase(route, "Idempotency-Key longer than 200 characters", json(validBody(rng)), problem(400), {
          "idempotency-key": rng.text(rng.range(201, 4000)),
        }),
    },
    {
      name: "Idempotency-Key with characters that are not visible ASCII",
      make: (rng) =>
        postCase(route, "Idempotency-Key with spaces, tabs or Latin-1", json(validBody(rng)), problem(400), {
          "idempotency-key": `${rng.text(rng.range(1, 20))}${rng.pick([" ", "\t", "\u00e9", "\u00ff", "\u0080"])}${rng.text(rng.range(1, 20))}`,
        }),
    },
  ];
}

/** Runs the mutators: each once in order (so every kind of defect is tried), then at random, until `count` distinct cases. */
function* distinct(mutators: Mutator[], rng: Rng, count: number, maxHeavy: number): Generator<CorpusCase> {
  const seen = new Set<string>();
  let heavy = 0;
  let produced = 0;
  for (let attempt = 0; produced < count; attempt++) {
    if (attempt > count * 50) throw new Error(`could not generate ${count} distinct cases (${produced} so far)`);
    const mutator = attempt < mutators.length ? (mutators[attempt] as Mutator) : rng.pick(mutators);
    if (mutator.heavy && heavy >= maxHeavy) continue;
    const made = mutator.make(rng);
    if (!made) continue;
    const key = caseKey(made);
    if (seen.has(key)) continue;
    seen.add(key);
    if (mutator.heavy) heavy++;
    produced++;
    yield made;
  }
}

function caseKey(c: CorpusCase): string {
  const hash = createHash("sha256").update(`${c.method} ${c.path}\n${JSON.stringify(Object.entries(c.headers).sort())}\n`);
  if (c.body instanceof Uint8Array) hash.update(c.body);
  else if (c.body) hash.update(`oversize ${c.body.oversize} ${c.body.chunked}`);
  return hash.digest("base64");
}

// ---------------------------------------------------------------------------------------------------------------
// POST /api/v1/events
// ---------------------------------------------------------------------------------------------------------------

function cdeventContext(rng: Rng, type: string): Doc {
  return {
    specversion: "0.5.1",
    id: rng.uuid(),
    source: `/adversarial/${rng.text(6)}`,
    type,
    timestamp: `2026-10-${String(rng.range(10, 28))}T${String(rng.range(10, 23))}:00:00Z`,
  };
}

function artifactPublished(rng: Rng): Doc {
  return {
    context: cdeventContext(rng, rng.pick(["dev.cdevents.artifact.published.0.3.0", "dev.cdevents.artifact.packaged.0.3.0"])),
    subject: {
      id: `pkg:oci/app@sha256%3A${rng.hex(64)}?repository_url=registry.adv.test/app&tag=v${rng.range(1, 99)}`,
      source: "/adversarial",
      content: {},
    },
  };
}

function serviceDeployed(rng: Rng): Doc {
  return {
    context: cdeventContext(rng, rng.pick(["dev.cdevents.service.deployed.0.3.0", "dev.cdevents.service.upgraded.0.3.0"])),
    subject: {
      id: `web-${rng.text(5).toLowerCase()}`,
      source: "/adversarial",
      content: {
        environment: { id: rng.pick(["adv-prod", "adv-dev"]) },
        artifactId: `pkg:oci/app@sha256%3A${rng.hex(64)}?repository_url=registry.adv.test/app`,
      },
    },
  };
}

function buildFinished(rng: Rng): Doc {
  return {
    context: cdeventContext(rng, "dev.cdevents.build.finished.0.3.0"),
    subject: {
      id: `build-${rng.text(8)}`,
      source: "/adversarial/ci",
      content: { artifactId: `pkg:oci/app@sha256%3A${rng.hex(64)}?repository_url=registry.adv.test/app` },
    },
  };
}

export const CDEVENT_BASES = [artifactPublished, serviceDeployed, buildFinished];

const CDEVENT_DEFECTS: Defect[] = [
  {
    name: "an unsupported specversion",
    apply: (rng, d) =>
      setIn(
        d,
        ["context", "specversion"],
        rng.pick(["0.4.1", "1.0", "0.5", "0.6.0", "v0.5.1", "0.5.1 ", 5, null, true, [], hostileString(rng)]),
      ),
  },
  { name: "specversion missing", apply: (_rng, d) => deleteIn(d, ["context", "specversion"]) },
  {
    name: "an unknown event type",
    apply: (rng, d) =>
      setIn(
        d,
        ["context", "type"],
        rng.pick([
          "dev.cdevents.artifact.published.9.9.9",
          "dev.cdevents.nonsense.happened.0.1.0",
          "DEV.CDEVENTS.ARTIFACT.PUBLISHED.0.3.0",
          42,
          null,
          hostileUnique(rng),
        ]),
      ),
  },
  { name: "type missing", apply: (_rng, d) => deleteIn(d, ["context", "type"]) },
  {
    name: "context missing or not an object",
    apply: (rng, d) => (rng.chance(0.3) ? deleteIn(d, ["context"]) : setIn(d, ["context"], wrongType(rng, "object"))),
  },
  {
    name: "context.id of the wrong type",
    apply: (rng, d) => (rng.chance(0.2) ? deleteIn(d, ["context", "id"]) : setIn(d, ["context", "id"], wrongType(rng, "string"))),
  },
  {
    name: "context.source of the wrong type",
    apply: (rng, d) => (rng.chance(0.2) ? deleteIn(d, ["context", "source"]) : setIn(d, ["context", "source"], wrongType(rng, "string"))),
  },
  {
    name: "an invalid timestamp",
    apply: (rng, d) =>
      setIn(
        d,
        ["context", "timestamp"],
        rng.pick([
          "yesterday",
          "2026-02-30T10:00:00Z",
          "2026-13-01T00:00:00Z",
          "2026-11-20T24:00:00Z",
          "1969-12-31T23:59:59Z",
          "0000-01-01T00:00:00Z",
          "10000-01-01T00:00:00Z",
          "2026-11-20 10:00:00",
          "2026-11-20T10:00:00",
          "2026-11-20T10:00:00+25:00",
          "",
          1_700_000_000,
          null,
          hostileString(rng),
        ]),
      ),
  },
  {
    name: "subject missing or not an object",
    apply: (rng, d) => (rng.chance(0.3) ? deleteIn(d, ["subject"]) : setIn(d, ["subject"], wrongType(rng, "object"))),
  },
  {
    name: "subject.id of the wrong type",
    apply: (rng, d) => (rng.chance(0.2) ? deleteIn(d, ["subject", "id"]) : setIn(d, ["subject", "id"], wrongType(rng, "string"))),
  },
  {
    name: "a bad purl",
    apply: (rng, d) => {
      const type = String(getIn(d, ["context", "type"]));
      if (type.includes(".artifact.")) setIn(d, ["subject", "id"], badPurl(rng));
      else setIn(d, ["subject", "content", "artifactId"], badPurl(rng));
    },
  },
  {
    name: "a deployment without an environment",
    apply: (rng) => {
      const fresh = serviceDeployed(rng);
      if (rng.chance(0.5)) deleteIn(fresh, ["subject", "content", "environment"]);
      else setIn(fresh, ["subject", "content", "environment", "id"], rng.pick([null, "", 42, {}]));
      return fresh;
    },
  },
  {
    name: "a valid event with an uppercase digest",
    apply: (rng) => {
      const fresh = artifactPublished(rng);
      setIn(
        fresh,
        ["subject", "id"],
        `pkg:oci/app@sha256%3A${rng
          .hex(64)
          .toUpperCase()
          .replace(/^[0-9]/, "A")}?repository_url=registry.adv.test/app`,
      );
      return fresh;
    },
  },
];

const EVENTS_JSON: Route = { path: "/api/v1/events", contentType: "application/json", arrayIsBatch: true };

function brokenCdevent(rng: Rng): Doc {
  const doc = rng.pick(CDEVENT_BASES)(rng);
  return (rng.pick(CDEVENT_DEFECTS).apply(rng, doc) as Doc | undefined) ?? doc;
}

function cdeventsMutators(): Mutator[] {
  const valid = (rng: Rng) => rng.pick(CDEVENT_BASES)(rng);
  return [
    ...requestMutators(EVENTS_JSON, valid, { storableChecked: true }),
    ...defectMutators(EVENTS_JSON, CDEVENT_BASES, CDEVENT_DEFECTS),
    ...hugeMutators(EVENTS_JSON, brokenCdevent),
    ...idempotencyMutators(EVENTS_JSON, valid),
    {
      name: "a batch of invalid events",
      make: (rng) =>
        postCase(
          EVENTS_JSON,
          "a batch (JSON array) of invalid events",
          json(Array.from({ length: rng.range(1, 25) }, () => brokenCdevent(rng))),
          BATCH,
        ),
    },
    {
      name: "a batch of 1001 events",
      heavy: true,
      make: (rng) =>
        postCase(
          EVENTS_JSON,
          "a batch of more than 1000 events",
          json(Array.from({ length: rng.range(1001, 1200) }, () => valid(rng))),
          problem(422),
        ),
    },
    {
      name: "Idempotency-Key on a batch",
      make: (rng) =>
        postCase(EVENTS_JSON, "Idempotency-Key on a batch", json([valid(rng), valid(rng)]), problem(400), {
          "idempotency-key": rng.uuid(),
        }),
    },
  ];
}

// CloudEvents, binary mode: the attributes in ce-* headers, the CDEvent as the body.
const EVENTS_BINARY: Route = { path: "/api/v1/events", contentType: "application/json" };

function binaryHeaders(doc: Doc): Record<string, string> {
  const ctx = doc.context as Doc;
  return { "ce-specversion": "1.0", "ce-id": String(ctx.id), "ce-source": String(ctx.source), "ce-type": String(ctx.type) };
}

const BINARY_HEADER_DEFECTS: Array<{ name: string; apply: (rng: Rng, h: Record<string, string>) => void }> = [
  {
    name: "ce-specversion not 1.0",
    apply: (rng, h) => (h["ce-specversion"] = rng.pick(["0.3", "2.0", "1", "1.0.0", "v1.0", "%31.0x", rng.text(4)])),
  },
  { name: "a required ce- header missing", apply: (rng, h) => delete h[rng.pick(["ce-id", "ce-source", "ce-type"])] },
  { name: "ce-source with whitespace", apply: (rng, h) => (h["ce-source"] = `${rng.text(3)}%20${rng.text(3)}`) },
  {
    name: "ce-time not a time",
    apply: (rng, h) => (h["ce-time"] = rng.pick(["yesterday", "2026-02-30T00:00:00Z", "1700000000", "2026-11-20T10:00:00", rng.text(8)])),
  },
  {
    name: "ce- header with broken percent-encoding",
    apply: (rng, h) =>
      (h[rng.pick(["ce-id", "ce-source", "ce-type", "ce-subject"])] =
        `${rng.text(3)}${rng.pick(["%", "%Z1", "%E0%A4%A", "%C0%AF", "%ED%A0%80", "%FF", "%F8%88%80%80%80"])}`),
  },
  {
    name: "ce- header with a control character",
    apply: (rng, h) =>
      (h[rng.pick(["ce-id", "ce-source", "ce-type", "ce-subject"])] =
        `${rng.text(3)}${rng.pick(["%00", "%07", "%1B", "%7F", "%C2%85", "%0A"])}`),
  },
  {
    name: "ce- header longer than 4096 characters",
    apply: (rng, h) => (h[rng.pick(["ce-id", "ce-type", "ce-subject"])] = rng.text(rng.range(4097, 8000))),
  },
  {
    name: "ce-datacontenttype in binary mode",
    apply: (rng, h) => (h["ce-datacontenttype"] = rng.pick(["application/json", "text/plain", rng.text(5)])),
  },
  {
    name: "an extension header with an invalid name",
    apply: (rng, h) => (h[rng.pick(["ce-foo_bar", "ce-foo.bar", `ce-${"x".repeat(51)}`, "ce-a~b"])] = rng.text(4)),
  },
  {
    name: "ce-dataschema not an absolute URI",
    apply: (rng, h) => (h["ce-dataschema"] = rng.pick(["not a uri", "/relative", "%20", "schema"])),
  },
  { name: "ce-id that disagrees with the CDEvent", apply: (rng, h) => (h["ce-id"] = `other-${rng.text(8)}`) },
  {
    name: "ce-type that disagrees with the CDEvent",
    apply: (rng, h) =>
      (h["ce-type"] = rng.pick(["com.example.other", `dev.cdevents.${rng.text(6).toLowerCase()}.done.0.1.0`, rng.text(10)])),
  },
];

function cloudeventsBinaryMutators(): Mutator[] {
  const route = EVENTS_BINARY;
  return [
    ...BINARY_HEADER_DEFECTS.map((defect) => ({
      name: defect.name,
      make: (rng: Rng) => {
        const doc = rng.pick(CDEVENT_BASES)(rng);
        const headers = binaryHeaders(doc);
        defect.apply(rng, headers);
        if (rng.chance(0.3))
          headers[`ce-x${rng.text(5).toLowerCase()}`] = encodeURIComponent(hostileString(rng, { storable: true })).slice(0, 200);
        return postCase(route, `binary mode: ${defect.name}`, json(doc), PROBLEM, headers);
      },
    })),
    ...CDEVENT_DEFECTS.map((defect) => ({
      name: `binary mode: ${defect.name}`,
      make: (rng: Rng) => {
        const doc = rng.pick(CDEVENT_BASES)(rng);
        const headers = binaryHeaders(doc);
        decorate(rng, doc);
        const out = (defect.apply(rng, doc) as Doc | undefined) ?? doc;
        return postCase(route, `binary mode: ${defect.name}`, json(out), PROBLEM, headers);
      },
    })),
    {
      name: "binary mode: a body that is not JSON",
      make: (rng) => {
        const doc = rng.pick(CDEVENT_BASES)(rng);
        return postCase(
          route,
          "binary mode: a JSON content type over a body that is not JSON",
          utf8(rng.pick(GARBAGE)),
          PROBLEM,
          binaryHeaders(doc),
        );
      },
    },
    {
      name: "binary mode: the CDEvent as opaque bytes",
      make: (rng) => {
        const doc = rng.pick(CDEVENT_BASES)(rng);
        return postCase(route, "binary mode: the CDEvent under a non-JSON content type", json(doc), PROBLEM, {
          ...binaryHeaders(doc),
          "content-type": rng.pick(["text/plain", "application/octet-stream", "application/xml", "application/x-protobuf"]),
        });
      },
    },
    {
      name: "binary mode: no body",
      make: (rng) => postCase(route, "binary mode: no body", new Uint8Array(), PROBLEM, binaryHeaders(rng.pick(CDEVENT_BASES)(rng))),
    },
    {
      name: "binary mode: 10,000 levels of nesting",
      make: (rng) =>
        postCase(
          route,
          "binary mode: 10,000 levels of nesting",
          utf8(deepJson(10_000, rng.pick(["array", "object", "mixed"] as const))),
          PROBLEM,
          binaryHeaders(rng.pick(CDEVENT_BASES)(rng)),
        ),
    },
  ];
}

// CloudEvents, structured mode and batches.
const EVENTS_STRUCTURED: Route = { path: "/api/v1/events", contentType: "application/cloudevents+json" };
const EVENTS_CE_BATCH: Route = { path: "/api/v1/events", contentType: "application/cloudevents-batch+json" };

function structured(rng: Rng): Doc {
  const data = rng.pick(CDEVENT_BASES)(rng);
  const ctx = data.context as Doc;
  return {
    specversion: "1.0",
    id: ctx.id,
    source: ctx.source,
    type: ctx.type,
    time: ctx.timestamp,
    datacontenttype: "application/json",
    data,
  };
}

const STRUCTURED_DEFECTS: Defect[] = [
  {
    name: "specversion not 1.0",
    apply: (rng, e) => setIn(e, ["specversion"], rng.pick(["0.3", "1", 1, 1.0, "2.0", null, [], hostileString(rng)])),
  },
  { name: "specversion missing", apply: (_rng, e) => deleteIn(e, ["specversion"]) },
  { name: "a required attribute missing", apply: (rng, e) => deleteIn(e, [rng.pick(["id", "source", "type"])]) },
  {
    name: "an attribute of the wrong type",
    apply: (rng, e) => setIn(e, [rng.pick(["id", "source", "type", "subject", "time"])], wrongTypeNotNull(rng, "string")),
  },
  { name: "an empty attribute", apply: (rng, e) => setIn(e, [rng.pick(["id", "source", "type", "subject"])], "") },
  {
    name: "an attribute with a control character",
    apply: (rng, e) =>
      setIn(
        e,
        [rng.pick(["id", "source", "type", "subject"])],
        `${rng.text(3)}${rng.pick(["\u0001", "\u001f", "\u007f", "\u0085", "\n", "\t"])}`,
      ),
  },
  {
    name: "an attribute longer than 4096 characters",
    apply: (rng, e) => setIn(e, [rng.pick(["id", "source", "type", "subject"])], rng.text(rng.range(4097, 20_000))),
  },
  { name: "source with whitespace", apply: (rng, e) => setIn(e, ["source"], `${rng.text(3)} ${rng.text(3)}`) },
  {
    name: "time not RFC 3339",
    apply: (rng, e) =>
      setIn(
        e,
        ["time"],
        rng.pick([
          "yesterday",
          "2026-02-30T00:00:00Z",
          "2026-11-20",
          "1700000000",
          "1969-01-01T00:00:00Z",
          hostileString(rng, { storable: true }),
        ]),
      ),
  },
  {
    name: "datacontenttype not a media type",
    apply: (rng, e) =>
      setIn(
        e,
        ["datacontenttype"],
        rng.pick(["json", "application", "/json", "application/json/x", hostileString(rng, { storable: true })]),
      ),
  },
  {
    name: "dataschema not an absolute URI",
    apply: (rng, e) => setIn(e, ["dataschema"], rng.pick(["not a uri", "/relative", "schema", ""])),
  },
  {
    name: "an extension with an invalid name",
    apply: (rng, e) =>
      setIn(e, [rng.pick(["Bad_Name", "UPPER", "with-dash", "x".repeat(51), "ünï", `${hostileString(rng, { storable: true })}X`])], "v"),
  },
  {
    name: "an extension of an unsupported type",
    apply: (rng, e) => setIn(e, [`ext${rng.text(4).toLowerCase()}`], rng.pick([{ a: 1 }, [1], 1.5, 2 ** 60])),
  },
  { name: "data and data_base64 both", apply: (rng, e) => setIn(e, ["data_base64"], b64(rng.text(10))) },
  {
    name: "data_base64 that is not base64",
    apply: (rng, e) => {
      deleteIn(e, ["data"]);
      setIn(e, ["data_base64"], rng.pick(["!!!", "abc", "a===", "YWJj\n", "Y W J j", 42, hostileString(rng, { storable: true })]));
    },
  },
  { name: "no data", apply: (_rng, e) => deleteIn(e, ["data"]) },
  { name: "data that is not an object", apply: (rng, e) => setIn(e, ["data"], wrongType(rng, "object")) },
  {
    name: "attributes that disagree with the CDEvent",
    apply: (rng, e) => setIn(e, [rng.pick(["id", "source", "type"])], `other-${rng.text(6)}`),
  },
  {
    name: "a CDEvent with a defect inside",
    apply: (rng, e) => {
      const data = e.data as Doc;
      const out = (rng.pick(CDEVENT_DEFECTS).apply(rng, data) as Doc | undefined) ?? data;
      e.data = out;
    },
  },
];

function brokenStructured(rng: Rng): Doc {
  const e = structured(rng);
  rng.pick(STRUCTURED_DEFECTS).apply(rng, e);
  return e;
}

function cloudeventsStructuredMutators(): Mutator[] {
  return [
    ...requestMutators(EVENTS_STRUCTURED, structured, { storableChecked: true }),
    ...defectMutators(EVENTS_STRUCTURED, [structured], STRUCTURED_DEFECTS),
    {
      name: "an unsupported CloudEvents event format",
      make: (rng) =>
        postCase(EVENTS_STRUCTURED, "an unsupported CloudEvents event format", json(structured(rng)), PROBLEM, {
          "content-type": rng.pick([
            "application/cloudevents+xml",
            "application/cloudevents+avro",
            "application/cloudevents-batch+xml",
            "application/cloudevents",
          ]),
        }),
    },
    {
      name: "a CloudEvents batch of invalid events",
      make: (rng) =>
        postCase(
          EVENTS_CE_BATCH,
          "a CloudEvents batch of invalid events",
          json(Array.from({ length: rng.range(1, 25) }, () => brokenStructured(rng))),
          BATCH,
        ),
    },
    {
      name: "a CloudEvents batch that is not an array",
      make: (rng) =>
        postCase(
          EVENTS_CE_BATCH,
          "a CloudEvents batch that is not an array",
          json(rng.chance(0.5) ? structured(rng) : { events: [structured(rng)] }),
          PROBLEM,
        ),
    },
    { name: "an empty CloudEvents batch", make: () => postCase(EVENTS_CE_BATCH, "an empty CloudEvents batch", utf8("[]"), PROBLEM) },
    {
      name: "a CloudEvents batch of more than 1000 events",
      heavy: true,
      make: (rng) =>
        postCase(
          EVENTS_CE_BATCH,
          "a CloudEvents batch of more than 1000 events",
          json(Array.from({ length: rng.range(1001, 1100) }, () => structured(rng))),
          problem(422),
        ),
    },
    ...requestMutators(EVENTS_CE_BATCH, (rng) => [structured(rng)], { storableChecked: false }).filter((m) =>
      [
        "empty body",
        "whitespace body",
        "truncated JSON",
        "not JSON",
        "random bytes",
        "invalid UTF-8",
        "UTF-16 body",
        "10,000 levels of nesting",
        "10,000 levels of nesting, unbalanced",
      ].includes(m.name),
    ),
  ];
}

// Registry notification envelopes.
const REGISTRY_TYPES = ["application/vnd.docker.distribution.events.v1+json", "application/vnd.docker.distribution.events.v2+json"];

function registryEvent(rng: Rng): Doc {
  const digest = `sha256:${rng.hex(64)}`;
  return {
    id: rng.uuid(),
    timestamp: "2026-11-20T10:00:00Z",
    action: "push",
    target: {
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      digest,
      size: rng.range(100, 9000),
      repository: "adv/app",
      url: `https://registry.adv.test/v2/adv/app/manifests/${digest}`,
      tag: `v${rng.range(1, 99)}`,
    },
    request: { id: rng.text(8), addr: "10.0.0.1", host: "registry.adv.test", method: "PUT", useragent: "docker/27" },
    source: { addr: "registry-0:5000" },
  };
}

const REGISTRY_EVENT_DEFECTS: Defect[] = [
  { name: "an invalid digest", apply: (rng, e) => setIn(e, ["target", "digest"], badDigest(rng)) },
  { name: "a push without a digest", apply: (_rng, e) => deleteIn(e, ["target", "digest"]) },
  {
    name: "an invalid tag",
    apply: (rng, e) =>
      setIn(
        e,
        ["target", "tag"],
        rng.pick(["bad tag", "-lead", ".dot", "a/b", "x".repeat(129), "tag:colon", `${hostileString(rng, { storable: true })}!`]),
      ),
  },
  {
    name: "an invalid repository",
    apply: (rng, e) =>
      setIn(
        e,
        ["target", "repository"],
        rng.pick(["Adv/App", "", "a//b", "-x", "a/", "x".repeat(300), "../etc", `${hostileString(rng, { storable: true })}X`, 42, null]),
      ),
  },
  {
    name: "an unknown action",
    apply: (rng, e) =>
      setIn(e, ["action"], rng.pick(["PUSH", "upload", "", "x".repeat(33), 42, null, hostileUnique(rng, { storable: true })])),
  },
  {
    name: "an id that is missing or empty",
    apply: (rng, e) => (rng.chance(0.5) ? deleteIn(e, ["id"]) : setIn(e, ["id"], rng.pick(["", 42, null, "x".repeat(257)]))),
  },
  {
    name: "an invalid timestamp",
    apply: (rng, e) =>
      setIn(
        e,
        ["timestamp"],
        rng.pick(["yesterday", "2026-02-30T00:00:00Z", "2006-01-02 15:04:05", "1969-12-31T23:59:59Z", 1_700_000_000, "x".repeat(65)]),
      ),
  },
  {
    name: "no registry host",
    apply: (rng, e) => {
      deleteIn(e, ["request", "host"]);
      deleteIn(e, ["target", "url"]);
      if (rng.chance(0.5)) deleteIn(e, ["source"]);
      else setIn(e, ["source", "addr"], rng.pick(["", "not a host!", "::::", `${hostileString(rng, { storable: true })} x`]));
    },
  },
  {
    name: "a size that is not a byte count",
    apply: (rng, e) => setIn(e, ["target", rng.pick(["size", "length"])], rng.pick([-1, 1.5, "12", 2 ** 60, true])),
  },
  {
    name: "target missing or not an object",
    apply: (rng, e) => (rng.chance(0.5) ? deleteIn(e, ["target"]) : setIn(e, ["target"], wrongType(rng, "object"))),
  },
  { name: "an event that is not an object", apply: (rng) => wrongTypeNotNull(rng, "object") },
];

function brokenRegistryEvent(rng: Rng): unknown {
  const e = registryEvent(rng);
  decorate(rng, e);
  return rng.pick(REGISTRY_EVENT_DEFECTS).apply(rng, e) ?? e;
}

function registryMutators(): Mutator[] {
  const route = (rng: Rng): Route => ({ path: "/api/v1/events", contentType: rng.pick(REGISTRY_TYPES) });
  const envelope = (rng: Rng) => ({ events: [registryEvent(rng)] });
  return [
    ...REGISTRY_EVENT_DEFECTS.map((defect) => ({
      name: `registry event: ${defect.name}`,
      make: (rng: Rng) => {
        const events = Array.from({ length: rng.range(1, 6) }, () => {
          const e = registryEvent(rng);
          decorate(rng, e);
          return defect.apply(rng, e) ?? e;
        });
        return postCase(route(rng), `registry envelope: ${defect.name}`, json({ events }), BATCH);
      },
    })),
    {
      name: "registry envelope: every event broken",
      make: (rng) =>
        postCase(
          route(rng),
          "registry envelope: a mix of broken events",
          json({ events: Array.from({ length: rng.range(2, 40) }, () => brokenRegistryEvent(rng)) }),
          BATCH,
        ),
    },
    {
      name: "registry envelope that is not an object",
      make: (rng) =>
        postCase(
          route(rng),
          "registry envelope that is not an object",
          json(rng.pick([[registryEvent(rng)], "events", 42, null])),
          problem(422),
        ),
    },
    {
      name: "registry envelope without an events array",
      make: (rng) =>
        postCase(
          route(rng),
          "registry envelope without an events array",
          json(rng.pick([{}, { events: registryEvent(rng) }, { events: "x" }, { Events: [registryEvent(rng)] }, { events: null }])),
          problem(422),
        ),
    },
    {
      name: "registry envelope with no events",
      make: (rng) => postCase(route(rng), "registry envelope with no events", json({ events: [] }), problem(422)),
    },
    {
      name: "registry envelope with more than 1000 events",
      heavy: true,
      make: (rng) =>
        postCase(
          route(rng),
          "registry envelope with more than 1000 events",
          json({ events: Array.from({ length: rng.range(1001, 1100) }, () => registryEvent(rng)) }),
          problem(422),
        ),
    },
    ...requestMutators({ path: "/api/v1/events", contentType: REGISTRY_TYPES[1] as string }, envelope, { storableChecked: false }).filter(
      (m) => /body|JSON|UTF|nesting|oversize/.test(m.name),
    ),
  ];
}

function eventsTarget(seed: number, perTarget: number): CorpusTarget {
  const name = "POST /api/v1/events";
  return {
    name,
    principal: "ingest",
    generate: function* () {
      const rng = rngFor(seed, name);
      // The route's ways in, in equal shares: CDEvents JSON, CloudEvents binary, structured and batch, registry envelopes.
      const modes = [cdeventsMutators(), cloudeventsBinaryMutators(), cloudeventsStructuredMutators(), registryMutators()];
      const share = Math.ceil(perTarget / modes.length) + 10;
      const seen = new Set<string>();
      for (const mutators of modes) {
        for (const c of distinct(mutators, rng, share, 6)) {
          const key = caseKey(c);
          if (seen.has(key)) continue;
          seen.add(key);
          yield c;
        }
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// POST /api/v1/signatures
// ---------------------------------------------------------------------------------------------------------------

const SIGNATURES: Route = { path: "/api/v1/signatures", contentType: "application/json", arrayIsBatch: true };

function simpleSigning(digest: string): Doc {
  return {
    critical: {
      identity: { "docker-reference": "registry.adv.test/app" },
      image: { "docker-manifest-digest": digest },
      type: "cosign container image signature",
    },
    optional: null,
  };
}

function notaryHeader(): Doc {
  return {
    alg: "ES256",
    cty: "application/vnd.cncf.notary.payload.v1+json",
    crit: ["io.cncf.notary.signingScheme"],
    "io.cncf.notary.signingScheme": "notary.x509",
    "io.cncf.notary.signingTime": "2026-11-20T10:00:00Z",
  };
}

function signatureBases(m: CorpusMaterial) {
  const sigstore = (rng: Rng): Doc => ({ artifact: `sha256:${rng.hex(64)}`, format: "sigstore-bundle", bundle: clone(m.messageBundle) });
  const cosign = (rng: Rng): Doc => {
    const digest = `sha256:${rng.hex(64)}`;
    return { artifact: digest, format: "cosign", payload: b64(JSON.stringify(simpleSigning(digest))), signature: b64(rng.bytes(64)) };
  };
  const openpgp = (rng: Rng): Doc => ({
    format: "openpgp",
    signedData: b64(`${rng.hex(64)}  app-${rng.text(4)}.tar.gz\n`),
    signature: m.pgpSignature,
  });
  const notation = (rng: Rng): Doc => {
    const digest = `sha256:${rng.hex(64)}`;
    return {
      format: "notation-jws",
      artifact: digest,
      envelope: {
        payload: b64url(
          JSON.stringify({
            targetArtifact: { mediaType: "application/vnd.oci.image.manifest.v1+json", digest, size: rng.range(100, 9000) },
          }),
        ),
        protected: b64url(JSON.stringify(notaryHeader())),
        header: { x5c: [m.certificateDer] },
        signature: b64url(rng.bytes(64)),
      },
    };
  };
  return { sigstore, cosign, openpgp, notation };
}

/** Base64 that is not: wrong alphabet, bad padding, truncated, not canonical. */
function badBase64(rng: Rng): string {
  const good = b64(rng.bytes(rng.range(4, 40)));
  return rng.pick([
    `${good}!`,
    `${good.replace(/=+$/, "")}===`,
    "a",
    "abc=d",
    "====",
    `${good} ${good}`,
    `${good}\n`,
    "YQ==YQ==",
    "YR==",
    "-_-_+/+/",
    "",
    "%%%%",
    `${rng.text(5)}*${rng.text(3)}`,
  ]);
}

const NOT_A_CERTIFICATE = (rng: Rng): string =>
  rng.pick([
    `-----BEGIN CERTIFICATE-----\n${b64(rng.bytes(rng.range(50, 600)))}\n-----END CERTIFICATE-----\n`,
    `-----BEGIN CERTIFICATE-----\n${rng.text(64)}\n-----END CERTIFICATE-----`,
    "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----",
    `-----BEGIN CERTIFICATE-----\nMIIB${rng.text(40)}`,
    `${hostileString(rng, { storable: true })}`,
    `-----BEGIN PUBLIC KEY-----\n${b64(rng.bytes(91))}\n-----END PUBLIC KEY-----`,
    `-----BEGIN CERTIFICATE-----\n${b64(rng.bytes(300))}\n-----END CERTIFICATE-----\ntrailing text`,
    b64(rng.text(100)),
  ]);

function signatureDefects(m: CorpusMaterial): Record<"common" | "sigstore" | "cosign" | "openpgp" | "notation", Defect[]> {
  return {
    common: [
      { name: "format missing", apply: (_rng, d) => deleteIn(d, ["format"]) },
      {
        name: "an unknown format",
        apply: (rng, d) =>
          setIn(d, ["format"], rng.pick(["pgp", "gpg", "x509", "SIGSTORE-BUNDLE", "cosign ", 42, null, [], hostileUnique(rng)])),
      },
      {
        name: "a COSE envelope",
        apply: (rng, d) =>
          rng.chance(0.5) ? setIn(d, ["format"], "notation-cose") : Object.assign(d, { format: "notation", mediaType: "application/cose" }),
      },
      {
        name: "an invalid artifact digest",
        apply: (rng, d) => setIn(d, ["artifact"], rng.chance(0.1) ? wrongType(rng, "string") : badDigest(rng)),
      },
    ],
    sigstore: [
      { name: "bundle missing", apply: (_rng, d) => deleteIn(d, ["bundle"]) },
      { name: "artifact missing", apply: (_rng, d) => deleteIn(d, ["artifact"]) },
      { name: "bundle not an object", apply: (rng, d) => setIn(d, ["bundle"], wrongType(rng, "object")) },
      {
        name: "bundle mediaType unknown",
        apply: (rng, d) =>
          setIn(
            d,
            ["bundle", "mediaType"],
            rng.pick(["application/vnd.dev.sigstore.bundle+json;version=9.9", "application/json", "", 1, null, hostileString(rng)]),
          ),
      },
      { name: "bundle verificationMaterial missing", apply: (_rng, d) => deleteIn(d, ["bundle", "verificationMaterial"]) },
      {
        name: "bundle with two kinds of verification material",
        apply: (rng, d) => setIn(d, ["bundle", "verificationMaterial", "publicKey"], { hint: rng.text(8) }),
      },
      {
        name: "a certificate that does not parse",
        apply: (rng, d) => setIn(d, ["bundle", "verificationMaterial", "certificate", "rawBytes"], b64(rng.bytes(rng.range(1, 900)))),
      },
      {
        name: "certificate bytes that are not base64",
        apply: (rng, d) => setIn(d, ["bundle", "verificationMaterial", "certificate", "rawBytes"], badBase64(rng)),
      },
      {
        name: "a truncated certificate",
        apply: (rng, d) => {
          const raw = String(getIn(d, ["bundle", "verificationMaterial", "certificate", "rawBytes"]) ?? "");
          const der = Buffer.from(raw, "base64");
          setIn(
            d,
            ["bundle", "verificationMaterial", "certificate", "rawBytes"],
            b64(der.subarray(0, rng.range(1, Math.max(2, der.length - 1)))),
          );
        },
      },
      { name: "a signature that is not base64", apply: (rng, d) => setIn(d, ["bundle", "messageSignature", "signature"], badBase64(rng)) },
      { name: "no signature content", apply: (_rng, d) => deleteIn(d, ["bundle", "messageSignature"]) },
      {
        name: "a message signature and a DSSE envelope",
        apply: (_rng, d) => setIn(d, ["bundle", "dsseEnvelope"], clone(getIn(m.dsseBundle, ["dsseEnvelope"]))),
      },
      {
        name: "a message digest of the wrong length",
        apply: (rng, d) =>
          setIn(d, ["bundle", "messageSignature", "messageDigest"], {
            algorithm: "SHA2_256",
            digest: b64(rng.bytes(rng.pick([1, 20, 31, 33, 64]))),
          }),
      },
      {
        name: "an unknown digest algorithm",
        apply: (rng, d) =>
          setIn(d, ["bundle", "messageSignature", "messageDigest", "algorithm"], rng.pick(["MD5", "SHA1", "sha256", "", 1])),
      },
      {
        name: "a transparency log entry of the wrong shape",
        apply: (rng, d) =>
          setIn(
            d,
            ["bundle", "verificationMaterial", "tlogEntries", 0, rng.pick(["logIndex", "integratedTime"])],
            rng.pick(["abc", -1, 1.5, "1e3", {}]),
          ),
      },
      {
        name: "transparency log hashes that are not base64",
        apply: (rng, d) => setIn(d, ["bundle", "verificationMaterial", "tlogEntries", 0, "inclusionProof", "hashes"], [badBase64(rng)]),
      },
    ],
    cosign: [
      { name: "payload that is not base64", apply: (rng, d) => setIn(d, ["payload"], badBase64(rng)) },
      { name: "payload that is not JSON", apply: (rng, d) => setIn(d, ["payload"], b64(rng.pick(GARBAGE) + rng.text(3))) },
      { name: "payload not UTF-8", apply: (rng, d) => setIn(d, ["payload"], b64(new Uint8Array([0x7b, 0xff, 0xfe, ...rng.bytes(8)]))) },
      {
        name: "simple signing with a missing field",
        apply: (rng, d) => {
          const payload = simpleSigning(String(d.artifact));
          deleteIn(
            payload,
            rng.pick([
              ["critical"],
              ["critical", "identity"],
              ["critical", "image"],
              ["critical", "type"],
              ["critical", "identity", "docker-reference"],
            ]),
          );
          setIn(d, ["payload"], b64(JSON.stringify(payload)));
        },
      },
      {
        name: "simple signing of an unknown type",
        apply: (rng, d) => {
          const payload = simpleSigning(String(d.artifact));
          setIn(
            payload,
            ["critical", "type"],
            rng.pick(["cosign container image signature ", "gpg", "", hostileString(rng, { storable: true })]),
          );
          setIn(d, ["payload"], b64(JSON.stringify(payload)));
        },
      },
      {
        name: "simple signing of an invalid digest",
        apply: (rng, d) => setIn(d, ["payload"], b64(JSON.stringify(simpleSigning(badDigest(rng))))),
      },
      { name: "signature that is not base64", apply: (rng, d) => setIn(d, ["signature"], badBase64(rng)) },
      { name: "signature missing", apply: (_rng, d) => deleteIn(d, ["signature"]) },
      { name: "a certificate that does not parse", apply: (rng, d) => setIn(d, ["certificate"], NOT_A_CERTIFICATE(rng)) },
      { name: "a certificate chain that does not parse", apply: (rng, d) => setIn(d, ["certificateChain"], NOT_A_CERTIFICATE(rng)) },
      {
        name: "a public key that does not parse",
        apply: (rng, d) =>
          setIn(
            d,
            ["publicKey"],
            rng.pick([
              `-----BEGIN PUBLIC KEY-----\n${b64(rng.bytes(rng.range(10, 300)))}\n-----END PUBLIC KEY-----`,
              "-----BEGIN PUBLIC KEY-----",
              rng.text(50),
              `-----BEGIN RSA PRIVATE KEY-----\n${b64(rng.bytes(100))}\n-----END RSA PRIVATE KEY-----`,
            ]),
          ),
      },
      { name: "a key hint longer than 1024 characters", apply: (rng, d) => setIn(d, ["keyHint"], rng.text(rng.range(1025, 5000))) },
    ],
    openpgp: [
      {
        name: "an armored signature that is not one",
        apply: (rng, d) =>
          setIn(
            d,
            ["signature"],
            `-----BEGIN PGP SIGNATURE-----\n\n${b64(rng.bytes(rng.range(4, 200)))}\n=${rng.text(4)}\n-----END PGP SIGNATURE-----\n`,
          ),
      },
      {
        name: "no armor",
        apply: (rng, d) => setIn(d, ["signature"], rng.chance(0.5) ? b64(rng.bytes(100)) : hostileString(rng, { storable: true })),
      },
      {
        name: "a truncated armored signature",
        apply: (rng, d) => {
          const armored = m.pgpSignature;
          const start = armored.indexOf("-----BEGIN PGP SIGNATURE-----") + 30;
          setIn(d, ["signature"], armored.slice(0, rng.range(start, armored.length - 40)));
        },
      },
      {
        name: "an armored block of another type",
        apply: (rng, d) =>
          setIn(
            d,
            ["signature"],
            m.pgpSignature.replaceAll(
              "PGP SIGNATURE",
              rng.pick(["PGP MESSAGE", "PGP PUBLIC KEY BLOCK", "PGP PRIVATE KEY BLOCK", "PGP SIGNED MESSAGE"]),
            ),
          ),
      },
      {
        name: "a signature longer than 64 KiB",
        apply: (rng, d) => setIn(d, ["signature"], `-----BEGIN PGP SIGNATURE-----\n${rng.text(70_000)}\n-----END PGP SIGNATURE-----`),
      },
      { name: "signed data that is not base64", apply: (rng, d) => setIn(d, ["signedData"], badBase64(rng)) },
      {
        name: "signed data that is not UTF-8",
        apply: (rng, d) => setIn(d, ["signedData"], b64(new Uint8Array([0xff, 0xfe, 0x00, ...rng.bytes(20)]))),
      },
      {
        name: "signed data that is not a checksum file",
        apply: (rng, d) =>
          setIn(
            d,
            ["signedData"],
            b64(
              rng.pick([
                `${rng.hex(64).toUpperCase()}  app.tar.gz`,
                `${rng.hex(40)}  app.tar.gz`,
                `${rng.hex(63)}  app.tar.gz`,
                "hello world",
                `SHA256 (app) = ${rng.hex(128)}`,
                `${rng.hex(64)}app`,
                hostileString(rng, { storable: true }),
              ]),
            ),
          ),
      },
      {
        name: "signed data of more than 10,000 lines",
        apply: (rng, d) => setIn(d, ["signedData"], b64(Array.from({ length: 10_001 }, (_, i) => `${rng.hex(64)}  f${i}`).join("\n"))),
      },
      { name: "no signed data and no artifact", apply: (_rng, d) => deleteIn(d, ["signedData"]) },
    ],
    notation: [
      { name: "envelope missing", apply: (_rng, d) => deleteIn(d, ["envelope"]) },
      { name: "artifact missing", apply: (_rng, d) => deleteIn(d, ["artifact"]) },
      {
        name: "a compact JWS without three parts",
        apply: (rng, d) => setIn(d, ["envelope"], rng.pick(["a.b", "a.b.c.d", "", rng.text(20), "...."])),
      },
      {
        name: "a general JWS serialization",
        apply: (rng, d) => setIn(d, ["envelope", "signatures"], [{ protected: rng.text(5), signature: rng.text(5) }]),
      },
      {
        name: "a protected header that is not base64url JSON",
        apply: (rng, d) =>
          setIn(d, ["envelope", "protected"], rng.pick([b64url("not json"), "!!!", b64url("[1,2]"), b64url("null"), "e30=", rng.text(7)])),
      },
      {
        name: "a protected header with a bad algorithm or content type",
        apply: (rng, d) => {
          const header = notaryHeader();
          const [field, value] = rng.pick<[string, unknown]>([
            ["alg", "none"],
            ["alg", "HS256"],
            ["alg", "RS256"],
            ["cty", "application/json"],
            ["crit", []],
            ["crit", "io.cncf.notary.signingScheme"],
            ["io.cncf.notary.signingScheme", "notary.default"],
            ["io.cncf.notary.signingTime", "yesterday"],
            ["io.cncf.notary.signingTime", undefined],
            ["io.cncf.notary.expiry", "2026-02-30T00:00:00Z"],
          ]);
          if (value === undefined) delete header[field];
          else header[field] = value;
          setIn(d, ["envelope", "protected"], b64url(JSON.stringify(header)));
        },
      },
      {
        name: "a certificate chain missing",
        apply: (rng, d) => (rng.chance(0.5) ? deleteIn(d, ["envelope", "header"]) : setIn(d, ["envelope", "header", "x5c"], [])),
      },
      {
        name: "a certificate that does not parse",
        apply: (rng, d) => setIn(d, ["envelope", "header", "x5c"], [rng.chance(0.5) ? b64(rng.bytes(rng.range(1, 600))) : badBase64(rng)]),
      },
      {
        name: "a payload that is not base64url",
        apply: (rng, d) =>
          setIn(d, ["envelope", "payload"], rng.pick(["a+b/", "!!!", "abc=", "a", hostileString(rng, { storable: true })])),
      },
      {
        name: "a payload with a bad target artifact",
        apply: (rng, d) => {
          const target: Doc = { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: String(d.artifact), size: 10 };
          const [field, value] = rng.pick<[string, unknown]>([
            ["digest", badDigest(rng)],
            ["size", -1],
            ["size", "12"],
            ["size", 1.5],
            ["mediaType", ""],
            ["digest", undefined],
          ]);
          if (value === undefined) delete target[field];
          else target[field] = value;
          setIn(d, ["envelope", "payload"], b64url(JSON.stringify(rng.chance(0.1) ? { target } : { targetArtifact: target })));
        },
      },
      {
        name: "a media type that is not JWS",
        apply: (rng, d) =>
          Object.assign(d, { format: "notation", mediaType: rng.pick(["application/json", "text/plain", "application/jose", ""]) }),
      },
    ],
  };
}

function signaturesTarget(seed: number, perTarget: number, m: CorpusMaterial): CorpusTarget {
  const name = "POST /api/v1/signatures";
  return {
    name,
    principal: "ingest",
    generate: function* () {
      const rng = rngFor(seed, name);
      const bases = signatureBases(m);
      const defects = signatureDefects(m);
      const perFormat = (["sigstore", "cosign", "openpgp", "notation"] as const).flatMap((format) => [
        ...defectMutators(SIGNATURES, [bases[format]], defects[format]).map((mm) => ({ ...mm, name: `${format}: ${mm.name}` })),
        ...defectMutators(
          SIGNATURES,
          [bases[format]],
          defects.common.filter((d) => format !== "openpgp" || !/digest/.test(d.name)),
        ).map((mm) => ({ ...mm, name: `${format}: ${mm.name}` })),
      ]);
      const valid = (r: Rng) => r.pick(Object.values(bases))(r);
      const broken = (r: Rng): Doc => {
        const format = r.pick(["sigstore", "cosign", "openpgp", "notation"] as const);
        const doc = bases[format](r);
        return (r.pick(defects[format]).apply(r, doc) as Doc | undefined) ?? doc;
      };
      const mutators: Mutator[] = [
        ...requestMutators(SIGNATURES, valid, { storableChecked: true }),
        ...perFormat,
        ...hugeMutators(SIGNATURES, broken),
        ...idempotencyMutators(SIGNATURES, valid),
        {
          name: "a batch of invalid signatures",
          make: (r) =>
            postCase(SIGNATURES, "a batch of invalid signatures", json(Array.from({ length: r.range(1, 20) }, () => broken(r))), BATCH),
        },
        { name: "an empty batch", make: () => postCase(SIGNATURES, "an empty batch", utf8("[]"), problem(422)) },
      ];
      yield* distinct(mutators, rng, perTarget, 8);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// POST /api/v1/attestations
// ---------------------------------------------------------------------------------------------------------------

const ATTESTATIONS: Route = { path: "/api/v1/attestations", contentType: "application/json", arrayIsBatch: true };

function statement(rng: Rng): Doc {
  return {
    _type: "https://in-toto.io/Statement/v1",
    subject: [{ name: "registry.adv.test/app", digest: { sha256: rng.hex(64) } }],
    predicateType: "https://slsa.dev/provenance/v1",
    predicate: {
      buildDefinition: {
        buildType: "https://actions.github.io/buildtypes/workflow/v1",
        resolvedDependencies: [{ uri: "git+https://github.com/adv/app@refs/heads/main", digest: { gitCommit: rng.hex(40) } }],
      },
      runDetails: {
        builder: { id: "https://github.com/actions/runner" },
        metadata: { invocationId: `adv-${rng.text(10)}`, startedOn: "2026-11-20T10:00:00Z", finishedOn: "2026-11-20T10:05:00Z" },
      },
    },
  };
}

function dsse(payload: string | Uint8Array, rng: Rng): Doc {
  return {
    payloadType: "application/vnd.in-toto+json",
    payload: b64(payload),
    signatures: [{ keyid: rng.text(6), sig: b64(rng.bytes(64)) }],
  };
}

/** Statement defects: applied to a statement, which is then carried bare, in DSSE, or (DSSE only) re-encoded. */
const STATEMENT_DEFECTS: Defect[] = [
  {
    name: "an unknown statement type",
    apply: (rng, s) =>
      setIn(
        s,
        ["_type"],
        rng.pick([
          "https://in-toto.io/Statement/v2",
          "https://in-toto.io/Statement/v1 ",
          "",
          1,
          null,
          hostileString(rng, { storable: true }),
        ]),
      ),
  },
  { name: "no subjects", apply: (rng, s) => (rng.chance(0.5) ? setIn(s, ["subject"], []) : deleteIn(s, ["subject"])) },
  { name: "subjects of the wrong type", apply: (rng, s) => setIn(s, ["subject"], wrongType(rng, "array")) },
  {
    name: "a subject without a sha256 or sha512 digest",
    apply: (rng, s) =>
      setIn(s, ["subject", 0, "digest"], rng.pick([{}, { sha1: rng.hex(40) }, { md5: rng.hex(32) }, { gitCommit: rng.hex(40) }])),
  },
  {
    name: "a subject digest that is invalid",
    apply: (rng, s) => setIn(s, ["subject", 0, "digest", rng.pick(["sha256", "sha512"])], badHex(rng)),
  },
  { name: "a subject digest of the wrong type", apply: (rng, s) => setIn(s, ["subject", 0, "digest", "sha256"], wrongType(rng, "string")) },
  {
    name: "predicateType empty or missing",
    apply: (rng, s) => (rng.chance(0.5) ? setIn(s, ["predicateType"], "") : deleteIn(s, ["predicateType"])),
  },
  {
    name: "SLSA provenance without a required field",
    apply: (rng, s) =>
      deleteIn(
        s,
        rng.pick([
          ["predicate", "buildDefinition"],
          ["predicate", "runDetails"],
          ["predicate", "runDetails", "builder"],
          ["predicate", "runDetails", "builder", "id"],
          ["predicate", "buildDefinition", "buildType"],
        ]),
      ),
  },
  { name: "SLSA provenance that is not an object", apply: (rng, s) => setIn(s, ["predicate"], wrongType(rng, "object")) },
  {
    name: "SLSA provenance with a bad commit",
    apply: (rng, s) =>
      setIn(
        s,
        ["predicate", "buildDefinition", "resolvedDependencies", 0, "digest", "gitCommit"],
        rng.pick([
          rng
            .hex(40)
            .toUpperCase()
            .replace(/^[0-9]/, "A"),
          rng.hex(39),
          rng.hex(41),
          "main",
          "",
        ]),
      ),
  },
  {
    name: "SLSA provenance with a bad input digest",
    apply: (rng, s) =>
      setIn(s, ["predicate", "buildDefinition", "resolvedDependencies", 0], {
        uri: "pkg:oci/base",
        digest: {
          sha256: rng.pick([
            rng
              .hex(64)
              .toUpperCase()
              .replace(/^[0-9]/, "A"),
            rng.hex(12),
            "zz",
          ]),
        },
      }),
  },
  {
    name: "SLSA provenance with a bad time",
    apply: (rng, s) =>
      setIn(
        s,
        ["predicate", "runDetails", "metadata", rng.pick(["startedOn", "finishedOn"])],
        rng.pick(["yesterday", "2026-02-30T00:00:00Z", "2026-11-20 10:00", "", 1_700_000_000]),
      ),
  },
];

function attestationsTarget(seed: number, perTarget: number, m: CorpusMaterial): CorpusTarget {
  const name = "POST /api/v1/attestations";
  const bare = (rng: Rng): Doc => ({ statement: statement(rng) });
  const enveloped = (rng: Rng): Doc => ({ envelope: dsse(JSON.stringify(statement(rng)), rng) });
  const bundled = (): Doc => ({ bundle: clone(m.dsseBundle) });
  const ENVELOPE_DEFECTS: Defect[] = [
    {
      name: "DSSE payload type not in-toto",
      apply: (rng, d) =>
        setIn(d, ["envelope", "payloadType"], rng.pick(["application/json", "text/plain", "application/vnd.in-toto+json ", ""])),
    },
    { name: "DSSE payload that is not base64", apply: (rng, d) => setIn(d, ["envelope", "payload"], badBase64(rng)) },
    { name: "DSSE payload that is not JSON", apply: (rng, d) => setIn(d, ["envelope", "payload"], b64(rng.pick(GARBAGE) + rng.text(2))) },
    {
      name: "DSSE payload that is not UTF-8",
      apply: (rng, d) => setIn(d, ["envelope", "payload"], b64(new Uint8Array([0x7b, 0x22, 0xff, 0xc0, ...rng.bytes(10)]))),
    },
    {
      name: "DSSE payload that is not a Statement",
      apply: (rng, d) => setIn(d, ["envelope", "payload"], b64(JSON.stringify(wrongType(rng, "object")))),
    },
    { name: "DSSE without signatures", apply: (rng, d) => setIn(d, ["envelope", "signatures"], rng.pick([[], null, "sig", [{}]])) },
    { name: "a DSSE signature that is not base64", apply: (rng, d) => setIn(d, ["envelope", "signatures", 0, "sig"], badBase64(rng)) },
    { name: "envelope not an object", apply: (rng, d) => setIn(d, ["envelope"], wrongType(rng, "object")) },
    {
      name: "a DSSE payload nested 10,000 levels deep",
      apply: (rng, d) =>
        setIn(
          d,
          ["envelope", "payload"],
          b64(
            `{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicate":${deepJson(10_000, rng.pick(["array", "object", "mixed"] as const))}}`,
          ),
        ),
    },
  ];
  const BODY_DEFECTS: Defect[] = [
    { name: "none of bundle, envelope or statement", apply: (_rng, d) => ({ artifact: d.artifact }) },
    {
      name: "two of bundle, envelope and statement",
      apply: (rng, d) => {
        const others = [
          { statement: statement(rng) },
          { envelope: dsse(JSON.stringify(statement(rng)), rng) },
          { bundle: clone(m.dsseBundle) },
        ].filter((o) => !((Object.keys(o)[0] as string) in d));
        return Object.assign(d, rng.pick(others));
      },
    },
    {
      name: "an invalid artifact digest",
      apply: (rng, d) => setIn(d, ["artifact"], rng.chance(0.1) ? wrongType(rng, "string") : badDigest(rng)),
    },
    { name: "a message-signature bundle", apply: () => ({ bundle: clone(m.messageBundle) }) },
    {
      name: "a bundle whose certificate does not parse",
      apply: (rng, d) =>
        setIn(d, ["bundle", "verificationMaterial", "x509CertificateChain"], {
          certificates: [{ rawBytes: b64(rng.bytes(rng.range(10, 400))) }],
        }),
    },
    {
      name: "a bundle whose DSSE payload is not base64",
      apply: (rng, d) => setIn(d, ["bundle", "dsseEnvelope", "payload"], badBase64(rng)),
    },
    {
      name: "a bundle with an unknown media type",
      apply: (rng, d) =>
        setIn(d, ["bundle", "mediaType"], rng.pick(["application/json", "application/vnd.dev.sigstore.bundle+json;version=0.9", ""])),
    },
  ];
  return {
    name,
    principal: "ingest",
    generate: function* () {
      const rng = rngFor(seed, name);
      const statementDefects: Mutator[] = STATEMENT_DEFECTS.flatMap((defect) => [
        {
          name: `bare: ${defect.name}`,
          make: (r: Rng) => {
            const s = statement(r);
            decorate(r, s);
            const out = defect.apply(r, s) ?? s;
            return postCase(ATTESTATIONS, `bare statement: ${defect.name}`, json({ statement: out }), PROBLEM);
          },
        },
        {
          name: `DSSE: ${defect.name}`,
          make: (r: Rng) => {
            const s = statement(r);
            decorate(r, s);
            const out = defect.apply(r, s) ?? s;
            return postCase(ATTESTATIONS, `DSSE statement: ${defect.name}`, json({ envelope: dsse(JSON.stringify(out), r) }), PROBLEM);
          },
        },
      ]);
      const bases = [bare, enveloped];
      const broken = (r: Rng): Doc => {
        const doc = enveloped(r);
        return (r.pick(ENVELOPE_DEFECTS).apply(r, doc) as Doc | undefined) ?? doc;
      };
      const mutators: Mutator[] = [
        ...requestMutators(ATTESTATIONS, (r) => r.pick(bases)(r), { storableChecked: true }),
        ...statementDefects,
        ...defectMutators(ATTESTATIONS, [enveloped], ENVELOPE_DEFECTS),
        ...defectMutators(ATTESTATIONS, [bare, enveloped], BODY_DEFECTS.slice(0, 3)),
        ...defectMutators(ATTESTATIONS, [bundled], BODY_DEFECTS.slice(3)),
        ...hugeMutators(ATTESTATIONS, broken),
        ...idempotencyMutators(ATTESTATIONS, (r) => r.pick(bases)(r)),
        {
          name: "a batch of invalid attestations",
          make: (r) =>
            postCase(ATTESTATIONS, "a batch of invalid attestations", json(Array.from({ length: r.range(1, 20) }, () => broken(r))), BATCH),
        },
      ];
      yield* distinct(mutators, rng, perTarget, 8);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// POST /api/v1/verifications (JSON and YAML)
// ---------------------------------------------------------------------------------------------------------------

const VERIFICATIONS_PATH = "/api/v1/verifications";
const YAML_TYPES = ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"];

function admissionDecision(rng: Rng): Doc {
  return {
    apiVersion: "vitrine.dev/v1",
    kind: "AdmissionDecision",
    verifier: "sigstore-policy-controller",
    allowed: rng.chance(0.5),
    image: `registry.adv.test/app@sha256:${rng.hex(64)}`,
    policy: "require-signature",
    message: "adversarial",
    namespace: "adv",
  };
}

function policyReport(rng: Rng): Doc {
  return {
    apiVersion: rng.pick(["wgpolicyk8s.io/v1alpha2", "wgpolicyk8s.io/v1beta1"]),
    kind: rng.pick(["PolicyReport", "ClusterPolicyReport"]),
    metadata: { name: `adv-${rng.text(6).toLowerCase()}`, namespace: "adv", uid: rng.uuid(), resourceVersion: String(rng.range(1, 1e6)) },
    results: [
      {
        policy: "verify-images",
        rule: "check-signature",
        result: rng.pick(["pass", "fail"]),
        message: `failed to verify image registry.adv.test/app:v${rng.range(1, 9)}: no signatures`,
        source: "kyverno",
        timestamp: { seconds: 1_795_000_000, nanos: 0 },
      },
    ],
  };
}

function cosignOutput(rng: Rng): unknown[] {
  return [
    {
      critical: {
        identity: { "docker-reference": "registry.adv.test/app" },
        image: { "docker-manifest-digest": `sha256:${rng.hex(64)}` },
        type: "cosign container image signature",
      },
      optional: {
        Issuer: "https://token.actions.githubusercontent.com",
        Subject: "https://github.com/adv/app/.github/workflows/release.yml@refs/heads/main",
      },
    },
  ];
}

function notationInspect(rng: Rng): Doc {
  return {
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    signatures: [
      {
        mediaType: "application/jose+json",
        digest: `sha256:${rng.hex(64)}`,
        signatureAlgorithm: "ECDSA-SHA-256",
        signedAttributes: { signingScheme: "notary.x509", signingTime: "2026-11-20T10:00:00Z" },
        certificates: [{ SHA256Fingerprint: rng.hex(64), issuedTo: "CN=adv", issuedBy: "CN=adv", expiry: "2027-11-20T10:00:00Z" }],
        signedArtifact: { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: `sha256:${rng.hex(64)}`, size: 1234 },
      },
    ],
  };
}

const VERIFICATION_DEFECTS: Array<{ name: string; base: (rng: Rng) => unknown; apply: (rng: Rng, d: Doc) => unknown }> = [
  {
    name: "decision: apiVersion unknown",
    base: admissionDecision,
    apply: (rng, d) => setIn(d, ["apiVersion"], rng.pick(["vitrine.dev/v2", "v1", "", 1, null])),
  },
  {
    name: "decision: allowed not a boolean",
    base: admissionDecision,
    apply: (rng, d) => setIn(d, ["allowed"], rng.pick(["yes", "true", "no", 1, 0, null, "false"])),
  },
  {
    name: "decision: an invalid image reference",
    base: admissionDecision,
    apply: (rng, d) =>
      setIn(
        d,
        ["image"],
        rng.pick([
          "",
          "UPPER/Case:tag",
          "https://registry/app",
          "app with space",
          `registry.adv.test/app@${badDigest(rng)}`,
          "x".repeat(1025),
          "registry.adv.test/app:bad tag!",
          42,
        ]),
      ),
  },
  {
    name: "decision: verifier missing or empty",
    base: admissionDecision,
    apply: (rng, d) => (rng.chance(0.5) ? deleteIn(d, ["verifier"]) : setIn(d, ["verifier"], rng.pick(["", "x".repeat(101), 42]))),
  },
  {
    name: "decision: an invalid time",
    base: admissionDecision,
    apply: (rng, d) =>
      setIn(d, ["time"], rng.pick(["yesterday", "2026-02-30T10:00:00Z", "2026-11-20", "1969-12-31T23:59:59Z", "x".repeat(65)])),
  },
  {
    name: "decision: a text field too long",
    base: admissionDecision,
    apply: (rng, d) => setIn(d, [rng.pick(["policy", "message", "namespace", "environment", "id"])], rng.text(5000)),
  },
  {
    name: "report: an unsupported apiVersion",
    base: policyReport,
    apply: (rng, d) =>
      setIn(d, ["apiVersion"], rng.pick(["wgpolicyk8s.io/v9", "openreports.io/v1alpha1", "reports.kyverno.io/v1", "v1", 42])),
  },
  {
    name: "report: a result without a policy",
    base: policyReport,
    apply: (rng, d) => (rng.chance(0.5) ? deleteIn(d, ["results", 0, "policy"]) : setIn(d, ["results", 0, "policy"], "")),
  },
  {
    name: "report: an unknown result",
    base: policyReport,
    apply: (rng, d) =>
      setIn(d, ["results", 0, "result"], rng.pick(["PASS", "failed", "", 1, null, hostileString(rng, { storable: true })])),
  },
  {
    name: "report: a bad timestamp",
    base: policyReport,
    apply: (rng, d) =>
      setIn(
        d,
        ["results", 0, "timestamp"],
        rng.pick([
          { seconds: -1 },
          { seconds: 1.5 },
          { seconds: 1e12 },
          { seconds: 1, nanos: 1e9 },
          { seconds: "1" },
          "2026-11-20T10:00:00Z",
        ]),
      ),
  },
  {
    name: "report: results of the wrong type",
    base: policyReport,
    apply: (rng, d) => setIn(d, ["results"], rng.pick(["x", 42, { a: 1 }, [42], [null], ["pass"]])),
  },
  {
    name: "report: metadata of the wrong shape",
    base: policyReport,
    apply: (rng, d) =>
      setIn(d, ["metadata", rng.pick(["name", "namespace", "uid"])], rng.chance(0.5) ? rng.text(300) : wrongTypeNotNull(rng, "string")),
  },
  { name: "cosign: critical missing", base: cosignOutput, apply: (rng, d) => setIn(d, [0, "critical"], rng.chance(0.5) ? {} : "x") },
  {
    name: "cosign: an invalid digest",
    base: cosignOutput,
    apply: (rng, d) => setIn(d, [0, "critical", "image", "docker-manifest-digest"], badDigest(rng)),
  },
  {
    name: "cosign: an unknown signature type",
    base: cosignOutput,
    apply: (rng, d) => setIn(d, [0, "critical", "type"], rng.pick(["gpg", "", "cosign", hostileString(rng, { storable: true })])),
  },
  {
    name: "cosign: a reference naming another digest",
    base: cosignOutput,
    apply: (rng, d) => setIn(d, [0, "critical", "identity", "docker-reference"], `registry.adv.test/app@sha256:${rng.hex(64)}`),
  },
  {
    name: "cosign: an invalid reference",
    base: cosignOutput,
    apply: (rng, d) =>
      setIn(
        d,
        [0, "critical", "identity", "docker-reference"],
        rng.pick(["", "x/UPPER", "registry.adv.test/App", "https://x/y", "a b", "a//b", 42]),
      ),
  },
  { name: "notation: signedArtifact missing", base: notationInspect, apply: (_rng, d) => deleteIn(d, ["signatures", 0, "signedArtifact"]) },
  {
    name: "notation: an invalid digest",
    base: notationInspect,
    apply: (rng, d) => setIn(d, ["signatures", 0, ...rng.pick([["signedArtifact", "digest"], ["digest"]])], badDigest(rng)),
  },
  {
    name: "notation: a negative size",
    base: notationInspect,
    apply: (rng, d) => setIn(d, ["signatures", 0, "signedArtifact", "size"], rng.pick([-1, 1.5, "12"])),
  },
  {
    name: "an unknown kind",
    base: admissionDecision,
    apply: (rng, d) => setIn(d, ["kind"], rng.pick(["Pod", "Report", "Secret", "", 42, hostileUnique(rng, { storable: true })])),
  },
  {
    name: "an object of no known shape",
    base: () => ({}),
    apply: (rng) => ({ [hostileUnique(rng, { storable: true })]: hostileString(rng, { storable: true }) }),
  },
  {
    name: "an array that is not cosign output",
    base: () => [],
    apply: (rng) => rng.pick([[1, 2], ["a"], [{ a: 1 }], [null], [{ critical: 1 }, 5]]),
  },
];

function brokenVerification(rng: Rng): unknown {
  const defect = rng.pick(VERIFICATION_DEFECTS);
  const doc = defect.base(rng) as Doc;
  decorate(rng, doc, { storable: true });
  return defect.apply(rng, doc) ?? doc;
}

/** Documents as YAML text. */
function yaml(v: unknown): string {
  return toYaml(v, { lineWidth: 0 });
}

const YAML_SYNTAX: Array<{ name: string; make: (rng: Rng) => string }> = [
  {
    name: "a billion laughs",
    make: (rng) => {
      const levels = rng.range(5, 10);
      const lines = [`a0: &a0 ["${rng.text(3)}","lol","lol","lol","lol","lol","lol","lol","lol","lol"]`];
      for (let i = 1; i <= levels; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(",")}]`);
      return `${lines.join("\n")}\nkind: PolicyReport\napiVersion: wgpolicyk8s.io/v1alpha2\n`;
    },
  },
  {
    name: "more aliases than allowed",
    make: (rng) => {
      const count = rng.range(51, 400);
      return `x: &x ${rng.text(8)}\napiVersion: vitrine.dev/v1\nkind: AdmissionDecision\nlist:\n${Array.from({ length: count }, () => "  - *x").join("\n")}\n`;
    },
  },
  { name: "an undefined alias", make: (rng) => `apiVersion: vitrine.dev/v1\nkind: AdmissionDecision\nimage: *${rng.text(6)}\n` },
  {
    name: "a custom tag",
    make: (rng) =>
      `apiVersion: vitrine.dev/v1\nkind: AdmissionDecision\nverifier: x\nallowed: true\nimage: ${rng.pick([
        "!!python/object/apply:os.system ['id']",
        "!!binary aGVsbG8=",
        "!<tag:yaml.org,2002:js/function> 'function(){}'",
        "!!set {a, b}",
        "!!omap [a: 1]",
        "!!timestamp 2001-12-14",
        "!custom x",
        "!!js/regexp /x/",
      ])}\n`,
  },
  {
    name: "duplicate keys",
    make: (rng) =>
      `apiVersion: vitrine.dev/v1\nkind: AdmissionDecision\nverifier: ${rng.text(4)}\nverifier: ${rng.text(4)}\nallowed: true\nimage: registry.adv.test/app:v1\n`,
  },
  {
    name: "a tab for indentation",
    make: (rng) => `apiVersion: vitrine.dev/v1\nkind: AdmissionDecision\nmetadata:\n\tname: ${rng.text(5)}\n`,
  },
  { name: "an unterminated string", make: (rng) => `apiVersion: vitrine.dev/v1\nkind: AdmissionDecision\nmessage: "${rng.text(10)}\n` },
  { name: "an unterminated flow sequence", make: (rng) => `results: [${rng.text(3)}, {policy: x\n` },
  {
    name: "bad indentation",
    make: (rng) => `apiVersion: wgpolicyk8s.io/v1alpha2\n  kind: PolicyReport\n results:\n- policy: ${rng.text(4)}\n   result: fail\n`,
  },
  { name: "10,000 levels of flow nesting", make: (rng) => deepJson(10_000, rng.pick(["array", "object", "mixed"] as const)) },
  { name: "10,000 levels of block nesting", make: (rng) => `${"- ".repeat(10_000)}${rng.text(4)}\n` },
  {
    name: "nesting past 64 levels",
    make: (rng) => `kind: PolicyReport\napiVersion: wgpolicyk8s.io/v1alpha2\nx: ${deepJson(rng.range(65, 500), "object")}\n`,
  },
  {
    name: "a YAML 1.1 boolean where a boolean is required",
    make: (rng) =>
      `apiVersion: vitrine.dev/v1\nkind: AdmissionDecision\nverifier: v\nallowed: ${rng.pick(["yes", "no", "on", "off", "Y", "N"])}\nimage: registry.adv.test/app:v1\n`,
  },
  { name: "a scalar document", make: (rng) => rng.pick(["42", "hello", "true", "~", "- a\n- b", `"${rng.text(5)}"`]) },
  {
    name: "a stream of more than 1000 documents",
    make: (rng) => `${Array.from({ length: rng.range(1001, 1200) }, () => "---\nkind: X\n").join("")}`,
  },
  { name: "only empty documents", make: (rng) => "---\n".repeat(rng.range(1, 5)) },
  { name: "a repeated directive", make: (rng) => `%YAML 1.2\n%YAML 1.2\n---\n${rng.text(3)}: 1\n` },
  { name: "an anchor on a key cycle", make: () => "&a [*a]\n" },
];

function verificationsTarget(seed: number, perTarget: number): CorpusTarget {
  const name = "POST /api/v1/verifications";
  const jsonRoute: Route = { path: VERIFICATIONS_PATH, contentType: "application/json" };
  const yamlRoute = (rng: Rng): Route => ({ path: VERIFICATIONS_PATH, contentType: rng.pick(YAML_TYPES) });
  const valid = (rng: Rng): unknown => rng.pick([admissionDecision, policyReport, cosignOutput, notationInspect])(rng);
  return {
    name,
    principal: "ingest",
    generate: function* () {
      const rng = rngFor(seed, name);
      const mutators: Mutator[] = [
        ...requestMutators(jsonRoute, valid, { storableChecked: false }),
        ...VERIFICATION_DEFECTS.flatMap((defect) => [
          {
            name: `JSON ${defect.name}`,
            make: (r: Rng) => {
              const doc = defect.base(r) as Doc;
              decorate(r, doc, { storable: true });
              return postCase(jsonRoute, `JSON ${defect.name}`, json(defect.apply(r, doc) ?? doc), PROBLEM);
            },
          },
          {
            name: `YAML ${defect.name}`,
            make: (r: Rng) => {
              const doc = defect.base(r) as Doc;
              decorate(r, doc, { storable: true });
              return postCase(yamlRoute(r), `YAML ${defect.name}`, utf8(yaml(defect.apply(r, doc) ?? doc)), PROBLEM);
            },
          },
        ]),
        ...YAML_SYNTAX.map((s) => ({
          name: `YAML ${s.name}`,
          make: (r: Rng) => postCase(yamlRoute(r), `YAML: ${s.name}`, utf8(s.make(r)), PROBLEM),
        })),
        {
          name: "YAML truncated",
          make: (r) => {
            const text = yaml(valid(r));
            return postCase(yamlRoute(r), "YAML: a truncated report", utf8(`${text.slice(0, r.range(1, text.length - 2))}: [`), PROBLEM);
          },
        },
        {
          name: "YAML invalid UTF-8",
          make: (r) =>
            postCase(
              yamlRoute(r),
              "YAML: invalid UTF-8",
              new Uint8Array([...utf8("kind: PolicyReport\nmessage: "), 0xff, 0xc0, 0xaf, ...utf8("\n")]),
              PROBLEM,
            ),
        },
        {
          name: "YAML wrong content type",
          make: (r) =>
            postCase(jsonRoute, "YAML sent under a content type that is neither JSON nor YAML", utf8(yaml(valid(r))), problem(415), {
              "content-type": r.pick(WRONG_CONTENT_TYPES.filter(Boolean)),
            }),
        },
        {
          name: "YAML stream of invalid documents",
          make: (r) =>
            postCase(
              yamlRoute(r),
              "YAML: a stream of invalid documents",
              utf8(Array.from({ length: r.range(2, 12) }, () => `---\n${yaml(brokenVerification(r))}`).join("")),
              BATCH,
            ),
        },
        {
          name: "a List of invalid documents",
          make: (r) => {
            const items = Array.from({ length: r.range(2, 12) }, () => {
              const d = policyReport(r);
              setIn(d, ["results", 0, "result"], r.pick(["PASS", "nope", 1]));
              return d;
            });
            const list = { apiVersion: "v1", kind: "List", items };
            return r.chance(0.5)
              ? postCase(jsonRoute, "a List of invalid reports (JSON)", json(list), BATCH)
              : postCase(yamlRoute(r), "a List of invalid reports (YAML)", utf8(yaml(list)), BATCH);
          },
        },
        { name: "an empty array", make: () => postCase(jsonRoute, "an empty array", utf8("[]"), problem(422)) },
        ...hugeMutators(jsonRoute, (r) => {
          const d = admissionDecision(r);
          setIn(d, ["allowed"], "maybe");
          return d;
        }),
      ];
      yield* distinct(mutators, rng, perTarget, 8);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// POST /api/v1/admission/review
// ---------------------------------------------------------------------------------------------------------------

const ADMISSION: Route = { path: "/api/v1/admission/review", contentType: "application/json" };

function admissionReview(rng: Rng): Doc {
  return {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: rng.uuid(),
      kind: { group: "apps", version: "v1", kind: "Deployment" },
      resource: { group: "apps", version: "v1", resource: "deployments" },
      operation: "CREATE",
      namespace: "adv",
      name: `web-${rng.text(4).toLowerCase()}`,
      userInfo: { username: "system:serviceaccount:kube-system:replicaset-controller" },
      dryRun: false,
      object: {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", namespace: "adv" },
        spec: { template: { spec: { containers: [{ name: "web", image: `registry.adv.test/app@sha256:${rng.hex(64)}` }] } } },
      },
    },
  };
}

const ADMISSION_DEFECTS: Defect[] = [
  {
    name: "apiVersion not admission.k8s.io/v1",
    apply: (rng, d) =>
      setIn(d, ["apiVersion"], rng.pick(["admission.k8s.io/v1beta1", "v1", "", 1, null, hostileString(rng, { storable: true })])),
  },
  { name: "kind not AdmissionReview", apply: (rng, d) => setIn(d, ["kind"], rng.pick(["Review", "admissionreview", "", null])) },
  {
    name: "request missing or not an object",
    apply: (rng, d) => (rng.chance(0.3) ? deleteIn(d, ["request"]) : setIn(d, ["request"], wrongType(rng, "object"))),
  },
  { name: "uid missing", apply: (_rng, d) => deleteIn(d, ["request", "uid"]) },
  {
    name: "an invalid uid",
    apply: (rng, d) =>
      setIn(
        d,
        ["request", "uid"],
        rng.pick(["", "-x", " x", "x y", "a/b", "x".repeat(129), 42, null, `${rng.text(3)} ${hostileString(rng, { storable: true })}`]),
      ),
  },
  {
    name: "an unknown operation",
    apply: (rng, d) =>
      setIn(d, ["request", "operation"], rng.pick(["create", "PATCH", "", 1, null, hostileString(rng, { storable: true })])),
  },
  {
    name: "a kind Vitrine does not review",
    apply: (rng, d) =>
      setIn(
        d,
        ["request", "kind", "kind"],
        rng.pick(["Service", "ConfigMap", "Secret", "deployment", `${hostileString(rng, { storable: true })}X`]),
      ),
  },
  {
    name: "a kind in the wrong API group",
    apply: (rng, d) => setIn(d, ["request", "kind", "group"], rng.pick(["", "batch", "extensions", "apps.example.com"])),
  },
  {
    name: "request.kind of the wrong shape",
    apply: (rng, d) =>
      setIn(d, ["request", "kind"], rng.pick([null, "Deployment", {}, { kind: "" }, { group: 1, version: "v1", kind: "Deployment" }])),
  },
  {
    name: "no object on CREATE",
    apply: (rng, d) =>
      rng.chance(0.5) ? deleteIn(d, ["request", "object"]) : setIn(d, ["request", "object"], rng.pick([null, [], "x", 1])),
  },
  {
    name: "no containers",
    apply: (rng, d) => {
      const path = ["request", "object", "spec", "template", "spec", "containers"];
      if (rng.chance(0.3)) deleteIn(d, path);
      else setIn(d, path, rng.pick([[], null, "web", {}, [null]]));
    },
  },
  {
    name: "a container without an image",
    apply: (rng, d) =>
      setIn(
        d,
        ["request", "object", "spec", "template", "spec", "containers", 0, "image"],
        rng.pick([undefined, "", 42, null, [], "x".repeat(1025)]),
      ),
  },
  {
    name: "a container without a name",
    apply: (rng, d) => setIn(d, ["request", "object", "spec", "template", "spec", "containers", 0, "name"], rng.pick(["", null, 1])),
  },
  {
    name: "more than 500 containers",
    apply: (rng, d) =>
      setIn(
        d,
        ["request", "object", "spec", "template", "spec", "containers"],
        Array.from({ length: rng.range(501, 700) }, (_, i) => ({ name: `c${i}`, image: "registry.adv.test/app:v1" })),
      ),
  },
  {
    name: "an invalid namespace",
    apply: (rng, d) =>
      setIn(
        d,
        ["request", "namespace"],
        rng.pick(["ADV", "-adv", "adv-", "a_b", "a.b", "x".repeat(64), "", " adv", `${hostileString(rng, { storable: true })}_`]),
      ),
  },
  {
    name: "no namespace anywhere",
    apply: (_rng, d) => {
      deleteIn(d, ["request", "namespace"]);
      deleteIn(d, ["request", "object", "metadata", "namespace"]);
    },
  },
  {
    name: "an object of another kind",
    apply: (rng, d) => setIn(d, ["request", "object", "kind"], rng.pick(["Pod", "StatefulSet", "", "deployment"])),
  },
  { name: "dryRun not a boolean", apply: (rng, d) => setIn(d, ["request", "dryRun"], rng.pick(["true", "yes", 1, "false"])) },
  {
    name: "a username longer than 1000 characters",
    apply: (rng, d) => setIn(d, ["request", "userInfo", "username"], rng.text(rng.range(1001, 5000))),
  },
  {
    name: "a name longer than 253 characters",
    apply: (rng, d) => setIn(d, ["request", rng.pick(["name", "subResource"])], rng.text(rng.range(254, 2000))),
  },
];

function admissionTarget(seed: number, perTarget: number): CorpusTarget {
  const name = "POST /api/v1/admission/review";
  return {
    name,
    principal: "admission",
    generate: function* () {
      const rng = rngFor(seed, name);
      const broken = (r: Rng): Doc => {
        const d = admissionReview(r);
        return (r.pick(ADMISSION_DEFECTS).apply(r, d) as Doc | undefined) ?? d;
      };
      const mutators: Mutator[] = [
        ...requestMutators(ADMISSION, admissionReview, { storableChecked: true }),
        ...defectMutators(ADMISSION, [admissionReview], ADMISSION_DEFECTS),
        ...hugeMutators(ADMISSION, broken),
        {
          name: "a pod whose image is a pathological string",
          make: (r) => {
            const d = admissionReview(r);
            setIn(
              d,
              ["request", "object", "spec", "template", "spec", "containers", 0, "image"],
              r.pick(["[", "{", "@", ":", "/"]).repeat(r.range(100, 1024)),
            );
            // An unparsable image is a valid review (the gate denies it): the defect is elsewhere.
            r.pick(ADMISSION_DEFECTS.filter((x) => !/image|container/.test(x.name))).apply(r, d);
            return postCase(ADMISSION, "a defect and a pathological image string", json(d), PROBLEM);
          },
        },
      ];
      yield* distinct(mutators, rng, perTarget, 8);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// GET routes: every query parameter, every path parameter
// ---------------------------------------------------------------------------------------------------------------

/** Statuses a read may answer. */
const OK = [200] as const;
const REFUSED = [422] as const;
const OK_OR_NOT_FOUND = [200, 404] as const;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is what it looks for
const HAS_NUL = /\u0000/;

type Classifier = (value: string) => readonly number[];

/** Free text of `min` to `max` characters (after trimming), without NUL (Postgres text cannot hold it: refused). */
function freeText(max: number, options: { min?: number; accepted?: readonly number[] } = {}): Classifier {
  const accepted = options.accepted ?? OK;
  return (v) => {
    const t = v.trim();
    // Characters are code points (as zod counts them): an emoji is one, not two UTF-16 units.
    const length = [...t].length;
    if (length > max || length < (options.min ?? 0)) return REFUSED;
    return HAS_NUL.test(t) ? REFUSED : accepted;
  };
}

const wholeNumber =
  (max: number): Classifier =>
  (v) =>
    /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= max ? OK : REFUSED;
const oneOf =
  (values: readonly string[]): Classifier =>
  (v) =>
    values.includes(v) ? OK : REFUSED;
/**
 * Opaque base64url cursors: an empty one means the first page; text in the alphabet may be one a page wrote (or
 * refused); anything else never is.
 */
const cursor: Classifier = (v) => (v === "" ? OK : /^[A-Za-z0-9_-]+$/.test(v) ? [200, 422] : REFUSED);
const csvOf =
  (values: readonly string[]): Classifier =>
  (v) => {
    const parts = v
      .split(",")
      .map((p) => p.trim())
      .filter(Boolean);
    return parts.length > 0 && parts.every((p) => values.includes(p)) ? OK : REFUSED;
  };
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|([+-])(\d{2}):(\d{2}))$/;
/** Looser ISO 8601 forms (basic offsets, no offset, a space for T): the contract does not say; never a 5xx. */
const ISO_LOOSE = /^\d{4}-?\d{2}-?\d{2}([T ][\d:.,]+([Zz]|[+-][\d:]+)?)?$/;
/**
 * ISO 8601 dates and date-times with an offset: real calendar days and clock times, in the years Postgres reads
 * (1-9999, in UTC). Other strings in the same form are refused; looser forms may be read or refused.
 */
const instant: Classifier = (v) => {
  const m = ISO_DATE.exec(v) ?? ISO_DATE_TIME.exec(v);
  if (!m) return ISO_LOOSE.test(v) ? [200, 422] : REFUSED;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  const offset = m[8] && m[8] !== "Z" ? { sign: m[9] === "-" ? -1 : 1, h: Number(m[10]), m: Number(m[11]) } : { sign: 1, h: 0, m: 0 };
  const real =
    month >= 1 && month <= 12 && day >= 1 && day <= days && hour <= 23 && minute <= 59 && second <= 59 && offset.h <= 23 && offset.m <= 59;
  if (!real) return REFUSED;
  const utcYear =
    new Date(Date.UTC(2000, month - 1, day, hour, minute - offset.sign * (offset.h * 60 + offset.m))).getUTCFullYear() - 2000 + year;
  return utcYear >= 1 && utcYear <= 9999 ? OK : REFUSED;
};

const READ_HOSTILE_VALUES = [
  "",
  " ",
  "0",
  "-1",
  "1.5",
  "+1",
  " 1",
  "1 ",
  "01",
  "１",
  "1e3",
  "0x10",
  "NaN",
  "Infinity",
  "9".repeat(30),
  "true",
  "null",
  "[]",
  "{}",
  "[1,2]",
  "a,b,,c",
  ",,,",
  "me",
  "none",
  "00000000-0000-4000-8000-000000000000",
  "00000000-0000-4000-8000-00000000000G",
  "ZZZZZZZZ-0000-4000-8000-000000000000",
  "2026-11-20",
  "2026-11-20T10:00:00Z",
  "2026-02-30",
  "2026-02-29T10:00:00Z",
  "2024-02-29",
  "0000-01-01",
  "0001-01-01T00:00:00Z",
  "1969-12-31T23:59:59Z",
  "9999-12-31T23:59:59-23:59",
  "2026-13-01",
  "2026-11-20T25:00:00Z",
  "2026-11-20T10:00:00",
  "2026-11-20 10:00",
  "yesterday",
  "sha256:",
  "c29tZXRoaW5n",
  "MjAyNi0xMS0yMFQxMDowMDowMC4wMDBafDAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMA",
  "WyJ1cGRhdGVkIiwwLCIyMDI2LTExLTIwVDEwOjAwOjAwLjAwMFoiLCIwMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDAiXQ",
  "eyJhIjoxfQ",
  "AAAA",
  "////",
];

/** Raw query text with broken percent-encoding (sent as is; the classifier sees what the server decodes). */
const RAW_ENCODINGS = [
  "%",
  "%Z",
  "%zz",
  "%E0%A4%A",
  "%C0%AF",
  "%ED%A0%80",
  "%FF%FE",
  "%00",
  "a%00b",
  "%0D%0ASet-Cookie:%20x=1",
  "%2525",
  "%u0041",
  "+%2B+",
  "%F0%9F%98",
  "%F4%90%80%80",
];

function readValue(rng: Rng, param: { near?: readonly string[] }): { raw: string } | { value: string } {
  const roll = rng.next();
  if (roll < 0.08)
    return {
      raw: `${rng.chance(0.5) ? rng.text(rng.range(1, 5)) : ""}${rng.pick(RAW_ENCODINGS)}${rng.chance(0.5) ? rng.text(rng.range(1, 5)) : ""}`,
    };
  if (roll < 0.22) return { value: rng.pick(READ_HOSTILE_VALUES) + (rng.chance(0.4) ? rng.text(rng.range(1, 4)) : "") };
  if (roll < 0.4 && param.near?.length) {
    const near = rng.pick(param.near);
    const at = rng.int(near.length + 1);
    const insert = rng.pick(["", " ", "X", "0", ",", "%", "\u202e", "\u0000", "'", "<", rng.text(1)]);
    return { value: rng.chance(0.3) ? near.toUpperCase() : `${near.slice(0, at)}${insert}${near.slice(at + (rng.chance(0.5) ? 1 : 0))}` };
  }
  if (roll < 0.45) return { value: rng.text(rng.range(150, 2500), "abcdefghijklmnopqrstuvwxyz0123456789-_.") };
  return { value: hostileUnique(rng) };
}

type ParamSpec = {
  /** The route as app/ names it, e.g. /api/v1/lineage/{digest}. */
  route: string;
  /** The path requested (the route with its segments filled in). */
  path?: string;
  param: string;
  principal: Principal;
  classify: Classifier;
  /** Other parameters that make the query valid without this one. */
  base?: Record<string, string>;
  /** Values near the valid ones (mutated for near misses). */
  near?: readonly string[];
  /** A valid value of the parameter, for the "given twice" case. */
  valid?: string;
  /** Only values the route must refuse (a valid value would do something: produce a report). */
  invalidOnly?: boolean;
};

function paramTarget(seed: number, perTarget: number, spec: ParamSpec): CorpusTarget {
  const name = `GET ${spec.route} ?${spec.param}`;
  const path = spec.path ?? spec.route;
  return {
    name,
    principal: spec.principal,
    generate: function* () {
      const rng = rngFor(seed, name);
      const seen = new Set<string>();
      const baseQuery = new URLSearchParams(spec.base ?? {}).toString();
      const withBase = (q: string) => (baseQuery ? `${baseQuery}&${q}` : q);
      const make = (query: string, label: string, expect: Expectation): CorpusCase => ({
        label,
        method: "GET",
        path: `${path}?${query}`,
        headers: {},
        expect,
      });
      // Given twice: refused whatever the values.
      const twice = `${encodeURIComponent(spec.param)}=${encodeURIComponent(spec.valid ?? "1")}&${encodeURIComponent(spec.param)}=${encodeURIComponent(spec.valid ?? "2")}`;
      seen.add(twice);
      yield make(withBase(twice), "the parameter given twice", { kind: "read", status: REFUSED });
      let attempts = 0;
      while (seen.size < perTarget) {
        if (++attempts > perTarget * 200) throw new Error(`${name}: could not generate ${perTarget} distinct values`);
        const v = readValue(rng, spec);
        const query = "raw" in v ? `${encodeURIComponent(spec.param)}=${v.raw}` : new URLSearchParams({ [spec.param]: v.value }).toString();
        // Node's HTTP parser refuses request heads over 16 KiB (431) before any route: keep the URL well under.
        if (seen.has(query) || query.length > 8000) continue;
        const status = spec.classify(new URLSearchParams(query).get(spec.param) ?? "");
        if (spec.invalidOnly && status.some((s) => s < 300)) continue;
        seen.add(query);
        yield make(withBase(query), "raw" in v ? "broken percent-encoding" : "a hostile value", { kind: "read", status });
      }
    },
  };
}

/** A hostile value in a path segment; `classify` sees the decoded segment. */
function pathTarget(
  seed: number,
  perTarget: number,
  spec: { route: string; prefix: string; classify: Classifier; near: readonly string[] },
): CorpusTarget {
  const name = `GET ${spec.route}`;
  return {
    name,
    principal: "read",
    generate: function* () {
      const rng = rngFor(seed, name);
      const seen = new Set<string>();
      let attempts = 0;
      while (seen.size < perTarget) {
        if (++attempts > perTarget * 100) throw new Error(`${name}: could not generate ${perTarget} distinct values`);
        const v = readValue(rng, spec);
        // A path is UTF-8 on the wire: an unpaired surrogate cannot be sent, it becomes U+FFFD.
        const value = wellFormed("raw" in v ? decodeURIComponentSafe(v.raw) : v.value);
        // Dot segments and empty segments are resolved by URL parsing before any route sees them: another request.
        if (value === "" || /^[.\s]*$/.test(value)) continue;
        const segment = encodeURIComponent(value);
        if (seen.has(segment) || segment.length > 8000) continue;
        seen.add(segment);
        yield {
          label: "a hostile path segment",
          method: "GET",
          path: `${spec.prefix}${segment}`,
          headers: {},
          expect: { kind: "read", status: spec.classify(value) },
        };
      }
    },
  };
}

/** Unpaired surrogates replaced by U+FFFD, as UTF-8 encoding does. */
function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function isDigestText(v: string): boolean {
  return /^(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/.test(decodeURIComponentSafe(v));
}

/** The builder of the valid samples' build (subject.source of buildFinished), so blast-radius pages have something to page. */
export const SAMPLE_BUILDER = "/adversarial/ci";

/** Every query parameter of every GET route, with what its values may get. The runner checks this against app/. */
export function readParamSpecs(m: Pick<CorpusMaterial, "knownDigest">): ParamSpec[] {
  const digest = m.knownDigest;
  const hex = digest.slice(7);
  const severity = ["critical", "high", "medium", "low"];
  const status = ["open", "acknowledged", "resolved", "suppressed"];
  const measures = ["total", "pinned", "verifiedSignature", "verifiedProvenance", "admitted", "compliant"];
  const requirements = ["digest-pinning", "signatures", "attestations", "registry"];
  const dateNear = ["2026-11-20", "2026-11-20T10:00:00Z", "2026-11-20T10:00:00.123+02:00", "2024-02-29"];
  const environmentName: Classifier = (v) => {
    const t = v.trim();
    return t.length >= 1 && t.length <= 100 && /^[A-Za-z0-9][\w.-]*$/.test(t) ? OK_OR_NOT_FOUND : REFUSED;
  };
  /** A window bound: valid ones may still be refused (a window of more than 400 days, from after to). */
  const windowBound: Classifier = (v) => (instant(v) === REFUSED ? REFUSED : [200, 422]);
  const compliance = { environment: "adv-prod" };
  return [
    {
      route: "/api/v1/artifacts",
      param: "q",
      principal: "read",
      classify: freeText(200),
      near: [hex.slice(0, 12), "app", digest],
      valid: "app",
    },
    {
      route: "/api/v1/artifacts",
      param: "signed",
      principal: "read",
      classify: oneOf(["true", "false", "verified", "unverified"]),
      near: ["true", "verified"],
      valid: "true",
    },
    {
      route: "/api/v1/artifacts",
      param: "environment",
      principal: "read",
      classify: freeText(100, { min: 1 }),
      near: ["adv-prod"],
      valid: "adv-prod",
    },
    {
      route: "/api/v1/artifacts",
      param: "repository",
      principal: "read",
      classify: freeText(300, { min: 1 }),
      near: ["registry.adv.test/app"],
      valid: "x",
    },
    {
      route: "/api/v1/artifacts",
      param: "builder",
      principal: "read",
      classify: freeText(500, { min: 1 }),
      near: [SAMPLE_BUILDER],
      valid: "x",
    },
    // Dates as JavaScript reads them after a YYYY-MM-DD start: the contract says "a date or an ISO 8601 time".
    ...(["from", "to"] as const).map(
      (param): ParamSpec => ({
        route: "/api/v1/artifacts",
        param,
        principal: "read",
        classify: (v) => (/^\d{4}-\d{2}-\d{2}/.test(v.trim()) ? [200, 422] : REFUSED),
        near: dateNear,
        valid: "2026-11-20",
      }),
    ),
    {
      route: "/api/v1/artifacts",
      param: "sort",
      principal: "read",
      classify: oneOf(["newest", "oldest"]),
      near: ["newest", "oldest"],
      valid: "newest",
    },
    {
      route: "/api/v1/artifacts",
      param: "cursor",
      principal: "read",
      classify: cursor,
      near: ["MjAyNi0xMS0yMFQxMDowMDowMC4wMDBafDAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMA"],
    },
    { route: "/api/v1/artifacts", param: "limit", principal: "read", classify: wholeNumber(200), near: ["1", "50", "200"] },
    {
      route: "/api/v1/lineage/{digest}",
      path: `/api/v1/lineage/${digest}`,
      param: "depth",
      principal: "read",
      classify: (v) => (/^[1-5]$/.test(v) ? OK : REFUSED),
      near: ["1", "3", "5"],
    },
    ...(["key", "identity", "builder"] as const).map(
      (param): ParamSpec => ({
        route: "/api/v1/blast-radius",
        param,
        principal: "read",
        classify: freeText(param === "builder" ? 1000 : 300, { min: 1, accepted: [200, 404, 422] }),
        near: [SAMPLE_BUILDER, "sha256:0000", "00000000-0000-4000-8000-000000000000"],
        valid: "x",
      }),
    ),
    {
      route: "/api/v1/blast-radius",
      param: "commit",
      principal: "read",
      classify: (v) => (/^[0-9a-f]{7,64}$/.test(v.trim()) ? [200, 404, 422] : REFUSED),
      near: ["abcdef0", "0123456789abcdef0123456789abcdef01234567"],
      valid: "abcdef0",
    },
    {
      route: "/api/v1/blast-radius",
      param: "cursor",
      principal: "read",
      base: { builder: SAMPLE_BUILDER },
      classify: cursor,
      near: ["MXwwMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDA"],
    },
    {
      route: "/api/v1/blast-radius",
      param: "limit",
      principal: "read",
      base: { builder: SAMPLE_BUILDER },
      classify: wholeNumber(100),
      near: ["1", "100"],
    },
    {
      route: "/api/v1/blast-radius",
      param: "format",
      principal: "read",
      base: { builder: SAMPLE_BUILDER },
      classify: oneOf(["json", "csv"]),
      near: ["json", "csv"],
      valid: "csv",
    },
    {
      route: "/api/v1/alerts",
      param: "status",
      principal: "read",
      classify: csvOf(status),
      near: ["open", "open,resolved", "acknowledged"],
    },
    { route: "/api/v1/alerts", param: "severity", principal: "read", classify: csvOf(severity), near: ["critical", "high,low", "medium"] },
    {
      route: "/api/v1/alerts",
      param: "rule",
      principal: "read",
      classify: freeText(100, { min: 1 }),
      near: ["unsigned-deployed", "tag-mutated"],
      valid: "tag-mutated",
    },
    {
      route: "/api/v1/alerts",
      param: "environment",
      principal: "read",
      classify: freeText(200, { min: 1 }),
      near: ["prod", "adv-prod"],
      valid: "prod",
    },
    {
      route: "/api/v1/alerts",
      param: "assignee",
      principal: "read",
      // An API token is nobody: "me" is refused for it.
      classify: (v) => {
        const t = v.trim();
        return t === "none" || UUID_RE.test(t) ? OK : REFUSED;
      },
      near: ["none", "me", "00000000-0000-4000-8000-000000000000"],
      valid: "none",
    },
    {
      route: "/api/v1/alerts",
      param: "timeField",
      principal: "read",
      classify: oneOf(["updated", "created"]),
      near: ["updated", "created"],
      valid: "updated",
    },
    { route: "/api/v1/alerts", param: "from", principal: "read", classify: instant, near: dateNear, valid: "2026-11-20" },
    { route: "/api/v1/alerts", param: "to", principal: "read", classify: instant, near: dateNear, valid: "2026-11-20" },
    { route: "/api/v1/alerts", param: "q", principal: "read", classify: freeText(200), near: ["unsigned", "app"], valid: "x" },
    {
      route: "/api/v1/alerts",
      param: "sort",
      principal: "read",
      classify: oneOf(["updated", "severity"]),
      near: ["updated", "severity"],
      valid: "updated",
    },
    {
      route: "/api/v1/alerts",
      param: "cursor",
      principal: "read",
      classify: cursor,
      near: ["WyJ1cGRhdGVkIiwwLCIyMDI2LTExLTIwVDEwOjAwOjAwLjAwMFoiLCIwMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDAiXQ"],
    },
    { route: "/api/v1/alerts", param: "limit", principal: "read", classify: wholeNumber(200), near: ["1", "200"] },
    // An alert's delivery log, of an alert that does not exist: the query is checked first (422), then the alert (404).
    {
      route: "/api/v1/alerts/{id}/deliveries",
      path: "/api/v1/alerts/00000000-0000-4000-8000-000000000000/deliveries",
      param: "cursor",
      principal: "read",
      classify: (v) => cursor(v).map((s) => (s === 200 ? 404 : s)),
      near: ["MjAyNi0xMS0yMFQxMDowMDowMC4wMDBafDAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMA"],
    },
    {
      route: "/api/v1/alerts/{id}/deliveries",
      path: "/api/v1/alerts/00000000-0000-4000-8000-000000000000/deliveries",
      param: "limit",
      principal: "read",
      classify: (v) => wholeNumber(200)(v).map((s) => (s === 200 ? 404 : s)),
      near: ["1", "200"],
    },
    // The compliance view and its drill-down read the same environment and window.
    ...(["/api/v1/compliance", "/api/v1/compliance/deployments"] as const).flatMap((route): ParamSpec[] => [
      { route, param: "environment", principal: "read", classify: environmentName, near: ["adv-prod", "prod"], valid: "prod" },
      ...(["from", "to"] as const).map(
        (param): ParamSpec => ({
          route,
          param,
          principal: "read",
          base: compliance,
          classify: windowBound,
          near: dateNear,
          valid: "2026-11-20",
        }),
      ),
    ]),
    {
      route: "/api/v1/compliance/deployments",
      param: "measure",
      principal: "read",
      base: compliance,
      classify: oneOf(measures),
      near: measures,
      valid: "total",
    },
    {
      route: "/api/v1/compliance/deployments",
      param: "value",
      principal: "read",
      base: compliance,
      classify: oneOf(["true", "false"]),
      near: ["true", "false"],
      valid: "true",
    },
    {
      route: "/api/v1/compliance/deployments",
      param: "requirement",
      principal: "read",
      base: compliance,
      classify: (v) => (requirements.includes(v) ? OK : [422]),
      near: requirements,
      valid: "signatures",
    },
    {
      route: "/api/v1/compliance/deployments",
      param: "cursor",
      principal: "read",
      base: compliance,
      classify: cursor,
      near: ["MjAyNi0xMS0yMFQxMDowMDowMC4wMDBafDAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMA"],
    },
    {
      route: "/api/v1/compliance/deployments",
      param: "limit",
      principal: "read",
      base: compliance,
      classify: wholeNumber(200),
      near: ["1", "200"],
    },
    {
      route: "/api/v1/ledger/entries",
      param: "cursor",
      principal: "read",
      classify: (v) => (/^\d{1,18}$/.test(v) ? OK : REFUSED),
      near: ["1", "999999999999999999"],
    },
    { route: "/api/v1/ledger/entries", param: "limit", principal: "read", classify: wholeNumber(500), near: ["1", "500"] },
    {
      route: "/api/v1/ledger/entries",
      param: "kind",
      principal: "read",
      classify: (v) => (/^[a-z][a-z0-9.-]{0,63}$/.test(v) ? OK : REFUSED),
      near: ["document.accepted", "token.created"],
      valid: "token.created",
    },
    // A valid request for a report produces one (a ledger entry): only what must be refused is sent.
    ...(["environment", "from", "to", "format"] as const).map(
      (param): ParamSpec => ({
        route: "/api/v1/reports/compliance",
        param,
        principal: "session:compliance",
        base: param === "environment" ? { format: "json" } : { environment: "adv-prod" },
        classify: param === "format" ? oneOf(["csv", "json", "pdf"]) : param === "environment" ? freeText(200, { min: 1 }) : windowBound,
        near: param === "format" ? ["csv", "json", "pdf"] : param === "environment" ? ["adv-prod"] : dateNear,
        valid: param === "format" ? "json" : param === "environment" ? "adv-prod" : "2026-11-20",
        invalidOnly: true,
      }),
    ),
    {
      route: "/api/v1/reports/exports",
      param: "cursor",
      principal: "session:compliance",
      classify: cursor,
      near: ["MjAyNi0xMS0yMFQxMDowMDowMC4wMDBafDAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMA"],
    },
    { route: "/api/v1/reports/exports", param: "limit", principal: "session:compliance", classify: wholeNumber(100), near: ["1", "100"] },
    { route: "/api/v1/users", param: "q", principal: "session:oncall", classify: freeText(200), near: ["adv", "@"], valid: "a" },
  ];
}

/** The routes whose files exist now (the corpus knows some that may be on their way in or out). */
export type RouteFilter = (route: string) => boolean;

function readTargets(seed: number, perTarget: number, m: CorpusMaterial, exists: RouteFilter): CorpusTarget[] {
  const digest = m.knownDigest;
  const hex = digest.slice(7);
  const digestNear = [digest, `sha256:${hex.slice(0, 40)}`, `sha512:${hex}${hex}`, hex];
  return [
    ...readParamSpecs(m)
      .filter((spec) => exists(spec.route))
      .map((spec) => paramTarget(seed, perTarget, spec)),
    pathTarget(seed, perTarget, {
      route: "/api/v1/artifacts/{digest}",
      prefix: "/api/v1/artifacts/",
      classify: (v) => (isDigestText(v) ? OK_OR_NOT_FOUND : REFUSED),
      near: digestNear,
    }),
    pathTarget(seed, perTarget, {
      route: "/api/v1/lineage/{digest}",
      prefix: "/api/v1/lineage/",
      classify: (v) => (isDigestText(v) ? OK_OR_NOT_FOUND : REFUSED),
      near: digestNear,
    }),
    pathTarget(seed, perTarget, {
      route: "/api/v1/alerts/{id}",
      prefix: "/api/v1/alerts/",
      classify: (v) => (UUID_RE.test(v) ? [404] : REFUSED),
      near: ["00000000-0000-4000-8000-000000000000"],
    }),
    pathTarget(seed, perTarget, {
      route: "/api/v1/documents/{id}",
      prefix: "/api/v1/documents/",
      classify: (v) => (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(v) ? [404] : REFUSED),
      near: ["00000000-0000-4000-8000-000000000000"],
    }),
  ].filter((t) => exists(t.name.replace(/^GET | \?.*$/g, "")));
}

// ---------------------------------------------------------------------------------------------------------------
// The corpus
// ---------------------------------------------------------------------------------------------------------------

/** Valid documents, one per ingestion format: the runner proves the routes accept them before the corpus runs. */
/**
 * Valid documents with hostile content, sent after the corpus (they may be stored): identifiers, names, environments,
 * workloads, builders and repositories that are huge, markup, SQL or strange Unicode. Each may be accepted or refused
 * with a problem, never a 5xx (a huge value in an indexed column, say).
 */
export function hostileValidCorpus(seed: number, count: number): CorpusCase[] {
  const rng = rngFor(seed, "hostile valid documents");
  const sizes = [1, 200, 2_700, 9_000, 100_000, 1_000_000];
  const big = (): string => rng.text(rng.pick(sizes));
  const odd = (): string => (rng.chance(0.5) ? big() : `${hostileString(rng, { storable: true })}${rng.text(4)}`);
  const ok: Expectation = { kind: "stored-or-refused" };
  const post = (path: string, label: string, doc: unknown, contentType = "application/json"): CorpusCase => ({
    label,
    method: "POST",
    path,
    headers: { "content-type": contentType },
    body: json(doc),
    expect: ok,
  });
  const makers: Array<() => CorpusCase> = [
    () => {
      const d = artifactPublished(rng);
      setIn(d, ["context", "id"], odd());
      setIn(d, ["context", "source"], `/${encodeURIComponent(odd())}`);
      return post("/api/v1/events", "CDEvent: a huge or hostile id and source", d);
    },
    () => {
      const d = artifactPublished(rng);
      setIn(
        d,
        ["subject", "id"],
        `pkg:oci/app@sha256%3A${rng.hex(64)}?repository_url=${encodeURIComponent(`registry.adv.test/${odd()}`)}&tag=${encodeURIComponent(odd())}`.slice(
          0,
          4096,
        ),
      );
      return post("/api/v1/events", "CDEvent: a hostile repository and tag in the purl", d);
    },
    () => {
      const d = serviceDeployed(rng);
      setIn(d, ["subject", "id"], odd());
      setIn(d, ["subject", "content", "environment", "id"], odd());
      return post("/api/v1/events", "CDEvent: a huge or hostile workload and environment", d);
    },
    () => {
      const d = buildFinished(rng);
      setIn(d, ["subject", "id"], odd());
      setIn(d, ["subject", "source"], odd());
      return post("/api/v1/events", "CDEvent: a huge or hostile build id and builder", d);
    },
    () => {
      const e = registryEvent(rng);
      setIn(e, ["request", "host"], `${rng.text(rng.range(1, 60)).toLowerCase()}.adv.test`);
      setIn(
        e,
        ["target", "repository"],
        Array.from({ length: rng.range(1, 20) }, () => rng.text(rng.range(1, 12)).toLowerCase()).join("/"),
      );
      return {
        ...post("/api/v1/events", "registry: long hosts and repositories", { events: [e] }),
        headers: { "content-type": REGISTRY_TYPES[1] as string },
      };
    },
    () => {
      const digest = `sha256:${rng.hex(64)}`;
      const simple = simpleSigning(digest);
      setIn(simple, ["critical", "identity", "docker-reference"], `registry.adv.test/${rng.text(rng.pick(sizes)).toLowerCase()}`);
      return post("/api/v1/signatures", "cosign: a huge docker-reference", {
        artifact: digest,
        format: "cosign",
        payload: b64(JSON.stringify(simple)),
        signature: b64(rng.bytes(64)),
        keyHint: rng.text(rng.range(1, 1024)),
      });
    },
    () => {
      const s = statement(rng);
      setIn(s, ["subject", 0, "name"], odd());
      setIn(s, ["predicate", "runDetails", "builder", "id"], odd());
      setIn(s, ["predicate", "runDetails", "metadata", "invocationId"], odd());
      setIn(s, ["predicate", "buildDefinition", "resolvedDependencies", 0, "uri"], `git+https://example.test/${odd()}`);
      return post("/api/v1/attestations", "provenance: huge or hostile names, builder, invocation and repository", { statement: s });
    },
    () => {
      const d = policyReport(rng);
      setIn(d, ["results", 0, "message"], `failed to verify image registry.adv.test/app:v1 ${rng.text(rng.range(1, 60_000))}`);
      setIn(d, ["results", 0, "policy"], rng.text(rng.range(1, 512)));
      setIn(d, ["metadata", "uid"], rng.text(rng.range(1, 128)));
      return post("/api/v1/verifications", "report: long policy names and messages", d);
    },
    () => {
      const d = admissionDecision(rng);
      for (const field of ["verifier", "policy", "message", "environment"] as const)
        setIn(d, [field], `${hostileString(rng, { storable: true })}`.slice(0, 100));
      return post("/api/v1/verifications", "decision: hostile verifier, policy, message and environment", d);
    },
  ];
  return Array.from({ length: count }, (_, i) => (makers[i % makers.length] as () => CorpusCase)());
}

export function validSamples(
  seed: number,
  m: CorpusMaterial,
): Array<{ label: string; route: string; principal: Principal; contentType: string; headers?: Record<string, string>; body: Uint8Array }> {
  const rng = rngFor(seed, "valid samples");
  const sig = signatureBases(m);
  const cd = artifactPublished(rng);
  const ce = structured(rng);
  const bin = serviceDeployed(rng);
  return [
    { label: "CDEvent", route: "/api/v1/events", principal: "ingest", contentType: "application/json", body: json(cd) },
    {
      label: "CDEvent (deployment)",
      route: "/api/v1/events",
      principal: "ingest",
      contentType: "application/json",
      body: json(serviceDeployed(rng)),
    },
    {
      label: "CDEvent (build)",
      route: "/api/v1/events",
      principal: "ingest",
      contentType: "application/json",
      body: json(buildFinished(rng)),
    },
    {
      label: "CloudEvent (structured)",
      route: "/api/v1/events",
      principal: "ingest",
      contentType: "application/cloudevents+json",
      body: json(ce),
    },
    {
      label: "CloudEvent (binary)",
      route: "/api/v1/events",
      principal: "ingest",
      contentType: "application/json",
      headers: binaryHeaders(bin),
      body: json(bin),
    },
    {
      label: "registry envelope",
      route: "/api/v1/events",
      principal: "ingest",
      contentType: REGISTRY_TYPES[0] as string,
      body: json({ events: [registryEvent(rng)] }),
    },
    ...(["sigstore", "cosign", "openpgp", "notation"] as const).map((format) => ({
      label: `signature (${format})`,
      route: "/api/v1/signatures",
      principal: "ingest" as const,
      contentType: "application/json",
      body: json(sig[format](rng)),
    })),
    {
      label: "attestation (bare)",
      route: "/api/v1/attestations",
      principal: "ingest",
      contentType: "application/json",
      body: json({ statement: statement(rng) }),
    },
    {
      label: "attestation (DSSE)",
      route: "/api/v1/attestations",
      principal: "ingest",
      contentType: "application/json",
      body: json({ envelope: dsse(JSON.stringify(statement(rng)), rng) }),
    },
    {
      label: "attestation (bundle)",
      route: "/api/v1/attestations",
      principal: "ingest",
      contentType: "application/json",
      body: json({ bundle: clone(m.dsseBundle) }),
    },
    {
      label: "verification (decision)",
      route: VERIFICATIONS_PATH,
      principal: "ingest",
      contentType: "application/json",
      body: json(admissionDecision(rng)),
    },
    {
      label: "verification (report, YAML)",
      route: VERIFICATIONS_PATH,
      principal: "ingest",
      contentType: "application/yaml",
      body: utf8(yaml(policyReport(rng))),
    },
    {
      label: "verification (cosign)",
      route: VERIFICATIONS_PATH,
      principal: "ingest",
      contentType: "application/json",
      body: json(cosignOutput(rng)),
    },
    {
      label: "verification (notation)",
      route: VERIFICATIONS_PATH,
      principal: "ingest",
      contentType: "application/json",
      body: json(notationInspect(rng)),
    },
    {
      label: "admission review",
      route: "/api/v1/admission/review",
      principal: "admission",
      contentType: "application/json",
      body: json(admissionReview(rng)),
    },
  ];
}

export function buildCorpus(options: { seed: number; perTarget: number; material: CorpusMaterial; exists?: RouteFilter }): CorpusTarget[] {
  const { seed, perTarget, material } = options;
  return [
    eventsTarget(seed, perTarget),
    signaturesTarget(seed, perTarget, material),
    attestationsTarget(seed, perTarget, material),
    verificationsTarget(seed, perTarget),
    admissionTarget(seed, perTarget),
    ...readTargets(seed, perTarget, material, options.exists ?? (() => true)),
  ];
}
