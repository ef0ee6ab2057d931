// Who is making a request: a signed-in person or an API token.
import type { Permission, Role, TokenScope } from "./permissions";
import { roleCan, scopesCan } from "./permissions";

export type UserActor = { kind: "user"; id: string; email: string; name: string | null; role: Role };
export type TokenActor = { kind: "token"; id: string; name: string; scopes: TokenScope[] };
export type SystemActor = { kind: "system"; name: string };
export type Actor = UserActor | TokenActor | SystemActor;

export function actorCan(actor: Actor, permission: Permission): boolean {
  if (actor.kind === "user") return roleCan(actor.role, permission);
  if (actor.kind === "token") return scopesCan(actor.scopes, permission);
  return true;
}

/** How the actor is written into the ledger. */
export function actorRef(actor: Actor): string {
  if (actor.kind === "system") return `system:${actor.name}`;
  return `${actor.kind}:${actor.id}`;
}
