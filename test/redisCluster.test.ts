// Issue 21: the service on a Redis Cluster (REDIS_CLUSTER_NODES). The test starts three
// masters of its own and runs what a deployment relies on through them: jobs, live events,
// a cancel that reaches the running attempt, a retry, a schedule, and the master holding
// the queues killed and started again empty.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, waitFor, type TestApp } from './helpers/app.js';
import { connectWs, subscribeWs } from './helpers/live.js';
import { startServiceProcess } from './helpers/process.js';
import { startOwnCluster, type OwnCluster } from './helpers/redisCluster.js';
import { CancelJob, GetJob, RetryJob, Stats, SubmitJob, SubmitJobs, WatchJobEvents } from './operations.js';

// Every key of a queue in one slot: BullMQ's scripts touch several.
const PREFIX = `{jgc${process.pid}}`;

let cluster: OwnCluster;
let app: TestApp;

beforeAll(async () => {
  cluster = await startOwnCluster();
  app = await startTestApp({
    REDIS_CLUSTER_NODES: cluster.nodes,
    // Not used with a cluster: a single node that is not there proves it.
    REDIS_URL: 'redis://127.0.0.1:1',
    QUEUE_PREFIX: PREFIX,
    HANDLERS_DIR: 'test/handlers',
    WORKER_CONCURRENCY: '1',
    RECONCILE_INTERVAL_MS: '1000',
    EVENTS_POLL_MS: '200',
    QUEUE_TIMEOUT_MS: '1000',
    SCHEDULE_MIN_INTERVAL_MS: '1000',
  });
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await cluster?.stop();
});

interface Listed { id: string; status: string; payload: unknown; events: { nodes: { type: string }[] } }
const LIST = 'query ($filter: JobFilter) { jobs(filter: $filter, first: 200) { nodes { id status payload events(first: 20) { nodes { type } } } } }';
const list = async (filter: Record<string, unknown>) => (await app.data<{ jobs: { nodes: Listed[] } }, unknown>(LIST, { filter })).jobs.nodes;

const statusOf = async (id: string) => (await app.data(GetJob, { id })).job?.status;
const until = (id: string, status: string, timeoutMs = 15_000) => waitFor(async () => ((await statusOf(id)) === status ? true : undefined), timeoutMs, `job ${id} ${status}`);

describe('on a Redis Cluster', () => {
  it('refuses to start with a QUEUE_PREFIX without a hash tag, saying why', async () => {
    const started = startServiceProcess({ REDIS_CLUSTER_NODES: cluster.nodes, QUEUE_PREFIX: 'jobgraph', DATABASE_URL: app.config.DATABASE_URL }, 20_000);
    await expect(started).rejects.toThrow(/QUEUE_PREFIX.*hash tag/s);
  });

  it('runs jobs and sends every event once, in order', { timeout: 60_000 }, async () => {
    const watcher = subscribeWs(connectWs(app.url), WatchJobEvents, { filter: { eventType: ['COMPLETED'] } });
    try {
      const { submitJobs } = await app.data(SubmitJobs, { input: Array.from({ length: 30 }, (_, index) => ({ type: 'echo', payload: { index } })) });
      expect(submitJobs.userErrors).toEqual([]);
      await watcher.until((feed) => feed.items.length >= 30, 30_000, '30 COMPLETED events');
      const ids = watcher.items.map((item) => BigInt(item.jobEvents.id));
      expect(ids.every((id, index) => index === 0 || id > ids[index - 1]!)).toBe(true);
      expect(new Set(watcher.items.map((item) => item.jobEvents.jobId))).toEqual(new Set(submitJobs.jobs.map((job) => job.id)));
    } finally {
      watcher.unsubscribe();
    }
  });

  it('stops a running attempt on cancel, and runs a retried job again', { timeout: 60_000 }, async () => {
    // One slot: had the cancel not reached the attempt, the next job would wait 30 s.
    const long = (await app.data(SubmitJob, { input: { type: 'sleep', payload: { ms: 30_000 } } })).submitJob.job!;
    await until(long.id, 'RUNNING');
    expect((await app.data(CancelJob, { id: long.id })).cancelJob.userErrors).toEqual([]);
    const next = (await app.data(SubmitJob, { input: { type: 'echo', payload: 'after the cancel' } })).submitJob.job!;
    await until(next.id, 'COMPLETED', 5000);
    expect(await statusOf(long.id)).toBe('CANCELLED');

    const failing = (await app.data(SubmitJob, { input: { type: 'test.fail', payload: {}, maxAttempts: 1 } })).submitJob.job!;
    await until(failing.id, 'FAILED');
    expect((await app.data(RetryJob, { id: failing.id })).retryJob.userErrors).toEqual([]);
    await waitFor(async () => {
      const { job } = await app.data(GetJob, { id: failing.id });
      const types = job?.events.nodes.map((event) => event.type) ?? [];
      return job?.status === 'FAILED' && types.filter((type) => type === 'STARTED').length === 2 ? types : undefined;
    }, 15_000, 'the retried job to run and fail again');
  });

  it('fires a schedule', { timeout: 30_000 }, async () => {
    const created = await app.gql('mutation { createSchedule(input: { name: "every-second", cron: "* * * * * *", job: { type: "echo", payload: "tick" } }) { schedule { id } userErrors { message } } }');
    const schedule = (created.data as { createSchedule: { schedule: { id: string } | null; userErrors: unknown[] } }).createSchedule;
    expect(schedule.userErrors).toEqual([]);
    const ticks = async () => (await list({ type: ['echo'] })).filter((job) => job.payload === 'tick' && job.status === 'COMPLETED').length;
    await waitFor(async () => ((await ticks()) >= 2 ? true : undefined), 15_000, 'two runs of the schedule');
    await app.gql(`mutation { deleteSchedule(id: "${schedule.schedule!.id}") { userErrors { message } } }`);
  });

  it('loses no job, and runs none twice, when the master holding the queues restarts empty', { timeout: 120_000 }, async () => {
    const before = (await app.data(Stats, {})).jobStats.completed;
    const { submitJobs } = await app.data(SubmitJobs, { input: Array.from({ length: 20 }, () => ({ type: 'sleep', payload: { ms: 100 }, tags: ['restart'] })) });
    expect(submitJobs.userErrors).toEqual([]);
    await waitFor(async () => ((await app.data(Stats, {})).jobStats.completed >= before + 3 ? true : undefined), 20_000, 'some progress');

    const master = await cluster.masterOf(PREFIX);
    await cluster.kill(master);
    const whileDown = await app.data(SubmitJobs, { input: Array.from({ length: 5 }, () => ({ type: 'echo', payload: 'while the master was down', tags: ['restart'] })) });
    expect(whileDown.submitJobs.userErrors).toEqual([]);
    await sleep(500);
    await cluster.start(master);
    await cluster.healthy();

    const jobs = await waitFor(async () => {
      const listed = await list({ tags: ['restart'] });
      return listed.length === 25 && listed.every((job) => job.status === 'COMPLETED') ? listed : undefined;
    }, 60_000, 'all 25 jobs COMPLETED');
    for (const job of jobs) expect(job.events.nodes.filter((event) => event.type === 'COMPLETED')).toHaveLength(1);
  });
});
