// Trust inputs and the key, trust-window and identity-pattern helpers shared by the verifiers.
// Pure: no clock (callers pass `now`), no network, no environment.
import { createHash, createPublicKey, type KeyObject } from "node:crypto";
import { enums, type Key, readKey } from "openpgp";
import type { Verdict, VerificationEvidence, VerificationResult } from "./verdict";

// ---------------------------------------------------------------------------------------------
// Verdicts

export type Evidence = VerificationEvidence;

export function outcome(verdict: Verdict, reason: string, evidence: Evidence = {}): VerificationResult {
  return { verdict, reason, evidence };
}

// ---------------------------------------------------------------------------------------------
// Trust inputs (plain values; the trust store maps its rows onto these)

export type TrustWindow = { validFrom?: Date; validUntil?: Date; revokedAt?: Date };

export type TrustedKey = TrustWindow & {
  id: string;
  name: string;
  kind: "pem" | "openpgp";
  /** PEM SubjectPublicKeyInfo, or an ASCII-armored OpenPGP public key. */
  publicKey: string;
};

export type TrustedIdentity = TrustWindow & {
  id: string;
  name: string;
  /** Keyless: certificate SAN (URI or email). Notation: the leaf certificate subject DN. */
  subject: string;
  subjectIsRegex: boolean;
  /** Keyless: the exact OIDC issuer. Notation: the leaf's issuer DN, or "" to ignore it. */
  issuer: string;
};

export type TrustedX509Root = { id: string; name: string; certificatePem: string; revokedAt?: Date };

export type Result<T> = { ok: true; value: T } | { ok: false; reason: string };

const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const refuse = <T>(reason: string): Result<T> => ({ ok: false, reason });

// ---------------------------------------------------------------------------------------------
// Trust windows

export type WindowState = { state: "ok" } | { state: "revoked"; at: Date } | { state: "expired"; reason: string };

/** Where `at` falls in an entry's window: revokedAt <= at is revoked; validFrom inclusive, validUntil exclusive. */
export function windowState(entry: TrustWindow, at: Date): WindowState {
  if (entry.revokedAt && entry.revokedAt.getTime() <= at.getTime()) return { state: "revoked", at: entry.revokedAt };
  if (entry.validFrom && at.getTime() < entry.validFrom.getTime())
    return { state: "expired", reason: `not trusted before ${entry.validFrom.toISOString()}` };
  if (entry.validUntil && at.getTime() >= entry.validUntil.getTime())
    return { state: "expired", reason: `trusted only until ${entry.validUntil.toISOString()}` };
  return { state: "ok" };
}

export type WindowPick<T> =
  | { state: "ok"; entry: T }
  | { state: "revoked"; entry: T; at: Date }
  | { state: "expired"; entry: T; reason: string };

/**
 * Several trust entries can vouch for the same signer (one key listed twice, an exact identity and a
 * pattern). A revocation is never masked by another entry; otherwise any entry in its window wins.
 */
export function pickWindow<T extends TrustWindow>(entries: T[], at: Date): WindowPick<T> | null {
  let expired: WindowPick<T> | null = null;
  let good: WindowPick<T> | null = null;
  for (const entry of entries) {
    const state = windowState(entry, at);
    if (state.state === "revoked") return { state: "revoked", entry, at: state.at };
    if (state.state === "ok") good ??= { state: "ok", entry };
    else expired ??= { state: "expired", entry, reason: state.reason };
  }
  return good ?? expired;
}

// ---------------------------------------------------------------------------------------------
// Base64

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict standard base64 (padding optional, whitespace ignored); null when it is not base64. */
export function decodeBase64(text: string): Buffer | null {
  const compact = text.replace(/\s+/g, "");
  if (!BASE64.test(compact) || compact.length % 4 === 1) return null;
  const decoded = Buffer.from(compact, "base64");
  // Buffer ignores stray bits; a round trip proves every character was meaningful.
  return decoded.toString("base64").replace(/=+$/, "") === compact.replace(/=+$/, "") ? decoded : null;
}

// ---------------------------------------------------------------------------------------------
// PEM public keys

export type PublicKeyAlgorithm = "ecdsa-p256" | "ecdsa-p384" | "ecdsa-p521" | "ed25519" | "rsa";

export type PublicKeyInfo = { key: KeyObject; algorithm: PublicKeyAlgorithm; bits: number; fingerprint: string };

export const MIN_RSA_BITS = 2048;

/** `sha256:<hex>` of the DER SubjectPublicKeyInfo: the same key always has the same fingerprint. */
export function spkiFingerprint(key: KeyObject): string {
  const der = key.export({ type: "spki", format: "der" });
  return `sha256:${createHash("sha256").update(der).digest("hex")}`;
}

/** Names a public key's algorithm and size; refuses what Vitrine never verifies with (RSA < 2048, DSA, X25519...). */
export function describePublicKey(key: KeyObject): Result<PublicKeyInfo> {
  if (key.type !== "public") return refuse("is not a public key");
  const type = key.asymmetricKeyType;
  const fingerprint = spkiFingerprint(key);
  if (type === "ed25519") return ok({ key, algorithm: "ed25519", bits: 256, fingerprint });
  if (type === "rsa") {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS) return refuse(`is an RSA key of ${bits} bits; at least ${MIN_RSA_BITS} are required`);
    return ok({ key, algorithm: "rsa", bits, fingerprint });
  }
  if (type === "ec") {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === "prime256v1") return ok({ key, algorithm: "ecdsa-p256", bits: 256, fingerprint });
    if (curve === "secp384r1") return ok({ key, algorithm: "ecdsa-p384", bits: 384, fingerprint });
    if (curve === "secp521r1") return ok({ key, algorithm: "ecdsa-p521", bits: 521, fingerprint });
    return refuse(`is an EC key on curve ${curve ?? "unknown"}; only P-256, P-384 (and P-521 for Notary Project) are supported`);
  }
  return refuse(`is a ${type ?? "unknown"} key; supported: ECDSA P-256/P-384, Ed25519, RSA >= ${MIN_RSA_BITS} bits`);
}

const PEM_PUBLIC_KEY = /^-----BEGIN (PUBLIC KEY|RSA PUBLIC KEY)-----\r?\n[A-Za-z0-9+/=\s]+-----END \1-----\s*$/;

/**
 * Parses a trusted PEM public key: ECDSA P-256/P-384, Ed25519 or RSA >= 2048 bits. Private keys are
 * refused (node would quietly derive their public half), as are P-521 and every other algorithm.
 */
export function parsePemPublicKey(pem: string): Result<PublicKeyInfo> {
  const text = pem.trim();
  if (/PRIVATE KEY-----/.test(text)) return refuse("is a private key: register only the public key");
  if (!PEM_PUBLIC_KEY.test(`${text}\n`)) return refuse("must be one PEM public key (-----BEGIN PUBLIC KEY-----)");
  let key: KeyObject;
  try {
    key = createPublicKey({ key: text, format: "pem" });
  } catch {
    return refuse("does not parse as a PEM public key");
  }
  return describeSigningKey(key);
}

/** A key cosign-style signatures may be checked with: ECDSA P-256/P-384, Ed25519, RSA >= 2048 bits. */
export function describeSigningKey(key: KeyObject): Result<PublicKeyInfo> {
  const info = describePublicKey(key);
  if (info.ok && info.value.algorithm === "ecdsa-p521") return refuse("is an EC key on curve P-521; supported curves are P-256 and P-384");
  return info;
}

// ---------------------------------------------------------------------------------------------
// OpenPGP public keys

export type OpenPgpKeyInfo = {
  key: Key;
  /** Primary key fingerprint, lowercase hex (40 characters for v4, 64 for v6). */
  fingerprint: string;
  keyId: string;
  version: number;
  userIds: string[];
  algorithm: string;
};

const WEAK_OPENPGP_ALGORITHMS: ReadonlySet<string> = new Set(["dsa", "elgamal", "rsaEncrypt"]);

/** Parses an ASCII-armored OpenPGP public key (v4 or v6) and gives its fingerprint. Refuses private keys. */
export async function parseOpenPgpPublicKey(armored: string): Promise<Result<OpenPgpKeyInfo>> {
  if (!armored.includes("-----BEGIN PGP PUBLIC KEY BLOCK-----")) {
    return refuse(
      armored.includes("PRIVATE KEY BLOCK")
        ? "is an OpenPGP private key: register only the public key"
        : "must be an ASCII-armored OpenPGP public key",
    );
  }
  let key: Key;
  try {
    key = await readKey({ armoredKey: armored });
  } catch (error) {
    return refuse(`does not parse as an OpenPGP public key (${error instanceof Error ? error.message : "unreadable"})`);
  }
  if (key.isPrivate()) return refuse("is an OpenPGP private key: register only the public key");
  const info = key.getAlgorithmInfo();
  if (WEAK_OPENPGP_ALGORITHMS.has(info.algorithm)) return refuse(`uses ${info.algorithm}, which Vitrine does not accept for signing`);
  if (info.algorithm.startsWith("rsa") && (info.bits ?? 0) < MIN_RSA_BITS) {
    return refuse(`is an RSA key of ${info.bits} bits; at least ${MIN_RSA_BITS} are required`);
  }
  return ok({
    key,
    fingerprint: key.getFingerprint().toLowerCase(),
    keyId: key.getKeyID().toHex(),
    version: key.keyPacket.version,
    userIds: key.getUserIDs(),
    algorithm: info.curve ? `${info.algorithm}/${info.curve}` : `${info.algorithm}/${info.bits}`,
  });
}

/** Name of an OpenPGP hash algorithm id, for reasons. */
export function openPgpHashName(id: number | null): string {
  if (id === null) return "unknown";
  const name = Object.entries(enums.hash).find(([, value]) => value === id)?.[0];
  return name ?? String(id);
}

// ---------------------------------------------------------------------------------------------
// Identity patterns
//
// Patterns are matched by a Thompson NFA (Pike VM), not by the backtracking RegExp engine: the work
// is O(subject length x pattern size) whatever the pattern, so no pattern can backtrack
// catastrophically (V8 needs ~50 s for ^(?:.*a.*a.*a.*x)$ on 1 KiB of "a"). The syntax is the
// RE2 subset (what cosign's Go regexp takes) that JavaScript also reads the same way: literals,
// escapes, ., [classes], \d \w \s, groups ((...), (?:...), named), |, * + ? {n} {n,} {n,m}. Not
// supported: back-references, look-around, \b, inline flags. The whole subject must match.

/** Longer subjects never match: it bounds the work of one match together with MAX_PROGRAM. */
export const MAX_IDENTITY_SUBJECT_LENGTH = 1024;
export const MAX_IDENTITY_PATTERN_LENGTH = 512;
const MAX_PROGRAM = 4096;
const MAX_REPEAT = 1000;
const MAX_GROUP_DEPTH = 32;

export type IdentityMatcher = { pattern: string; test: (subject: string) => boolean };

type CodePointTest = (cp: number) => boolean;
type Ast =
  | { t: "char"; test: CodePointTest }
  | { t: "cat"; items: Ast[] }
  | { t: "alt"; items: Ast[] }
  | { t: "rep"; item: Ast; min: number; max: number };
type Instruction = { op: "char"; test: CodePointTest } | { op: "split"; x: number; y: number } | { op: "jmp"; x: number } | { op: "match" };

class PatternError extends Error {}

const isDigit: CodePointTest = (cp) => cp >= 0x30 && cp <= 0x39;
const isWord: CodePointTest = (cp) => isDigit(cp) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) || cp === 0x5f;
const isSpace: CodePointTest = (cp) => cp === 0x20 || (cp >= 0x09 && cp <= 0x0d);
const not =
  (test: CodePointTest): CodePointTest =>
  (cp) =>
    !test(cp);
const CLASS_ESCAPES: Record<string, CodePointTest> = {
  d: isDigit,
  D: not(isDigit),
  w: isWord,
  W: not(isWord),
  s: isSpace,
  S: not(isSpace),
};
const CONTROL_ESCAPES: Record<string, number> = { n: 10, t: 9, r: 13, f: 12, v: 11 };

function parsePattern(pattern: string): Ast {
  const cps = Array.from(pattern);
  let i = 0;
  const fail = (message: string): never => {
    throw new PatternError(message);
  };

  const hex = (digits: number): number => {
    const text = cps.slice(i, i + digits).join("");
    if (!new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(text)) fail("a bad \\x or \\u escape");
    i += digits;
    return Number.parseInt(text, 16);
  };

  /** After a backslash: a class (\d...) or one code point. */
  const readEscape = (): CodePointTest | number => {
    const c = cps[i++];
    if (c === undefined) return fail("the pattern ends with a backslash");
    if (CLASS_ESCAPES[c]) return CLASS_ESCAPES[c];
    if (CONTROL_ESCAPES[c] !== undefined) return CONTROL_ESCAPES[c];
    if (c === "0" && !/[0-9]/.test(cps[i] ?? "")) return 0;
    if (/[1-9]/.test(c) || c === "k") return fail("back-references are not supported");
    if (c === "b" || c === "B") return fail("word boundaries (\\b, \\B) are not supported");
    if (c === "x") return hex(2);
    if (c === "u") {
      if (cps[i] !== "{") return hex(4);
      const end = cps.indexOf("}", i);
      const text = end > i ? cps.slice(i + 1, end).join("") : "";
      if (!/^[0-9a-fA-F]{1,6}$/.test(text)) return fail("a bad \\u{...} escape");
      i = end + 1;
      return Number.parseInt(text, 16);
    }
    if (/[A-Za-z0-9]/.test(c)) return fail(`unknown escape \\${c}`);
    return c.codePointAt(0) as number;
  };

  const charClass = (): Ast => {
    const negate = cps[i] === "^";
    if (negate) i++;
    const tests: CodePointTest[] = [];
    const single = (): CodePointTest | number => {
      const c = cps[i++];
      if (c === undefined) return fail("an unterminated [character class]");
      return c === "\\" ? readEscape() : (c.codePointAt(0) as number);
    };
    while (cps[i] !== "]") {
      if (i >= cps.length) fail("an unterminated [character class]");
      const lo = single();
      if (cps[i] === "-" && cps[i + 1] !== "]" && cps[i + 1] !== undefined) {
        i++;
        const hi = single();
        if (typeof lo !== "number" || typeof hi !== "number" || lo > hi) fail("a bad range in a [character class]");
        tests.push((cp) => cp >= (lo as number) && cp <= (hi as number));
      } else tests.push(typeof lo === "number" ? (cp) => cp === lo : lo);
    }
    i++;
    const any: CodePointTest = (cp) => tests.some((test) => test(cp));
    return { t: "char", test: negate ? not(any) : any };
  };

  const atom = (depth: number): Ast => {
    const c = cps[i++] as string;
    if (c === "(") {
      if (depth >= MAX_GROUP_DEPTH) fail("groups are nested too deeply");
      if (cps[i] === "?") {
        const head = cps.slice(i, i + 3).join("");
        if (head.startsWith("?:")) i += 2;
        else if ((head.startsWith("?<") && head !== "?<=" && head !== "?<!") || head === "?P<") {
          const end = cps.indexOf(">", i);
          if (end < 0) fail("an unterminated group name");
          i = end + 1;
        } else fail("look-around and inline flags are not supported");
      }
      const inner = alternation(depth + 1);
      if (cps[i++] !== ")") fail("an unbalanced (");
      return inner;
    }
    if (c === "[") return charClass();
    if (c === ".") return { t: "char", test: (cp) => cp !== 10 && cp !== 13 && cp !== 0x2028 && cp !== 0x2029 };
    if (c === "\\") {
      const e = readEscape();
      return { t: "char", test: typeof e === "number" ? (cp) => cp === e : e };
    }
    if (c === "^" || c === "$") return fail("^ and $ are only allowed at the very start and end: patterns are anchored anyway");
    if ("*+?{".includes(c)) return fail("a quantifier with nothing to repeat");
    if (c === "]" || c === "}") return fail(`an unescaped ${c}`);
    const cp = c.codePointAt(0) as number;
    return { t: "char", test: (x) => x === cp };
  };

  const quantifier = (): { min: number; max: number } | null => {
    const c = cps[i];
    let q: { min: number; max: number } | null = null;
    if (c === "*") q = { min: 0, max: Number.POSITIVE_INFINITY };
    else if (c === "+") q = { min: 1, max: Number.POSITIVE_INFINITY };
    else if (c === "?") q = { min: 0, max: 1 };
    if (q) i++;
    else if (c === "{") {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(cps.slice(i, i + 16).join(""));
      if (!m) return fail("a bad {n,m} repetition");
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === "" ? Number.POSITIVE_INFINITY : Number(m[3]);
      if (min > MAX_REPEAT || (Number.isFinite(max) && max > MAX_REPEAT) || min > max)
        fail(`a bad {n,m} repetition (at most ${MAX_REPEAT})`);
      i += m[0].length;
      q = { min, max };
    }
    if (q && cps[i] === "?") i++; // lazy: irrelevant when the whole subject must match
    return q;
  };

  const sequence = (depth: number): Ast => {
    const items: Ast[] = [];
    while (i < cps.length && cps[i] !== "|" && cps[i] !== ")") {
      let item = atom(depth);
      const q = quantifier();
      if (q) {
        item = { t: "rep", item, min: q.min, max: q.max };
        if (quantifier()) fail("a repeated quantifier (a** or a+*)");
      }
      items.push(item);
    }
    return { t: "cat", items };
  };

  const alternation = (depth: number): Ast => {
    const items = [sequence(depth)];
    while (cps[i] === "|") {
      i++;
      items.push(sequence(depth));
    }
    return items.length === 1 ? (items[0] as Ast) : { t: "alt", items };
  };

  const ast = alternation(0);
  if (i < cps.length) fail("an unbalanced )");
  return ast;
}

function compileProgram(ast: Ast): Instruction[] {
  const program: Instruction[] = [];
  const push = (instruction: Instruction): number => {
    if (program.length >= MAX_PROGRAM) throw new PatternError("the pattern is too large once its repetitions are expanded");
    program.push(instruction);
    return program.length - 1;
  };
  const emit = (node: Ast): void => {
    switch (node.t) {
      case "char":
        push({ op: "char", test: node.test });
        return;
      case "cat":
        for (const item of node.items) emit(item);
        return;
      case "alt": {
        // split -> first | (split -> second | ...); each branch but the last jumps past the rest.
        const jumps: number[] = [];
        for (const [k, item] of node.items.entries()) {
          if (k === node.items.length - 1) {
            emit(item);
            break;
          }
          const split = push({ op: "split", x: program.length + 1, y: -1 });
          emit(item);
          jumps.push(push({ op: "jmp", x: -1 }));
          (program[split] as { y: number }).y = program.length;
        }
        for (const j of jumps) (program[j] as { x: number }).x = program.length;
        return;
      }
      case "rep": {
        for (let k = 0; k < node.min; k++) emit(node.item);
        if (!Number.isFinite(node.max)) {
          const split = push({ op: "split", x: program.length + 1, y: -1 });
          emit(node.item);
          push({ op: "jmp", x: split });
          (program[split] as { y: number }).y = program.length;
          return;
        }
        const splits: number[] = [];
        for (let k = node.min; k < node.max; k++) {
          splits.push(push({ op: "split", x: program.length + 1, y: -1 }));
          emit(node.item);
        }
        for (const s of splits) (program[s] as { y: number }).y = program.length;
        return;
      }
    }
  };
  emit(ast);
  push({ op: "match" });
  return program;
}

/** Pike VM without captures: one pass over the subject, each instruction at most once per step. */
function runProgram(program: Instruction[], subject: string): boolean {
  const seen = new Int32Array(program.length).fill(-1);
  let current: number[] = [];
  let step = 0;
  const add = (list: number[], start: number) => {
    const stack = [start];
    while (stack.length > 0) {
      const pc = stack.pop() as number;
      if (seen[pc] === step) continue;
      seen[pc] = step;
      const instruction = program[pc] as Instruction;
      if (instruction.op === "jmp") stack.push(instruction.x);
      else if (instruction.op === "split") stack.push(instruction.y, instruction.x);
      else list.push(pc);
    }
  };
  add(current, 0);
  for (const ch of subject) {
    const cp = ch.codePointAt(0) as number;
    step++;
    const next: number[] = [];
    for (const pc of current) {
      const instruction = program[pc] as Instruction;
      if (instruction.op === "char" && instruction.test(cp)) add(next, pc + 1);
    }
    if (next.length === 0) return false;
    current = next;
  }
  return current.some((pc) => program[pc]?.op === "match");
}

/**
 * Compiles a trusted-identity pattern as ^(?:pattern)$ (a leading ^ and trailing $ are accepted and
 * implied). Refuses what JavaScript cannot compile and what the linear-time engine does not support.
 */
export function compileIdentityPattern(pattern: string): Result<IdentityMatcher> {
  if (pattern.length === 0) return refuse("an identity pattern must not be empty");
  if (pattern.length > MAX_IDENTITY_PATTERN_LENGTH)
    return refuse(`an identity pattern may have at most ${MAX_IDENTITY_PATTERN_LENGTH} characters`);
  try {
    new RegExp(`^(?:${pattern})$`, "u");
  } catch (error) {
    return refuse(`the identity pattern is not a valid regular expression (${error instanceof Error ? error.message : "syntax"})`);
  }
  let body = pattern.startsWith("^") ? pattern.slice(1) : pattern;
  if (body.endsWith("$") && !/(^|[^\\])(\\\\)*\\\$$/.test(body)) body = body.slice(0, -1);
  try {
    const program = compileProgram(parsePattern(body));
    return ok({ pattern, test: (subject: string) => subject.length <= MAX_IDENTITY_SUBJECT_LENGTH && runProgram(program, subject) });
  } catch (error) {
    if (error instanceof PatternError) return refuse(`the identity pattern is refused: ${error.message}`);
    throw error;
  }
}

/** Exact comparison, or the anchored pattern; an invalid pattern and an over-long subject match nothing. */
export function matchesIdentitySubject(identity: Pick<TrustedIdentity, "subject" | "subjectIsRegex">, subject: string): boolean {
  if (subject.length > MAX_IDENTITY_SUBJECT_LENGTH) return false;
  if (!identity.subjectIsRegex) return identity.subject === subject;
  const compiled = compileIdentityPattern(identity.subject);
  return compiled.ok && compiled.value.test(subject);
}
