// Queue control: a paused queue keeps its jobs and starts none until resumed, even
// across a Redis restart (PostgreSQL holds the pause); queues lists them with counts.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, waitFor, type TestApp } from './helpers/app.js';
import { startOwnRedis, type OwnRedis } from './helpers/redis.js';
import { GetJob, SubmitJob } from './operations.js';

const QUEUES = '{ queues { name paused counts { pending completed } } }';
const PAUSE = 'mutation ($name: String!) { pauseQueue(name: $name) { queue { name paused } userErrors { code field message } } }';
const RESUME = 'mutation ($name: String!) { resumeQueue(name: $name) { queue { name paused } userErrors { code field message } } }';

let redis: OwnRedis;
let app: TestApp;
beforeAll(async () => {
  redis = await startOwnRedis();
  app = await startTestApp({ REDIS_URL: redis.url, QUEUES: 'default,bulk', RECONCILE_INTERVAL_MS: '1000', QUEUE_TIMEOUT_MS: '500' });
});
afterAll(async () => {
  await app?.stop();
  await redis?.kill();
});

it('holds a paused queue\'s jobs, across a Redis restart, until it is resumed', { timeout: 60_000 }, async () => {
  expect((await app.data<{ pauseQueue: { queue: unknown } }, unknown>(PAUSE, { name: 'bulk' })).pauseQueue.queue).toEqual({ name: 'bulk', paused: true });
  const { submitJob } = await app.data(SubmitJob, { input: { type: 'echo', payload: 'held', queue: 'bulk' } });
  const other = await app.data(SubmitJob, { input: { type: 'echo', payload: 'free' } });
  await waitFor(async () => ((await app.data(GetJob, { id: other.submitJob.job!.id })).job?.status === 'COMPLETED' ? true : undefined));

  await redis.kill();
  await redis.start(); // empty: BullMQ's own paused flag is gone
  await sleep(2500); // the reconciler has run since
  expect((await app.data(GetJob, { id: submitJob.job!.id })).job?.status).toBe('PENDING');
  const { queues } = await app.data<{ queues: { name: string; paused: boolean; counts: { pending: number } }[] }, unknown>(QUEUES);
  expect(queues).toEqual([
    { name: 'default', paused: false, counts: { pending: 0, completed: 1 } },
    { name: 'bulk', paused: true, counts: { pending: 1, completed: 0 } },
  ]);

  expect((await app.data<{ resumeQueue: { queue: unknown } }, unknown>(RESUME, { name: 'bulk' })).resumeQueue.queue).toEqual({ name: 'bulk', paused: false });
  await waitFor(async () => ((await app.data(GetJob, { id: submitJob.job!.id })).job?.status === 'COMPLETED' ? true : undefined), 15_000, 'the held job');
});

it('refuses an unknown queue with the field named', async () => {
  const { pauseQueue } = await app.data<{ pauseQueue: { queue: null; userErrors: { code: string; field: string[] }[] } }, unknown>(PAUSE, { name: 'nope' });
  expect(pauseQueue.queue).toBeNull();
  expect(pauseQueue.userErrors).toMatchObject([{ code: 'NOT_FOUND', field: ['name'] }]);
});

const UPDATE = 'mutation ($name: String!, $input: QueueSettingsInput!) { updateQueue(name: $name, input: $input) { queue { name concurrency rateLimit { max durationMs } } userErrors { code field message } } }';

interface Update {
  updateQueue: { queue: { name: string; concurrency: number | null; rateLimit: { max: number; durationMs: number } | null } | null; userErrors: { code: string; field: string[] }[] };
}

it('limits a queue\'s concurrency and rate across all workers, keeps them across a Redis restart, and clears them', { timeout: 60_000 }, async () => {
  const update = (input: Record<string, unknown>) => app.data<Update, unknown>(UPDATE, { name: 'bulk', input });
  expect((await update({ concurrency: 0 })).updateQueue.userErrors).toMatchObject([{ code: 'INVALID_INPUT', field: ['input', 'concurrency'] }]);
  expect((await update({ concurrency: 1 })).updateQueue.queue).toEqual({ name: 'bulk', concurrency: 1, rateLimit: null });
  const { Queue } = await import('bullmq');
  const queue = new Queue('bulk', { connection: { host: '127.0.0.1', port: Number(new URL(redis.url).port) }, prefix: app.config.QUEUE_PREFIX });
  // The mutation tells Redis within QUEUE_TIMEOUT_MS, or the reconciler does (Redis restarted just before this test).
  await waitFor(async () => ((await queue.getGlobalConcurrency()) === 1 ? true : undefined), 10_000, 'the limit in Redis');

  // Each worker runs 10 at once (WORKER_CONCURRENCY); the queue's limit makes it one.
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) ids.push((await app.data(SubmitJob, { input: { type: 'sleep', payload: { ms: 300 }, queue: 'bulk' } })).submitJob.job!.id);
  let most = 0;
  await waitFor(async () => {
    const { jobStats } = await app.data<{ jobStats: { running: number; completed: number } }, unknown>('{ jobStats(queue: "bulk") { running completed } }');
    most = Math.max(most, jobStats.running);
    return jobStats.completed >= 5 ? true : undefined; // the held job of the test above, and these four
  }, 20_000, 'the four sleeps');
  expect(most).toBe(1);

  // At most 2 starts per second: 6 jobs take at least two more seconds after the first two.
  expect((await update({ concurrency: null, rateLimit: { max: 2, durationMs: 1000 } })).updateQueue.queue).toEqual({ name: 'bulk', concurrency: null, rateLimit: { max: 2, durationMs: 1000 } });
  await waitFor(async () => ((await queue.getGlobalRateLimit())?.max === 2 ? true : undefined), 10_000, 'the rate limit in Redis');
  await queue.close();
  const started = Date.now();
  const echoes: string[] = [];
  for (let i = 0; i < 6; i++) echoes.push((await app.data(SubmitJob, { input: { type: 'echo', payload: i, queue: 'bulk' } })).submitJob.job!.id);
  await waitFor(async () => {
    const jobs = await Promise.all(echoes.map(async (id) => (await app.data(GetJob, { id })).job?.status));
    return jobs.every((status) => status === 'COMPLETED') ? true : undefined;
  }, 20_000, 'the six echoes');
  expect(Date.now() - started).toBeGreaterThanOrEqual(1900);

  // Redis forgets; PostgreSQL does not, and the reconciler puts the limits back.
  await update({ concurrency: 3 });
  await redis.kill();
  await redis.start();
  const restarted = new Queue('bulk', { connection: { host: '127.0.0.1', port: Number(new URL(redis.url).port) }, prefix: app.config.QUEUE_PREFIX });
  try {
    await waitFor(async () => ((await restarted.getGlobalConcurrency()) === 3 ? true : undefined), 10_000, 'the concurrency back in Redis');
    expect(await restarted.getGlobalRateLimit()).toMatchObject({ max: 2, duration: 1000 });
  } finally {
    await restarted.close();
  }
  expect((await update({ concurrency: null, rateLimit: null })).updateQueue.queue).toEqual({ name: 'bulk', concurrency: null, rateLimit: null });
});
