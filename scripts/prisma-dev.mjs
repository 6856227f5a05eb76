#!/usr/bin/env node
// Runs Prisma 6's CLI (installed as the `prisma6` alias) on its WebAssembly schema
// engine, because Prisma 7's migrate needs a native engine binary that cannot be
// downloaded on an offline machine (see ../shared/notes/prisma-offline.md).
//
//   node scripts/prisma-dev.mjs diff-init   prints the SQL that creates prisma/schema.prisma from nothing
//
// test/migrations.test.ts applies that SQL to one database and prisma/migrations to
// another and compares their catalogs, so schema.prisma and the migrations cannot drift.
// A new migration: change schema.prisma, compare `diff-init` before and after, write the
// difference as prisma/migrations/<timestamp>_<name>/migration.sql; the test confirms it.
// (Prisma 6 refuses --from-schema-datasource with an adapter, hence this route.)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [command] = process.argv.slice(2);
// Only the schema is read; the adapter is never asked to connect for a diff from empty.
const databaseUrl = 'postgresql://postgres@127.0.0.1:5432/postgres';

const dir = mkdtempSync(join(tmpdir(), 'jobgraph-prisma6-'));
try {
  // Prisma 6 requires a datasource url (Prisma 7 rejects one) and a client generator
  // that does not ask for the native query engine.
  const schema = readFileSync(join(root, 'prisma/schema.prisma'), 'utf8')
    .replace('provider = "postgresql"', 'provider = "postgresql"\n  url      = "postgresql://unused@127.0.0.1/unused"')
    .replace('provider     = "prisma-client"', 'provider     = "prisma-client"\n  engineType   = "client"');
  const schemaPath = join(dir, 'schema.prisma');
  writeFileSync(schemaPath, schema);
  const configPath = join(dir, 'prisma.config.mjs');
  writeFileSync(
    configPath,
    `import { PrismaPg } from ${JSON.stringify(join(root, 'node_modules/@prisma/adapter-pg/dist/index.mjs'))};
export default {
  schema: ${JSON.stringify(schemaPath)},
  experimental: { adapter: true },
  engine: 'js',
  adapter: async () => new PrismaPg({ connectionString: ${JSON.stringify(databaseUrl)}, allowExitOnIdle: true }),
};
`,
  );
  const args = {
    'diff-init': ['migrate', 'diff', '--from-empty', '--to-schema-datamodel', schemaPath, '--script'],
  }[command];
  if (!args) {
    console.error('usage: prisma-dev.mjs diff-init');
    process.exit(64);
  }
  const run = spawnSync(process.execPath, [join(root, 'node_modules/prisma6/build/index.js'), ...args, '--config', configPath], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: '/bin/false', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
  });
  process.stdout.write(run.stdout.replace(/^Loaded Prisma config.*\n\n?/m, ''));
  process.stderr.write(run.stderr);
  process.exitCode = run.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
