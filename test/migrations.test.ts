// The committed migrations and prisma/schema.prisma describe the same database, and the
// migration runner keeps Prisma's bookkeeping and refuses edited history.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS_DIR } from '../src/db/migrate.js';
import { ADMIN_URL, admin, createTestDatabase, databaseUrl, dropTestDatabase } from './helpers/db.js';

const logger = pino({ level: 'silent' });
const databases: string[] = [];
afterAll(async () => {
  for (const name of databases) await dropTestDatabase(name);
});

async function emptyDatabase(): Promise<string> {
  const name = await createTestDatabase(null);
  databases.push(name);
  return name;
}

function schemaDump(name: string): string {
  const url = databaseUrl(name);
  return execFileSync('pg_dump', ['--schema-only', '--no-owner', '--no-privileges', '--exclude-table=_prisma_migrations', url], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => !line.startsWith('--') && !line.startsWith('\\') && !line.startsWith('SET ') && !line.includes('pg_catalog.set_config'))
    .join('\n')
    .trim();
}

/**
 * schema.prisma cannot express triggers, their functions, or CHECK constraints: they are
 * taken out of the dump (and returned) so the rest can be compared, and checked on their own.
 */
function withoutTriggers(dump: string): { rest: string; triggers: string[] } {
  const triggers: string[] = [];
  const rest = dump
    .replace(/CREATE FUNCTION public\.(\w+)\(\)[\s\S]*?\$\$;\n*/g, (_all, fn: string) => (triggers.push(`function ${fn}`), ''))
    .replace(/CREATE TRIGGER (\w+) [^;]*;\n*/g, (_all, trigger: string) => (triggers.push(`trigger ${trigger}`), ''))
    .replace(/,\n\s+CONSTRAINT (\w+) CHECK \(.*\)(?=\n\);)/g, (_all, check: string) => (triggers.push(`check ${check}`), ''));
  return { rest: rest.trim(), triggers: triggers.sort() };
}

describe('migrations', () => {
  it('build the same database as schema.prisma does from nothing', async () => {
    const migrated = await emptyDatabase();
    await migrate(databaseUrl(migrated), logger);
    const fromSchema = await emptyDatabase();
    const sql = execFileSync('node', ['scripts/prisma-dev.mjs', 'diff-init'], { encoding: 'utf8' });
    await admin(async () => undefined);
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: databaseUrl(fromSchema) });
    await client.connect();
    await client.query(sql);
    await client.end();
    const { rest, triggers } = withoutTriggers(schemaDump(migrated));
    const blankLines = (text: string) => text.replace(/\n{3,}/g, '\n\n');
    expect(blankLines(rest)).toBe(blankLines(schemaDump(fromSchema)));
    // What schema.prisma cannot say: job counts kept by triggers on every kind of write,
    // and finished_at tied to the final statuses.
    expect(triggers).toEqual(['check jobs_finished_at_final', 'function job_counts_apply', 'trigger job_counts_delete', 'trigger job_counts_insert', 'trigger job_counts_update']);
  }, 60_000);

  it('apply once, record checksums like prisma migrate, and do nothing the second time', async () => {
    const name = await emptyDatabase();
    const first = await migrate(databaseUrl(name), logger);
    expect(first.length).toBeGreaterThan(0);
    expect(await migrate(databaseUrl(name), logger)).toEqual([]);
    const rows = await admin(async () => {
      const pg = (await import('pg')).default;
      const client = new pg.Client({ connectionString: databaseUrl(name) });
      await client.connect();
      const result = await client.query('SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations');
      await client.end();
      return result.rows as { checksum: string; applied_steps_count: number; finished_at: Date | null }[];
    });
    expect(rows).toHaveLength(first.length);
    expect(rows.every((row) => /^[0-9a-f]{64}$/.test(row.checksum) && row.applied_steps_count === 1 && row.finished_at)).toBe(true);
  });

  it('refuses to start when an applied migration was edited', async () => {
    const name = await emptyDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'jobgraph-migrations-'));
    try {
      cpSync(MIGRATIONS_DIR, dir, { recursive: true });
      const url = pathToFileURL(`${dir}/`);
      await migrate(databaseUrl(name), logger, url);
      writeFileSync(join(dir, '20261123000000_init', 'migration.sql'), '-- edited\n', { flag: 'a' });
      await expect(migrate(databaseUrl(name), logger, url)).rejects.toThrow(/was changed after it was applied/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('creates the database when it does not exist', async () => {
    const name = `jobgraph_test_new_${Date.now()}`;
    databases.push(name);
    await migrate(databaseUrl(name), logger);
    const exists = await admin((client) => client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]));
    expect(exists.rowCount).toBe(1);
    expect(ADMIN_URL).toBeTruthy();
  });
});
