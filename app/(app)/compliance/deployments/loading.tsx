import { SectionSkeleton } from "../../_nouns/section-skeleton";

/** While the deployments behind a compliance figure load. */
export default function Loading() {
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Deployments</h1>
          <p>Finding the deployments behind this number…</p>
        </div>
      </div>
      <section className="card">
        <SectionSkeleton label="Loading the list…" />
      </section>
    </>
  );
}
