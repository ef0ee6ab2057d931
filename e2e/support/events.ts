// CDEvents test documents, derived in code from the verbatim conformance example in e2e/data.
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type APIRequestContext, expect } from "@playwright/test";

const FIXTURE_PATH = join(process.cwd(), "e2e", "data", "cdevents", "artifact_published.json");

/** The raw bytes of the CDEvents v0.5.1 conformance example for artifact.published. */
export function conformanceArtifactPublished(): string {
  return readFileSync(FIXTURE_PATH, "utf8");
}

export type CdEvent = {
  context: { specversion: string; id: string; source: string; type: string; timestamp: string; [k: string]: unknown };
  subject: { id: string; source?: string; content?: Record<string, unknown> };
};

/** A short unique lowercase name, safe in purls, searches and repository names. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
}

export function randomHex64(): string {
  return randomBytes(32).toString("hex");
}

/**
 * The conformance example with a pinned OCI purl for `name` (a fresh digest unless given) and a
 * unique context.id, so it is a new document and records an artefact.
 */
export function artifactPublished(options: { name: string; hex?: string; tag?: string; id?: string }): { event: CdEvent; digest: string } {
  const event = JSON.parse(conformanceArtifactPublished()) as CdEvent;
  const hex = options.hex ?? randomHex64();
  event.context.id = options.id ?? randomUUID();
  event.context.source = "/e2e/pipeline";
  event.subject.id = `pkg:oci/${options.name}@sha256%3A${hex}?repository_url=registry.e2e.test/${options.name}&tag=${options.tag ?? "1.0"}`;
  return { event, digest: `sha256:${hex}` };
}

export type ItemResult = {
  index: number;
  id: string | null;
  status: "accepted" | "duplicate" | "rejected";
  artifact?: string | null;
  notes?: string[];
  problem?: { title: string; detail: string; errors: Array<{ path: string; message: string }> };
};

/**
 * POSTs a document to /api/v1/events: a string is sent byte for byte, anything else as its JSON.
 * Always a Buffer: given a string and a JSON content type, Playwright would re-encode text that is
 * not valid JSON as a JSON string, so malformed input would never reach the server.
 */
export function postEvents(ctx: APIRequestContext, body: unknown, headers: Record<string, string> = {}) {
  const data = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
  return ctx.post("/api/v1/events", { data, headers: { "content-type": "application/json", ...headers } });
}

/** Ingests one pinned artefact and returns its digest (for specs that need something to look at). */
export async function ingestArtifact(ctx: APIRequestContext, name: string): Promise<string> {
  const { event, digest } = artifactPublished({ name });
  const res = await postEvents(ctx, event);
  expect(res.status(), await res.text()).toBe(201);
  expect(((await res.json()) as ItemResult).artifact).toBe(digest);
  return digest;
}
