/* eslint-disable @typescript-eslint/no-explicit-any -- raw GraphQL responses, walked by path */
// What operators use (issue 12): tags to find jobs, and bulk retry, cancel and delete by
// filter, bounded by MAX_BULK_JOBS and the rate limits, within the caller's tenant.
import { SignJWT } from 'jose';
import pg from 'pg';
import { z } from 'zod';
import { defineHandler } from '../src/handlers/handler.js';
import { databaseUrl } from './helpers/db.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, waitFor, type TestApp } from './helpers/app.js';

const OPS = 'ops-operators-0123456789';
const JWT_SECRET = 'operators-jwt-secret-0123456789abcdef';
let app: TestApp;

/** A handler that talks: what it logs through ctx.logger is kept with the job. */
const chatty = defineHandler({
  name: 'chatty',
  description: 'Logs, and fails its first attempt when asked.',
  payload: z.object({ lines: z.number().int().min(0).max(100), failFirst: z.boolean().default(false), failAlways: z.boolean().default(false) }),
  async run({ lines, failFirst, failAlways }, ctx) {
    ctx.logger.info({ step: 'begin', attempt: ctx.attempt }, 'starting %s', 'the work');
    ctx.logger.debug('not kept: below JOB_LOG_LEVEL');
    ctx.logger.child({ part: 'upload' }).warn('slow upstream');
    for (let i = 0; i < lines; i++) ctx.logger.info(`line ${i}`);
    if (failAlways || (failFirst && ctx.attempt === 1)) {
      ctx.logger.error(new Error('upstream said 503'));
      throw new Error('upstream said 503');
    }
    return { ok: true };
  },
});

beforeAll(async () => {
  app = await startTestApp(
    { API_KEYS: `ops:${OPS}:admin`, JWT_SECRET, MAX_BULK_JOBS: '12', RATE_LIMIT_TENANT_JOBS_PER_MINUTE: '50', WORKER_HEARTBEAT_MS: '300', JOB_LOG_MAX_LINES: '5' },
    { handlers: [chatty] },
  );
});
afterAll(async () => {
  await app?.stop();
});

const user = (sub: string, tenant: string) =>
  new SignJWT({ tenant, scope: 'jobs:read jobs:write' }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime('10m').sign(new TextEncoder().encode(JWT_SECRET));

async function post(credential: string, query: string, variables: Record<string, unknown> = {}): Promise<{ data?: any; errors?: { extensions?: { code?: string } }[] }> {
  const response = await fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: any; errors?: { extensions?: { code?: string } }[] };
}

async function data(credential: string, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const body = await post(credential, query, variables);
  if (body.errors?.length || !body.data) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

const SUBMIT_MANY = 'mutation ($input: [SubmitJobInput!]!) { submitJobs(input: $input) { jobs { id tags status } userErrors { code field message } } }';
const LATER = () => new Date(Date.now() + 3_600_000).toISOString();

async function submitMany(credential: string, count: number, input: Record<string, unknown>): Promise<any[]> {
  const { submitJobs } = await data(credential, SUBMIT_MANY, { input: Array.from({ length: count }, () => ({ type: 'echo', payload: {}, ...input })) });
  expect(submitJobs.userErrors).toEqual([]);
  return submitJobs.jobs;
}

const statuses = async (credential: string, tag: string) =>
  (await data(credential, 'query ($tags: [String!]) { jobs(first: 100, filter: { tags: $tags }) { nodes { status } } }', { tags: [tag] })).jobs.nodes.map((job: any) => job.status);

describe('tags', () => {
  it('are stored with a job and find jobs carrying every tag asked for', async () => {
    const [both] = await submitMany(OPS, 1, { tags: ['billing', 'eu', 'billing'] });
    await submitMany(OPS, 1, { tags: ['billing'] });
    await submitMany(OPS, 1, { tags: ['eu'] });
    expect(both.tags).toEqual(['billing', 'eu']);
    const find = async (tags: string[]) => (await data(OPS, 'query ($tags: [String!]) { jobs(filter: { tags: $tags }) { totalCount } }', { tags })).jobs.totalCount;
    expect(await find(['billing', 'eu'])).toBe(1);
    expect(await find(['billing'])).toBe(2);
    expect(await find(['eu'])).toBe(2);
    expect(await find(['none-such'])).toBe(0);
  });

  it('are bounded: at most 20, each 1 to 64 characters', async () => {
    const submit = async (tags: string[]) =>
      (await data(OPS, 'mutation ($input: SubmitJobInput!) { submitJob(input: $input) { job { id } userErrors { code field } } }', { input: { type: 'echo', payload: {}, tags } })).submitJob;
    expect((await submit(Array.from({ length: 21 }, (_, i) => `t${i}`))).userErrors).toEqual([{ code: 'INVALID_INPUT', field: ['input', 'tags'] }]);
    expect((await submit(['x'.repeat(65)])).userErrors).toEqual([{ code: 'INVALID_INPUT', field: ['input', 'tags', '0'] }]);
    expect((await submit(['ok', ''])).userErrors).toEqual([{ code: 'INVALID_INPUT', field: ['input', 'tags', '1'] }]);
  });
});

describe('bulk actions', () => {
  const CANCEL = 'mutation ($filter: JobFilter!) { cancelJobs(filter: $filter) { count userErrors { code field message } } }';
  const RETRY = 'mutation ($filter: JobFilter!) { retryJobs(filter: $filter) { count userErrors { code field message } } }';
  const DELETE = 'mutation ($filter: JobFilter!) { deleteJobs(filter: $filter) { count userErrors { code field message } } }';

  it('cancel, retry and delete every job a filter matches, each recorded as the job\'s event', async () => {
    const jobs = await submitMany(OPS, 10, { tags: ['nightly-batch'], runAt: LATER() });
    await submitMany(OPS, 2, { tags: ['other'], runAt: LATER() });
    expect((await data(OPS, CANCEL, { filter: { tags: ['nightly-batch'] } })).cancelJobs).toEqual({ count: 10, userErrors: [] });
    expect(new Set(await statuses(OPS, 'nightly-batch'))).toEqual(new Set(['CANCELLED']));
    expect(new Set(await statuses(OPS, 'other'))).toEqual(new Set(['SCHEDULED']));
    const history = await data(OPS, 'query ($id: ID!) { job(id: $id) { events { nodes { type message } } } }', { id: jobs[0].id });
    expect(history.job.events.nodes.at(-1)).toEqual({ type: 'CANCELLED', message: 'bulk cancel by ops' });

    expect((await data(OPS, RETRY, { filter: { tags: ['nightly-batch'] } })).retryJobs).toEqual({ count: 10, userErrors: [] });
    await waitFor(async () => ((await statuses(OPS, 'nightly-batch')).every((status: string) => status === 'COMPLETED') ? true : undefined), 15_000, 'the retried jobs');
    // Only finished jobs are deleted: the scheduled ones of the same filter stay.
    expect((await data(OPS, DELETE, { filter: { tags: ['nightly-batch'] } })).deleteJobs).toEqual({ count: 10, userErrors: [] });
    expect(await statuses(OPS, 'nightly-batch')).toEqual([]);
    expect((await data(OPS, 'query ($id: ID!) { job(id: $id) { id } }', { id: jobs[0].id })).job).toBeNull();
    expect((await data(OPS, DELETE, { filter: { tags: ['other'] } })).deleteJobs.count).toBe(0);
    expect((await data(OPS, CANCEL, { filter: { tags: ['other'] } })).cancelJobs.count).toBe(2);
  });

  it('refuse a filter matching more than MAX_BULK_JOBS, changing nothing', async () => {
    await submitMany(OPS, 13, { tags: ['too-many'], runAt: LATER() });
    const refused = (await data(OPS, CANCEL, { filter: { tags: ['too-many'] } })).cancelJobs;
    expect(refused.count).toBe(0);
    expect(refused.userErrors[0]).toMatchObject({ code: 'LIMIT_EXCEEDED', field: ['filter'] });
    expect(refused.userErrors[0].message).toContain('MAX_BULK_JOBS');
    expect(new Set(await statuses(OPS, 'too-many'))).toEqual(new Set(['SCHEDULED']));
    // A status filter the action cannot apply to matches nothing, and changes nothing.
    expect((await data(OPS, CANCEL, { filter: { tags: ['too-many'], status: ['COMPLETED'] } })).cancelJobs).toEqual({ count: 0, userErrors: [] });
  });

  it('touch only the caller\'s tenant, and count against its rate limit before changing anything', async () => {
    const [xena, yann] = [await user('xena', 'X'), await user('yann', 'Y')];
    await submitMany(xena, 5, { tags: ['shared-tag'], runAt: LATER() });
    await submitMany(yann, 10, { tags: ['shared-tag'], runAt: LATER() });
    expect((await data(xena, CANCEL, { filter: { tags: ['shared-tag'] } })).cancelJobs.count).toBe(5);
    expect(new Set(await statuses(yann, 'shared-tag'))).toEqual(new Set(['SCHEDULED']));
    // Tenant Y has used 45 of its 50 a minute: cancelling 10 more is refused whole.
    await submitMany(yann, 35, { runAt: LATER() });
    const response = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${yann}` },
      body: JSON.stringify({ query: CANCEL, variables: { filter: { tags: ['shared-tag'] } } }),
    });
    const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
    expect(response.status).toBe(429);
    expect(body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(new Set(await statuses(yann, 'shared-tag'))).toEqual(new Set(['SCHEDULED']));
  });
});

describe('workers', () => {
  const WORKERS = '{ workers { id hostname pid queues concurrency running { id } startedAt lastSeenAt } }';

  it('lists the live worker processes with what each runs, and forgets one that stopped beating', async () => {
    const [sleeper] = await submitMany(OPS, 1, { type: 'sleep', payload: { ms: 1500 } });
    const busy = await waitFor(async () => {
      const { workers } = await data(OPS, WORKERS);
      return workers.length === 1 && workers[0].running.some((job: any) => job.id === sleeper.id) ? workers[0] : undefined;
    }, 10_000, 'the worker to show its running job');
    expect(busy).toMatchObject({ pid: process.pid, queues: ['default'], concurrency: 10 });
    expect(Date.now() - new Date(busy.lastSeenAt).getTime()).toBeLessThan(15_000);
    // A tenant's user learns nothing of the machine (issue 18, finding 7): no host, pid or queue.
    const refused = await post(await user('zed', 'Z'), WORKERS);
    expect(refused.data).toBeNull();
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    // A worker that died without a goodbye: its entry is gone once it has missed three beats.
    const { Redis } = await import('ioredis');
    const redis = new Redis(app.config.REDIS_URL);
    try {
      const prefix = app.config.QUEUE_PREFIX;
      const ghost = { ...busy, id: 'ghost', running: [], lastSeenAt: new Date(Date.now() - 60_000).toISOString() };
      await redis.hset(`${prefix}:workers`, 'ghost', JSON.stringify(ghost));
      await redis.zadd(`${prefix}:workers:seen`, Date.now() - 60_000, 'ghost');
      expect((await data(OPS, WORKERS)).workers.map((worker: any) => worker.id)).toEqual([busy.id]);
      expect(await redis.hexists(`${prefix}:workers`, 'ghost')).toBe(0);
    } finally {
      redis.disconnect();
    }
    await waitFor(async () => ((await data(OPS, WORKERS)).workers[0].running.length === 0 ? true : undefined), 15_000, 'the job to finish');
  });
});

describe('job logs', () => {
  const LOGS = 'query ($id: ID!) { job(id: $id) { status attempts logs(first: 100) { nodes { attempt level message data at } } } }';

  it('keeps what a handler logs with the job, every attempt, and loses it with the job', async () => {
    const [job] = await submitMany(OPS, 1, { type: 'chatty', payload: { lines: 0, failFirst: true }, maxAttempts: 2, backoff: { type: 'FIXED', delayMs: 10 } });
    const done = await waitFor(async () => {
      const found = (await data(OPS, LOGS, { id: job.id })).job;
      return found.status === 'COMPLETED' ? found : undefined;
    }, 15_000, 'the chatty job');
    const lines = done.logs.nodes.map(({ attempt, level, message, data: fields }: any) => ({ attempt, level, message, data: fields }));
    expect(lines).toEqual([
      { attempt: 1, level: 'INFO', message: 'starting the work', data: { step: 'begin', attempt: 1 } },
      { attempt: 1, level: 'WARN', message: 'slow upstream', data: null },
      { attempt: 1, level: 'ERROR', message: 'upstream said 503', data: { error: 'Error', message: 'upstream said 503' } },
      { attempt: 2, level: 'INFO', message: 'starting the work', data: { step: 'begin', attempt: 2 } },
      { attempt: 2, level: 'WARN', message: 'slow upstream', data: null },
    ]);

    expect((await data(OPS, 'mutation ($filter: JobFilter!) { deleteJobs(filter: $filter) { count } }', { filter: { type: ['chatty'] } })).deleteJobs.count).toBe(1);
    const client = new pg.Client({ connectionString: databaseUrl(app.database) });
    await client.connect();
    try {
      expect((await client.query('SELECT count(*)::int AS n FROM job_logs WHERE job_id = $1', [job.id])).rows[0].n).toBe(0);
    } finally {
      await client.end();
    }
  });

  it('keeps at most JOB_LOG_MAX_LINES per job, over attempts and retries, and says so once', async () => {
    const [job] = await submitMany(OPS, 1, { type: 'chatty', payload: { lines: 50 } });
    const done = await waitFor(async () => {
      const found = (await data(OPS, LOGS, { id: job.id })).job;
      return found.status === 'COMPLETED' ? found : undefined;
    }, 15_000, 'the chatty job');
    expect(done.logs.nodes).toHaveLength(6);
    expect(done.logs.nodes.at(-1)).toMatchObject({ level: 'WARN', message: expect.stringContaining('JOB_LOG_MAX_LINES = 5') });

    // A job retried again and again does not grow its logs past the bound.
    const [failing] = await submitMany(OPS, 1, { type: 'chatty', payload: { lines: 3, failAlways: true }, maxAttempts: 1 });
    const failed = async () =>
      waitFor(async () => {
        const found = (await data(OPS, LOGS, { id: failing.id })).job;
        return found.status === 'FAILED' ? found : undefined;
      }, 15_000, 'the failing job');
    expect((await failed()).logs.nodes).toHaveLength(6);
    const failures = async () => (await data(OPS, 'query ($id: ID!) { job(id: $id) { events { nodes { type } } } }', { id: failing.id })).job.events.nodes.filter((event: any) => event.type === 'FAILED').length;
    for (let i = 0; i < 2; i++) {
      expect((await data(OPS, 'mutation ($id: ID!) { retryJob(id: $id) { userErrors { code } } }', { id: failing.id })).retryJob.userErrors).toEqual([]);
      await waitFor(async () => ((await failures()) === i + 2 ? true : undefined), 15_000, 'the retried job to fail again');
    }
    expect((await failed()).logs.nodes).toHaveLength(6);
  });
});
