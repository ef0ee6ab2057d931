import type { Metadata } from "next";
import Link from "next/link";
import { DigestLink } from "@/components/ui/digest";
import { Time } from "@/components/ui/time";
import { VerdictBadge } from "@/components/ui/verdict-badge";
import { requirePagePermission } from "@/lib/auth/session";
import { listArtifacts, ZListArtifactsQuery } from "@/lib/server/artifacts/list-artifacts";
import { listEnvironmentNames } from "@/lib/server/environments/list-environment-names";

export const metadata: Metadata = { title: "Artefacts" };
export const dynamic = "force-dynamic";

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const FILTER_KEYS = ["q", "signed", "environment", "repository", "builder", "from", "to", "sort"] as const;

function verdictSummary(verdicts: Array<string | null>) {
  if (verdicts.length === 0) return <span className="badge badge-warn">unsigned</span>;
  if (verdicts.includes("verified")) return <VerdictBadge verdict="verified" />;
  const worst = ["invalid", "subject-mismatch", "revoked", "expired", "untrusted", "unverifiable"].find((v) => verdicts.includes(v));
  return <VerdictBadge verdict={worst ?? null} />;
}

export default async function ArtifactsPage({ searchParams }: { searchParams: SearchParams }) {
  await requirePagePermission("read", "/artifacts");
  const sp = await searchParams;
  const raw: Record<string, string> = {};
  for (const key of [...FILTER_KEYS, "cursor"]) {
    const v = sp[key];
    if (typeof v === "string" && v !== "") raw[key] = v;
  }
  const parsed = ZListArtifactsQuery.safeParse(raw);
  const query = parsed.success ? parsed.data : {};
  let page: Awaited<ReturnType<typeof listArtifacts>> | null = null;
  let problem: string | null = parsed.success
    ? null
    : `The filters are not valid: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}.`;
  if (!problem) {
    try {
      page = await listArtifacts({ ...query, limit: 25 });
    } catch {
      problem = "That page link has expired or is not valid. Start again from the first page.";
    }
  }
  const environments = await listEnvironmentNames();
  const filters: Record<string, string> = {};
  for (const key of FILTER_KEYS) if (raw[key]) filters[key] = raw[key] as string;
  const filtered = Object.keys(filters).length > 0;
  const q = raw.q ?? "";
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Artefacts</h1>
          <p>Everything Vitrine has seen, identified by digest. Filters live in the address, so a view can be shared.</p>
        </div>
      </div>
      <search>
        <form className="filter-form card" action="/artifacts" method="get" style={{ marginBottom: "1rem" }}>
          <div className="field">
            <label htmlFor="q">Search</label>
            <input id="q" name="q" type="search" defaultValue={q} placeholder="Digest prefix, name, tag or commit" maxLength={200} />
          </div>
          <div className="field">
            <label htmlFor="signed">Signatures</label>
            <select id="signed" name="signed" defaultValue={raw.signed ?? ""}>
              <option value="">any</option>
              <option value="verified">verified</option>
              <option value="unverified">signed, none verified</option>
              <option value="true">signed</option>
              <option value="false">unsigned</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="environment">Running in</label>
            <select id="environment" name="environment" defaultValue={raw.environment ?? ""}>
              <option value="">any environment</option>
              {environments.map((e) => (
                <option key={e} value={e}>
                  {e}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="repository">Repository</label>
            <input
              id="repository"
              name="repository"
              defaultValue={raw.repository ?? ""}
              placeholder="registry/repository"
              maxLength={300}
            />
          </div>
          <div className="field">
            <label htmlFor="builder">Builder</label>
            <input id="builder" name="builder" defaultValue={raw.builder ?? ""} placeholder="builder id" maxLength={500} />
          </div>
          <div className="field">
            <label htmlFor="from">First seen from</label>
            <input id="from" name="from" type="date" defaultValue={raw.from?.slice(0, 10) ?? ""} />
          </div>
          <div className="field">
            <label htmlFor="to">until</label>
            <input id="to" name="to" type="date" defaultValue={raw.to?.slice(0, 10) ?? ""} />
          </div>
          <div className="field">
            <label htmlFor="sort">Order</label>
            <select id="sort" name="sort" defaultValue={raw.sort ?? "newest"}>
              <option value="newest">newest first</option>
              <option value="oldest">oldest first</option>
            </select>
          </div>
          <div className="field actions">
            <button className="btn btn-primary" type="submit">
              Search
            </button>
            {filtered ? (
              <Link className="btn" href="/artifacts">
                Clear
              </Link>
            ) : null}
          </div>
        </form>
      </search>
      {problem ? (
        <div className="alert alert-bad" role="alert">
          {problem}
        </div>
      ) : null}
      {page && page.items.length === 0 ? (
        <div className="card empty">
          <h2>{filtered ? "No artefact matches" : "No artefacts yet"}</h2>
          <p>{filtered ? "Nothing matches these filters." : "Artefacts appear here when pipelines send events to POST /api/v1/events."}</p>
        </div>
      ) : null}
      {page && page.items.length > 0 ? (
        <>
          <div className="table-wrap">
            <table aria-label="Artefacts">
              <thead>
                <tr>
                  <th scope="col">Digest</th>
                  <th scope="col">Names</th>
                  <th scope="col">Tags</th>
                  <th scope="col">Signatures</th>
                  <th scope="col">Kind</th>
                  <th scope="col">First seen</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((a) => (
                  <tr key={a.digest} data-testid="artifact-row">
                    <td>
                      <DigestLink digest={a.digest} /> {a.isDemo ? <span className="badge badge-demo">demo</span> : null}
                    </td>
                    <td className="wrap-anywhere">{a.names.length ? a.names.join(", ") : <span className="muted">unnamed</span>}</td>
                    <td>
                      {a.tags.length ? (
                        a.tags.map((t) => (
                          <span key={t} className="badge" style={{ marginRight: 4 }}>
                            {t}
                          </span>
                        ))
                      ) : (
                        <span className="muted">none</span>
                      )}
                    </td>
                    <td>{verdictSummary(a.verdicts)}</td>
                    <td>{a.kind.replace("_", " ")}</td>
                    <td>
                      <Time iso={a.firstSeenAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav className="pager" aria-label="Pages">
            {raw.cursor ? (
              <Link className="btn" href={`/artifacts?${new URLSearchParams(filters).toString()}`}>
                First page
              </Link>
            ) : null}
            {page.nextCursor ? (
              <Link
                className="btn"
                rel="next"
                href={`/artifacts?${new URLSearchParams({ ...filters, cursor: page.nextCursor }).toString()}`}
              >
                Next page
              </Link>
            ) : null}
          </nav>
        </>
      ) : null}
    </>
  );
}
