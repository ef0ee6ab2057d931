import Link from "next/link";

/** Keyset pagination: back to the first page, and on to the next one when there is one. */
export function Pager({ label, first, next }: { label: string; first?: string | null; next?: string | null }) {
  if (!first && !next) return null;
  return (
    <nav className="pager" aria-label={label}>
      {first ? (
        <Link className="btn btn-small" href={first} scroll={false}>
          First page
        </Link>
      ) : null}
      {next ? (
        <Link className="btn btn-small" rel="next" href={next} scroll={false}>
          Next page
        </Link>
      ) : null}
    </nav>
  );
}

/** `path` with `params` changed (undefined or null removes one); other query parameters are kept. */
export function hrefWith(
  path: string,
  current: Record<string, string | undefined>,
  changes: Record<string, string | null | undefined>,
): string {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...current, ...changes })) if (v) query.set(k, v);
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}
