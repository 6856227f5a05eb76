// Health, readiness, GraphiQL and configuration errors, as an operator meets them.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';

let t: TestApp;
let noRedis: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  // An API instance whose Redis is gone (nothing listens on port 1).
  noRedis = await startTestApp({ ROLE: 'api', REDIS_URL: 'redis://127.0.0.1:1' });
});
afterAll(async () => {
  await t?.stop();
  await noRedis?.stop();
});

const base = (app: TestApp) => app.url.replace('/graphql', '');

describe('http', () => {
  it('answers /health and /ready', async () => {
    expect((await fetch(`${base(t)}/health`)).status).toBe(200);
    const ready = await fetch(`${base(t)}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ checks: { postgresql: 'ok', redis: 'ok' } });
  });

  it('answers /ready with 503 naming Redis when it is down, while reads still work', async () => {
    const ready = await fetch(`${base(noRedis)}/ready`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { checks: Record<string, string> };
    expect(body.checks.postgresql).toBe('ok');
    expect(body.checks.redis).toMatch(/^unavailable/);
    expect((await noRedis.data('{ jobStats { total } }')) as unknown).toEqual({ jobStats: { total: 0 } });
  });

  it('serves GraphiQL to a browser at /graphql', async () => {
    const page = await fetch(t.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('graphiql');
  });

  it('masks unexpected errors', async () => {
    // A cursor that decodes but points nowhere valid is a user error, never a 500.
    const result = await t.gql('{ jobs(after: "W10") { totalCount } }');
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('stops at start with a message naming each bad variable', () => {
    const run = spawnSync('npx', ['tsx', '--conditions=source', 'src/index.ts'], {
      encoding: 'utf8',
      env: { ...process.env, PORT: 'eighty', WORKER_CONCURRENCY: '0', ROLE: 'both', DATABASE_URL: 'mysql://x' },
      timeout: 20_000,
    });
    expect(run.status).toBe(78);
    for (const name of ['PORT', 'WORKER_CONCURRENCY', 'ROLE', 'DATABASE_URL']) expect(run.stderr).toContain(`${name}:`);
    expect(run.stderr).not.toContain('mysql://x');
  });
});
