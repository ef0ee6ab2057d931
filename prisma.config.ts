// Prisma CLI configuration. At run time Vitrine connects through @prisma/adapter-pg (lib/db/client.ts);
// migrations are applied by `npx vitrine migrate` (lib/db/migrate.ts), which records them like Prisma does.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/vitrine" },
});
