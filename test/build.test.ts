// The compiled build (`npm run build`, what the Dockerfile runs) starts, finds its
// migrations and serves: the container cannot be run here, so this is its check.
import { spawnSync } from 'node:child_process';
import { afterAll, expect, it } from 'vitest';
import { createTestDatabase, databaseUrl, dropTestDatabase } from './helpers/db.js';
import { startServiceProcess, type ServiceProcess } from './helpers/process.js';
import { REDIS_URL } from './helpers/app.js';

let service: ServiceProcess | undefined;
let database: string | undefined;
afterAll(async () => {
  await service?.stop();
  if (database) await dropTestDatabase(database);
});

it('builds, migrates an empty database and answers /ready', { timeout: 120_000 }, async () => {
  const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', 'tmp/build-test'], { encoding: 'utf8' });
  expect(build.status, build.stdout + build.stderr).toBe(0);
  database = await createTestDatabase(null);
  service = await startServiceProcess(
    { DATABASE_URL: databaseUrl(database), REDIS_URL, QUEUE_PREFIX: `jgbuild-${database}`, ROLE: 'api', NODE_ENV: 'production', API_KEYS: 'probe:0123456789abcdef0123:jobs:read' },
    60_000,
    ['tmp/build-test/src/index.js'],
  );
  const ready = await fetch(`http://127.0.0.1:${service.port}/ready`);
  expect(ready.status).toBe(200);
  const query = await fetch(`http://127.0.0.1:${service.port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer 0123456789abcdef0123' },
    body: JSON.stringify({ query: '{ jobStats { total } }' }),
  });
  expect(await query.json()).toEqual({ data: { jobStats: { total: 0 } } });
});
