import type { Permission } from "@/lib/auth/permissions";

export type NavItem = { href: string; label: string; permission: Permission };

/** The app's sections; each is shown only to roles whose permission the server also checks. */
export const NAV_ITEMS: NavItem[] = [
  { href: "/", label: "Overview", permission: "read" },
  { href: "/artifacts", label: "Artefacts", permission: "read" },
  { href: "/lineage", label: "Lineage", permission: "read" },
  { href: "/environments", label: "Environments", permission: "read" },
  { href: "/compliance", label: "Compliance", permission: "read" },
  { href: "/alerts", label: "Alerts", permission: "read" },
  { href: "/ledger", label: "Ledger", permission: "ledger:read" },
  { href: "/settings", label: "Settings", permission: "settings:read" },
];
