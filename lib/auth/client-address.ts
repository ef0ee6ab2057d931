import { env } from "@/lib/env";

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(source: HeaderSource, name: string): string | undefined {
  if (source instanceof Headers) return source.get(name) ?? undefined;
  const v = source[name] ?? source[name.toLowerCase()];
  return Array.isArray(v) ? v.join(",") : v;
}

/**
 * The client's address for rate limiting. Vitrine's server (scripts/serve.mjs) always appends the
 * socket's peer to X-Forwarded-For, so the last entry is the peer. Behind a trusted proxy the peer is
 * the proxy, and the entry before it is the address the proxy saw: the client.
 */
export function clientAddress(source: HeaderSource): string {
  const forwarded = header(source, "x-forwarded-for");
  const hops = (forwarded ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const chosen = hops[hops.length - (env().VITRINE_TRUST_PROXY === "true" && hops.length > 1 ? 2 : 1)];
  return (chosen ?? "unknown").slice(0, 64);
}
