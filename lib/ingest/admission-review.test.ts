import { describe, expect, it } from "vitest";
import { parseAdmissionReview, WORKLOAD_KINDS, type WorkloadKind, workloadLabel } from "./admission-review";

const D1 = `sha256:${"1".repeat(64)}`;
const D2 = `sha256:${"2".repeat(64)}`;

const podSpec = (overrides: Record<string, unknown> = {}) => ({
  containers: [
    { name: "app", image: `registry.acme.dev/app@${D1}` },
    { name: "sidecar", image: "registry.acme.dev/proxy:1.2" },
  ],
  initContainers: [{ name: "migrate", image: `registry.acme.dev/migrate:2@${D2}` }],
  ...overrides,
});

/** The object of a kind, with the pod spec where that kind keeps it. */
function objectOf(kind: WorkloadKind, spec: unknown, metadata: Record<string, unknown> = { name: "web" }) {
  const [top, ...rest] = WORKLOAD_KINDS[kind].podSpec;
  let inner: unknown = spec;
  for (const key of [...rest].reverse()) inner = { [key]: inner };
  return { apiVersion: kind === "Pod" ? "v1" : "apps/v1", kind, metadata, [top]: inner };
}

function review(kind: WorkloadKind = "Pod", request: Record<string, unknown> = {}, spec: unknown = podSpec()) {
  return {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: "705ab4f5-6393-11e8-b7cc-42010a800002",
      kind: { group: WORKLOAD_KINDS[kind].group, version: "v1", kind },
      resource: { group: WORKLOAD_KINDS[kind].group, version: "v1", resource: `${kind.toLowerCase()}s` },
      namespace: "payments",
      operation: "CREATE",
      userInfo: { username: "system:serviceaccount:argocd:argocd-application-controller" },
      object: objectOf(kind, spec),
      dryRun: false,
      ...request,
    },
  };
}

function ok(doc: unknown) {
  const parsed = parseAdmissionReview(doc);
  if (!parsed.ok) throw new Error(`expected a valid review: ${JSON.stringify(parsed.errors)}`);
  return parsed.review;
}

function problems(doc: unknown) {
  const parsed = parseAdmissionReview(doc);
  if (parsed.ok) throw new Error("expected the review to be refused");
  return parsed.errors;
}

describe("parseAdmissionReview", () => {
  it("reads a Pod: uid, operation, namespace, name, who asked, and every container and init container image", () => {
    const r = ok(review());
    expect(r).toMatchObject({
      uid: "705ab4f5-6393-11e8-b7cc-42010a800002",
      operation: "CREATE",
      dryRun: false,
      namespace: "payments",
      kind: "Pod",
      name: "web",
      generateName: null,
      username: "system:serviceaccount:argocd:argocd-application-controller",
    });
    expect(r.images.map((i) => [i.image, i.containers.map((c) => `${c.field}:${c.name}`)])).toEqual([
      [`registry.acme.dev/app@${D1}`, ["containers:app"]],
      ["registry.acme.dev/proxy:1.2", ["containers:sidecar"]],
      [`registry.acme.dev/migrate:2@${D2}`, ["initContainers:migrate"]],
    ]);
    expect(r.images[0]?.ref).toMatchObject({ name: "registry.acme.dev/app", tag: null, digest: D1 });
    // A tag and no digest: not pinned.
    expect(r.images[1]?.ref).toMatchObject({ name: "registry.acme.dev/proxy", tag: "1.2", digest: null });
    expect(r.images[2]?.ref).toMatchObject({ tag: "2", digest: D2 });
    expect(r.images[0]?.containers[0]?.path).toBe("$.request.object.spec.containers[0].image");
    expect(r.images[2]?.containers[0]?.path).toBe("$.request.object.spec.initContainers[0].image");
  });

  it.each(Object.keys(WORKLOAD_KINDS) as WorkloadKind[])("reads the pod template of a %s", (kind) => {
    const r = ok(review(kind));
    expect(r.kind).toBe(kind);
    expect(r.images).toHaveLength(3);
    const path = `$.request.object.${WORKLOAD_KINDS[kind].podSpec.join(".")}.containers[1].image`;
    expect(r.images[1]?.containers[0]?.path).toBe(path);
  });

  it("a CronJob's pod spec is under spec.jobTemplate.spec.template.spec", () => {
    expect(WORKLOAD_KINDS.CronJob.podSpec).toEqual(["spec", "jobTemplate", "spec", "template", "spec"]);
    // A CronJob with the pod spec where a Deployment keeps it is refused, naming the missing path.
    const doc = review("CronJob");
    (doc.request as Record<string, unknown>).object = objectOf("Deployment", podSpec());
    (doc.request.object as Record<string, unknown>).kind = "CronJob";
    expect(problems(doc).map((p) => p.path)).toContain("$.request.object.spec.jobTemplate");
  });

  it("reads ephemeral containers (kubectl debug: UPDATE of pods/ephemeralcontainers)", () => {
    const spec = podSpec({ ephemeralContainers: [{ name: "debugger", image: "busybox:1.36", targetContainerName: "app" }] });
    const r = ok(review("Pod", { operation: "UPDATE", subResource: "ephemeralcontainers" }, spec));
    expect(r.subResource).toBe("ephemeralcontainers");
    const debug = r.images.find((i) => i.image === "busybox:1.36");
    expect(debug?.containers).toEqual([
      { name: "debugger", field: "ephemeralContainers", path: "$.request.object.spec.ephemeralContainers[0].image" },
    ]);
    expect(debug?.ref).toMatchObject({ name: "docker.io/library/busybox", tag: "1.36", digest: null });
  });

  it("lists an image once with every container that runs it; null init/ephemeral lists are empty", () => {
    const image = `registry.acme.dev/app@${D1}`;
    const spec = {
      containers: [
        { name: "a", image },
        { name: "b", image },
      ],
      initContainers: [{ name: "c", image }],
      ephemeralContainers: null,
    };
    const r = ok(review("Deployment", {}, spec));
    expect(r.images).toHaveLength(1);
    expect(r.images[0]?.containers.map((c) => c.name)).toEqual(["a", "b", "c"]);
  });

  it("a pod with generateName and no name (made by a ReplicaSet) is named by its generateName", () => {
    const doc = review();
    (doc.request.object as Record<string, unknown>).metadata = { generateName: "web-7d9f8b-" };
    const r = ok(doc);
    expect(r).toMatchObject({ name: null, generateName: "web-7d9f8b-" });
    expect(workloadLabel(r)).toBe("Pod/web-7d9f8b-*");
    expect(workloadLabel(ok(review("Job")))).toBe("Job/web");
  });

  it("dryRun is read; the namespace falls back to the object's metadata", () => {
    const doc = review("Pod", { dryRun: true, namespace: undefined });
    (doc.request.object as Record<string, unknown>).metadata = { name: "web", namespace: "team-a" };
    expect(ok(doc)).toMatchObject({ dryRun: true, namespace: "team-a" });
  });

  it("an image that does not parse is kept with its reason (the gate denies it; the review is not refused)", () => {
    const r = ok(review("Pod", {}, { containers: [{ name: "app", image: "Registry.Acme.dev/App:1" }] }));
    expect(r.images[0]).toMatchObject({ image: "Registry.Acme.dev/App:1", ref: null });
    expect(r.images[0]?.problem).toMatch(/repository/);
  });

  it("DELETE and CONNECT carry no images and need no object", () => {
    const r = ok(review("Pod", { operation: "DELETE", object: null, name: "web", oldObject: objectOf("Pod", podSpec()) }));
    expect(r).toMatchObject({ operation: "DELETE", name: "web", images: [] });
    const c = ok(
      review("Pod", {
        operation: "CONNECT",
        kind: { group: "", version: "v1", kind: "PodExecOptions" },
        object: { kind: "PodExecOptions" },
      }),
    );
    expect(c).toMatchObject({ operation: "CONNECT", kind: "PodExecOptions", images: [] });
  });

  describe("refuses a bad review, naming the JSON path of every bad field", () => {
    it.each([
      ["not an object", "hello", ["$"]],
      ["an empty object", {}, ["$.apiVersion", "$.kind", "$.request"]],
      ["the v1beta1 API", { ...review(), apiVersion: "admission.k8s.io/v1beta1" }, ["$.apiVersion"]],
      [
        "a response instead of a request",
        { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response: { uid: "x", allowed: true } },
        ["$.request"],
      ],
      ["no uid", review("Pod", { uid: undefined }), ["$.request.uid"]],
      ["an empty uid", review("Pod", { uid: "" }), ["$.request.uid"]],
      ["a uid with spaces", review("Pod", { uid: "a b" }), ["$.request.uid"]],
      ["an unknown operation", review("Pod", { operation: "PATCH" }), ["$.request.operation"]],
      ["dryRun not a boolean", review("Pod", { dryRun: "yes" }), ["$.request.dryRun"]],
      ["a namespace that is not a DNS label", review("Pod", { namespace: "Payments_Prod" }), ["$.request.namespace"]],
      ["no kind", review("Pod", { kind: undefined }), ["$.request.kind"]],
    ])("%s", (_label, doc, paths) => {
      const errors = problems(doc);
      for (const p of paths) expect(errors.map((e) => e.path)).toContain(p);
      for (const e of errors) expect(e.message.length).toBeGreaterThan(0);
    });

    it("a kind Vitrine does not review", () => {
      const errors = problems(review("Pod", { kind: { group: "", version: "v1", kind: "Service" } }));
      expect(errors).toEqual([{ path: "$.request.kind.kind", message: expect.stringContaining("Pod, Deployment") }]);
    });

    it("a kind in the wrong API group", () => {
      expect(problems(review("Deployment", { kind: { group: "extensions", version: "v1beta1", kind: "Deployment" } }))).toEqual([
        { path: "$.request.kind.group", message: 'must be "apps" for Deployment' },
      ]);
    });

    it("an object of another kind than request.kind", () => {
      const doc = review("Pod");
      (doc.request.object as Record<string, unknown>).kind = "Secret";
      expect(problems(doc).map((e) => e.path)).toEqual(["$.request.object.kind"]);
    });

    it("a CREATE without the object", () => {
      expect(problems(review("Pod", { object: null })).map((e) => e.path)).toEqual(["$.request.object"]);
      expect(problems(review("Pod", { object: [1] })).map((e) => e.path)).toEqual(["$.request.object"]);
    });

    it("containers missing, empty, or without an image, at their exact paths", () => {
      expect(problems(review("Pod", {}, { initContainers: [] })).map((e) => e.path)).toEqual(["$.request.object.spec.containers"]);
      expect(problems(review("Pod", {}, { containers: [] })).map((e) => e.path)).toEqual(["$.request.object.spec.containers"]);
      const errors = problems(
        review(
          "StatefulSet",
          {},
          { containers: [{ name: "ok", image: "a:1" }, { name: "bad" }], initContainers: [{ name: "i", image: 7 }] },
        ),
      );
      expect(errors.map((e) => e.path).sort()).toEqual([
        "$.request.object.spec.template.spec.containers[1].image",
        "$.request.object.spec.template.spec.initContainers[0].image",
      ]);
    });

    it("a Deployment without a pod template", () => {
      const doc = review("Deployment");
      (doc.request.object as Record<string, unknown>).spec = { replicas: 2 };
      expect(problems(doc).map((e) => e.path)).toEqual(["$.request.object.spec.template"]);
    });

    it("no namespace anywhere, or a bad one in the object's metadata", () => {
      expect(problems(review("Pod", { namespace: undefined })).map((e) => e.path)).toEqual(["$.request.namespace"]);
      const doc = review("Pod", { namespace: undefined });
      (doc.request.object as Record<string, unknown>).metadata = { name: "web", namespace: "-bad-" };
      expect(problems(doc).map((e) => e.path)).toEqual(["$.request.object.metadata.namespace"]);
    });
  });
});
