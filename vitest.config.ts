import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const alias = {
  "@/": fileURLToPath(new URL("./", import.meta.url)),
  // `server-only` throws outside React Server Components; tests run server code directly.
  "server-only": fileURLToPath(new URL("./node_modules/server-only/empty.js", import.meta.url)),
};

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: { name: "unit", include: ["lib/**/*.test.ts", "scripts/**/*.test.ts"], environment: "node" },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: ["tests/**/*.test.ts"],
          // The hostile input corpus runs on its own (npm run test:adversarial): it takes minutes.
          exclude: ["tests/adversarial/**"],
          environment: "node",
          globalSetup: ["tests/helpers/global-setup.ts"],
          // One database per run, shared by the files: run them one at a time.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "adversarial",
          include: ["tests/adversarial/**/*.test.ts"],
          environment: "node",
          globalSetup: ["tests/helpers/global-setup.ts"],
          testTimeout: 3 * 3600_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
