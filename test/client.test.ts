// The typed client (packages/client/) against a real service with API keys, as an application
// would use it: submit, await completion through a subscription, cancel, refusals.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createJobgraphClient, JobgraphError, type JobgraphClient } from '@jobgraph/client';
import { startTestApp, type TestApp } from './helpers/app.js';

const SECRET = 'client-test-0123456789abcdef';
let app: TestApp;
let client: JobgraphClient;

beforeAll(async () => {
  app = await startTestApp({ API_KEYS: `app:${SECRET}:jobs:read,jobs:write` });
  client = createJobgraphClient({ url: app.url, apiKey: SECRET, webSocketImpl: WebSocket });
});
afterAll(async () => {
  await client?.close();
  await app?.stop();
});

it('submits a job and awaits its completion', async () => {
  const job = await client.submitJob({ type: 'sleep', payload: { ms: 300 } });
  expect(job).toMatchObject({ status: 'PENDING', submittedBy: 'app' });
  const done = await client.waitForJob(job.id, 10_000);
  expect(done).toMatchObject({ id: job.id, status: 'COMPLETED', result: { sleptMs: 300 } });
});

it('submits a batch, cancels one, and reports refusals as JobgraphError', async () => {
  const [quick, slow] = await client.submitJobs([
    { type: 'echo', payload: 'a' },
    { type: 'sleep', payload: { ms: 30_000 } },
  ]);
  await client.cancelJob(slow!.id);
  expect((await client.waitForJob(slow!.id, 10_000)).status).toBe('CANCELLED');
  expect((await client.waitForJob(quick!.id, 10_000)).result).toBe('a');

  const refused = await client.submitJob({ type: 'nope', payload: {} }).catch((error: unknown) => error);
  expect(refused).toBeInstanceOf(JobgraphError);
  expect((refused as JobgraphError).userErrors[0]).toMatchObject({ code: 'UNKNOWN_JOB_TYPE', field: ['input', 'type'] });

  const stranger = createJobgraphClient({ url: app.url, apiKey: 'wrong-key-0123456789abcdef' });
  const denied = await stranger.job(quick!.id).catch((error: unknown) => error);
  expect((denied as JobgraphError).codes).toEqual(['UNAUTHENTICATED']);
});

it('submits a flow and watches it to the end', async () => {
  const flow = await client.submitFlow({
    name: 'report',
    jobs: [
      { key: 'collect', job: { type: 'echo', payload: { rows: 3 } } },
      { key: 'render', job: { type: 'sleep', payload: { ms: 100 } }, dependsOn: ['collect'] },
    ],
  });
  expect(flow).toMatchObject({ name: 'report', status: 'RUNNING' });
  expect(flow.jobs.map((job) => job.status)).toEqual(['PENDING', 'BLOCKED']);
  const done = await new Promise<typeof flow>((resolve, reject) => {
    const stop = client.watchFlow(flow.id, (update) => {
      if (update.status === 'RUNNING') return;
      stop();
      resolve(update);
    }, reject);
  });
  expect(done.status).toBe('COMPLETED');
  expect(done.jobs[1]!.dependsOn).toEqual([{ id: flow.jobs[0]!.id }]);
});
