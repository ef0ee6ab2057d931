// Normalised domain events: what every input format is turned into before it touches the
// database. Pure types: adapters in lib/ingest produce them, lib/server/ingest applies them.
import type { Digest } from "./digest";

/** How a document names an artefact. `digest` is null for a mutable reference (tag only). */
export type ArtifactRef = {
  digest: Digest | null;
  /** registry/repository (OCI) or package name; null when only a digest is known. */
  repository: string | null;
  tag: string | null;
  /** The reference exactly as the document gave it (purl, image reference, ...). */
  raw: string;
};

export type ArtifactKind = "oci_image" | "oci_index" | "file" | "package" | "unknown";

export type ArtifactObserved = {
  type: "artifact.packaged" | "artifact.published" | "artifact.deleted";
  occurredAt: Date;
  artifact: ArtifactRef;
  kind?: ArtifactKind;
  mediaType?: string | null;
  sizeBytes?: number | null;
  /** Set for artifact.packaged when the event names the change/commit it came from. */
  source?: SourceRef | null;
  /** An image index's platform manifests (registry push with target.references): separate artefacts, linked by an edge. */
  manifests?: IndexManifest[];
};

/** One platform manifest an image index lists. */
export type IndexManifest = {
  digest: Digest;
  kind: Extract<ArtifactKind, "oci_image" | "oci_index">;
  mediaType: string | null;
  sizeBytes: number | null;
  /** "linux/arm64/v8", when the index says. */
  platform: string | null;
};

/** A tag pointed at a digest (registry push, CDEvents purl with a tag). A different digest than before is a move. */
export type TagPushed = {
  type: "tag.pushed";
  occurredAt: Date;
  /** registry/repository */
  repository: string;
  tag: string;
  digest: Digest;
  mediaType?: string | null;
  sizeBytes?: number | null;
};

export type TagDeleted = {
  type: "tag.deleted";
  occurredAt: Date;
  repository: string;
  tag: string;
};

export type SourceRef = {
  /** Repository URL or name, e.g. https://github.com/acme/app or git+https://... */
  repository: string;
  /** Full commit id (hex) when known; null for a change without a commit. */
  commit: string | null;
  ref?: string | null;
};

export type SourceCommitted = {
  type: "source.committed";
  occurredAt: Date;
  source: SourceRef;
};

export type BuildFinished = {
  type: "build.finished";
  occurredAt: Date;
  /** The builder (SLSA builder.id, CDEvents source or pipeline URI). */
  builderId: string;
  /** Identifies the run: SLSA invocationId, CDEvents subject id. */
  invocationId: string;
  buildType: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  outcome: "success" | "failure" | "error" | "cancel" | "unknown";
  sources: SourceRef[];
  inputs: ArtifactRef[];
  outputs: ArtifactRef[];
};

export type SignatureFormat = "sigstore-bundle" | "cosign" | "openpgp" | "notation-jws" | "notation-cose";

/** A signature was submitted for an artefact. Verification happens later, server-side. */
export type SignatureSubmitted = {
  type: "signature.submitted";
  occurredAt: Date;
  format: SignatureFormat;
  /** The artefact the signature covers (one per signed digest; OpenPGP SHA256SUMS may list many). */
  artifact: ArtifactRef;
  /** What the document says about the signer, unverified (certificate SAN/issuer, key hint, key id). */
  signerHint: { identity?: string | null; issuer?: string | null; keyHint?: string | null; keyId?: string | null };
  /** Format-specific material needed to verify it later (JSON-serialisable). */
  material: Record<string, unknown>;
};

export type AttestationSubmitted = {
  type: "attestation.submitted";
  occurredAt: Date;
  envelope: "dsse" | "sigstore-bundle" | "bare";
  statementType: "https://in-toto.io/Statement/v0.1" | "https://in-toto.io/Statement/v1";
  predicateType: string;
  subjects: Array<{ name: string | null; digest: Digest }>;
  /** SLSA provenance v1 (or v0.2) details, when the predicate is provenance. */
  provenance: BuildFinished | null;
  material: Record<string, unknown>;
};

export type VerifierName = "cosign" | "notation" | "kyverno" | "admission" | string;

/** What an external verifier said. Kept apart from Vitrine's own verdicts. */
export type VerificationClaimed = {
  type: "verification.claimed";
  occurredAt: Date;
  verifier: VerifierName;
  artifact: ArtifactRef | null;
  /** The image or reference as the verifier named it. */
  reference: string | null;
  result: "pass" | "fail" | "warn" | "error" | "skip";
  policy: string | null;
  rule: string | null;
  message: string | null;
  environment: string | null;
  namespace: string | null;
  /** Verified signer identity/issuer, when the verifier reports it. */
  identity?: string | null;
  issuer?: string | null;
};

export type DeploymentChanged = {
  type: "deployment.started" | "deployment.upgraded" | "deployment.rolledback" | "deployment.removed";
  occurredAt: Date;
  environment: string;
  cluster: string | null;
  namespace: string | null;
  /** The workload (service, Deployment name, ...). */
  workload: string;
  /** The artefact as the deployer named it; digest null means a mutable reference. */
  artifact: ArtifactRef | null;
};

export type EnvironmentChanged = {
  type: "environment.created" | "environment.modified" | "environment.deleted";
  occurredAt: Date;
  name: string;
  uri: string | null;
};

export type DomainEvent =
  | ArtifactObserved
  | TagPushed
  | TagDeleted
  | SourceCommitted
  | BuildFinished
  | SignatureSubmitted
  | AttestationSubmitted
  | VerificationClaimed
  | DeploymentChanged
  | EnvironmentChanged;

/** An adapter's answer for one document: the events it means, or why it was refused. */
export type AdaptedDocument =
  | {
      ok: true;
      /** Stable identity for de-duplication when the format has one (CDEvents id+source, registry event id). */
      eventId: string | null;
      eventSource: string | null;
      /** Short description of the document, e.g. the CDEvents type. */
      documentType: string;
      events: DomainEvent[];
      /** Things a caller should know (e.g. "kept as evidence only"). */
      notes: string[];
    }
  | { ok: false; detail: string; errors: Array<{ path: string; message: string }> };
