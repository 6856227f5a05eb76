// The compiled build (`npm run build`, what the Dockerfile runs) starts, finds its
// migrations and serves: the container cannot be run here, so this is its check. It runs
// as ROLE=all does by default: the API on the main thread, the workers in a thread.
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

it('builds, migrates an empty database, answers /ready and runs a job in its worker thread', { timeout: 120_000 }, async () => {
  // `npm run build`: the packages, then the service against their declarations.
  const build = spawnSync('npm', ['run', 'build', '--', '--outDir', 'tmp/build-test'], { encoding: 'utf8' });
  expect(build.status, build.stdout + build.stderr).toBe(0);
  database = await createTestDatabase(null);
  service = await startServiceProcess(
    { DATABASE_URL: databaseUrl(database), REDIS_URL, QUEUE_PREFIX: `jgbuild-${database}`, NODE_ENV: 'production', API_KEYS: 'probe:0123456789abcdef0123:admin' },
    60_000,
    ['tmp/build-test/src/index.js'],
  );
  const ready = await fetch(`http://127.0.0.1:${service.port}/ready`);
  expect(ready.status).toBe(200);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test reads whatever it asked for
  const graphql = async (query: string): Promise<Record<string, any>> => {
    const response = await fetch(`http://127.0.0.1:${service!.port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer 0123456789abcdef0123' },
      body: JSON.stringify({ query }),
    });
    return ((await response.json()) as { data: Record<string, never> }).data;
  };
  expect(await graphql('{ jobStats { total } }')).toEqual({ jobStats: { total: 0 } });
  const { submitJob } = await graphql('mutation { submitJob(input: { type: "echo", payload: { built: true } }) { job { id } } }');
  await expect
    .poll(async () => (await graphql(`{ job(id: "${submitJob.job.id}") { status result } }`)).job, { timeout: 20_000 })
    .toEqual({ status: 'COMPLETED', result: { built: true } });
  // One /metrics for the process: the thread's counters merged in, the process's own figures once.
  const metrics = await (await fetch(`http://127.0.0.1:${service.port}/metrics`)).text();
  expect(metrics).toMatch(/^jobgraph_jobs_completed_total\{queue="default",type="echo"\} 1$/m);
  expect(metrics).toMatch(/^jobgraph_jobs_submitted_total\{queue="default",type="echo"\} 1$/m);
  expect(metrics.match(/^process_cpu_user_seconds_total /gm)).toHaveLength(1);
  expect(metrics.match(/^jobgraph_jobs\{queue="default",status="COMPLETED"\} 1$/gm)).toHaveLength(1);
});
