// Vitrine as the admission gate (DESIGN.md, item 6): the decision for each image a workload would run, under the
// trust policy of the namespace's environment, and the words the API server shows when it is denied. Pure.
import { evaluatePolicy, type PolicyFacts, type PolicyFailure, type TrustPolicy } from "./policy";

export type AdmissionFailure = { requirement: PolicyFailure["requirement"] | "reference" | "resolution"; reason: string };

/** An image as the admission request names it (structurally lib/ingest's AdmissionImage). */
export type AdmissionSubject = {
  image: string;
  containers: Array<{ name: string }>;
  ref: { name: string; tag: string | null; digest: string | null } | null;
  problem: string | null;
};

/** The artefact an image would run: found by its digest, or by what its tag points at now. */
export type ImageResolution = {
  digest: string;
  /** null: Vitrine has never seen this digest. */
  artifactId: string | null;
  facts: Pick<PolicyFacts, "signatures" | "attestations"> | null;
};

export type ImageDecision = {
  /** The image exactly as the pod spec names it. */
  reference: string;
  digest: string | null;
  artifactId: string | null;
  pinned: boolean;
  /** registry/repository:tag when the digest came from the tag's current target. */
  resolvedFromTag: string | null;
  containers: string[];
  pass: boolean;
  failures: AdmissionFailure[];
};

/** The tag a tag-only reference pulls: registry/repository:tag, "latest" when none is named (as the kubelet does). */
export function tagReferenceOf(ref: { name: string; tag: string | null }): string {
  return `${ref.name}:${ref.tag ?? "latest"}`;
}

const NO_FACTS = { signatures: [], attestations: [] };

export function decideImage(options: { image: AdmissionSubject; policy: TrustPolicy; resolution: ImageResolution | null }): ImageDecision {
  const { image, policy, resolution } = options;
  const base = {
    reference: image.image,
    containers: image.containers.map((c) => c.name),
  };
  const decided = (d: Omit<ImageDecision, "reference" | "containers" | "pass">): ImageDecision => ({
    ...base,
    ...d,
    pass: d.failures.length === 0,
  });
  const { ref } = image;
  if (!ref) {
    return decided({
      digest: null,
      artifactId: null,
      pinned: false,
      resolvedFromTag: null,
      failures: [{ requirement: "reference", reason: `not a valid image reference: ${image.problem ?? "it does not parse"}` }],
    });
  }
  const pinned = ref.digest !== null;
  const reference = { pinned, repository: ref.name, tag: ref.tag };

  if (!pinned && policy.requireDigestPinning) {
    // Not resolved: the policy refuses the reference itself, whatever its tag points at.
    const { failures } = evaluatePolicy(policy, { reference, ...NO_FACTS });
    return decided({
      digest: null,
      artifactId: null,
      pinned,
      resolvedFromTag: null,
      failures: failures.filter((f) => f.requirement === "digest-pinning" || f.requirement === "registry"),
    });
  }

  if (!pinned && !resolution) {
    const tag = tagReferenceOf(ref);
    const { failures } = evaluatePolicy(policy, { reference, ...NO_FACTS });
    return decided({
      digest: null,
      artifactId: null,
      pinned,
      resolvedFromTag: null,
      failures: [
        ...failures.filter((f) => f.requirement === "registry"),
        {
          requirement: "resolution",
          reason: `Vitrine knows no digest for the tag ${tag}${ref.tag ? "" : " (no tag named: the kubelet pulls latest)"}, so it cannot check what would run; pin the image by digest`,
        },
      ],
    });
  }

  const digest = pinned ? (ref.digest as string) : (resolution as ImageResolution).digest;
  const known = resolution?.artifactId ? resolution : null;
  const { failures } = evaluatePolicy(policy, { reference, ...(known?.facts ?? NO_FACTS) });
  return decided({
    digest,
    artifactId: known?.artifactId ?? null,
    pinned,
    resolvedFromTag: pinned ? null : tagReferenceOf(ref),
    failures: known
      ? failures
      : failures.map((f) =>
          f.requirement === "signatures" || f.requirement === "attestations"
            ? { ...f, reason: `${f.reason}: Vitrine has no record of the artefact ${digest} (nothing was ever submitted for it)` }
            : f,
        ),
  });
}

const MAX_MESSAGE_IMAGES = 20;

/** The denial message: a summary line, then one line per failing image naming each failed requirement. */
export function admissionMessage(options: {
  workload: string;
  namespace: string;
  environment: string;
  images: ImageDecision[];
}): string | null {
  const failing = options.images.filter((i) => !i.pass);
  if (failing.length === 0) return null;
  const count = options.images.length;
  const lines = [
    `Vitrine denied ${options.workload} in namespace ${options.namespace} (environment ${options.environment}): ${failing.length} of ${count} image${count === 1 ? "" : "s"} fail${failing.length === 1 ? "s" : ""} the trust policy`,
  ];
  for (const image of failing.slice(0, MAX_MESSAGE_IMAGES)) {
    const containers = image.containers.length
      ? ` (container${image.containers.length === 1 ? "" : "s"} ${image.containers.join(", ")})`
      : "";
    lines.push(`- ${image.reference}${containers}: ${image.failures.map((f) => `${f.requirement}: ${f.reason}`).join("; ")}`);
  }
  if (failing.length > MAX_MESSAGE_IMAGES) lines.push(`- … and ${failing.length - MAX_MESSAGE_IMAGES} more failing images`);
  return lines.join("\n");
}

/** Warnings for the API server to show (kubectl prints them): images allowed only through their tag's current digest. */
export function admissionWarnings(images: ImageDecision[]): string[] {
  return images
    .filter((i) => i.resolvedFromTag && i.digest)
    .slice(0, MAX_MESSAGE_IMAGES)
    .map((i) => `${i.reference} is not pinned by digest; Vitrine decided on ${i.digest}, where ${i.resolvedFromTag} points now`);
}
