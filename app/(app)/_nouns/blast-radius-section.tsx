import { type ReactNode, Suspense } from "react";
import { BlastRadiusView } from "@/components/nouns/blast-radius";
import styles from "@/components/nouns/nouns.module.css";
import { AppError } from "@/lib/api/errors";
import { type BlastRadius, getBlastRadius, type TBlastRadiusQuery } from "@/lib/server/lineage/blast-radius";
import { SectionSkeleton } from "./section-skeleton";

type Subject = "key" | "identity" | "commit" | "builder";

type Props = {
  title: string;
  intro: ReactNode;
  subject: Subject;
  /** The subject's parameter and value, e.g. { key: id }. */
  value: string;
  cursor?: string;
  variant: "full" | "summary";
  /** The page's URL for another page of affected artefacts (null: the first page). */
  pageHref?: (cursor: string | null) => string;
};

const PAGE = { full: 25, summary: 1 } as const;

/** The blast radius as a card whose numbers stream in after the rest of the page. */
export function BlastRadiusSection(props: Props) {
  const csvHref = `/api/v1/blast-radius?${new URLSearchParams({ [props.subject]: props.value, format: "csv" }).toString()}`;
  return (
    <section className="card" aria-labelledby="blast-radius-title">
      <div className={styles.sectionHead}>
        <h2 id="blast-radius-title">{props.title}</h2>
        <div className={styles.actions}>
          <a className="btn btn-small" href={csvHref} download data-testid="radius-csv">
            Download CSV
          </a>
        </div>
      </div>
      <p className="muted">{props.intro}</p>
      <Suspense fallback={<SectionSkeleton label="Working out the blast radius…" />}>
        <BlastRadiusData {...props} csvHref={csvHref} />
      </Suspense>
    </section>
  );
}

async function BlastRadiusData(props: Props & { csvHref: string }) {
  const query = { [props.subject]: props.value, limit: PAGE[props.variant] } as TBlastRadiusQuery;
  let radius: BlastRadius;
  let problem: string | null = null;
  try {
    radius = await getBlastRadius({ query: { ...query, cursor: props.cursor } });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    if (error.code === "not_found") {
      return <p className="muted">Nothing depends on it: Vitrine knows of no artefact that relies on it.</p>;
    }
    if (error.code !== "unprocessable" || !props.cursor) {
      return (
        <div className="alert alert-bad" role="alert">
          {error.message}
        </div>
      );
    }
    problem = "That page link is not valid any more: here is the first page.";
    radius = await getBlastRadius({ query });
  }
  return (
    <>
      {problem ? (
        <div className="alert alert-warn" role="alert">
          {problem}
        </div>
      ) : null}
      <BlastRadiusView
        radius={radius}
        subject={props.subject}
        csvHref={props.csvHref}
        variant={props.variant}
        firstHref={props.cursor && props.pageHref ? props.pageHref(null) : null}
        nextHref={radius.nextCursor && props.pageHref ? props.pageHref(radius.nextCursor) : null}
      />
    </>
  );
}
