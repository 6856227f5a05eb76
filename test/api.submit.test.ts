// submitJob and submitJobs over HTTP: defaults, delays, priorities, idempotency, and
// every refusal naming its field with nothing stored.
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, waitFor, type TestApp } from './helpers/app.js';
import { GetJob, Stats, SubmitJob, SubmitJobs } from './operations.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ QUEUES: 'default,mail', MAX_PAYLOAD_BYTES: '2048', MAX_BATCH_SIZE: '50', MAX_BODY_BYTES: '65536' });
});
afterAll(async () => {
  await t?.stop();
});

const total = async () => (await t.data(Stats, {})).jobStats.total;

async function finished(id: string) {
  return waitFor(async () => {
    const { job } = await t.data(GetJob, { id });
    return job && ['COMPLETED', 'FAILED', 'CANCELLED'].includes(job.status) ? job : undefined;
  });
}

describe('submitJob', () => {
  it('runs an echo job to COMPLETED with its payload as the result', async () => {
    const { submitJob } = await t.data(SubmitJob, { input: { type: 'echo', payload: { hello: ['world', 1] } } });
    expect(submitJob.userErrors).toEqual([]);
    expect(submitJob.job).toMatchObject({ queue: 'default', status: 'PENDING', priority: 0, attempts: 0, maxAttempts: 3 });
    const job = await finished(submitJob.job!.id);
    expect(job).toMatchObject({ status: 'COMPLETED', result: { hello: ['world', 1] }, attempts: 1, progress: 100 });
    expect(job.events.nodes.map((event) => event.type)).toEqual(['CREATED', 'STARTED', 'COMPLETED']);
    const ids = job.events.nodes.map((event) => BigInt(event.id));
    expect([...ids].sort((a, b) => (a < b ? -1 : 1))).toEqual(ids);
  });

  it('holds a delayed job SCHEDULED until runAt', async () => {
    const runAt = new Date(Date.now() + 1500);
    const { submitJob } = await t.data(SubmitJob, { input: { type: 'echo', payload: 1, runAt: runAt.toISOString() } });
    expect(submitJob.job).toMatchObject({ status: 'SCHEDULED', runAt: runAt.toISOString() });
    const job = await finished(submitJob.job!.id);
    expect(job.status).toBe('COMPLETED');
    expect(new Date(job.startedAt!).getTime()).toBeGreaterThanOrEqual(runAt.getTime());
  });

  it('returns the first job for an idempotency key, also under concurrent submits', async () => {
    const input = { type: 'echo', payload: { n: 1 }, idempotencyKey: 'order-42' };
    const results = await Promise.all(Array.from({ length: 8 }, () => t.data(SubmitJob, { input })));
    const ids = new Set(results.map((result) => result.submitJob.job!.id));
    expect(ids.size).toBe(1);
    // A different payload with the same key still returns the first job, unchanged.
    const again = await t.data(SubmitJob, { input: { ...input, payload: { n: 2 } } });
    expect(again.submitJob.job).toMatchObject({ id: [...ids][0], payload: { n: 1 } });
  });
});

describe('submitJobs', () => {
  it('stores a batch in input order, sharing ids for repeated keys', async () => {
    const input: { type: string; payload: unknown; priority?: number; queue?: string; idempotencyKey?: string }[] = Array.from(
      { length: 20 },
      (_, i) => ({ type: 'echo', payload: { i }, priority: i % 3, queue: i % 2 ? 'mail' : 'default' }),
    );
    input.push({ type: 'echo', payload: { i: 'k' }, idempotencyKey: 'batch-key' });
    input.push({ type: 'echo', payload: { i: 'k2' }, idempotencyKey: 'batch-key' });
    const { submitJobs } = await t.data(SubmitJobs, { input });
    expect(submitJobs.userErrors).toEqual([]);
    expect(submitJobs.jobs.map((job) => job.payload)).toEqual([...input.slice(0, 21).map((i) => i.payload), { i: 'k' }]);
    expect(submitJobs.jobs[20]!.id).toBe(submitJobs.jobs[21]!.id);
    for (const job of submitJobs.jobs) await finished(job.id);
  });

  it('stores nothing when one input is bad, and names that input', async () => {
    const before = await total();
    const { submitJobs } = await t.data(SubmitJobs, {
      input: [
        { type: 'echo', payload: 1 },
        { type: 'echo', payload: 2, priority: 101 },
        { type: 'sleep', payload: { ms: -5 } },
      ],
    });
    expect(submitJobs.jobs).toEqual([]);
    expect(submitJobs.userErrors).toEqual([
      expect.objectContaining({ code: 'INVALID_INPUT', field: ['input', '1', 'priority'] }),
      expect.objectContaining({ code: 'INVALID_INPUT', field: ['input', '2', 'payload', 'ms'] }),
    ]);
    expect(await total()).toBe(before);
  });

  it('refuses a batch over the configured size', async () => {
    const input = Array.from({ length: 51 }, () => ({ type: 'echo', payload: 1 }));
    const { submitJobs } = await t.data(SubmitJobs, { input });
    expect(submitJobs.userErrors[0]).toMatchObject({ code: 'INVALID_INPUT', field: ['input'] });
    expect(submitJobs.userErrors[0]!.message).toContain('at most 50');
  });
});

describe('refusals', () => {
  const cases: [string, Record<string, unknown>, string, string[]][] = [
    ['unknown type', { type: 'no.such', payload: {} }, 'UNKNOWN_JOB_TYPE', ['input', 'type']],
    ['payload over the limit', { type: 'echo', payload: 'x'.repeat(3000) }, 'PAYLOAD_TOO_LARGE', ['input', 'payload']],
    ['payload breaking its schema', { type: 'http.request', payload: { url: 'ftp://x', method: 'GET' } }, 'INVALID_INPUT', ['input', 'payload', 'url']],
    ['missing payload field', { type: 'http.request', payload: { url: 'http://x' } }, 'INVALID_INPUT', ['input', 'payload', 'method']],
    ['NUL in a payload string', { type: 'echo', payload: { a: 'x\u0000y' } }, 'INVALID_INPUT', ['input', 'payload', 'a']],
    ['priority below 0', { type: 'echo', payload: 1, priority: -1 }, 'INVALID_INPUT', ['input', 'priority']],
    ['maxAttempts 0', { type: 'echo', payload: 1, maxAttempts: 0 }, 'INVALID_INPUT', ['input', 'maxAttempts']],
    ['maxAttempts 101', { type: 'echo', payload: 1, maxAttempts: 101 }, 'INVALID_INPUT', ['input', 'maxAttempts']],
    ['unknown queue', { type: 'echo', payload: 1, queue: 'nope' }, 'INVALID_INPUT', ['input', 'queue']],
    ['timeout 0', { type: 'echo', payload: 1, timeoutMs: 0 }, 'INVALID_INPUT', ['input', 'timeoutMs']],
    ['empty idempotency key', { type: 'echo', payload: 1, idempotencyKey: '' }, 'INVALID_INPUT', ['input', 'idempotencyKey']],
    ['long idempotency key', { type: 'echo', payload: 1, idempotencyKey: 'k'.repeat(256) }, 'INVALID_INPUT', ['input', 'idempotencyKey']],
    ['type too long', { type: 't'.repeat(101), payload: 1 }, 'INVALID_INPUT', ['input', 'type']],
    ['runAt years ahead', { type: 'echo', payload: 1, runAt: '2099-01-01T00:00:00Z' }, 'INVALID_INPUT', ['input', 'runAt']],
    [
      'maxDelayMs below delayMs',
      { type: 'echo', payload: 1, backoff: { type: 'FIXED', delayMs: 100, maxDelayMs: 10 } },
      'INVALID_INPUT',
      ['input', 'backoff', 'maxDelayMs'],
    ],
    ['negative backoff delay', { type: 'echo', payload: 1, backoff: { type: 'FIXED', delayMs: -1 } }, 'INVALID_INPUT', ['input', 'backoff', 'delayMs']],
  ];

  it.each(cases)('refuses %s with %s and stores nothing', async (_name, input, code, field) => {
    const before = await total();
    const { submitJob } = await t.data(SubmitJob, { input: input as never });
    expect(submitJob.job).toBeNull();
    expect(submitJob.userErrors).toHaveLength(1);
    expect(submitJob.userErrors[0]).toMatchObject({ code, field });
    expect(submitJob.userErrors[0]!.message.length).toBeGreaterThan(10);
    expect(await total()).toBe(before);
  });

  it('answers 413 to a body over the server limit and keeps serving', async () => {
    const response = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(70_000) } }),
    });
    expect(response.status).toBe(413);
    expect((await t.data('{ __typename }')) as unknown).toEqual({ __typename: 'Query' });
  });

  it('reports a wrongly typed variable as a GraphQL error, not a 500', async () => {
    const response = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: print(SubmitJob), variables: { input: { type: 'echo', payload: 1, priority: 'high' } } }),
    });
    expect(response.status).toBeLessThan(500);
    const body = (await response.json()) as { errors?: { message: string }[] };
    expect(body.errors?.[0]?.message).toContain('priority');
  });
});
