import { pino } from 'pino';
import { migrate } from '../../src/db/migrate.js';
import { admin, databaseUrl, TEMPLATE_DB } from './db.js';

export async function setup(): Promise<void> {
  await admin(async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  });
  await migrate(databaseUrl(TEMPLATE_DB), pino({ level: 'silent' }));
}
