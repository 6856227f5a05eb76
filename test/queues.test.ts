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
