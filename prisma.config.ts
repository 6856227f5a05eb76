// Prisma 7 CLI configuration. Only `prisma generate` runs here (offline, on the
// WebAssembly engine); migrations are applied by src/db/migrate.ts at start.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
