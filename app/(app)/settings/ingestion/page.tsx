import type { Metadata } from "next";
import Link from "next/link";
import { Time } from "@/components/ui/time";
import { requirePagePermission } from "@/lib/auth/session";
import { countDocumentsPerToken, listRecentDocuments } from "@/lib/server/documents/list-recent-documents";
import { listRejections } from "@/lib/server/ingest/rejections";
import { listTokens } from "@/lib/server/tokens/list-tokens";

export const metadata: Metadata = { title: "Ingestion" };
export const dynamic = "force-dynamic";

const EXAMPLES: Array<{ title: string; code: string }> = [
  {
    title: "CDEvents (one event or a JSON array of up to 1,000)",
    code: `curl -sS -X POST "$VITRINE_URL/api/v1/events" \\
  -H "Authorization: Bearer $VITRINE_TOKEN" -H "Content-Type: application/json" \\
  --data @artifact_published.json`,
  },
  {
    title: "CloudEvents, binary mode (the CDEvent in the body, attributes in ce-* headers)",
    code: `curl -sS -X POST "$VITRINE_URL/api/v1/events" \\
  -H "Authorization: Bearer $VITRINE_TOKEN" -H "Content-Type: application/json" \\
  -H "ce-specversion: 1.0" -H "ce-id: $(uuidgen)" -H "ce-source: /ci/acme" \\
  -H "ce-type: dev.cdevents.artifact.published.0.3.0" --data @cdevent.json`,
  },
  {
    title: "Registry notifications (CNCF distribution: endpoints in config.yml point here)",
    code: `curl -sS -X POST "$VITRINE_URL/api/v1/events" \\
  -H "Authorization: Bearer $VITRINE_TOKEN" \\
  -H "Content-Type: application/vnd.docker.distribution.events.v2+json" --data @envelope.json`,
  },
  {
    title: "A Sigstore bundle for an artefact",
    code: `curl -sS -X POST "$VITRINE_URL/api/v1/signatures" \\
  -H "Authorization: Bearer $VITRINE_TOKEN" -H "Content-Type: application/json" \\
  --data "{\\"artifact\\":\\"sha256:$DIGEST\\",\\"format\\":\\"sigstore-bundle\\",\\"bundle\\":$(cat artifact.sigstore.json)}"`,
  },
  {
    title: "An in-toto attestation in DSSE (e.g. SLSA provenance)",
    code: `curl -sS -X POST "$VITRINE_URL/api/v1/attestations" \\
  -H "Authorization: Bearer $VITRINE_TOKEN" -H "Content-Type: application/json" \\
  --data "{\\"envelope\\":$(cat provenance.intoto.jsonl)}"`,
  },
  {
    title: "What an external verifier said (cosign verify, Kyverno PolicyReport YAML, ...)",
    code: `cosign verify --output json $IMAGE | curl -sS -X POST "$VITRINE_URL/api/v1/verifications" \\
  -H "Authorization: Bearer $VITRINE_TOKEN" -H "Content-Type: application/json" --data-binary @-

kubectl get policyreports -A -o yaml | curl -sS -X POST "$VITRINE_URL/api/v1/verifications" \\
  -H "Authorization: Bearer $VITRINE_TOKEN" -H "Content-Type: application/yaml" --data-binary @-`,
  },
];

export default async function IngestionPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePagePermission("settings:read", "/settings/ingestion");
  const sp = await searchParams;
  const tokens = await listTokens();
  const tokenId = typeof sp.token === "string" && tokens.some((t) => t.id === sp.token) ? sp.token : undefined;
  const [documents, perToken] = await Promise.all([
    listRecentDocuments({ tokenId, limit: 50 }),
    countDocumentsPerToken({ since: new Date(Date.now() - 86_400_000) }),
  ]);
  const rejections = listRejections({ limit: 50 }).filter((r) => !tokenId || r.tokenId === tokenId);
  const tokenName = new Map(tokens.map((t) => [t.id, t.name]));
  return (
    <>
      <div className="page-header">
        <div>
          <p>
            <Link href="/settings">Settings</Link> /
          </p>
          <h1>Ingestion</h1>
          <p>What pipelines, registries and verifiers sent, per token, and what was refused and why.</p>
        </div>
      </div>
      <form className="inline-form card" action="/settings/ingestion" method="get" style={{ marginBottom: "1rem" }}>
        <label htmlFor="token" className="muted">
          Token
        </label>
        <select id="token" name="token" defaultValue={tokenId ?? ""}>
          <option value="">All tokens</option>
          {tokens.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name} ({t.prefix}…){t.revokedAt ? " (revoked)" : ""}
            </option>
          ))}
        </select>
        <button className="btn" type="submit">
          Show
        </button>
      </form>
      <div className="two-col">
        <section className="card" aria-labelledby="per-token">
          <h2 id="per-token">Last 24 hours, per token</h2>
          {perToken.length === 0 ? (
            <p className="muted">Nothing received in the last 24 hours.</p>
          ) : (
            <table>
              <tbody>
                {perToken.map((p) => (
                  <tr key={p.tokenId ?? "none"}>
                    <td>{p.tokenId ? <Link href={`/settings/ingestion?token=${p.tokenId}`}>{p.name}</Link> : p.name}</td>
                    <td style={{ textAlign: "right" }}>
                      {p.count.toLocaleString("en")} {p.count === 1 ? "document" : "documents"}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section className="card" aria-labelledby="rejected">
          <h2 id="rejected">Refused recently</h2>
          <p className="muted">Kept in memory on this instance only (the newest 500), never stored as evidence.</p>
          {rejections.length === 0 ? (
            <p className="muted" data-testid="no-rejections">
              Nothing refused.
            </p>
          ) : (
            <ul data-testid="rejections">
              {rejections.slice(0, 20).map((r) => (
                <li key={`${r.at}-${r.route}-${r.index}-${r.detail}`}>
                  <Time iso={r.at} /> · <code>{r.route}</code> · {r.format} ·{" "}
                  {r.tokenId ? (tokenName.get(r.tokenId) ?? "unknown token") : "no token"}: {r.detail}
                  {r.errors.length ? (
                    <ul>
                      {r.errors.slice(0, 3).map((e) => (
                        <li key={`${e.path}-${e.message}`}>
                          <code>{e.path}</code> {e.message}
                        </li>
                      ))}
                    </ul>
                  ) : null}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      <section aria-labelledby="recent" style={{ marginTop: "1rem" }}>
        <h2 id="recent">Recent documents{tokenId ? ` from ${tokenName.get(tokenId)}` : ""}</h2>
        {documents.length === 0 ? (
          <div className="card empty">
            <p>No documents yet. Use one of the examples below with a token that has the ingest scope.</p>
          </div>
        ) : (
          <div className="table-wrap">
            <table aria-label="Recent documents">
              <thead>
                <tr>
                  <th scope="col">Received</th>
                  <th scope="col">Route</th>
                  <th scope="col">Format</th>
                  <th scope="col">Type</th>
                  <th scope="col">Token</th>
                  <th scope="col">Size</th>
                  <th scope="col">Document</th>
                </tr>
              </thead>
              <tbody>
                {documents.map((d) => (
                  <tr key={d.id}>
                    <td>
                      <Time iso={d.receivedAt} />
                    </td>
                    <td>{d.route}</td>
                    <td>{d.format}</td>
                    <td>{d.eventType ? <code>{d.eventType}</code> : <span className="muted">none</span>}</td>
                    <td>{d.token?.name ?? <span className="muted">none</span>}</td>
                    <td className="nowrap">{d.sizeBytes.toLocaleString("en")} B</td>
                    <td>
                      <a href={`/api/v1/documents/${d.id}`} title={`sha256:${d.sha256}`}>
                        raw
                      </a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section aria-labelledby="examples" style={{ marginTop: "1rem" }}>
        <h2 id="examples">Examples</h2>
        {EXAMPLES.map((e) => (
          <div className="card" key={e.title}>
            <h3 style={{ marginTop: 0, fontSize: "1rem" }}>{e.title}</h3>
            <pre className="raw">{e.code}</pre>
          </div>
        ))}
      </section>
    </>
  );
}
