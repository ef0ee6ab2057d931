import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import styles from "@/components/lineage/lineage.module.css";
import { LineageGraph } from "@/components/lineage/lineage-graph.client";
import { LineageLegend } from "@/components/lineage/lineage-legend";
import { CopyButton } from "@/components/ui/copy-button";
import { Time } from "@/components/ui/time";
import { requirePagePermission } from "@/lib/auth/session";
import { parseDigest, shortDigest } from "@/lib/domain/digest";
import { type ArtifactListItem, listArtifacts, ZListArtifactsQuery } from "@/lib/server/artifacts/list-artifacts";

export const metadata: Metadata = { title: "Lineage" };
export const dynamic = "force-dynamic";

const DEFAULT_DEPTH = 2;

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const one = (v: string | string[] | undefined) => (typeof v === "string" ? v.trim() : "");

function lineageHref(digest: string, depth: number | null): string {
  const params = new URLSearchParams({ digest });
  if (depth !== null) params.set("depth", String(depth));
  return `/lineage?${params.toString()}`;
}

/** Artefacts whose digest (prefix), name or tag matches `q`, or that were built from a commit `q` names. */
async function searchArtifacts(q: string): Promise<ArtifactListItem[]> {
  return (await listArtifacts({ q, limit: 25 })).items;
}

export default async function LineagePage({ searchParams }: { searchParams: SearchParams }) {
  await requirePagePermission("read", "/lineage");
  const sp = await searchParams;
  const digestInput = one(sp.digest);
  const q = one(sp.q);
  const depthInput = one(sp.depth);
  const depthValid = /^[1-5]$/.test(depthInput);
  const depth = depthValid ? Number(depthInput) : DEFAULT_DEPTH;
  const keptDepth = depthValid ? depth : null;

  // A digest typed into the search box goes straight to its graph; anything else is searched.
  const looksLikeDigest = /^sha(256|512):/i.test(q);
  const qDigest = q && !digestInput && looksLikeDigest ? parseDigest(q) : null;
  if (qDigest?.ok) redirect(lineageHref(qDigest.digest, keptDepth));

  const parsed = digestInput ? parseDigest(digestInput) : null;
  const qValid = ZListArtifactsQuery.safeParse({ q: q || undefined });
  const searching = Boolean(q) && !digestInput && !looksLikeDigest;
  const matches = searching && qValid.success ? await searchArtifacts(q) : null;
  const problem =
    qDigest && !qDigest.ok
      ? `Not a digest: ${qDigest.reason}.`
      : parsed && !parsed.ok
        ? `Not a digest: ${parsed.reason}.`
        : searching && !qValid.success
          ? "The search is too long (at most 200 characters)."
          : null;

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Lineage</h1>
          <p>From source commit to running deployment: how an artefact was built, tagged, signed and deployed.</p>
        </div>
      </div>
      <search>
        <form className="inline-form card" action="/lineage" method="get" style={{ marginBottom: "1rem" }}>
          <label htmlFor="lineage-q" className="muted">
            Digest, tag or commit
          </label>
          <input
            id="lineage-q"
            name="q"
            type="search"
            defaultValue={q || digestInput}
            placeholder="sha256:…, registry.acme.dev/app:1.0 or a commit SHA"
            maxLength={200}
            aria-invalid={problem ? true : undefined}
            aria-describedby={problem ? "lineage-q-error" : undefined}
          />
          {keptDepth !== null ? <input type="hidden" name="depth" value={keptDepth} /> : null}
          <button className="btn btn-primary" type="submit">
            Show lineage
          </button>
        </form>
      </search>

      {problem ? (
        <div className="alert alert-bad" role="alert" id="lineage-q-error">
          {problem}
        </div>
      ) : null}
      {depthInput && !depthValid ? (
        <div className="alert alert-warn" role="alert">
          The depth must be a whole number from 1 to 5: showing depth {DEFAULT_DEPTH}.
        </div>
      ) : null}

      {!digestInput && !q ? (
        <div className="card empty">
          <h2>Choose an artefact</h2>
          <p>
            Enter a digest to see its graph, or a tag (<code>registry/repository:tag</code>) or a commit SHA to find the artefacts it names.
            You can also start from the <Link href="/artifacts">artefacts list</Link>.
          </p>
        </div>
      ) : null}

      {matches ? (
        matches.length === 0 ? (
          <div className="card empty" data-testid="lineage-no-match">
            <h2>Nothing matches</h2>
            <p>
              No artefact has a digest, name or tag matching “{q}”, and none was built from such a commit. Try a full digest, a tag such as{" "}
              <code>registry.acme.dev/app:1.0</code>, or a commit SHA (at least 7 characters).
            </p>
          </div>
        ) : (
          <section aria-labelledby="lineage-matches">
            <h2 id="lineage-matches">
              {matches.length === 1 ? "One artefact matches" : `${matches.length} artefacts match`} “{q}”
            </h2>
            <p className="muted">Pick one to see its lineage.</p>
            <div className="table-wrap">
              <table className={styles.matches}>
                <thead>
                  <tr>
                    <th scope="col">Artefact</th>
                    <th scope="col">Tags now</th>
                    <th scope="col">Kind</th>
                    <th scope="col">First seen</th>
                  </tr>
                </thead>
                <tbody>
                  {matches.map((a) => (
                    <tr key={a.digest} data-testid="lineage-match">
                      <td>
                        <Link href={lineageHref(a.digest, keptDepth)} className="wrap-anywhere">
                          {a.names[0] ?? "unnamed"}
                        </Link>
                        <div className="digest muted" title={a.digest}>
                          {shortDigest(a.digest, 16)}
                        </div>
                      </td>
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
          </section>
        )
      ) : null}

      {parsed?.ok ? (
        <>
          <div className="card" style={{ display: "flex", flexWrap: "wrap", alignItems: "center", gap: "0.5rem 1rem" }}>
            <span className="digest" data-testid="lineage-root-digest">
              {parsed.digest}
            </span>
            <CopyButton value={parsed.digest} label="Copy digest" />
            <Link href={`/artifacts/${encodeURIComponent(parsed.digest)}`} className="small">
              Artefact page
            </Link>
          </div>
          <LineageGraph key={parsed.digest} digest={parsed.digest} depth={depth} />
          <LineageLegend />
        </>
      ) : null}
    </>
  );
}
