// Issue 21: many instances, as a deployment runs them: two API processes and two worker
// processes on one PostgreSQL and one Redis. Jobs go in through both API instances, one
// worker is SIGKILLed mid-run, and afterwards: every job COMPLETED once, and each API
// instance's subscriber received every event PostgreSQL recorded, once, in id order.
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSharedBackend, waitFor, type SharedBackend } from './helpers/app.js';
import { graphql } from './helpers/hostile.js';
import { connectWs, subscribeWs, type Feed } from './helpers/live.js';
import { startServiceProcess, type ServiceProcess } from './helpers/process.js';

const JOBS = 600;

let backend: SharedBackend;
const processes: ServiceProcess[] = [];

beforeAll(async () => {
  backend = await createSharedBackend();
}, 60_000);

afterAll(async () => {
  for (const child of processes) await child.stop();
  await backend?.drop();
});

const start = async (env: Record<string, string>) => {
  const child = await startServiceProcess({ ...backend.env, EVENTS_POLL_MS: '500', ...env });
  processes.push(child);
  return child;
};

interface EventItem { jobEvents: { id: string; jobId: string; type: string } }
const EVERY_EVENT = 'subscription { jobEvents { id jobId type } }';

describe('two API and two worker processes', () => {
  it('run every job once through a worker\'s SIGKILL, and every instance sends every event once, in order', { timeout: 120_000 }, async () => {
    const apis = [await start({ ROLE: 'api' }), await start({ ROLE: 'api' })];
    // A short lock: the killed worker's jobs run again elsewhere within seconds.
    const workers = [await start({ ROLE: 'worker', WORKER_CONCURRENCY: '8', WORKER_LOCK_MS: '2000' }), await start({ ROLE: 'worker', WORKER_CONCURRENCY: '8', WORKER_LOCK_MS: '2000' })];
    const urls = apis.map((api) => `http://127.0.0.1:${api.port}/graphql`);
    const feeds: Feed<EventItem>[] = urls.map((url) => subscribeWs<EventItem, Record<string, never>>(connectWs(url), EVERY_EVENT));
    // Subscribed before the first job: wait for the sockets to be up.
    await sleep(500);

    const submit = async (url: string, count: number) => {
      const answer = await graphql(url, undefined, 'mutation ($input: [SubmitJobInput!]!) { submitJobs(input: $input) { jobs { id } userErrors { message } } }', {
        input: Array.from({ length: count }, (_, index) => ({ type: 'sleep', payload: { ms: 20 + (index % 5) * 10 }, tags: ['scale-out'] })),
      });
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data.submitJobs.userErrors).toEqual([]);
    };
    // In rounds through both instances, so the kill lands while jobs run.
    for (let round = 0; round < 6; round++) await Promise.all(urls.map((url) => submit(url, JOBS / 12)));
    const completed = async () => (await graphql(urls[0]!, undefined, '{ jobStats { completed } }')).body.data.jobStats.completed as number;
    await waitFor(async () => ((await completed()) >= JOBS / 4 ? true : undefined), 30_000, 'a quarter done');
    workers[0]!.child.kill('SIGKILL');
    await waitFor(async () => ((await completed()) === JOBS ? true : undefined), 60_000, `${JOBS} jobs COMPLETED`);

    const truth = new pg.Client({ connectionString: backend.env.DATABASE_URL });
    await truth.connect();
    try {
      const perJob = await truth.query<{ completions: number; starts: number }>(
        "SELECT count(*) FILTER (WHERE e.type = 'COMPLETED')::int AS completions, count(*) FILTER (WHERE e.type = 'STARTED')::int AS starts FROM jobs j JOIN job_events e ON e.job_id = j.id GROUP BY j.id",
      );
      expect(perJob.rows).toHaveLength(JOBS);
      expect(perJob.rows.filter((row) => row.completions !== 1)).toEqual([]);
      // The kill landed on running jobs: they started twice, and completed once.
      expect(perJob.rows.filter((row) => row.starts > 1).length).toBeGreaterThan(0);
      const recorded = (await truth.query<{ id: string }>('SELECT e.id::text AS id FROM job_events e ORDER BY e.id')).rows.map((row) => row.id);
      for (const feed of feeds) {
        await feed.until((received) => received.items.length >= recorded.length, 30_000, `${recorded.length} events`);
        expect(feed.error).toBeUndefined();
        expect(feed.items.map((item) => item.jobEvents.id)).toEqual(recorded);
      }
    } finally {
      await truth.end();
      for (const feed of feeds) feed.unsubscribe();
    }
    expect(workers[1]!.child.exitCode).toBeNull();
  });
});
