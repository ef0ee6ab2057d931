import "server-only";
import type { LookupAddress, LookupAllOptions, LookupOneOptions } from "node:dns";
import dns from "node:dns";
import type { LookupFunction } from "node:net";
import { AppError, type FieldProblem } from "@/lib/api/errors";
import { checkAddress, checkUrlTarget, type NetworkPolicy } from "@/lib/domain/network-address";
import { env } from "@/lib/env";

// The SSRF guard of notification channels (docs/notifications.md): a channel URL may not point at
// loopback, private, link-local (cloud metadata) or other non-public addresses, unless the server
// allows it. Checked when a channel is saved (literal addresses, loopback names) and again before
// every request (the addresses the host resolves to, every one of them), and the connection goes to
// the addresses checked, so a DNS answer that changes between the check and the connect is not used.

/** The server's policy: VITRINE_NOTIFY_ALLOW_PRIVATE and VITRINE_NOTIFY_ALLOWED_HOSTS. */
export function notifyNetworkPolicy(): NetworkPolicy {
  const e = env();
  return { allowPrivate: e.VITRINE_NOTIFY_ALLOW_PRIVATE === "1", allowedHosts: e.VITRINE_NOTIFY_ALLOWED_HOSTS };
}

/** The problem with a channel URL that points where notifications may not go, or null. */
export function channelUrlProblem(url: string, policy: NetworkPolicy = notifyNetworkPolicy()): FieldProblem | null {
  const verdict = checkUrlTarget(url, policy);
  return verdict.ok ? null : { path: "$.url", message: verdict.message };
}

/** 422 naming $.url when a channel URL points where notifications may not go. */
export function assertChannelUrlAllowed(url: string, policy: NetworkPolicy = notifyNetworkPolicy()): void {
  const problem = channelUrlProblem(url, policy);
  if (problem)
    throw new AppError("unprocessable", "The channel URL points at an address notifications may not be sent to", { errors: [problem] });
}

export type ResolvedAddress = { address: string; family: 4 | 6 };

/** Every address of a host name (A and AAAA, as the system resolver answers). Injectable for tests. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) => {
  const answers = await dns.promises.lookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

export type Target =
  /** Connect to these addresses only (null: a host named in VITRINE_NOTIFY_ALLOWED_HOSTS, resolved as usual). */
  | { ok: true; addresses: ResolvedAddress[] | null }
  /** permanent: the address is refused, retrying cannot help; otherwise (DNS failure) a retry may. */
  | { ok: false; permanent: boolean; error: string };

/** Checks the URL and every address its host resolves to; the answer says where to connect. */
export async function resolveTarget(url: URL, options: { policy: NetworkPolicy; resolve: Resolver; timeoutMs?: number }): Promise<Target> {
  const target = checkUrlTarget(url, options.policy);
  if (!target.ok) return { ok: false, permanent: true, error: `refused: the URL ${target.message}` };
  if (target.allowlisted) return { ok: true, addresses: null };
  if (target.literal) {
    const address = url.hostname.replace(/^\[|\]$/g, "");
    return { ok: true, addresses: [{ address, family: target.literal.family }] };
  }
  let answers: ResolvedAddress[];
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeoutMs = options.timeoutMs ?? 5000;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(Object.assign(new Error("DNS timeout"), { code: `no answer within ${timeoutMs / 1000} s` })),
        timeoutMs,
      );
    });
    answers = await Promise.race([options.resolve(target.host), late]);
  } catch (error) {
    const code = (error as { code?: string } | null)?.code;
    return { ok: false, permanent: false, error: `could not resolve ${target.host}${code ? `: ${code}` : ""}` };
  } finally {
    clearTimeout(timer);
  }
  if (answers.length === 0) return { ok: false, permanent: false, error: `could not resolve ${target.host}: no address` };
  // Every address must pass: a name that also resolves to a private address is refused whichever one a client would pick.
  for (const answer of answers) {
    const verdict = checkAddress(answer.address, options.policy);
    if (!verdict.ok) return { ok: false, permanent: true, error: `refused: ${target.host} resolves to ${verdict.what}; ${verdict.hint}` };
  }
  return { ok: true, addresses: answers };
}

/** A `lookup` for http.request that answers the checked addresses and nothing else, whatever DNS says now. */
export function pinnedLookup(addresses: readonly ResolvedAddress[]): LookupFunction {
  return ((
    _hostname: string,
    options: LookupOneOptions | LookupAllOptions | number,
    callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    const asked = typeof options === "number" ? options : options.family;
    const family = asked === "IPv4" ? 4 : asked === "IPv6" ? 6 : asked;
    const wanted = addresses.filter((a) => (family !== 4 && family !== 6) || a.family === family);
    const list = (wanted.length ? wanted : addresses).map((a) => ({ address: a.address, family: a.family }));
    // Node 20 connects with autoSelectFamily, which asks for every address at once.
    if (typeof options === "object" && options.all) callback(null, list);
    else callback(null, list[0]!.address, list[0]!.family);
  }) as LookupFunction;
}
