// THE expected authorization table: for every route + method and every page, what each principal
// gets. Written from DESIGN.md "Roles" and the route contracts, not read from lib/auth, so a wrong
// permission in the code shows up as a failing cell. e2e/authz-matrix.spec.ts checks every cell
// against the running app and fails when app/ has a route or page this table does not name (or
// the table names one that no longer exists). navigation.spec.ts uses the page rows.
import { E2E_ROLES, E2E_SCOPES, type E2eRole, type E2eScope } from "../fixtures";

export type Principal = "anonymous" | E2eRole | `token:${E2eScope}`;
export const PRINCIPALS: Principal[] = ["anonymous", ...E2E_ROLES, ...E2E_SCOPES.map((s) => `token:${s}` as const)];

/**
 * allow: not 401/403 (and never 5xx); deny: 403 (problem+json for the API, a 403 page for pages);
 * anon: treated as nobody signed in (401 problem+json for the API, a redirect to /signin for pages).
 */
export type Cell = "allow" | "deny" | "anon";

export type Entry = {
  cells: Record<Principal, Cell>;
  /** The URL to request when the route's own path has dynamic segments or is a catch-all. */
  path?: string;
  /** For writes: a body that an allowed principal gets a 4xx (not 401/403) for, so nothing is created. */
  body?: unknown;
  /** The exact status an allowed principal gets (with `path` and `body`). */
  allowed: number | ((p: Principal) => number);
  note?: string;
};

const ALL_ROLES = E2E_ROLES;
/** DESIGN.md "Roles": the ledger is for admin, security (read all), compliance and on-call (read all), not viewers. */
const LEDGER_ROLES: E2eRole[] = ["admin", "security", "compliance", "oncall"];
/** Settings are for the people who configure Vitrine: admins, and security (trust, policies). */
const SETTINGS_ROLES: E2eRole[] = ["admin", "security"];
/** DESIGN.md "Roles": trust is managed by admin and security in person, or from git with an `admin` token. */
const TRUST_ROLES: E2eRole[] = ["admin", "security"];
const TRUST_SCOPES: E2eScope[] = ["admin"];
/** Tokens for reading: `read`, and `admin` (manages trust from git, so it must read what it manages). */
const READ_SCOPES: E2eScope[] = ["read", "admin"];
/** DESIGN.md "Roles": compliance exports and verifies reports; admin does everything. */
const REPORT_ROLES: E2eRole[] = ["admin", "compliance"];
/** DESIGN.md "Roles": alerts are triaged by admin, security and on-call, in person (no token scope triages). */
const TRIAGE_ROLES: E2eRole[] = ["admin", "security", "oncall"];

function api(options: { roles?: readonly E2eRole[]; scopes?: readonly E2eScope[] }): Record<Principal, Cell> {
  const cells = { anonymous: "anon" } as Record<Principal, Cell>;
  for (const r of E2E_ROLES) cells[r] = options.roles?.includes(r) ? "allow" : "deny";
  for (const s of E2E_SCOPES) cells[`token:${s}`] = options.scopes?.includes(s) ? "allow" : "deny";
  return cells;
}

/** Pages know only sessions: an API token on a page request is nobody. */
function page(roles: readonly E2eRole[]): Record<Principal, Cell> {
  const cells = { anonymous: "anon" } as Record<Principal, Cell>;
  for (const r of E2E_ROLES) cells[r] = roles.includes(r) ? "allow" : "deny";
  for (const s of E2E_SCOPES) cells[`token:${s}`] = "anon";
  return cells;
}

function everyone(): Record<Principal, Cell> {
  return Object.fromEntries(PRINCIPALS.map((p) => [p, "allow"])) as Record<Principal, Cell>;
}

const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";

export const ACCESS: Record<string, Entry> = {
  // next-auth's own endpoints are public by nature (sign-in, session, CSRF token).
  "GET /api/auth/[...nextauth]": { cells: everyone(), path: "/api/auth/session", allowed: 200 },
  // A credentials POST without a CSRF token: next-auth sends it back to the sign-in page.
  "POST /api/auth/[...nextauth]": { cells: everyone(), path: "/api/auth/callback/credentials", body: {}, allowed: 302 },
  "GET /api/health": { cells: everyone(), allowed: 200 },

  "GET /api/v1/artifacts": { cells: api({ roles: ALL_ROLES, scopes: READ_SCOPES }), allowed: 200 },
  // Compliance (DESIGN.md "Reads"): everyone who reads, and read tokens (scripts and auditors).
  "GET /api/v1/compliance": {
    cells: api({ roles: ALL_ROLES, scopes: READ_SCOPES }),
    path: "/api/v1/compliance?environment=prod",
    allowed: 200,
  },
  "GET /api/v1/compliance/deployments": {
    cells: api({ roles: ALL_ROLES, scopes: READ_SCOPES }),
    path: "/api/v1/compliance/deployments?environment=prod&measure=compliant&value=false",
    allowed: 200,
  },
  // Alerts: everyone who reads sees the queue; triage (a valid body for an unknown alert: 404) is for triagers.
  "GET /api/v1/alerts": { cells: api({ roles: ALL_ROLES, scopes: READ_SCOPES }), allowed: 200 },
  "GET /api/v1/alerts/[id]": { cells: api({ roles: ALL_ROLES, scopes: READ_SCOPES }), path: `/api/v1/alerts/${UNKNOWN_ID}`, allowed: 404 },
  "POST /api/v1/alerts/[id]/acknowledge": {
    cells: api({ roles: TRIAGE_ROLES }),
    path: `/api/v1/alerts/${UNKNOWN_ID}/acknowledge`,
    body: {},
    allowed: 404,
  },
  "POST /api/v1/alerts/[id]/assign": {
    cells: api({ roles: TRIAGE_ROLES }),
    path: `/api/v1/alerts/${UNKNOWN_ID}/assign`,
    body: { assigneeId: null },
    allowed: 404,
  },
  "POST /api/v1/alerts/[id]/comment": {
    cells: api({ roles: TRIAGE_ROLES }),
    path: `/api/v1/alerts/${UNKNOWN_ID}/comment`,
    body: { note: "authorization matrix" },
    allowed: 404,
  },
  "POST /api/v1/alerts/[id]/resolve": {
    cells: api({ roles: TRIAGE_ROLES }),
    path: `/api/v1/alerts/${UNKNOWN_ID}/resolve`,
    body: { note: "authorization matrix" },
    allowed: 404,
  },
  "POST /api/v1/alerts/[id]/suppress": {
    cells: api({ roles: TRIAGE_ROLES }),
    path: `/api/v1/alerts/${UNKNOWN_ID}/suppress`,
    body: { justification: "authorization matrix", until: "2099-01-01T00:00:00Z" },
    allowed: 404,
  },
  // The assignee picker lists e-mail addresses: for triagers only.
  "GET /api/v1/users": { cells: api({ roles: TRIAGE_ROLES }), path: "/api/v1/users?q=e2e", allowed: 200 },
  // An alert's notification log: for everyone who reads alerts.
  "GET /api/v1/alerts/[id]/deliveries": {
    cells: api({ roles: ALL_ROLES, scopes: READ_SCOPES }),
    path: `/api/v1/alerts/${UNKNOWN_ID}/deliveries`,
    allowed: 404,
  },
  // Notification channels and escalation times (Settings > Notifications): settings readers see them, trust managers change
  // them, in person only (a channel's secret is shown once, like an API token's): no token scope.
  "GET /api/v1/notifications/channels": { cells: api({ roles: SETTINGS_ROLES }), allowed: 200 },
  "POST /api/v1/notifications/channels": {
    cells: api({ roles: TRUST_ROLES }),
    body: { kind: "webhook", name: "authorization matrix", url: "ftp://example.com/hook" },
    allowed: 422,
  },
  "PATCH /api/v1/notifications/channels/[id]": {
    cells: api({ roles: TRUST_ROLES }),
    path: `/api/v1/notifications/channels/${UNKNOWN_ID}`,
    body: { enabled: false },
    allowed: 404,
  },
  "DELETE /api/v1/notifications/channels/[id]": {
    cells: api({ roles: TRUST_ROLES }),
    path: `/api/v1/notifications/channels/${UNKNOWN_ID}`,
    allowed: 404,
  },
  "POST /api/v1/notifications/channels/[id]/test": {
    cells: api({ roles: TRUST_ROLES }),
    path: `/api/v1/notifications/channels/${UNKNOWN_ID}/test`,
    allowed: 404,
  },
  "GET /api/v1/notifications/escalation": { cells: api({ roles: SETTINGS_ROLES }), allowed: 200 },
  "PUT /api/v1/notifications/escalation": {
    cells: api({ roles: TRUST_ROLES }),
    body: { critical: 0, high: 60, medium: 240, low: null },
    allowed: 422,
  },
  // Lineage and blast radius: for everyone who reads artefacts (an unknown digest or key is a 404).
  "GET /api/v1/lineage/[digest]": {
    cells: api({ roles: ALL_ROLES, scopes: READ_SCOPES }),
    path: `/api/v1/lineage/sha256:${"0".repeat(64)}`,
    allowed: 404,
  },
  "GET /api/v1/blast-radius": {
    cells: api({ roles: ALL_ROLES, scopes: READ_SCOPES }),
    path: `/api/v1/blast-radius?key=${UNKNOWN_ID}`,
    allowed: 404,
  },
  "GET /api/v1/artifacts/[digest]": {
    cells: api({ roles: ALL_ROLES, scopes: READ_SCOPES }),
    path: `/api/v1/artifacts/sha256:${"0".repeat(64)}`,
    allowed: 404,
  },
  "GET /api/v1/documents/[id]": {
    cells: api({ roles: LEDGER_ROLES, scopes: READ_SCOPES }),
    path: `/api/v1/documents/${UNKNOWN_ID}`,
    allowed: 404,
  },
  // Ingestion is for pipelines: an ingest token only, never a person's session.
  "POST /api/v1/events": { cells: api({ scopes: ["ingest"] }), body: {}, allowed: 422 },
  "POST /api/v1/signatures": { cells: api({ scopes: ["ingest"] }), body: {}, allowed: 422 },
  "POST /api/v1/attestations": { cells: api({ scopes: ["ingest"] }), body: {}, allowed: 422 },
  "POST /api/v1/verifications": { cells: api({ scopes: ["ingest"] }), body: {}, allowed: 422 },
  // The admission gate is for the Kubernetes API server: an admission token only (admins do not have it either).
  "POST /api/v1/admission/review": { cells: api({ scopes: ["admission"] }), body: {}, allowed: 422 },
  // Which environment's policy a namespace gets: everyone who reads may see it; trust managers set it.
  "GET /api/v1/admission/namespaces": { cells: api({ roles: ALL_ROLES, scopes: READ_SCOPES }), allowed: 200 },
  "PUT /api/v1/admission/namespaces": {
    cells: api({ roles: TRUST_ROLES, scopes: TRUST_SCOPES }),
    body: { namespaces: { Not_A_Namespace: "prod" } },
    allowed: 422,
  },
  "GET /api/v1/ledger/checkpoint": { cells: api({ roles: LEDGER_ROLES, scopes: READ_SCOPES }), allowed: 200 },
  "POST /api/v1/ledger/checkpoint": {
    cells: api({ roles: LEDGER_ROLES }),
    note: "signs the current head now (a write: sessions only); the allowed cells really create a checkpoint",
    allowed: 201,
  },
  "GET /api/v1/ledger/entries": { cells: api({ roles: LEDGER_ROLES, scopes: READ_SCOPES }), allowed: 200 },
  "GET /api/v1/ledger/verify": { cells: api({ roles: LEDGER_ROLES, scopes: READ_SCOPES }), allowed: 200 },
  // Tokens are managed by an admin in person: no token may mint or revoke tokens.
  "GET /api/v1/tokens": { cells: api({ roles: ["admin"] }), allowed: 200 },
  "POST /api/v1/tokens": { cells: api({ roles: ["admin"] }), body: { name: "", scopes: [] }, allowed: 422 },
  "POST /api/v1/tokens/[id]/revoke": { cells: api({ roles: ["admin"] }), path: `/api/v1/tokens/${UNKNOWN_ID}/revoke`, allowed: 404 },
  // Policies: everyone who reads may see them; trust managers set them (in person or from git).
  "GET /api/v1/policies": { cells: api({ roles: ALL_ROLES, scopes: READ_SCOPES }), allowed: 200 },
  "PUT /api/v1/policies/[environment]": {
    cells: api({ roles: TRUST_ROLES, scopes: TRUST_SCOPES }),
    path: "/api/v1/policies/authz-matrix",
    body: { requireDigestPinning: "not a boolean" },
    allowed: 422,
  },
  // Trust: everyone who reads may see what is trusted (it explains verdicts); only trust managers change it.
  "GET /api/v1/trust/keys": { cells: api({ roles: ALL_ROLES, scopes: READ_SCOPES }), allowed: 200 },
  "POST /api/v1/trust/keys": { cells: api({ roles: TRUST_ROLES, scopes: TRUST_SCOPES }), body: { name: "", publicKey: "" }, allowed: 422 },
  "GET /api/v1/trust/keys/[id]": {
    cells: api({ roles: ALL_ROLES, scopes: READ_SCOPES }),
    path: `/api/v1/trust/keys/${UNKNOWN_ID}`,
    allowed: 404,
  },
  "POST /api/v1/trust/keys/[id]/revoke": {
    cells: api({ roles: TRUST_ROLES, scopes: TRUST_SCOPES }),
    path: `/api/v1/trust/keys/${UNKNOWN_ID}/revoke`,
    body: { reason: "authorization matrix" },
    allowed: 404,
  },
  "GET /api/v1/trust/identities": { cells: api({ roles: ALL_ROLES, scopes: READ_SCOPES }), allowed: 200 },
  "POST /api/v1/trust/identities": {
    cells: api({ roles: TRUST_ROLES, scopes: TRUST_SCOPES }),
    body: { name: "", subject: "", subjectPattern: false, issuer: "" },
    allowed: 422,
  },
  "GET /api/v1/trust/identities/[id]": {
    cells: api({ roles: ALL_ROLES, scopes: READ_SCOPES }),
    path: `/api/v1/trust/identities/${UNKNOWN_ID}`,
    allowed: 404,
  },
  "POST /api/v1/trust/identities/[id]/revoke": {
    cells: api({ roles: TRUST_ROLES, scopes: TRUST_SCOPES }),
    path: `/api/v1/trust/identities/${UNKNOWN_ID}/revoke`,
    body: { reason: "authorization matrix" },
    allowed: 404,
  },
  "GET /api/v1/trust/roots": { cells: api({ roles: ALL_ROLES, scopes: READ_SCOPES }), allowed: 200 },
  "POST /api/v1/trust/roots": {
    cells: api({ roles: TRUST_ROLES, scopes: TRUST_SCOPES }),
    body: { name: "", trustedRoot: {} },
    allowed: 422,
  },
  "GET /api/v1/trust/roots/[id]": {
    cells: api({ roles: ALL_ROLES, scopes: READ_SCOPES }),
    path: `/api/v1/trust/roots/${UNKNOWN_ID}`,
    allowed: 404,
  },
  "POST /api/v1/trust/roots/[id]/revoke": {
    cells: api({ roles: TRUST_ROLES, scopes: TRUST_SCOPES }),
    path: `/api/v1/trust/roots/${UNKNOWN_ID}/revoke`,
    body: { reason: "authorization matrix" },
    allowed: 404,
  },
  "GET /api/v1/trust/x509-roots": { cells: api({ roles: ALL_ROLES, scopes: READ_SCOPES }), allowed: 200 },
  "POST /api/v1/trust/x509-roots": {
    cells: api({ roles: TRUST_ROLES, scopes: TRUST_SCOPES }),
    body: { name: "", certificate: "" },
    allowed: 422,
  },
  "GET /api/v1/trust/x509-roots/[id]": {
    cells: api({ roles: ALL_ROLES, scopes: READ_SCOPES }),
    path: `/api/v1/trust/x509-roots/${UNKNOWN_ID}`,
    allowed: 404,
  },
  "POST /api/v1/trust/x509-roots/[id]/revoke": {
    cells: api({ roles: TRUST_ROLES, scopes: TRUST_SCOPES }),
    path: `/api/v1/trust/x509-roots/${UNKNOWN_ID}/revoke`,
    body: { reason: "authorization matrix" },
    allowed: 404,
  },

  // Signed reports (issue 7): compliance officers and admins export and verify, in person (no token scope
  // exports); an unknown environment or export is a 404, so the allowed cells create nothing.
  "GET /api/v1/reports/compliance": {
    cells: api({ roles: REPORT_ROLES }),
    path: "/api/v1/reports/compliance?environment=no-such-environment-e2e&format=csv",
    allowed: 404,
  },
  "GET /api/v1/reports/exports": { cells: api({ roles: REPORT_ROLES }), allowed: 200 },
  "POST /api/v1/reports/exports": { cells: api({ roles: REPORT_ROLES }), body: { environment: "", format: "csv" }, allowed: 422 },
  "GET /api/v1/reports/exports/[id]": { cells: api({ roles: REPORT_ROLES }), path: `/api/v1/reports/exports/${UNKNOWN_ID}`, allowed: 404 },
  "GET /api/v1/reports/exports/[id]/download": {
    cells: api({ roles: REPORT_ROLES }),
    path: `/api/v1/reports/exports/${UNKNOWN_ID}/download`,
    allowed: 404,
  },
  "GET /api/v1/reports/exports/[id]/signature": {
    cells: api({ roles: REPORT_ROLES }),
    path: `/api/v1/reports/exports/${UNKNOWN_ID}/signature`,
    allowed: 404,
  },
  // Verification answers a value (here: not valid, no signature), never an error.
  "POST /api/v1/reports/verify": { cells: api({ roles: REPORT_ROLES }), body: {}, allowed: 200 },
  "GET /api/v1/reports/public-key": { cells: api({ roles: REPORT_ROLES }), allowed: 200 },
  "GET /api/v1/reports/schedules": { cells: api({ roles: REPORT_ROLES }), allowed: 200 },
  "POST /api/v1/reports/schedules": { cells: api({ roles: REPORT_ROLES }), body: {}, allowed: 422 },
  "PATCH /api/v1/reports/schedules/[id]": {
    cells: api({ roles: REPORT_ROLES }),
    path: `/api/v1/reports/schedules/${UNKNOWN_ID}`,
    body: { enabled: false },
    allowed: 404,
  },
  "DELETE /api/v1/reports/schedules/[id]": {
    cells: api({ roles: REPORT_ROLES }),
    path: `/api/v1/reports/schedules/${UNKNOWN_ID}`,
    allowed: 404,
  },
  "POST /api/v1/reports/schedules/[id]/run": {
    cells: api({ roles: REPORT_ROLES }),
    path: `/api/v1/reports/schedules/${UNKNOWN_ID}/run`,
    allowed: 404,
  },

  "PAGE /": { cells: page(ALL_ROLES), allowed: 200 },
  "PAGE /artifacts": { cells: page(ALL_ROLES), allowed: 200 },
  "PAGE /artifacts/[digest]": { cells: page(ALL_ROLES), path: `/artifacts/sha256:${"0".repeat(64)}`, allowed: 404 },
  "PAGE /lineage": { cells: page(ALL_ROLES), allowed: 200 },
  "PAGE /compliance": { cells: page(ALL_ROLES), allowed: 200 },
  // The drill-down behind the compliance figures; without an environment it answers a message card.
  "PAGE /compliance/deployments": { cells: page(ALL_ROLES), allowed: 200 },
  "PAGE /alerts": { cells: page(ALL_ROLES), allowed: 200 },
  "PAGE /alerts/[id]": { cells: page(ALL_ROLES), path: `/alerts/${UNKNOWN_ID}`, allowed: 404 },
  // The noun pages (issue 5): everyone who reads; an unknown id, name, commit or tag is a 404 page.
  "PAGE /environments": { cells: page(ALL_ROLES), allowed: 200 },
  "PAGE /environments/[name]": { cells: page(ALL_ROLES), path: "/environments/no-such-environment-e2e", allowed: 404 },
  "PAGE /trust/keys/[id]": { cells: page(ALL_ROLES), path: `/trust/keys/${UNKNOWN_ID}`, allowed: 404 },
  "PAGE /trust/identities/[id]": { cells: page(ALL_ROLES), path: `/trust/identities/${UNKNOWN_ID}`, allowed: 404 },
  "PAGE /commits/[sha]": { cells: page(ALL_ROLES), path: `/commits/${"0".repeat(40)}`, allowed: 404 },
  "PAGE /builds/[id]": { cells: page(ALL_ROLES), path: `/builds/${UNKNOWN_ID}`, allowed: 404 },
  "PAGE /tags/[...reference]": { cells: page(ALL_ROLES), path: "/tags/registry.example.test/no-such-repository:0", allowed: 404 },
  "PAGE /ledger": { cells: page(LEDGER_ROLES), allowed: 200 },
  "PAGE /reports": { cells: page(REPORT_ROLES), allowed: 200 },
  "PAGE /settings": { cells: page(SETTINGS_ROLES), allowed: 200 },
  "PAGE /settings/ingestion": { cells: page(SETTINGS_ROLES), allowed: 200 },
  "PAGE /settings/tokens": { cells: page(["admin"]), allowed: 200 },
  // Viewing is for settings readers; the forms on it are only for trust managers (both admin and security).
  "PAGE /settings/trust": { cells: page(SETTINGS_ROLES), allowed: 200 },
  "PAGE /settings/policies": { cells: page(SETTINGS_ROLES), allowed: 200 },
  "PAGE /settings/admission": { cells: page(SETTINGS_ROLES), allowed: 200 },
  "PAGE /settings/notifications": { cells: page(SETTINGS_ROLES), allowed: 200 },
  // A signed-in person is sent on to callbackUrl (default /); everyone else gets the form.
  "PAGE /signin": { cells: everyone(), allowed: (p) => ((E2E_ROLES as readonly string[]).includes(p) ? 307 : 200) },
};

/** Pages of the app shell (not /signin) a role must get a 403 for. */
export function forbiddenPages(role: E2eRole): string[] {
  return Object.entries(ACCESS)
    .filter(([key, entry]) => key.startsWith("PAGE ") && entry.cells[role] === "deny")
    .map(([key]) => key.slice("PAGE ".length));
}
