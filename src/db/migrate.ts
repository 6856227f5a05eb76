// Applies prisma/migrations at start, without Prisma's schema engine (which cannot be
// downloaded offline). Keeps the same bookkeeping as `prisma migrate deploy` in
// `_prisma_migrations`, so either tool can take over from the other.
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import type { Logger } from '../logger.js';
import { isDatabaseUnavailable } from './errors.js';
import { findUp } from '../paths.js';

export const MIGRATIONS_DIR = findUp('prisma/migrations/');

// Any constant works; it only has to be the same for every jobgraph process.
const LOCK_KEY = 0x6a6f6267; // "jobg"

const BOOKKEEPING = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

async function readMigrations(dir: URL): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(join(dir.pathname, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

/** Connects, first creating the database when it does not exist yet, as `prisma migrate deploy` does. */
async function connectCreatingDatabase(connectionString: string, logger: Logger): Promise<pg.Client> {
  // A host that drops packets must not hold a start past DATABASE_WAIT_MS.
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    if ((error as { code?: string }).code !== '3D000') throw error;
  }
  const url = new URL(connectionString);
  const database = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
    logger.info({ database }, 'database created');
  } catch (error) {
    // Another instance starting at the same moment won the race.
    if ((error as { code?: string }).code !== '42P04') throw error;
  } finally {
    await admin.end();
  }
  const created = new pg.Client({ connectionString });
  await created.connect();
  return created;
}

/**
 * Brings the database up to date. Processes starting together queue on an advisory
 * lock, so each migration runs once. Refuses to go on when an applied migration's
 * file has changed or an earlier one failed: both need a person.
 * @returns the names of the migrations applied now.
 */
export async function migrate(connectionString: string, logger: Logger, dir: URL = MIGRATIONS_DIR): Promise<string[]> {
  const migrations = await readMigrations(dir);
  const client = await connectCreatingDatabase(connectionString, logger);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    await client.query(BOOKKEEPING);
    const { rows } = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
    );
    const applied = new Map(rows.map((row) => [row.migration_name, row]));
    const done: string[] = [];
    for (const migration of migrations) {
      const previous = applied.get(migration.name);
      if (previous && previous.finished_at === null) {
        throw new Error(`Migration ${migration.name} failed earlier and needs a person: fix the database, then mark it rolled back.`);
      }
      if (previous) {
        if (previous.checksum !== migration.checksum) {
          throw new Error(`Migration ${migration.name} was changed after it was applied; add a new migration instead.`);
        }
        continue;
      }
      const id = randomUUID();
      try {
        // One transaction for the script and its bookkeeping: a failing migration leaves
        // nothing half applied, and a connection lost halfway leaves no row saying it
        // failed (the next start simply runs it).
        await client.query('BEGIN');
        await client.query('INSERT INTO "_prisma_migrations" (id, checksum, migration_name) VALUES ($1, $2, $3)', [id, migration.checksum, migration.name]);
        await client.query(migration.sql);
        await client.query('UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1', [id]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        if (isDatabaseUnavailable(error)) throw error;
        // The script itself failed: recorded as prisma migrate does, for a person to look at.
        await client.query('INSERT INTO "_prisma_migrations" (id, checksum, migration_name, logs) VALUES ($1, $2, $3, $4)', [id, migration.checksum, migration.name, String(error)]);
        throw new Error(`Migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
      }
      logger.info({ migration: migration.name }, 'migration applied');
      done.push(migration.name);
    }
    return done;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}

/**
 * migrate(), waiting for PostgreSQL to come up: under compose or Kubernetes the service
 * often starts first. Retries with backoff (0.5 s doubling to 5 s) while the database is
 * unreachable, for at most `waitMs`, saying each time what it waits for.
 */
export async function migrateWhenReachable(databaseUrl: string, logger: Logger, waitMs: number): Promise<string[]> {
  const deadline = Date.now() + waitMs;
  for (let delay = 500; ; delay = Math.min(delay * 2, 5000)) {
    try {
      return await migrate(databaseUrl, logger);
    } catch (error) {
      if (!isDatabaseUnavailable(error) || Date.now() + delay > deadline) throw error;
      const reason = (error as { code?: string; message?: string }).code ?? (error as Error).message;
      logger.warn({ reason, retryInMs: delay }, `PostgreSQL not reachable yet (${reason}); trying again in ${delay} ms (DATABASE_WAIT_MS)`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
