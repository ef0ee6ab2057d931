import { describe, expect, it } from "vitest";
import { type Actor, actorCan, actorRef } from "./actor";
import { isRole, PERMISSIONS, type Permission, ROLES, type Role, roleCan, scopesCan, TOKEN_SCOPES, type TokenScope } from "./permissions";

// DESIGN.md "Roles", written out permission by permission. `ingest` and `admission` are what
// pipelines and the admission webhook do with tokens; no person does them from a session.
const EXPECTED_ROLES: Record<Role, Permission[]> = {
  // everything, users, tokens
  admin: ["read", "ledger:read", "trust:manage", "alerts:triage", "reports:export", "tokens:manage", "users:manage", "settings:read"],
  // trust (keys, identities, roots, policies), revoke keys, triage alerts, read all
  security: ["read", "ledger:read", "trust:manage", "alerts:triage", "settings:read"],
  // read all, export and verify reports, read the ledger; no triage, no trust changes
  compliance: ["read", "ledger:read", "reports:export"],
  // read all, triage alerts
  oncall: ["read", "ledger:read", "alerts:triage"],
  // read dashboards, artefacts, lineage, alerts
  viewer: ["read"],
};

// DESIGN.md "Ingestion formats" and "Reads": scoped tokens; `admin` lets trust be managed from git.
const EXPECTED_SCOPES: Record<TokenScope, Permission[]> = {
  ingest: ["ingest"],
  read: ["read", "ledger:read"],
  admin: ["read", "ledger:read", "trust:manage"],
  admission: ["admission"],
};

describe("roles", () => {
  it("are exactly the five roles of DESIGN.md", () => {
    expect([...ROLES]).toEqual(["admin", "security", "compliance", "oncall", "viewer"]);
  });

  it.each(ROLES)("%s may do exactly what DESIGN.md says", (role) => {
    const granted = PERMISSIONS.filter((p) => roleCan(role, p));
    expect(granted.sort()).toEqual([...EXPECTED_ROLES[role]].sort());
  });

  it("lets compliance export reports and read the ledger, but not triage or change trust", () => {
    expect(roleCan("compliance", "reports:export")).toBe(true);
    expect(roleCan("compliance", "ledger:read")).toBe(true);
    expect(roleCan("compliance", "alerts:triage")).toBe(false);
    expect(roleCan("compliance", "trust:manage")).toBe(false);
    expect(roleCan("compliance", "tokens:manage")).toBe(false);
  });

  it("lets oncall triage but not change trust or export reports", () => {
    expect(roleCan("oncall", "alerts:triage")).toBe(true);
    expect(roleCan("oncall", "trust:manage")).toBe(false);
    expect(roleCan("oncall", "reports:export")).toBe(false);
  });

  it("lets security manage trust and triage, but not users or tokens", () => {
    expect(roleCan("security", "trust:manage")).toBe(true);
    expect(roleCan("security", "alerts:triage")).toBe(true);
    expect(roleCan("security", "users:manage")).toBe(false);
    expect(roleCan("security", "tokens:manage")).toBe(false);
  });

  it("lets a viewer only read: not even the ledger", () => {
    for (const p of PERMISSIONS) expect(roleCan("viewer", p), p).toBe(p === "read");
  });

  it("keeps users and tokens to admins", () => {
    for (const role of ROLES) {
      expect(roleCan(role, "users:manage"), role).toBe(role === "admin");
      expect(roleCan(role, "tokens:manage"), role).toBe(role === "admin");
    }
  });

  it("gives no person the pipeline-only ingest and admission permissions", () => {
    for (const role of ROLES) {
      expect(roleCan(role, "ingest"), role).toBe(false);
      expect(roleCan(role, "admission"), role).toBe(false);
    }
  });

  it("recognises role names exactly", () => {
    expect(isRole("oncall")).toBe(true);
    expect(isRole("Admin")).toBe(false);
    expect(isRole("none")).toBe(false);
    expect(isRole(undefined)).toBe(false);
    expect(isRole(["admin"])).toBe(false);
  });
});

describe("token scopes", () => {
  it("are ingest, read, admin and admission", () => {
    expect([...TOKEN_SCOPES]).toEqual(["ingest", "read", "admin", "admission"]);
  });

  it.each(TOKEN_SCOPES)("%s grants exactly its permissions", (scope) => {
    const granted = PERMISSIONS.filter((p) => scopesCan([scope], p));
    expect(granted.sort()).toEqual([...EXPECTED_SCOPES[scope]].sort());
  });

  it("never lets a token manage users or tokens, or triage alerts", () => {
    for (const p of ["users:manage", "tokens:manage", "alerts:triage", "reports:export"] as const) {
      expect(scopesCan([...TOKEN_SCOPES], p), p).toBe(false);
    }
  });

  it("combines scopes as a union, and no scopes grant nothing", () => {
    expect(scopesCan(["ingest", "read"], "ingest")).toBe(true);
    expect(scopesCan(["ingest", "read"], "ledger:read")).toBe(true);
    expect(scopesCan(["ingest", "read"], "trust:manage")).toBe(false);
    for (const p of PERMISSIONS) expect(scopesCan([], p)).toBe(false);
  });

  it("does not let an ingest token read", () => {
    expect(scopesCan(["ingest"], "read")).toBe(false);
  });
});

describe("actors", () => {
  const user: Actor = { kind: "user", id: "u1", email: "a@example.com", name: null, role: "compliance" };
  const token: Actor = { kind: "token", id: "t1", name: "ci", scopes: ["ingest"] };
  const system: Actor = { kind: "system", name: "cli" };

  it("checks a user by role and a token by scopes", () => {
    expect(actorCan(user, "reports:export")).toBe(true);
    expect(actorCan(user, "ingest")).toBe(false);
    expect(actorCan(token, "ingest")).toBe(true);
    expect(actorCan(token, "read")).toBe(false);
    expect(actorCan(system, "users:manage")).toBe(true);
  });

  it("writes who did it into the ledger as kind:id", () => {
    expect(actorRef(user)).toBe("user:u1");
    expect(actorRef(token)).toBe("token:t1");
    expect(actorRef(system)).toBe("system:cli");
  });
});
