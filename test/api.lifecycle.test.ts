// Attempts, backoff, retryJob and cancelJob end to end: real workers, a real HTTP
// endpoint that fails on purpose, and handlers that observe their abort signal.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineHandler, PermanentError } from '../src/handlers/handler.js';
import { startTestApp, waitFor, type TestApp } from './helpers/app.js';
import { CancelJob, GetJob, RetryJob, SubmitJob } from './operations.js';

let t: TestApp;
let server: Server;
let endpoint: string;
/** Requests left to fail, per path. */
const failuresLeft = new Map<string, number>();
const aborted = new Set<string>();

const permanent = defineHandler({
  name: 'test.permanent',
  description: 'Throws a PermanentError.',
  payload: z.object({}),
  run: async () => {
    throw new PermanentError('card declined');
  },
});
const stubborn = defineHandler({
  name: 'test.stubborn',
  description: 'Ignores its abort signal for a long time.',
  payload: z.object({}),
  run: () => new Promise((resolve) => setTimeout(resolve, 10_000).unref()),
});
const watcher = defineHandler({
  name: 'test.watcher',
  description: 'Waits until aborted and records that it was.',
  payload: z.object({ tag: z.string() }),
  run: ({ tag }, ctx) =>
    new Promise((_, reject) => {
      ctx.signal.addEventListener('abort', () => {
        aborted.add(tag);
        reject(ctx.signal.reason as Error);
      });
    }),
});

beforeAll(async () => {
  server = createServer((req, res) => {
    const left = failuresLeft.get(req.url ?? '') ?? 0;
    failuresLeft.set(req.url ?? '', left - 1);
    res.writeHead(left > 0 ? 503 : 200, { 'content-type': 'text/plain' }).end(left > 0 ? 'busy' : 'ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The flaky endpoints are local: loopback must be allowed for http.request.
  t = await startTestApp({ HTTP_ALLOW_HOSTS: '127.0.0.1' }, { handlers: [permanent, stubborn, watcher] });
});
afterAll(async () => {
  await t?.stop();
  server?.close();
});

async function status(id: string, wanted: string[], timeoutMs = 10_000) {
  return waitFor(
    async () => {
      const { job } = await t.data(GetJob, { id });
      return job && wanted.includes(job.status) ? job : undefined;
    },
    timeoutMs,
    `job ${id} to be ${wanted.join(' or ')}`,
  );
}

async function submit(input: Parameters<TestApp['data']>[1] extends never ? never : Record<string, unknown>) {
  const { submitJob } = await t.data(SubmitJob, { input: input as never });
  expect(submitJob.userErrors).toEqual([]);
  return submitJob.job!.id;
}

describe('attempts and backoff', () => {
  it('retries a flaky http.request with backoff until it completes', async () => {
    failuresLeft.set('/flaky', 2);
    const id = await submit({
      type: 'http.request',
      payload: { url: `${endpoint}/flaky`, method: 'POST', body: 'hi' },
      maxAttempts: 5,
      backoff: { type: 'EXPONENTIAL', delayMs: 100, jitter: 'NONE' },
    });
    const job = await status(id, ['COMPLETED']);
    expect(job).toMatchObject({ attempts: 3, lastError: expect.stringContaining('503') });
    expect(job.result).toMatchObject({ status: 200, body: 'ok' });
    const retries = job.events.nodes.filter((event) => event.type === 'RETRY_SCHEDULED');
    expect(retries.map((event) => event.data)).toEqual([100, 200].map((delayMs) => ({ delayMs, error: expect.objectContaining({ name: 'Error', message: expect.stringContaining('answered 503') }) })));
    expect(job.events.nodes.map((event) => event.type)).toEqual([
      'CREATED', 'STARTED', 'RETRY_SCHEDULED', 'STARTED', 'RETRY_SCHEDULED', 'STARTED', 'COMPLETED',
    ]);
  });

  it('fails an exhausted job, and retryJob brings it back with fresh attempts', async () => {
    failuresLeft.set('/down', 3);
    const id = await submit({ type: 'http.request', payload: { url: `${endpoint}/down`, method: 'GET' }, maxAttempts: 2 });
    const failed = await status(id, ['FAILED']);
    expect(failed).toMatchObject({ attempts: 2, lastError: expect.stringContaining('503') });
    expect(failed.finishedAt).not.toBeNull();
    const { retryJob } = await t.data(RetryJob, { id });
    expect(retryJob).toMatchObject({ userErrors: [], job: { status: 'PENDING', attempts: 0 } });
    // One more failure is left on the endpoint: the fresh set of two attempts absorbs it.
    const done = await status(id, ['COMPLETED']);
    expect(done.attempts).toBe(2);
    expect(done.events.nodes.map((event) => event.type)).toContain('RETRIED');
  });

  it('fails at once on a permanent error, whatever attempts are left', async () => {
    const id = await submit({ type: 'test.permanent', payload: {}, maxAttempts: 5 });
    expect(await status(id, ['FAILED'])).toMatchObject({ attempts: 1, lastError: 'card declined' });
  });

  it('fails an attempt that outlives timeoutMs, even if the handler ignores its signal', async () => {
    const id = await submit({ type: 'test.stubborn', payload: {}, maxAttempts: 1, timeoutMs: 200 });
    const job = await status(id, ['FAILED'], 5000);
    expect(job.lastError).toBe('timed out after 200 ms');
  });
});

describe('cancelJob', () => {
  it('aborts a running handler and records CANCELLED within a second or two', async () => {
    const id = await submit({ type: 'test.watcher', payload: { tag: 'run-1' } });
    await status(id, ['RUNNING']);
    const started = Date.now();
    const { cancelJob } = await t.data(CancelJob, { id });
    expect(cancelJob).toMatchObject({ userErrors: [], job: { status: 'CANCELLED' } });
    await waitFor(async () => (aborted.has('run-1') ? true : undefined), 2000, 'the handler to see its abort signal');
    expect(Date.now() - started).toBeLessThan(2000);
    // The worker's late outcome is refused: the job stays CANCELLED.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await t.data(GetJob, { id })).job).toMatchObject({ status: 'CANCELLED' });
  });

  it('cancels a running sleep job', async () => {
    const id = await submit({ type: 'sleep', payload: { ms: 20_000 } });
    await status(id, ['RUNNING']);
    await t.data(CancelJob, { id });
    const job = await status(id, ['CANCELLED']);
    expect(job.events.nodes.at(-1)).toMatchObject({ type: 'CANCELLED', status: 'CANCELLED' });
  });

  it('keeps a cancelled delayed job from ever running', async () => {
    const id = await submit({ type: 'echo', payload: 1, runAt: new Date(Date.now() + 500).toISOString() });
    await t.data(CancelJob, { id });
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const { job } = await t.data(GetJob, { id });
    expect(job).toMatchObject({ status: 'CANCELLED', attempts: 0, startedAt: null });
  });

  it('runs a SCHEDULED job, and a RETRYING one, now with promoteJob; refuses a finished one', async () => {
    const PROMOTE = 'mutation ($id: ID!) { promoteJob(id: $id) { job { id status } userErrors { code field message } } }';
    type Promoted = { promoteJob: { job: { status: string } | null; userErrors: { code: string; message: string }[] } };
    const scheduled = await submit({ type: 'echo', payload: 'later', runAt: new Date(Date.now() + 3_600_000).toISOString() });
    await status(scheduled, ['SCHEDULED']);
    const first = await t.data<Promoted, { id: string }>(PROMOTE, { id: scheduled });
    expect(first.promoteJob).toEqual({ job: { id: scheduled, status: 'PENDING' }, userErrors: [] });
    const ran = await status(scheduled, ['COMPLETED'], 5000);
    expect(ran.events.nodes.map((event) => event.type)).toEqual(['CREATED', 'PROMOTED', 'STARTED', 'COMPLETED']);

    // A minute's backoff after the first failure: promoted, the second attempt runs at once.
    failuresLeft.set('/promoted', 1);
    const retrying = await submit({ type: 'http.request', payload: { url: `${endpoint}/promoted`, method: 'GET' }, maxAttempts: 3, backoff: { type: 'FIXED', delayMs: 60_000, jitter: 'NONE' } });
    await status(retrying, ['RETRYING']);
    expect((await t.data<Promoted, { id: string }>(PROMOTE, { id: retrying })).promoteJob.userErrors).toEqual([]);
    const done = await status(retrying, ['COMPLETED'], 5000);
    expect(done.attempts).toBe(2);

    const again = await t.data<Promoted, { id: string }>(PROMOTE, { id: scheduled });
    expect(again.promoteJob.job).toBeNull();
    expect(again.promoteJob.userErrors[0]).toMatchObject({ code: 'INVALID_STATE', message: expect.stringContaining('only SCHEDULED, RETRYING jobs can be run now') });
  });

  it('refuses to cancel a finished job or retry an unfinished one', async () => {
    const id = await submit({ type: 'echo', payload: 1 });
    await status(id, ['COMPLETED']);
    const { cancelJob } = await t.data(CancelJob, { id });
    expect(cancelJob).toMatchObject({ job: null, userErrors: [{ code: 'INVALID_STATE', field: ['id'] }] });
    expect(cancelJob.userErrors[0]!.message).toContain('COMPLETED');
    const { retryJob } = await t.data(RetryJob, { id });
    expect(retryJob.userErrors[0]).toMatchObject({ code: 'INVALID_STATE' });
  });

  it('answers NOT_FOUND for an unknown id and INVALID_INPUT for a malformed one', async () => {
    const unknown = await t.data(CancelJob, { id: '01a20823-5c7f-7739-ac0a-5df04acb4be1' });
    expect(unknown.cancelJob.userErrors[0]).toMatchObject({ code: 'NOT_FOUND', field: ['id'] });
    const malformed = await t.data(RetryJob, { id: 'not-an-id' });
    expect(malformed.retryJob.userErrors[0]).toMatchObject({ code: 'INVALID_INPUT', field: ['id'] });
  });
});
