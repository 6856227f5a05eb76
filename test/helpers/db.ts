// Test databases: one template with every migration applied (made once per run by
// globalSetup, dropped at its end), cloned for each test file, which is much faster than
// migrating each. The template is named after this checkout's path, so two checkouts
// can test against one PostgreSQL at once without dropping each other's.
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';

export const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const TEMPLATE_DB = `jobgraph_test_template_${createHash('sha256').update(new URL('../..', import.meta.url).pathname).digest('hex').slice(0, 12)}`;

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(template: string | null = TEMPLATE_DB): Promise<string> {
  const name = `jobgraph_test_${randomBytes(5).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`));
  return name;
}

export async function dropTestDatabase(name: string): Promise<void> {
  await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}
