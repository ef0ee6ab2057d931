import { headers } from "next/headers";
import Link from "next/link";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { Nav } from "@/components/shell/nav";
import { NAV_ITEMS } from "@/components/shell/nav-items";
import { SignOutButton } from "@/components/shell/sign-out-button";
import { actorCan } from "@/lib/auth/actor";
import { getCurrentUser } from "@/lib/auth/session";

export default async function AppLayout({ children }: { children: ReactNode }) {
  const user = await getCurrentUser();
  // Each page checks its own permission too; layouts and pages render independently.
  if (!user) {
    const path = (await headers()).get("x-vitrine-path") ?? "/";
    redirect(`/signin?callbackUrl=${encodeURIComponent(path.startsWith("/") ? path : "/")}`);
  }
  const items = NAV_ITEMS.filter((i) => actorCan(user, i.permission)).map(({ href, label }) => ({ href, label }));
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <Link className="brand" href="/">
          <span className="brand-mark" aria-hidden="true">
            V
          </span>
          Vitrine
        </Link>
        <Nav items={items} />
        <div className="sidebar-footer">
          <div>
            <div className="who" data-testid="current-user">
              {user.name ?? user.email}
            </div>
            <span className="role-badge" data-testid="current-role">
              {user.role}
            </span>
          </div>
          <div style={{ marginTop: "0.5rem" }}>
            <SignOutButton />
          </div>
        </div>
      </aside>
      <main className="main" id="main">
        {children}
      </main>
    </div>
  );
}
