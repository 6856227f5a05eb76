// Live updates as clients see them: two API instances and a separate worker process
// share one PostgreSQL database and one Redis prefix; clients subscribe over graphql-ws
// and Server-Sent Events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { createSharedBackend, startTestApp, waitFor, type SharedBackend, type TestApp } from './helpers/app.js';
import { connectWs, subscribeSse, subscribeWs, type Feed } from './helpers/live.js';
import { startServiceProcess, type ServiceProcess } from './helpers/process.js';
import { GetJob, JobHistory, SubmitJob, SubmitJobs, WatchJob, WatchJobEvents } from './operations.js';
import type { SubmitJobInput, WatchJobEventsSubscription } from './gql/graphql.js';

const QUEUES = 'default,fanout,resume,filters,progress,sse';
const STATUS_RANK = { BLOCKED: 0, PENDING: 0, SCHEDULED: 0, RUNNING: 1, RETRYING: 1, COMPLETED: 2, FAILED: 2, CANCELLED: 2 } as const;

let backend: SharedBackend;
let apiA: TestApp;
let apiB: TestApp;
let worker: ServiceProcess;
const clients: Client[] = [];
const feeds: Feed<unknown>[] = [];

beforeAll(async () => {
  backend = await createSharedBackend();
  [apiA, apiB, worker] = await Promise.all([
    startTestApp({ ROLE: 'api', QUEUES, HTTP_ALLOW_HOSTS: '127.0.0.1' }, {}, backend),
    startTestApp({ ROLE: 'api', QUEUES, HTTP_ALLOW_HOSTS: '127.0.0.1' }, {}, backend),
    startServiceProcess({ ...backend.env, ROLE: 'worker', QUEUES, WORKER_CONCURRENCY: '20', HTTP_ALLOW_HOSTS: '127.0.0.1' }),
  ]);
});

afterAll(async () => {
  for (const feed of feeds) feed.unsubscribe();
  await Promise.all(clients.map((client) => client.dispose()));
  await Promise.all([apiA?.stop(), apiB?.stop(), worker?.stop()]);
  await backend?.drop();
});

function ws(app: TestApp): Client {
  const client = connectWs(app.url);
  clients.push(client);
  return client;
}

function track<T>(feed: Feed<T>): Feed<T> {
  feeds.push(feed as Feed<unknown>);
  return feed;
}

function ids(events: { id: string }[]): bigint[] {
  return events.map((event) => BigInt(event.id));
}

function expectStrictlyIncreasing(values: bigint[]): void {
  for (let index = 1; index < values.length; index++) {
    expect(values[index]! > values[index - 1]!, `id ${values[index]} after ${values[index - 1]}`).toBe(true);
  }
}

async function submit(app: TestApp, input: SubmitJobInput) {
  const { submitJob } = await app.data(SubmitJob, { input });
  expect(submitJob.userErrors).toEqual([]);
  return submitJob.job!;
}

async function submitMany(app: TestApp, inputs: SubmitJobInput[]) {
  const { submitJobs } = await app.data(SubmitJobs, { input: inputs });
  expect(submitJobs.userErrors).toEqual([]);
  return submitJobs.jobs;
}

/** An event id from which a subscription misses nothing that follows: a finished job's last. */
async function cursorNow(queue: string): Promise<string> {
  const job = await submit(apiA, { type: 'echo', payload: 'cursor', queue });
  const stored = await waitFor(async () => {
    const { job: current } = await apiA.data(GetJob, { id: job.id });
    return current?.status === 'COMPLETED' ? current : undefined;
  });
  return stored.events.nodes.at(-1)!.id;
}

/** Every recorded event of the queue's jobs, oldest first, as the history query gives them. */
async function history(queue: string): Promise<{ id: string; jobId: string; type: string }[]> {
  const { jobs } = await apiB.data(JobHistory, { filter: { queue: [queue] } });
  return jobs.nodes.flatMap((job) => job.events.nodes).sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
}

function completedCount(feed: Feed<WatchJobEventsSubscription>, jobIds: Set<string>): number {
  return feed.items.filter(({ jobEvents }) => jobEvents.type === 'COMPLETED' && jobIds.has(jobEvents.jobId)).length;
}

describe('jobUpdated', () => {
  it('sends the job at once, then every change, to a subscriber on another instance', async () => {
    const job = await submit(apiA, { type: 'sleep', payload: { ms: 1200 } });
    const feed = track(subscribeWs(ws(apiB), WatchJob, { id: job.id }));
    await feed.until((f) => f.items.some((item) => item.jobUpdated.status === 'COMPLETED'), 15_000, 'COMPLETED');

    const seen = feed.items.map((item) => item.jobUpdated);
    expect(['PENDING', 'RUNNING']).toContain(seen[0]!.status);
    expect(seen.some((state) => state.status === 'RUNNING' && state.progress > 0 && state.progress < 100)).toBe(true);
    for (let index = 1; index < seen.length; index++) {
      expect(STATUS_RANK[seen[index]!.status]).toBeGreaterThanOrEqual(STATUS_RANK[seen[index - 1]!.status]);
      expect(seen[index]!.progress).toBeGreaterThanOrEqual(seen[index - 1]!.progress);
    }
    expect(seen.at(-1)).toMatchObject({ status: 'COMPLETED', progress: 100, result: { sleptMs: 1200 } });
    expect(feed.error).toBeUndefined();
  });

  it('gives a subscriber that comes after the end the final state at once, over WebSocket and SSE', async () => {
    const job = await submit(apiA, { type: 'echo', payload: { late: true } });
    await waitFor(async () => ((await apiA.data(GetJob, { id: job.id })).job?.status === 'COMPLETED' ? true : undefined));
    const overWs = track(subscribeWs(ws(apiA), WatchJob, { id: job.id }));
    const overSse = track(subscribeSse(apiB.url, WatchJob, { id: job.id }));
    for (const feed of [overWs, overSse]) {
      await feed.until((f) => f.items.length > 0, 10_000, 'the snapshot');
      expect(feed.items[0]!.jobUpdated).toMatchObject({ id: job.id, status: 'COMPLETED', result: { late: true } });
    }
  });

  it('refuses a malformed or unknown id with the field named', async () => {
    const client = ws(apiA);
    const malformed = track(subscribeWs(client, WatchJob, { id: 'not-a-uuid' }));
    const unknown = track(subscribeWs(client, WatchJob, { id: '0195f3a0-0000-7000-8000-000000000000' }));
    await malformed.until((f) => f.results.length > 0 || f.error !== undefined);
    await unknown.until((f) => f.results.length > 0 || f.error !== undefined);
    expect(malformed.results[0]?.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['id'] });
    expect(unknown.results[0]?.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: ['id'] });
  });
});

describe('jobEvents', () => {
  it('fans every event out to subscribers on both instances, in the same order, with no gap', async () => {
    const after = await cursorNow('fanout');
    const filter = { queue: ['fanout'] };
    const onA = track(subscribeWs(ws(apiA), WatchJobEvents, { filter, after }));
    const onB = track(subscribeWs(ws(apiB), WatchJobEvents, { filter, after }));
    const overSse = track(subscribeSse(apiB.url, WatchJobEvents, { filter, after }));
    // Both instances submit at once while the worker process runs them: events are
    // published by three processes and reach each instance in whatever order Redis has.
    const batches = await Promise.all(
      Array.from({ length: 6 }, (_, batch) =>
        submitMany(
          batch % 2 ? apiB : apiA,
          Array.from({ length: 25 }, (_, index) => ({ type: 'echo', payload: { batch, index }, queue: 'fanout' })),
        ),
      ),
    );
    const jobs = batches.flat();
    const jobIds = new Set(jobs.map((job) => job.id));
    for (const feed of [onA, onB, overSse]) await feed.until((f) => completedCount(f, jobIds) === 150, 30_000, '150 COMPLETED');

    const expected = (await history('fanout')).filter((event) => BigInt(event.id) > BigInt(after));
    expect(expected).toHaveLength(450);
    for (const feed of [onA, onB, overSse]) {
      const events = feed.items.map((item) => item.jobEvents);
      expectStrictlyIncreasing(ids(events));
      expect(events.map(({ id, jobId, type }) => ({ id, jobId, type }))).toEqual(expected);
      expect(events.every((event) => event.job.queue === 'fanout')).toBe(true);
    }
  });

  it('resumes after the last id seen with exactly what was missed, on another instance', async () => {
    const start = await cursorNow('resume');
    const filter = { queue: ['resume'] };
    const firstClient = ws(apiA);
    const first = track(subscribeWs(firstClient, WatchJobEvents, { filter, after: start }));
    const before = await submitMany(apiA, Array.from({ length: 5 }, (_, index) => ({ type: 'echo', payload: { index }, queue: 'resume' })));
    await first.until((f) => completedCount(f, new Set(before.map((job) => job.id))) === 5, 15_000, 'the first five');
    first.unsubscribe();
    await firstClient.dispose();

    // While the client is away, more jobs run to the end.
    const during = await submitMany(apiB, Array.from({ length: 10 }, (_, index) => ({ type: 'echo', payload: { index }, queue: 'resume' })));
    for (const job of during) {
      await waitFor(async () => ((await apiB.data(GetJob, { id: job.id })).job?.status === 'COMPLETED' ? true : undefined));
    }
    const seen = first.items.map((item) => item.jobEvents);
    const lastSeen = seen.at(-1)!.id;
    const second = track(subscribeWs(ws(apiB), WatchJobEvents, { filter, after: lastSeen }));
    const after = await submitMany(apiA, Array.from({ length: 5 }, (_, index) => ({ type: 'echo', payload: { index }, queue: 'resume' })));
    await second.until((f) => completedCount(f, new Set([...during, ...after].map((job) => job.id))) === 15, 15_000, '15 more');

    const all = [...seen, ...second.items.map((item) => item.jobEvents)];
    expectStrictlyIncreasing(ids(all));
    const expected = (await history('resume')).filter((event) => BigInt(event.id) > BigInt(start));
    expect(all.map(({ id, jobId, type }) => ({ id, jobId, type }))).toEqual(expected);
    expect(expected).toHaveLength(60);
  });

  it('sends only what the filter asks for: job, type, event type', async () => {
    const after = await cursorNow('filters');
    const byType = track(
      subscribeWs(ws(apiA), WatchJobEvents, { filter: { queue: ['filters'], type: ['echo'], eventType: ['COMPLETED', 'FAILED'] }, after }),
    );
    const [echo1, echo2, slept, failing] = await submitMany(apiA, [
      { type: 'echo', payload: 1, queue: 'filters' },
      { type: 'echo', payload: 2, queue: 'filters' },
      { type: 'sleep', payload: { ms: 10 }, queue: 'filters' },
      { type: 'http.request', payload: { url: 'http://127.0.0.1:9/', method: 'GET' }, queue: 'filters', maxAttempts: 1 },
    ]);
    const byJob = track(subscribeWs(ws(apiB), WatchJobEvents, { filter: { jobId: slept!.id }, after }));
    for (const job of [echo1!, echo2!, slept!, failing!]) {
      await waitFor(async () => {
        const status = (await apiA.data(GetJob, { id: job.id })).job?.status;
        return status === 'COMPLETED' || status === 'FAILED' ? true : undefined;
      });
    }
    await byJob.until((f) => f.items.some((item) => item.jobEvents.type === 'COMPLETED'));
    await new Promise((resolve) => setTimeout(resolve, 300)); // anything that should not come would have by now

    const received = byType.items.map((item) => [item.jobEvents.jobId, item.jobEvents.type]);
    expect(received).toHaveLength(2);
    expect(received).toEqual(expect.arrayContaining([[echo1!.id, 'COMPLETED'], [echo2!.id, 'COMPLETED']]));
    const sleptEvents = byJob.items.map((item) => item.jobEvents);
    expect(sleptEvents.every((event) => event.jobId === slept!.id)).toBe(true);
    expect(sleptEvents.map((event) => event.type)).toEqual(['CREATED', 'STARTED', ...sleptEvents.slice(2, -1).map(() => 'PROGRESS'), 'COMPLETED']);
  });

  it('streams throttled progress as PROGRESS events and on the job', async () => {
    const after = await cursorNow('progress');
    const job = await submit(apiA, { type: 'sleep', payload: { ms: 2000 }, queue: 'progress' });
    const progress = track(subscribeWs(ws(apiB), WatchJobEvents, { filter: { jobId: job.id, eventType: ['PROGRESS'] }, after }));
    const updates = track(subscribeWs(ws(apiA), WatchJob, { id: job.id }));
    await updates.until((f) => f.items.some((item) => item.jobUpdated.status === 'COMPLETED'), 15_000);
    await progress.until((f) => f.items.length >= 3);

    const events = progress.items.map((item) => item.jobEvents);
    // sleep reports ten times, every 200 ms; at most one write per 250 ms reaches the record.
    expect(events.length).toBeGreaterThanOrEqual(3);
    expect(events.length).toBeLessThanOrEqual(9);
    for (let index = 1; index < events.length; index++) {
      expect(events[index]!.progress!).toBeGreaterThan(events[index - 1]!.progress!);
      const gap = Date.parse(events[index]!.createdAt) - Date.parse(events[index - 1]!.createdAt);
      expect(gap).toBeGreaterThanOrEqual(200);
    }
    const progressSeen = updates.items.map((item) => item.jobUpdated.progress);
    expect(progressSeen.some((value) => value > 0 && value < 100)).toBe(true);
    // The last report may be overtaken by the end of the attempt, which sets 100.
    expect(updates.items.at(-1)!.jobUpdated).toMatchObject({ status: 'COMPLETED', progress: 100 });
  });

  it('refuses bad arguments with the field named', async () => {
    const client = ws(apiA);
    const cases = [
      { variables: { after: 'yesterday' }, field: ['after'] },
      { variables: { filter: { jobId: 'x' } }, field: ['filter', 'jobId'] },
      { variables: { filter: { queue: Array.from({ length: 101 }, (_, index) => `q${index}`) } }, field: ['filter', 'queue'] },
      { variables: { filter: { type: ['x'.repeat(256)] } }, field: ['filter', 'type'] },
    ];
    for (const { variables, field } of cases) {
      const feed = track(subscribeWs(client, WatchJobEvents, variables));
      await feed.until((f) => f.results.length > 0 || f.error !== undefined);
      expect(feed.results[0]?.errors?.[0]?.extensions, JSON.stringify(variables).slice(0, 100)).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });

  it('serves queries over the same WebSocket', async () => {
    const feed = track(subscribeWs(ws(apiB), '{ jobTypes { name } }'));
    await feed.until((f) => f.completed);
    expect(feed.items[0]).toMatchObject({ jobTypes: expect.arrayContaining([{ name: 'echo' }]) });
  });
});
