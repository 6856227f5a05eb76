// Retention: finished jobs go, with their events, after their status's time; one
// process prunes at a time (and another takes over when it dies); a subscriber whose
// cursor points into what was pruned is told so; idempotency keys of pruned jobs are free.
import pg from 'pg';
import { createClient } from 'graphql-ws';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PRUNER_LOCK } from '../src/maintenance/pruner.js';
import { createSharedBackend, type SharedBackend } from './helpers/app.js';
import { databaseUrl } from './helpers/db.js';
import { eventually, graphql } from './helpers/hostile.js';
import { subscribeWs } from './helpers/live.js';
import { startServiceProcess, type ServiceProcess } from './helpers/process.js';

let backend: SharedBackend;
let services: ServiceProcess[] = [];
let db: pg.Client;
const url = (service: ServiceProcess) => `http://127.0.0.1:${service.port}/graphql`;

beforeAll(async () => {
  backend = await createSharedBackend();
  const env = { ...backend.env, RETENTION_COMPLETED_MS: '1500', RETENTION_FAILED_MS: '4000', PRUNE_INTERVAL_MS: '300', PRUNE_BATCH_SIZE: '50' };
  services = await Promise.all([startServiceProcess(env), startServiceProcess(env)]);
  db = new pg.Client({ connectionString: databaseUrl(backend.database) });
  await db.connect();
}, 60_000);

afterAll(async () => {
  await db?.end();
  await Promise.all(services.map((service) => service.stop()));
  await backend?.drop();
});

/** Process ids of the services holding the pruner lock in this database (from their sessions' names). */
async function pruners(): Promise<number[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT a.application_name AS name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid JOIN pg_database d ON d.oid = l.database
     WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()
       AND ((l.classid::bigint << 32) | l.objid::bigint) = $1::bigint`,
    [PRUNER_LOCK.toString()],
  );
  return rows.map((row) => Number(row.name.split(':')[1]));
}

const SUBMIT_MANY = 'mutation ($input: [SubmitJobInput!]!) { submitJobs(input: $input) { jobs { id } } }';

it('deletes finished jobs and their events after their retention, one process pruning at a time', { timeout: 60_000 }, async () => {
  const [first] = services;
  const before = (await db.query<{ id: string | null }>('SELECT max(id)::text AS id FROM job_events')).rows[0]?.id ?? '0';
  const { body } = await graphql(url(first!), undefined, SUBMIT_MANY, {
    input: [
      ...Array.from({ length: 200 }, () => ({ type: 'echo', payload: 'short-lived' })),
      { type: 'echo', payload: 'keyed', idempotencyKey: 'once' },
      { type: 'sleep', payload: { ms: 1000 }, timeoutMs: 10, maxAttempts: 1 },
    ],
  });
  const ids = (body.data.submitJobs.jobs as { id: string }[]).map((job) => job.id);
  const failed = ids.at(-1)!;
  const keyed = ids.at(-2)!;
  // Exactly one of the two processes holds the pruner lock, whenever it is looked at.
  for (let i = 0; i < 5; i++) {
    expect(await pruners()).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const count = async (sql: string, values: unknown[]) => Number((await db.query<{ n: string }>(sql, values)).rows[0]?.n);
  await eventually(async () => ((await count('SELECT count(*) AS n FROM jobs WHERE id = ANY($1::uuid[]) AND status = $2', [ids, 'COMPLETED'])) === 0 ? true : undefined), 20_000, 'completed jobs pruned');
  expect(await count('SELECT count(*) AS n FROM job_events WHERE job_id = ANY($1::uuid[])', [ids.slice(0, -1)])).toBe(0);
  // The failed one is kept longer.
  expect((await graphql(url(first!), undefined, 'query ($id: ID!) { job(id: $id) { status } }', { id: failed })).body.data.job.status).toBe('FAILED');
  await eventually(async () => ((await count('SELECT count(*) AS n FROM jobs WHERE id = $1', [failed])) === 0 ? true : undefined), 20_000, 'the failed job pruned');

  // The counts kept by triggers (jobStats, metrics) agree with the rows left, through inserts, updates and prunes.
  const kept = await db.query<{ queue: string; status: string; n: string }>('SELECT queue, status, count::text AS n FROM job_counts WHERE count <> 0 ORDER BY 1, 2');
  const actual = await db.query<{ queue: string; status: string; n: string }>('SELECT queue, status::text, count(*)::text AS n FROM jobs GROUP BY 1, 2 ORDER BY 1, 2');
  expect(kept.rows).toEqual(actual.rows);

  // The idempotency key of a pruned job is free again.
  const again = await graphql(url(first!), undefined, SUBMIT_MANY, { input: [{ type: 'echo', payload: 'keyed', idempotencyKey: 'once' }] });
  expect(again.body.data.submitJobs.jobs[0].id).not.toBe(keyed);

  // A subscriber resuming from before the pruned events is told, not silently moved on.
  const client = createClient({ url: url(first!).replace('http', 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
  const feed = subscribeWs(client, 'subscription ($after: ID) { jobEvents(after: $after) { id } }', { after: before });
  await feed.until((f) => f.results.length > 0 || f.error !== undefined);
  const error = (feed.results[0]?.errors?.[0] ?? (feed.error as { extensions?: unknown }[] | undefined)?.[0]) as { message: string; extensions: Record<string, string> };
  expect(error.extensions.code).toBe('EVENTS_PRUNED');
  expect(BigInt(error.extensions.oldestEventId!)).toBeGreaterThan(BigInt(before));
  expect(error.message).toMatch(/deleted by retention/);
  feed.unsubscribe();
  await client.dispose();
});

it('hands pruning to another process when the pruner dies', { timeout: 60_000 }, async () => {
  const [holder] = await pruners();
  const leader = services.find((service) => service.child.pid === holder)!;
  const survivor = services.find((service) => service !== leader)!;
  expect(leader).toBeDefined();
  leader.child.kill('SIGKILL');
  // PostgreSQL frees the lock with the dead session; the survivor takes it at its next pass.
  await eventually(async () => ((await pruners())[0] === survivor.child.pid ? true : undefined), 20_000, 'the survivor to prune');
  const { body } = await graphql(url(survivor), undefined, SUBMIT_MANY, { input: Array.from({ length: 20 }, () => ({ type: 'echo', payload: 'later' })) });
  const ids = (body.data.submitJobs.jobs as { id: string }[]).map((job) => job.id);
  await eventually(async () => ((await db.query('SELECT 1 FROM jobs WHERE id = ANY($1::uuid[])', [ids])).rowCount === 0 ? true : undefined), 20_000, 'jobs pruned by the survivor');
  expect(await pruners()).toEqual([survivor.child.pid]);
});
