// Signs in each role once over HTTP and saves its cookies for the specs (test-results/.auth/<role>.json).
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { expect, test as setup } from "@playwright/test";
import { authFile, E2E_PASSWORD, E2E_ROLES, SESSION_COOKIE, USERS } from "./fixtures";
import { anonymousContext, signInOverHttp } from "./support/api";

for (const role of E2E_ROLES) {
  setup(`sign in as ${role}`, async () => {
    const ctx = await anonymousContext();
    try {
      const result = await signInOverHttp(ctx, USERS[role].email, E2E_PASSWORD);
      expect(result, `sign-in of ${USERS[role].email}`).toMatchObject({ ok: true });
      const session = await ctx.get("/api/auth/session");
      expect(await session.json()).toMatchObject({ user: { email: USERS[role].email } });
      const state = await ctx.storageState();
      expect(state.cookies.map((c) => c.name)).toContain(SESSION_COOKIE);
      mkdirSync(dirname(authFile(role)), { recursive: true });
      await ctx.storageState({ path: authFile(role) });
    } finally {
      await ctx.dispose();
    }
  });
}
