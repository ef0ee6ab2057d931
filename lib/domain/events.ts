// Normalised domain events: what every input format is turned into before it touches the database.
import type { Digest } from "./digest";

export type ArtifactPublished = {
  type: "artifact.published";
  occurredAt: Date;
  /** null when the document names the artefact without a digest (kept as evidence only). */
  digest: Digest | null;
  repository: string;
  purl: string;
  tag: string | null;
};

export type DomainEvent = ArtifactPublished;
