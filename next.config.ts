import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // A separate build folder lets benchmarks and browser tests build without touching each other's.
  distDir: process.env.VITRINE_NEXT_DIST_DIR || ".next",
  reactStrictMode: true,
  poweredByHeader: false,
  typedRoutes: false,
  serverExternalPackages: ["@electric-sql/pglite", "@electric-sql/pglite-socket", "pg"],
  experimental: { authInterrupts: true },
  // `npm run typecheck` (in `npm test` and `npm run verify`) checks types; the build need not again.
  typescript: { ignoreBuildErrors: true },
  devIndicators: false,
  // Static security headers for every response; pages add a per-request CSP in proxy.ts.
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
        ],
      },
      {
        source: "/api/:path*",
        headers: [{ key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" }],
      },
    ];
  },
};

export default nextConfig;
