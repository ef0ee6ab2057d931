// Admission settings: which environment's trust policy applies to a namespace. Shared by the route, the verbs
// and the settings page (no server-only imports).
import { z } from "zod";
import { ZTrustPolicy } from "@/lib/domain/policy";
import { NAMESPACE_PATTERN } from "@/lib/ingest/admission-review";

/** The settings row that holds the mapping: { "<namespace>": "<environment>" }. */
export const NAMESPACES_SETTING = "admission.namespaces";
export const MAX_NAMESPACE_MAPPINGS = 1000;

/** Environment names as trust policies write them. */
export const ZEnvironmentName = ZTrustPolicy.shape.environment;

export const ZNamespaceMappings = z.record(z.string(), ZEnvironmentName).superRefine((mappings, ctx) => {
  const names = Object.keys(mappings);
  if (names.length > MAX_NAMESPACE_MAPPINGS) ctx.addIssue({ code: "custom", message: `at most ${MAX_NAMESPACE_MAPPINGS} namespaces` });
  for (const name of names.slice(0, MAX_NAMESPACE_MAPPINGS + 1)) {
    if (name.length > 63 || !NAMESPACE_PATTERN.test(name)) {
      ctx.addIssue({
        code: "custom",
        path: [name],
        message:
          "the key must be a Kubernetes namespace name (lowercase letters, digits and -, at most 63, starting and ending alphanumeric)",
      });
    }
  }
});
export type NamespaceMappings = z.output<typeof ZNamespaceMappings>;

export const ZPutNamespaceMappings = z.object({ namespaces: ZNamespaceMappings }).strict();

export type NamespaceMappingsAnswer = { namespaces: NamespaceMappings; updatedAt: string | null };
