import { pino } from 'pino';
import { migrate } from '../../src/db/migrate.js';
import { admin, databaseUrl, TEMPLATE_DB } from './db.js';

/** Makes this checkout's template (migrated), and returns its removal for the end of the run. */
export async function setup(): Promise<() => Promise<void>> {
  await admin(async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  });
  await migrate(databaseUrl(TEMPLATE_DB), pino({ level: 'silent' }));
  return () => admin(async (client) => void (await client.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`)));
}
