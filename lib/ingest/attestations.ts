// POST /api/v1/attestations body -> one AttestationSubmitted event (in-toto Statement v0.1/v1 in a
// Sigstore bundle, a DSSE envelope, or bare), with SLSA provenance as a BuildFinished. Pure: verifies nothing.
import { createHash } from "node:crypto";
import { z } from "zod";
import { canonicalJson } from "@/lib/domain/canonical-json";
import { type Digest, parseDigest } from "@/lib/domain/digest";
import type { AdaptedDocument, ArtifactRef, AttestationSubmitted, BuildFinished, SourceRef } from "@/lib/domain/events";
import { referenceFromPurl } from "@/lib/domain/purl";
import {
  childPath,
  type FieldProblem,
  fail,
  type InTotoStatement,
  isRecord,
  type Parsed,
  parseDigestField,
  parseDsseEnvelope,
  parseInTotoStatement,
  parseWith,
  statementFromDsse,
} from "./dsse";
import { parseSigstoreBundle } from "./sigstore-bundle";

export const SLSA_PROVENANCE_V1 = "https://slsa.dev/provenance/v1";
export const SLSA_PROVENANCE_V02 = "https://slsa.dev/provenance/v0.2";

type Options = { now: Date };
type Envelope = AttestationSubmitted["envelope"];

const zTimestamp = z.iso.datetime({ offset: true, message: "must be an RFC 3339 timestamp" });

const ZResourceDescriptor = z.object({
  uri: z.string().optional(),
  name: z.string().optional(),
  digest: z.record(z.string(), z.string(), { error: "must be an object of algorithm -> digest" }).optional(),
});

const ZSlsaV1 = z.object({
  buildDefinition: z.object(
    {
      buildType: z.string({ error: "is required (a URI)" }).min(1, "must not be empty"),
      resolvedDependencies: z.array(ZResourceDescriptor, { error: "must be an array" }).optional(),
    },
    { error: "is required" },
  ),
  runDetails: z.object(
    {
      builder: z.object({ id: z.string({ error: "is required (a URI)" }).min(1, "must not be empty") }, { error: "is required" }),
      metadata: z
        .object({ invocationId: z.string().optional(), startedOn: zTimestamp.optional(), finishedOn: zTimestamp.optional() })
        .optional(),
    },
    { error: "is required" },
  ),
});

const ZSlsaV02 = z.object({
  builder: z.object({ id: z.string().min(1) }),
  buildType: z.string().optional(),
  invocation: z.object({ configSource: ZResourceDescriptor.extend({ entryPoint: z.string().optional() }).optional() }).optional(),
  metadata: z
    .object({ buildInvocationId: z.string().optional(), buildStartedOn: zTimestamp.optional(), buildFinishedOn: zTimestamp.optional() })
    .optional(),
  materials: z.array(ZResourceDescriptor).optional(),
});

type Dependency = z.infer<typeof ZResourceDescriptor>;

const GIT_COMMIT = /^([0-9a-f]{40}|[0-9a-f]{64})$/;

/** git+https://host/org/repo@refs/heads/main -> { repository: https://host/org/repo, ref: refs/heads/main }. */
export function splitGitUri(uri: string): { repository: string; ref: string | null } {
  const bare = uri.startsWith("git+") ? uri.slice(4) : uri;
  const scheme = bare.indexOf("://");
  // An @ in the authority (git@host) is a user, not a ref: only split after the first path slash.
  const pathStart = bare.indexOf("/", scheme >= 0 ? scheme + 3 : 0);
  const at = bare.lastIndexOf("@");
  if (pathStart < 0 || at <= pathStart) return { repository: bare, ref: null };
  return { repository: bare.slice(0, at), ref: bare.slice(at + 1) || null };
}

function gitCommitOf(dep: Dependency): string | undefined {
  if (dep.digest?.gitCommit !== undefined) return dep.digest.gitCommit;
  // SLSA v0.2 materials name a git commit as sha1 on a git+ URI.
  if (dep.digest?.sha1 !== undefined && dep.uri?.startsWith("git+")) return dep.digest.sha1;
  return undefined;
}

function inputRef(dep: Dependency, digest: Digest): ArtifactRef {
  const raw = dep.uri ?? dep.name ?? digest;
  if (dep.uri?.startsWith("pkg:")) {
    const ref = referenceFromPurl(dep.uri);
    if (ref.ok) return { digest, repository: ref.ref.repository, tag: ref.ref.tag, raw };
  }
  return { digest, repository: dep.uri ?? dep.name ?? null, tag: null, raw };
}

/** Splits dependencies into git sources and digest-pinned inputs; bad commit or digest hex is a problem. */
function dependencies(deps: Dependency[], path: string): Parsed<{ sources: SourceRef[]; inputs: ArtifactRef[] }> {
  const errors: FieldProblem[] = [];
  const sources: SourceRef[] = [];
  const inputs: ArtifactRef[] = [];
  deps.forEach((dep, i) => {
    const digestPath = childPath(childPath(path, i), "digest");
    const commit = gitCommitOf(dep);
    if (commit !== undefined) {
      const key = dep.digest?.gitCommit !== undefined ? "gitCommit" : "sha1";
      if (!GIT_COMMIT.test(commit)) {
        errors.push({ path: childPath(digestPath, key), message: "must be a full lowercase hex commit id (40 or 64 characters)" });
        return;
      }
      const where = dep.uri ?? dep.name;
      if (!where) return;
      const { repository, ref } = splitGitUri(where);
      sources.push({ repository, commit, ref });
      return;
    }
    const algorithm = (["sha256", "sha512"] as const).find((a) => dep.digest?.[a] !== undefined);
    if (!algorithm) return;
    const digest = parseDigest(`${algorithm}:${dep.digest?.[algorithm]}`);
    if (!digest.ok) errors.push({ path: childPath(digestPath, algorithm), message: digest.reason });
    else inputs.push(inputRef(dep, digest.digest));
  });
  return errors.length > 0 ? { ok: false, errors: errors.slice(0, 50) } : { ok: true, value: { sources, inputs } };
}

function statementHash(statement: InTotoStatement): string {
  return `sha256:${createHash("sha256").update(canonicalJson(statement.raw)).digest("hex")}`;
}

function outputs(statement: InTotoStatement): ArtifactRef[] {
  return statement.subjects.map((s) => ({ digest: s.digest, repository: s.name, tag: null, raw: s.name ?? s.digest }));
}

function date(value: string | undefined): Date | null {
  return value === undefined ? null : new Date(value);
}

/**
 * SLSA provenance v1 (strict: the predicate's required fields must be there) or v0.2 (best effort:
 * null with a note when it does not fit). Null for any other predicate type.
 */
export function provenanceFromStatement(
  statement: InTotoStatement,
  path: string,
  options: Options,
): Parsed<{ provenance: BuildFinished | null; notes: string[] }> {
  const predicatePath = childPath(path, "predicate");
  if (statement.predicateType === SLSA_PROVENANCE_V1) {
    if (!isRecord(statement.predicate)) return fail(predicatePath, "must be a SLSA provenance v1 object");
    const parsed = parseWith(ZSlsaV1, statement.predicate, predicatePath);
    if (!parsed.ok) return parsed;
    const { buildDefinition, runDetails } = parsed.value;
    const deps = dependencies(buildDefinition.resolvedDependencies ?? [], `${predicatePath}.buildDefinition.resolvedDependencies`);
    if (!deps.ok) return deps;
    const startedAt = date(runDetails.metadata?.startedOn);
    const finishedAt = date(runDetails.metadata?.finishedOn);
    const notes = runDetails.metadata?.invocationId
      ? []
      : ["the provenance has no invocationId: the build is identified by the statement's hash"];
    return {
      ok: true,
      value: {
        notes,
        provenance: {
          type: "build.finished",
          occurredAt: finishedAt ?? startedAt ?? options.now,
          builderId: runDetails.builder.id,
          invocationId: runDetails.metadata?.invocationId || statementHash(statement),
          buildType: buildDefinition.buildType,
          startedAt,
          finishedAt,
          outcome: "success",
          sources: deps.value.sources,
          inputs: deps.value.inputs,
          outputs: outputs(statement),
        },
      },
    };
  }
  if (statement.predicateType === SLSA_PROVENANCE_V02) {
    const parsed = ZSlsaV02.safeParse(statement.predicate);
    if (!parsed.success) {
      return {
        ok: true,
        value: {
          provenance: null,
          notes: ["the SLSA v0.2 predicate lacks builder.id or has malformed fields: kept without build details"],
        },
      };
    }
    const p = parsed.data;
    const configSource = p.invocation?.configSource;
    const materials = [...(configSource?.uri?.startsWith("git+") ? [configSource] : []), ...(p.materials ?? [])];
    const deps = dependencies(materials, `${predicatePath}.materials`);
    if (!deps.ok) {
      return {
        ok: true,
        value: { provenance: null, notes: ["the SLSA v0.2 materials carry malformed digests: kept without build details"] },
      };
    }
    const unique = new Map(deps.value.sources.map((s) => [`${s.repository}@${s.commit}`, s]));
    const startedAt = date(p.metadata?.buildStartedOn);
    const finishedAt = date(p.metadata?.buildFinishedOn);
    return {
      ok: true,
      value: {
        notes: [],
        provenance: {
          type: "build.finished",
          occurredAt: finishedAt ?? startedAt ?? options.now,
          builderId: p.builder.id,
          invocationId: p.metadata?.buildInvocationId || statementHash(statement),
          buildType: p.buildType ?? null,
          startedAt,
          finishedAt,
          outcome: "success",
          sources: [...unique.values()],
          inputs: deps.value.inputs,
          outputs: outputs(statement),
        },
      },
    };
  }
  return { ok: true, value: { provenance: null, notes: [] } };
}

type Located = {
  envelope: Envelope;
  statement: InTotoStatement;
  statementPath: string;
  material: Record<string, unknown>;
  notes: string[];
};

function locateStatement(body: Record<string, unknown>): Parsed<Located> {
  const given = (["bundle", "envelope", "statement"] as const).filter((k) => body[k] !== undefined);
  if (given.length !== 1) {
    return fail("$", given.length === 0 ? "needs one of bundle, envelope or statement" : `has ${given.join(" and ")}; send exactly one`);
  }
  if (given[0] === "bundle") {
    const bundle = parseSigstoreBundle(body.bundle, "$.bundle");
    if (!bundle.ok) return bundle;
    if (bundle.value.content.kind !== "dsseEnvelope") {
      return fail(
        "$.bundle.messageSignature",
        "a message-signature bundle is a signature, not an attestation: submit it to /api/v1/signatures",
      );
    }
    const statement = statementFromDsse(bundle.value.content.envelope, "$.bundle.dsseEnvelope");
    if (!statement.ok) return statement;
    return {
      ok: true,
      value: {
        envelope: "sigstore-bundle",
        statement: statement.value,
        statementPath: "$.bundle.dsseEnvelope.payload(decoded)",
        material: { bundle: body.bundle, bundleVersion: bundle.value.version, signerHint: bundle.value.signer },
        notes: [],
      },
    };
  }
  if (given[0] === "envelope") {
    const envelope = parseDsseEnvelope(body.envelope, "$.envelope");
    if (!envelope.ok) return envelope;
    const statement = statementFromDsse(envelope.value, "$.envelope");
    if (!statement.ok) return statement;
    return {
      ok: true,
      value: {
        envelope: "dsse",
        statement: statement.value,
        statementPath: "$.envelope.payload(decoded)",
        material: { envelope: body.envelope },
        notes: [],
      },
    };
  }
  const statement = parseInTotoStatement(body.statement, "$.statement");
  if (!statement.ok) return statement;
  return {
    ok: true,
    value: {
      envelope: "bare",
      statement: statement.value,
      statementPath: "$.statement",
      material: { statement: body.statement },
      notes: ["a bare statement is unsigned evidence: it can never make anything verified"],
    },
  };
}

/** Adapts an attestation submission. Bad input is a value naming every bad field by JSON path, never a throw. */
export function adaptAttestationRequest(body: unknown, options: Options): AdaptedDocument {
  if (!isRecord(body))
    return { ok: false, detail: "An attestation submission must be a JSON object", errors: [{ path: "$", message: "must be an object" }] };
  let result: Parsed<{ event: AttestationSubmitted; notes: string[] }>;
  try {
    result = adapt(body, options);
  } catch {
    // Parsers report bad input as values; anything thrown here is a library surprise on odd input.
    result = fail("$", "could not be parsed");
  }
  if (!result.ok) return { ok: false, detail: "The attestation submission has invalid fields", errors: result.errors };
  return {
    ok: true,
    eventId: null,
    eventSource: null,
    documentType: `attestation/${result.value.event.envelope}`,
    events: [result.value.event],
    notes: result.value.notes,
  };
}

function adapt(body: Record<string, unknown>, options: Options): Parsed<{ event: AttestationSubmitted; notes: string[] }> {
  const errors: FieldProblem[] = [];
  const artifact = body.artifact === undefined ? null : parseDigestField(body.artifact, "$.artifact");
  if (artifact && !artifact.ok) errors.push(...artifact.errors);
  const located = locateStatement(body);
  if (!located.ok) errors.push(...located.errors);
  if (!located.ok || (artifact && !artifact.ok)) return { ok: false, errors };

  const { statement, statementPath } = located.value;
  const provenance = provenanceFromStatement(statement, statementPath, options);
  if (!provenance.ok) return provenance;
  const notes = [...located.value.notes, ...provenance.value.notes];
  if (artifact?.ok && !statement.subjects.some((s) => s.digest === artifact.value)) {
    notes.push("the artifact is not among the statement's subjects: the verifier will report a subject mismatch");
  }
  return {
    ok: true,
    value: {
      notes,
      event: {
        type: "attestation.submitted",
        occurredAt: options.now,
        envelope: located.value.envelope,
        statementType: statement.statementType,
        predicateType: statement.predicateType,
        subjects: statement.subjects,
        provenance: provenance.value.provenance,
        material: { ...located.value.material, ...(artifact?.ok ? { artifact: artifact.value } : {}) },
      },
    },
  };
}
