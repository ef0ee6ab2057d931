// Identifiers a document gives (event ids and sources, artefact and repository names, tags, environments, workloads,
// builders and runs, source repositories, signer identities, predicate types) are kept in indexed text columns, and
// a Postgres btree entry holds at most 2704 bytes: past it the insert fails (a 500 for what is bad input). Each one is
// bounded here in UTF-8 bytes, so a document naming an over-long one is refused with a 422. Pure.
import type { AdaptedDocument, ArtifactRef, BuildFinished, DomainEvent, SourceRef } from "@/lib/domain/events";

/** Two of them share an index entry (event source and id, builder and run, repository and commit) with room to spare. */
export const MAX_IDENTIFIER_BYTES = 1024;

type Check = [what: string, value: string | null | undefined];

function artifactChecks(what: string, ref: ArtifactRef | null | undefined): Check[] {
  return ref
    ? [
        [`${what} repository`, ref.repository],
        [`${what} tag`, ref.tag],
      ]
    : [];
}

function sourceChecks(what: string, source: SourceRef): Check[] {
  return [
    [`${what} repository`, source.repository],
    [`${what} commit`, source.commit],
    [`${what} ref`, source.ref],
  ];
}

function buildChecks(build: BuildFinished): Check[] {
  return [
    ["builder id", build.builderId],
    ["build invocation id", build.invocationId],
    ["build type", build.buildType],
    ...build.sources.flatMap((s) => sourceChecks("build source", s)),
    ...build.inputs.flatMap((r) => artifactChecks("build input", r)),
    ...build.outputs.flatMap((r) => artifactChecks("build output", r)),
  ];
}

function eventChecks(event: DomainEvent): Check[] {
  switch (event.type) {
    case "artifact.packaged":
    case "artifact.published":
    case "artifact.deleted":
      return [...artifactChecks("artefact", event.artifact), ...(event.source ? sourceChecks("source", event.source) : [])];
    case "tag.pushed":
    case "tag.deleted":
      return [
        ["tag repository", event.repository],
        ["tag", event.tag],
      ];
    case "source.committed":
      return sourceChecks("source", event.source);
    case "build.finished":
      return buildChecks(event);
    case "signature.submitted":
      return [...artifactChecks("signed artefact", event.artifact), ["signer identity", event.signerHint.identity]];
    case "attestation.submitted":
      return [
        ["predicate type", event.predicateType],
        ...event.subjects.map((s): Check => ["subject name", s.name]),
        ...(event.provenance ? buildChecks(event.provenance) : []),
      ];
    case "verification.claimed":
      return [...artifactChecks("claimed artefact", event.artifact), ["claim environment", event.environment]];
    case "deployment.started":
    case "deployment.upgraded":
    case "deployment.rolledback":
    case "deployment.removed":
      return [
        ["environment", event.environment],
        ["workload", event.workload],
        ["cluster", event.cluster],
        ["namespace", event.namespace],
        ...artifactChecks("deployed artefact", event.artifact),
      ];
    case "environment.created":
    case "environment.modified":
    case "environment.deleted":
      return [["environment", event.name]];
  }
}

/** Why an accepted document cannot be stored ("the environment is 5000 bytes long; at most 1024 are kept"), or null. */
export function oversizedIdentifier(doc: Extract<AdaptedDocument, { ok: true }>): string | null {
  const checks: Check[] = [["event id", doc.eventId], ["event source", doc.eventSource], ...doc.events.flatMap(eventChecks)];
  for (const [what, value] of checks) {
    if (typeof value !== "string") continue;
    const bytes = Buffer.byteLength(value, "utf8");
    if (bytes > MAX_IDENTIFIER_BYTES) return `the ${what} is ${bytes} bytes long; at most ${MAX_IDENTIFIER_BYTES} are kept`;
  }
  return null;
}
