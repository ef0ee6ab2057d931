// Where a notification may be sent (SSRF guard, docs/notifications.md): the class of an IPv4 or
// IPv6 address, and whether a channel URL or a resolved address is allowed under the server's
// policy. Pure: no DNS, no env. The caller resolves names and passes the policy in.

export type AddressClass =
  | "public"
  // Opened by VITRINE_NOTIFY_ALLOW_PRIVATE=1 (on-prem receivers):
  | "loopback"
  | "private"
  | "shared"
  | "benchmarking"
  | "unique-local"
  | "site-local"
  // Never opened by the switch (only by naming the host in VITRINE_NOTIFY_ALLOWED_HOSTS):
  | "link-local"
  | "unspecified"
  | "multicast"
  | "broadcast"
  | "documentation"
  | "reserved";

/** The classes VITRINE_NOTIFY_ALLOW_PRIVATE=1 allows. Link-local (cloud metadata), unspecified, multicast and reserved stay refused. */
export const PRIVATE_CLASSES: ReadonlySet<AddressClass> = new Set([
  "loopback",
  "private",
  "shared",
  "benchmarking",
  "unique-local",
  "site-local",
]);

const DESCRIPTION: Record<AddressClass, string> = {
  public: "a public address",
  loopback: "a loopback address",
  private: "a private address",
  shared: "a carrier-grade NAT address (100.64.0.0/10)",
  benchmarking: "a benchmarking address (198.18.0.0/15)",
  "unique-local": "a unique-local IPv6 address (fc00::/7)",
  "site-local": "a site-local IPv6 address (fec0::/10)",
  "link-local": "a link-local address (where cloud metadata services live)",
  unspecified: "the unspecified address",
  multicast: "a multicast address",
  broadcast: "the broadcast address",
  documentation: "a documentation address",
  reserved: "a reserved address",
};

export type ParsedIp = { family: 4; bytes: [number, number, number, number] } | { family: 6; bytes: number[] };

export type Classified = {
  class: AddressClass;
  /** The address as text: dotted IPv4, or compressed IPv6. */
  address: string;
  /** For IPv6 forms that carry an IPv4 address (mapped, NAT64, 6to4): the IPv4 address whose class this is. */
  embedded?: string;
};

// ---------------------------------------------------------------------------------------------
// Parsing

/** Strict dotted-quad IPv4 (what the URL parser and DNS answers produce): four decimal parts 0-255, no leading zeros. */
function parseDottedIPv4(text: string): [number, number, number, number] | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const bytes = parts.map((p) => (/^(0|[1-9]\d{0,2})$/.test(p) ? Number(p) : Number.NaN));
  return bytes.every((b) => b >= 0 && b <= 255) ? (bytes as [number, number, number, number]) : null;
}

/**
 * IPv4 the way inet_aton (and so getaddrinfo) reads it: one to four parts, each decimal, octal
 * (leading 0) or hex (0x), the last part filling the remaining bytes: "2130706433", "0x7f.1",
 * "0177.0.0.1" and "127.1" are all 127.0.0.1. A trailing dot is allowed. Null when it is not one.
 */
export function parseLooseIPv4(text: string): [number, number, number, number] | null {
  const trimmed = text.endsWith(".") ? text.slice(0, -1) : text;
  const parts = trimmed.split(".");
  if (parts.length < 1 || parts.length > 4) return null;
  const values: number[] = [];
  for (const p of parts) {
    let v: number;
    if (/^0x[0-9a-f]*$/i.test(p)) v = p.length === 2 ? 0 : Number.parseInt(p.slice(2), 16);
    else if (/^0[0-7]+$/.test(p)) v = Number.parseInt(p.slice(1), 8);
    else if (/^(0|[1-9]\d*)$/.test(p)) v = Number(p);
    else return null;
    if (!Number.isSafeInteger(v)) return null;
    values.push(v);
  }
  const last = values.pop() as number;
  if (values.some((v) => v > 255)) return null;
  if (last >= 256 ** (4 - values.length)) return null;
  const bytes = [...values];
  for (let i = 3 - values.length; i >= 0; i--) bytes.push(Math.floor(last / 256 ** i) % 256);
  return bytes as [number, number, number, number];
}

/** IPv6 text (brackets and a %zone allowed) to its 16 bytes, or null. */
function parseIPv6(text: string): number[] | null {
  let t = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  const zone = t.indexOf("%");
  if (zone !== -1) t = t.slice(0, zone);
  if (!t.includes(":")) return null;
  const halves = t.split("::");
  if (halves.length > 2) return null;
  const groupsOf = (part: string, allowV4: boolean): number[] | null => {
    if (part === "") return [];
    const out: number[] = [];
    const pieces = part.split(":");
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i] as string;
      if (allowV4 && i === pieces.length - 1 && piece.includes(".")) {
        const v4 = parseDottedIPv4(piece);
        if (!v4) return null;
        out.push(v4[0] * 256 + v4[1], v4[2] * 256 + v4[3]);
      } else if (/^[0-9a-f]{1,4}$/i.test(piece)) out.push(Number.parseInt(piece, 16));
      else return null;
    }
    return out;
  };
  const head = groupsOf(halves[0] as string, halves.length === 1);
  const tail = halves.length === 2 ? groupsOf(halves[1] as string, true) : [];
  if (!head || !tail) return null;
  let groups: number[];
  if (halves.length === 2) {
    if (head.length + tail.length > 7) return null;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else groups = head;
  if (groups.length !== 8) return null;
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

/** An IP address literal (dotted IPv4, or IPv6 with or without brackets), or null for anything else (a host name). */
export function parseIp(text: string): ParsedIp | null {
  const v4 = parseDottedIPv4(text);
  if (v4) return { family: 4, bytes: v4 };
  const v6 = parseIPv6(text);
  return v6 ? { family: 6, bytes: v6 } : null;
}

function v4Text(b: readonly number[]): string {
  return b.slice(0, 4).join(".");
}

function v6Text(b: readonly number[]): string {
  const groups = Array.from({ length: 8 }, (_, i) => ((b[2 * i] as number) << 8) | (b[2 * i + 1] as number));
  // The longest run of two or more zero groups becomes "::" (RFC 5952).
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len && j - i >= 2) best = { at: i, len: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at === -1) return hex.join(":");
  return `${hex.slice(0, best.at).join(":")}::${hex.slice(best.at + best.len).join(":")}`;
}

// ---------------------------------------------------------------------------------------------
// Classification

function inV4(b: readonly number[], prefix: [number, number, number, number], bits: number): boolean {
  for (let i = 0; i < 4; i++) {
    const take = Math.max(0, Math.min(8, bits - 8 * i));
    if (take === 0) return true;
    const mask = (0xff << (8 - take)) & 0xff;
    if (((b[i] as number) & mask) !== ((prefix[i] as number) & mask)) return false;
  }
  return true;
}

function classifyV4(b: readonly number[]): AddressClass {
  if (inV4(b, [0, 0, 0, 0], 8)) return "unspecified";
  if (inV4(b, [10, 0, 0, 0], 8)) return "private";
  if (inV4(b, [100, 64, 0, 0], 10)) return "shared";
  if (inV4(b, [127, 0, 0, 0], 8)) return "loopback";
  if (inV4(b, [169, 254, 0, 0], 16)) return "link-local";
  if (inV4(b, [172, 16, 0, 0], 12)) return "private";
  if (inV4(b, [192, 0, 0, 0], 24)) return "reserved";
  if (inV4(b, [192, 0, 2, 0], 24)) return "documentation";
  if (inV4(b, [192, 88, 99, 0], 24)) return "reserved";
  if (inV4(b, [192, 168, 0, 0], 16)) return "private";
  if (inV4(b, [198, 18, 0, 0], 15)) return "benchmarking";
  if (inV4(b, [198, 51, 100, 0], 24)) return "documentation";
  if (inV4(b, [203, 0, 113, 0], 24)) return "documentation";
  if (inV4(b, [224, 0, 0, 0], 4)) return "multicast";
  if (inV4(b, [255, 255, 255, 255], 32)) return "broadcast";
  if (inV4(b, [240, 0, 0, 0], 4)) return "reserved";
  return "public";
}

function startsWith(b: readonly number[], prefix: readonly number[], bits: number): boolean {
  for (let i = 0; i * 8 < bits; i++) {
    const take = Math.min(8, bits - 8 * i);
    const mask = (0xff << (8 - take)) & 0xff;
    if (((b[i] as number) & mask) !== ((prefix[i] ?? 0) & mask)) return false;
  }
  return true;
}

/** The class of an address; IPv6 forms that carry an IPv4 address (mapped, NAT64, 6to4) take that address's class. */
export function classifyIp(ip: ParsedIp): Classified {
  const b = ip.bytes;
  if (ip.family === 4) return { class: classifyV4(b), address: v4Text(b) };
  const address = v6Text(b);
  const embedded = (v4: number[]): Classified => ({ class: classifyV4(v4), address, embedded: v4Text(v4) });
  if (b.every((x) => x === 0)) return { class: "unspecified", address };
  if (b.slice(0, 15).every((x) => x === 0) && b[15] === 1) return { class: "loopback", address };
  // ::ffff:a.b.c.d (IPv4-mapped): a socket connects to the IPv4 address itself.
  if (startsWith(b, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff], 96)) return embedded(b.slice(12));
  // 64:ff9b::/96 (NAT64): a translator connects to the embedded IPv4 address.
  if (startsWith(b, [0, 0x64, 0xff, 0x9b], 96)) return embedded(b.slice(12));
  if (startsWith(b, [0, 0x64, 0xff, 0x9b, 0, 1], 48)) return { class: "private", address };
  // 2002::/16 (6to4): the IPv4 address in bits 16-47.
  if (startsWith(b, [0x20, 0x02], 16)) return embedded(b.slice(2, 6));
  if (startsWith(b, [0x20, 0x01, 0x0d, 0xb8], 32)) return { class: "documentation", address };
  // 2001::/32 (Teredo) hides its IPv4 address: refused rather than guessed.
  if (startsWith(b, [0x20, 0x01, 0, 0], 32)) return { class: "reserved", address };
  if (startsWith(b, [0xfc], 7)) return { class: "unique-local", address };
  if (startsWith(b, [0xfe, 0x80], 10)) return { class: "link-local", address };
  if (startsWith(b, [0xfe, 0xc0], 10)) return { class: "site-local", address };
  if (startsWith(b, [0xff], 8)) return { class: "multicast", address };
  // Global unicast is 2000::/3; everything else (::/8 with the deprecated IPv4-compatible forms, 100::/64, ...) is not a receiver.
  if (startsWith(b, [0x20], 3)) return { class: "public", address };
  return { class: "reserved", address };
}

// ---------------------------------------------------------------------------------------------
// Policy

/** A host (lowercase, no trailing dot; IPv6 in brackets) and, when given, the only port allowed for it. */
export type AllowedHost = { host: string; port: number | null };

export type NetworkPolicy = {
  /** VITRINE_NOTIFY_ALLOW_PRIVATE=1: loopback, private, CGNAT, benchmarking and unique-local addresses are allowed. */
  allowPrivate: boolean;
  /** VITRINE_NOTIFY_ALLOWED_HOSTS: these hosts are called whatever they resolve to. */
  allowedHosts: readonly AllowedHost[];
};

export const DEFAULT_NETWORK_POLICY: NetworkPolicy = { allowPrivate: false, allowedHosts: [] };

export type AddressVerdict = { ok: true; classified: Classified } | { ok: false; classified: Classified; what: string; hint: string };

const HINT_PRIVATE = "VITRINE_NOTIFY_ALLOWED_HOSTS or VITRINE_NOTIFY_ALLOW_PRIVATE=1 allow on-premises receivers (docs/notifications.md)";
const HINT_NEVER = "only naming the host in VITRINE_NOTIFY_ALLOWED_HOSTS allows it (docs/notifications.md)";

/** "127.0.0.1, a loopback address" or "::ffff:7f00:1 (IPv4 127.0.0.1), a loopback address". */
function describeAddress(c: Classified): string {
  return `${c.address}${c.embedded ? ` (IPv4 ${c.embedded})` : ""}, ${DESCRIPTION[c.class]}`;
}

/** Whether an address (as DNS answers it) may be called under `policy`; text that is not an address never may. */
export function checkAddress(address: string, policy: NetworkPolicy): AddressVerdict {
  const ip = parseIp(address);
  if (!ip) {
    const classified: Classified = { class: "reserved", address };
    return { ok: false, classified, what: `"${address.slice(0, 100)}", not an IP address`, hint: HINT_NEVER };
  }
  const classified = classifyIp(ip);
  if (classified.class === "public") return { ok: true, classified };
  if (policy.allowPrivate && PRIVATE_CLASSES.has(classified.class)) return { ok: true, classified };
  return {
    ok: false,
    classified,
    what: describeAddress(classified),
    hint: PRIVATE_CLASSES.has(classified.class) ? HINT_PRIVATE : HINT_NEVER,
  };
}

/** Lowercase, without trailing dots (an absolute name is the same host). */
function normaliseHostName(host: string): string {
  return host.toLowerCase().replace(/\.+$/, "");
}

/** Names every resolver maps to loopback (RFC 6761 and the usual /etc/hosts entries). */
function isLoopbackName(host: string): boolean {
  return (
    host === "localhost" ||
    host.endsWith(".localhost") ||
    host === "localhost.localdomain" ||
    host === "ip6-localhost" ||
    host === "ip6-loopback"
  );
}

function defaultPort(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
}

/** Whether the URL's host (and port) is named in VITRINE_NOTIFY_ALLOWED_HOSTS. */
export function isAllowedHost(url: URL, policy: NetworkPolicy): boolean {
  const host = normaliseHostName(url.hostname);
  const port = defaultPort(url);
  return policy.allowedHosts.some((a) => a.host === host && (a.port === null || a.port === port));
}

export type UrlTarget =
  | { ok: true; allowlisted: boolean; host: string; port: number; literal: ParsedIp | null }
  | { ok: false; message: string };

/**
 * What can be decided from a channel URL alone: its scheme, and its host when that is an address
 * literal (in any form inet_aton reads) or a loopback name. A host name is allowed here; its
 * addresses are checked when a notification is sent (resolveTarget in lib/server/notifications).
 */
export function checkUrlTarget(value: string | URL, policy: NetworkPolicy): UrlTarget {
  let url: URL;
  try {
    url = typeof value === "string" ? new URL(value) : value;
  } catch {
    return { ok: false, message: "must be an absolute http:// or https:// URL" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return { ok: false, message: "must use http:// or https://" };
  const raw = url.hostname;
  if (!raw) return { ok: false, message: "must name a host" };
  const host = normaliseHostName(raw);
  if (!host) return { ok: false, message: "must name a host" };
  const port = defaultPort(url);
  const bare = host.startsWith("[") ? host.slice(1, -1) : host;
  const literal: ParsedIp | null =
    parseIp(bare) ??
    (() => {
      const loose = parseLooseIPv4(bare);
      return loose ? { family: 4 as const, bytes: loose } : null;
    })();
  if (isAllowedHost(url, policy)) return { ok: true, allowlisted: true, host, port, literal };
  if (literal) {
    const verdict = checkAddress(literal.family === 4 ? v4Text(literal.bytes) : v6Text(literal.bytes), policy);
    if (!verdict.ok) return { ok: false, message: `must not point at ${verdict.what}: ${verdict.hint}` };
  } else if (isLoopbackName(host) && !policy.allowPrivate) {
    return { ok: false, message: `must not point at ${host}, a loopback name: ${HINT_PRIVATE}` };
  }
  return { ok: true, allowlisted: false, host, port, literal };
}

/**
 * VITRINE_NOTIFY_ALLOWED_HOSTS: comma-separated host[:port] entries ("hooks.corp.example",
 * "10.0.4.12:8443", "[fd00::12]:443", "fd00::12"). Hosts are read as URLs read them (lowercase,
 * IPv4 in dotted form, IPv6 compressed in brackets), so an entry matches however a URL spells it.
 */
export function parseAllowedHosts(text: string): { ok: true; hosts: AllowedHost[] } | { ok: false; message: string } {
  const hosts: AllowedHost[] = [];
  for (const raw of text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    // A bare IPv6 address (two or more colons, no brackets) has no port.
    const entry = !raw.startsWith("[") && (raw.match(/:/g)?.length ?? 0) >= 2 ? `[${raw}]` : raw;
    const m = /^(\[[0-9a-fA-F:.]+\]|[^:/?#@[\]\s]+)(?::(\d{1,5}))?$/.exec(entry);
    const port = m?.[2] === undefined ? null : Number(m[2]);
    let host: string | null = null;
    if (m?.[1]) {
      try {
        host = normaliseHostName(new URL(`http://${m[1]}/`).hostname);
      } catch {
        host = null;
      }
    }
    if (raw.includes("*")) return { ok: false, message: `"${raw.slice(0, 100)}": wildcards are not supported, name each host` };
    if (!host || (port !== null && (port < 1 || port > 65535))) {
      return { ok: false, message: `"${raw.slice(0, 100)}" must be host or host:port (IPv6 in brackets with a port: [fd00::1]:8443)` };
    }
    hosts.push({ host, port });
  }
  return { ok: true, hosts };
}
