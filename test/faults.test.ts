// The promises that matter when things break, each proven by doing the damage: Redis
// killed and restarted empty, PostgreSQL cut off, a worker process SIGKILLed mid-job,
// a shutdown with a job still running. Afterwards, the counts: every accepted job
// completed, each with exactly one COMPLETED event.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createSharedBackend, startTestApp, waitFor, type SharedBackend, type TestApp } from './helpers/app.js';
import { connectWs, subscribeWs } from './helpers/live.js';
import { startServiceProcess, type ServiceProcess } from './helpers/process.js';
import { startProxy, type CutProxy } from './helpers/proxy.js';
import { startOwnRedis, type OwnRedis } from './helpers/redis.js';
import { GetJob, JobHistory, Stats, SubmitJob, SubmitJobs, WatchJobEvents } from './operations.js';
import type { SubmitJobInput } from './gql/graphql.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

function later<T extends { stop(): Promise<unknown> } | { kill(): Promise<unknown> } | { close(): Promise<unknown> }>(thing: T): T {
  cleanups.push(() => ('stop' in thing ? thing.stop() : 'kill' in thing ? thing.kill() : thing.close()));
  return thing;
}

async function backendFor(): Promise<SharedBackend> {
  const backend = await createSharedBackend();
  cleanups.push(() => backend.drop());
  return backend;
}

/** Jobs per status, and COMPLETED events per job, as the API reports them. */
async function tally(app: TestApp, queue = 'default') {
  const { jobs } = await app.data(JobHistory, { filter: { queue: [queue] } });
  const completedEvents = new Map(jobs.nodes.map((job) => [job.id, job.events.nodes.filter((event) => event.type === 'COMPLETED').length]));
  return { jobs: jobs.nodes.length, completedEvents };
}

async function allCompleted(app: TestApp, expected: number, timeoutMs: number): Promise<void> {
  await waitFor(
    async () => {
      const { jobStats } = await app.data(Stats, {});
      return jobStats.completed === expected ? true : undefined;
    },
    timeoutMs,
    `${expected} completed jobs`,
  );
}

function expectEachCompletedOnce(completedEvents: Map<string, number>): void {
  const counts = [...completedEvents.values()];
  expect(counts.filter((count) => count !== 1)).toEqual([]);
}

describe('Redis lost', () => {
  it('queues again from PostgreSQL every job Redis forgot; a submit while it is down is accepted', { timeout: 90_000 }, async () => {
    const redis = later<OwnRedis>(await startOwnRedis());
    const app = later(
      await startTestApp({ REDIS_URL: redis.url, WORKER_CONCURRENCY: '4', RECONCILE_INTERVAL_MS: '1000', QUEUE_TIMEOUT_MS: '500', EVENTS_POLL_MS: '200' }),
    );
    const first = await app.data(SubmitJob, { input: { type: 'echo', payload: 'cursor' } });
    const cursor = await waitFor(async () => {
      const { job } = await app.data(GetJob, { id: first.submitJob.job!.id });
      return job?.status === 'COMPLETED' ? job.events.nodes.at(-1)!.id : undefined;
    });
    const watcher = subscribeWs(connectWs(app.url), WatchJobEvents, { filter: { eventType: ['COMPLETED'] }, after: cursor });
    cleanups.push(async () => watcher.unsubscribe());

    const runAt = new Date(Date.now() + 3000);
    const inputs: SubmitJobInput[] = [
      ...Array.from({ length: 40 }, (_, index) => ({ type: 'sleep', payload: { ms: 100 }, priority: index % 3 })),
      ...Array.from({ length: 5 }, () => ({ type: 'echo', payload: 'delayed', runAt: runAt.toISOString() })),
    ];
    const { submitJobs } = await app.data(SubmitJobs, { input: inputs });
    expect(submitJobs.userErrors).toEqual([]);
    await waitFor(async () => ((await app.data(Stats, {})).jobStats.completed >= 6 ? true : undefined), 20_000, 'some progress');

    await redis.kill();
    // Reads come from PostgreSQL; a submit is stored and answered without Redis.
    expect((await app.data(Stats, {})).jobStats.total).toBe(46);
    const started = Date.now();
    const whileDown = await app.data(SubmitJobs, { input: Array.from({ length: 10 }, (_, index) => ({ type: 'echo', payload: { index } })) });
    expect(whileDown.submitJobs.userErrors).toEqual([]);
    expect(Date.now() - started).toBeLessThan(5000);
    await sleep(500);

    await redis.start(); // empty
    await allCompleted(app, 56, 60_000);
    const { jobs, completedEvents } = await tally(app);
    expect(jobs).toBe(56);
    expectEachCompletedOnce(completedEvents);
    for (const job of submitJobs.jobs.filter((job) => job.payload === 'delayed')) {
      const { job: stored } = await app.data(GetJob, { id: job.id });
      expect(Date.parse(stored!.startedAt!)).toBeGreaterThanOrEqual(runAt.getTime());
    }
    // Events committed while Redis pub/sub was gone still reach subscribers, in order.
    await watcher.until((feed) => feed.items.length === 55, 20_000, '55 COMPLETED events');
    const ids = watcher.items.map((item) => BigInt(item.jobEvents.id));
    expect(ids.every((id, index) => index === 0 || id > ids[index - 1]!)).toBe(true);
  });
});

describe('PostgreSQL cut off', () => {
  it('answers SERVICE_UNAVAILABLE, stores nothing half-way, and finishes every accepted job once it is back', { timeout: 90_000 }, async () => {
    const backend = await backendFor();
    const proxy = later<CutProxy>(await startProxy('127.0.0.1', 5432));
    const url = new URL(backend.env.DATABASE_URL!);
    url.port = String(proxy.port);
    const app = later(await startTestApp({ DATABASE_URL: url.toString(), WORKER_CONCURRENCY: '3' }, {}, backend));
    const { submitJobs } = await app.data(SubmitJobs, { input: Array.from({ length: 12 }, () => ({ type: 'sleep', payload: { ms: 300 } })) });
    expect(submitJobs.userErrors).toEqual([]);
    await waitFor(async () => ((await app.data(Stats, {})).jobStats.running > 0 ? true : undefined));

    proxy.cut();
    const refused = await app.gql(SubmitJob, { input: { type: 'echo', payload: 'refused' } });
    expect(refused.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(refused.errors?.[0]?.message).toMatch(/database cannot be reached/);
    const read = await app.gql(Stats, {});
    expect(read.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    const ready = await fetch(app.url.replace('/graphql', '/ready'));
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: Record<string, string> }).checks.postgresql).toMatch(/unavailable/);
    await sleep(3000); // workers meet the outage mid-job and while taking jobs

    proxy.restore();
    await allCompleted(app, 12, 60_000);
    const { jobs, completedEvents } = await tally(app);
    expect(jobs).toBe(12); // the refused submit left nothing behind
    expectEachCompletedOnce(completedEvents);
  });
});

describe('a worker killed mid-job', () => {
  it('runs the job again elsewhere, counts the lost attempt, and records COMPLETED once', { timeout: 90_000 }, async () => {
    const backend = await backendFor();
    const env = { ...backend.env, ROLE: 'worker', WORKER_LOCK_MS: '2000' };
    const api = later(await startTestApp({ ROLE: 'api' }, {}, backend));
    const doomed = await startServiceProcess(env);
    cleanups.push(async () => doomed.child.kill('SIGKILL'));
    const { submitJob } = await api.data(SubmitJob, { input: { type: 'sleep', payload: { ms: 3000 } } });
    const id = submitJob.job!.id;
    await waitFor(async () => ((await api.data(GetJob, { id })).job?.status === 'RUNNING' ? true : undefined), 20_000, 'RUNNING');

    doomed.child.kill('SIGKILL');
    const survivor = later<ServiceProcess>(await startServiceProcess(env));
    const job = await waitFor(async () => {
      const { job: current } = await api.data(GetJob, { id });
      return current?.status === 'COMPLETED' ? current : undefined;
    }, 30_000, 'COMPLETED');
    expect(job.attempts).toBe(2);
    const types = job.events.nodes.map((event) => event.type);
    expect(types.filter((type) => type === 'STARTED')).toHaveLength(2);
    expect(types.filter((type) => type === 'COMPLETED')).toHaveLength(1);
    expect(await survivor.stop()).toBe(0); // SIGTERM: a clean exit
  });
});

describe('graceful shutdown', () => {
  it('lets short jobs finish, hands long ones back, and another process completes them', { timeout: 60_000 }, async () => {
    const backend = await backendFor();
    const first = await startTestApp({ SHUTDOWN_GRACE_MS: '1000' }, {}, backend);
    const { submitJobs } = await first.data(SubmitJobs, {
      input: [
        { type: 'sleep', payload: { ms: 400 } },
        { type: 'sleep', payload: { ms: 8000 }, maxAttempts: 1 },
      ],
    });
    const [short, long] = submitJobs.jobs;
    await waitFor(async () => ((await first.data(Stats, {})).jobStats.running === 2 ? true : undefined), 20_000, 'both RUNNING');
    await first.stop();

    const second = later(await startTestApp({}, {}, backend));
    expect((await second.data(GetJob, { id: short!.id })).job?.status).toBe('COMPLETED');
    const handedBack = (await second.data(GetJob, { id: long!.id })).job!;
    expect(handedBack.events.nodes).toContainEqual(expect.objectContaining({ type: 'RETRY_SCHEDULED', message: expect.stringMatching(/shutting down/) }));
    // Even with maxAttempts 1, an interrupted attempt is not the job's failure.
    const done = await waitFor(async () => {
      const { job } = await second.data(GetJob, { id: long!.id });
      return job?.status === 'COMPLETED' || job?.status === 'FAILED' ? job : undefined;
    }, 40_000, 'the long job to finish');
    expect(done.status).toBe('COMPLETED');
    // The attempt the shutdown cut short was given back: one attempt counted, not two.
    expect(done.attempts).toBe(1);
  });
});

describe('a second signal', () => {
  it('exits at once, without waiting out the grace period', { timeout: 60_000 }, async () => {
    const backend = await backendFor();
    const service = await startServiceProcess({ ...backend.env, SHUTDOWN_GRACE_MS: '60000' });
    cleanups.push(async () => service.child.kill('SIGKILL'));
    const url = `http://127.0.0.1:${service.port}/graphql`;
    const submit = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation { submitJob(input: { type: "sleep", payload: { ms: 30000 } }) { job { id } } }' }),
    });
    const id = ((await submit.json()) as { data: { submitJob: { job: { id: string } } } }).data.submitJob.job.id;
    await waitFor(async () => {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ job(id: "${id}") { status } }` }) });
      return ((await response.json()) as { data: { job: { status: string } } }).data.job.status === 'RUNNING' ? true : undefined;
    });
    const exited = new Promise<number | null>((resolve) => service.child.once('exit', (code) => resolve(code)));
    service.child.kill('SIGTERM');
    await sleep(300);
    const started = Date.now();
    service.child.kill('SIGTERM');
    expect(await exited).toBe(130);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('PostgreSQL down at start', () => {
  it('waits for it, saying so, instead of exiting (compose and Kubernetes start things in any order)', { timeout: 60_000 }, async () => {
    const backend = await backendFor();
    const proxy = later(await startProxy('127.0.0.1', 5432));
    proxy.cut();
    const url = new URL(backend.env.DATABASE_URL as string);
    url.port = String(proxy.port);
    const starting = startServiceProcess({ ...backend.env, DATABASE_URL: url.toString(), ROLE: 'api' }, 30_000);
    // Refused twice: it tried, said so, and tried again (however long the process took to start).
    await waitFor(async () => (proxy.refused >= 2 ? true : undefined), 20_000, 'the service to try PostgreSQL twice');
    proxy.restore();
    const service = later<ServiceProcess>(await starting);
    expect(service.output.some((line) => line.includes('PostgreSQL not reachable yet'))).toBe(true);
    const response = await fetch(`http://127.0.0.1:${service.port}/ready`);
    expect(response.status).toBe(200);
  });
});
