// Discovers the app's routes from the app/ directory, as Next's App Router maps them: every
// route.ts (with the HTTP methods it exports) and every page.tsx. Route groups "(x)" and parallel
// route slots "@x" add no URL segment; private folders "_x" are not routable.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";

export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export type ApiRoute = { kind: "api"; method: HttpMethod; path: string; file: string };
export type PageRoute = { kind: "page"; path: string; file: string };

const APP_DIR = join(process.cwd(), "app");
const ROUTE_FILE = /^route\.(ts|tsx|js|jsx|mjs)$/;
const PAGE_FILE = /^page\.(ts|tsx|js|jsx|mdx)$/;

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith("_") || name === "node_modules") continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (ROUTE_FILE.test(name) || PAGE_FILE.test(name)) out.push(full);
  }
}

/** URL path of a route or page file: app/(app)/settings/tokens/page.tsx -> /settings/tokens. */
export function urlPathOf(file: string, appDir = APP_DIR): string {
  const segments = relative(appDir, file).split(sep).slice(0, -1);
  const kept = segments.filter((s) => !(/^\([^.].*\)$/.test(s) || s.startsWith("@")));
  return `/${kept.join("/")}`;
}

/** The HTTP methods a route file exports (`export const GET`, `export async function POST`, `export { h as GET }`). */
export function exportedMethods(source: string): HttpMethod[] {
  const found = new Set<HttpMethod>();
  const isMethod = (s: string): s is HttpMethod => (HTTP_METHODS as readonly string[]).includes(s);
  for (const m of source.matchAll(/export\s+(?:const|let|var|async\s+function|function)\s+([A-Z]+)\b/g)) {
    if (m[1] && isMethod(m[1])) found.add(m[1]);
  }
  for (const m of source.matchAll(/export\s*\{([^}]*)\}/g)) {
    for (const part of (m[1] ?? "").split(",")) {
      const name = part
        .trim()
        .split(/\s+as\s+/)
        .pop()
        ?.trim();
      if (name && isMethod(name)) found.add(name);
    }
  }
  return HTTP_METHODS.filter((m) => found.has(m));
}

export function discoverRoutes(appDir = APP_DIR): { api: ApiRoute[]; pages: PageRoute[] } {
  const files: string[] = [];
  walk(appDir, files);
  const api: ApiRoute[] = [];
  const pages: PageRoute[] = [];
  for (const file of files) {
    const path = urlPathOf(file, appDir);
    const rel = relative(process.cwd(), file);
    if (PAGE_FILE.test(file.split(sep).pop() ?? "")) {
      pages.push({ kind: "page", path, file: rel });
      continue;
    }
    const methods = exportedMethods(readFileSync(file, "utf8"));
    if (methods.length === 0) throw new Error(`${rel} exports no HTTP method handler that this scanner recognises`);
    for (const method of methods) api.push({ kind: "api", method, path, file: rel });
  }
  return { api, pages };
}

/** A route's key in the authorization table: "GET /api/v1/tokens", "PAGE /settings". */
export function routeKey(route: ApiRoute | PageRoute): string {
  return route.kind === "api" ? `${route.method} ${route.path}` : `PAGE ${route.path}`;
}

/** Dynamic segments ([id], [...slug], [[...slug]]) replaced by sample values. */
export function samplePath(path: string, samples: Record<string, string> = {}): string {
  return path.replace(/\[\[?(?:\.\.\.)?([^\]]+)\]\]?/g, (_all, name: string) => samples[name] ?? "00000000-0000-4000-8000-000000000000");
}
