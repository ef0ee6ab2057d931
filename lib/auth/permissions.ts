// Who may do what (DESIGN.md "Roles"). Pure: used by the server guards and by the UI to hide
// what a role cannot do. The server is the guard; hiding is only a courtesy.

export const ROLES = ["admin", "security", "compliance", "oncall", "viewer"] as const;
export type Role = (typeof ROLES)[number];

export const TOKEN_SCOPES = ["ingest", "read", "admin", "admission"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export const PERMISSIONS = [
  "read", // dashboards, artefacts, lineage, alerts
  "ledger:read",
  "ingest",
  "admission",
  "trust:manage",
  "alerts:triage",
  "reports:export",
  "tokens:manage",
  "users:manage",
  "settings:read",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS.filter((p) => p !== "ingest" && p !== "admission"),
  security: ["read", "ledger:read", "trust:manage", "alerts:triage", "settings:read"],
  compliance: ["read", "ledger:read", "reports:export"],
  oncall: ["read", "ledger:read", "alerts:triage"],
  viewer: ["read"],
};

const SCOPE_PERMISSIONS: Record<TokenScope, readonly Permission[]> = {
  ingest: ["ingest"],
  read: ["read", "ledger:read"],
  admin: ["read", "ledger:read", "trust:manage"],
  admission: ["admission"],
};

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

export function roleCan(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

export function scopesCan(scopes: readonly TokenScope[], permission: Permission): boolean {
  return scopes.some((s) => SCOPE_PERMISSIONS[s].includes(permission));
}

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  admin: "Everything, including users and API tokens",
  security: "Trust (keys, identities, roots, policies), alert triage, read all",
  compliance: "Read all, export and verify reports, read the ledger",
  oncall: "Read all, triage alerts",
  viewer: "Read dashboards, artefacts, lineage and alerts",
};
