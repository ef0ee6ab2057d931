import "server-only";
import { createHash, randomBytes } from "node:crypto";
import type { SystemActor } from "@/lib/auth/actor";
import { ROLES, type Role } from "@/lib/auth/permissions";
import { db } from "@/lib/db/client";
import { ingestEvents } from "@/lib/server/ingest/ingest-events";
import { createUser } from "@/lib/server/users/create-user";

/** The password applies to `users` (created now); `existing` demo users keep the password they were seeded with. */
export type DemoCredentials = { password: string; users: Array<{ email: string; role: Role }>; existing: string[] };

const SEED_ACTOR: SystemActor = { kind: "system", name: "demo-seed" };

function demoDigest(label: string): string {
  return `sha256:${createHash("sha256").update(`vitrine-demo:${label}`).digest("hex")}`;
}

function artifactPublished(options: { id: string; repository: string; digest: string; tag?: string; at: Date }) {
  const [name] = options.repository.split("/").slice(-1);
  const qualifiers = new URLSearchParams({ repository_url: options.repository, ...(options.tag ? { tag: options.tag } : {}) });
  return {
    context: {
      specversion: "0.5.1",
      id: options.id,
      source: "/vitrine/demo-seed",
      type: "dev.cdevents.artifact.published.0.3.0",
      timestamp: options.at.toISOString(),
    },
    subject: {
      id: `pkg:oci/${name}@${options.digest.replace(":", "%3A")}?${qualifiers.toString()}`,
      source: "/vitrine/demo-seed",
      content: { user: "demo-pipeline" },
    },
  };
}

/** Demo users (one per role) and a small, clearly marked story of artefacts and tags. */
export async function seedDemo(options: { now: Date }): Promise<DemoCredentials> {
  const password = `demo-${randomBytes(9).toString("base64url")}`;
  const users: DemoCredentials["users"] = [];
  const existing: string[] = [];
  for (const role of ROLES) {
    const email = `${role}@demo.vitrine.local`;
    if (await db().user.findUnique({ where: { email }, select: { id: true } })) {
      existing.push(email);
      continue;
    }
    await createUser({ actor: SEED_ACTOR, input: { email, role, password, name: `Demo ${role}` }, now: options.now, isDemo: true });
    users.push({ email, role });
  }
  const day = 86_400_000;
  const t0 = options.now.getTime() - 14 * day;
  const story = [
    { repo: "registry.acme.dev/payments/api", label: "payments-api-1.4.0", tag: "1.4.0", at: t0 },
    { repo: "registry.acme.dev/payments/api", label: "payments-api-1.5.0", tag: "1.5.0", at: t0 + 2 * day },
    { repo: "registry.acme.dev/payments/api", label: "payments-api-1.4.0", tag: "latest", at: t0 + 2 * day },
    { repo: "registry.acme.dev/payments/api", label: "payments-api-1.5.0", tag: "latest", at: t0 + 3 * day },
    { repo: "registry.acme.dev/web/frontend", label: "frontend-2.0.1", tag: "2.0.1", at: t0 + 4 * day },
    { repo: "registry.acme.dev/web/frontend", label: "frontend-2.1.0", tag: "2.1.0", at: t0 + 8 * day },
    { repo: "registry.acme.dev/platform/base", label: "base-bookworm", tag: "bookworm", at: t0 + 1 * day },
    { repo: "registry.acme.dev/ml/scorer", label: "scorer-0.9.3", tag: "0.9.3", at: t0 + 10 * day },
    { repo: "registry.acme.dev/ml/scorer", label: "scorer-0.9.3-hotfix", tag: "0.9.3", at: t0 + 11 * day },
  ];
  const events = story.map((s, i) =>
    artifactPublished({ id: `demo-${i + 1}`, repository: s.repo, digest: demoDigest(s.label), tag: s.tag, at: new Date(s.at) }),
  );
  const body = Buffer.from(JSON.stringify(events));
  await ingestEvents({
    actor: SEED_ACTOR,
    rawBody: body,
    contentType: "application/json",
    idempotencyKey: null,
    now: options.now,
  });
  const digests = [...new Set(story.map((s) => demoDigest(s.label)))];
  await db().artifact.updateMany({ where: { digest: { in: digests } }, data: { isDemo: true } });
  return { password, users, existing };
}
