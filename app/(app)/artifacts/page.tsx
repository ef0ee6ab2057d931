import type { Metadata } from "next";
import Link from "next/link";
import { DigestLink } from "@/components/ui/digest";
import { Time } from "@/components/ui/time";
import { requirePagePermission } from "@/lib/auth/session";
import { listArtifacts, ZListArtifactsQuery } from "@/lib/server/artifacts/list-artifacts";

export const metadata: Metadata = { title: "Artefacts" };
export const dynamic = "force-dynamic";

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function ArtifactsPage({ searchParams }: { searchParams: SearchParams }) {
  await requirePagePermission("read", "/artifacts");
  const sp = await searchParams;
  const raw = { q: typeof sp.q === "string" ? sp.q : undefined, cursor: typeof sp.cursor === "string" ? sp.cursor : undefined };
  const parsed = ZListArtifactsQuery.safeParse(raw);
  const query = parsed.success ? parsed.data : {};
  let page: Awaited<ReturnType<typeof listArtifacts>> | null = null;
  let problem: string | null = parsed.success ? null : "The search is not valid (at most 200 characters).";
  if (!problem) {
    try {
      page = await listArtifacts({ q: query.q, cursor: query.cursor, limit: 25 });
    } catch {
      problem = "That page link has expired or is not valid. Start again from the first page.";
    }
  }
  const q = query.q ?? "";
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Artefacts</h1>
          <p>Everything Vitrine has seen, identified by digest. Newest first.</p>
        </div>
      </div>
      <search>
        <form className="inline-form card" action="/artifacts" method="get" style={{ marginBottom: "1rem" }}>
          <label htmlFor="q" className="muted">
            Search
          </label>
          <input id="q" name="q" type="search" defaultValue={q} placeholder="Digest prefix, name or tag" maxLength={200} />
          <button className="btn btn-primary" type="submit">
            Search
          </button>
          {q ? (
            <Link className="btn" href="/artifacts">
              Clear
            </Link>
          ) : null}
        </form>
      </search>
      {problem ? (
        <div className="alert alert-bad" role="alert">
          {problem}
        </div>
      ) : null}
      {page && page.items.length === 0 ? (
        <div className="card empty">
          <h2>{q ? "No artefact matches" : "No artefacts yet"}</h2>
          <p>{q ? `Nothing matches “${q}”.` : "Artefacts appear here when pipelines send events to POST /api/v1/events."}</p>
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
                    <td>{a.names.length ? a.names.join(", ") : <span className="muted">unnamed</span>}</td>
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
            {query.cursor ? (
              <Link className="btn" href={q ? `/artifacts?q=${encodeURIComponent(q)}` : "/artifacts"}>
                First page
              </Link>
            ) : null}
            {page.nextCursor ? (
              <Link
                className="btn"
                rel="next"
                href={`/artifacts?${new URLSearchParams({ ...(q ? { q } : {}), cursor: page.nextCursor }).toString()}`}
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
