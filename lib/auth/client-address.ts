import { env } from "@/lib/env";

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(source: HeaderSource, name: string): string | undefined {
  if (source instanceof Headers) return source.get(name) ?? undefined;
  const v = source[name] ?? source[name.toLowerCase()];
  return Array.isArray(v) ? v.join(",") : v;
}

/**
 * The client's address for rate limiting. Next's server appends the socket address to
 * X-Forwarded-For, so its last entry is the peer; behind a trusted proxy the first entry is the client.
 */
export function clientAddress(source: HeaderSource): string {
  const forwarded = header(source, "x-forwarded-for");
  const hops = (forwarded ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const chosen = env().VITRINE_TRUST_PROXY === "true" ? hops[0] : hops[hops.length - 1];
  return (chosen ?? header(source, "x-real-ip") ?? "unknown").slice(0, 64);
}
