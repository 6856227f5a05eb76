// GET /metrics as Prometheus scrapes it: job counters by queue and type, attempt
// durations, depth by status from PostgreSQL, open subscriptions, GraphQL timings.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, waitFor, type TestApp } from './helpers/app.js';
import { connectWs, subscribeWs } from './helpers/live.js';
import { Stats, SubmitJobs, WatchJob, WatchJobEvents } from './operations.js';

let app: TestApp;
beforeAll(async () => {
  // Its failing http.request points at loopback, which jobs may reach only when allowed.
  app = await startTestApp({ HTTP_ALLOW_HOSTS: '127.0.0.1' });
});
afterAll(async () => {
  await app?.stop();
});

async function scrape(): Promise<string> {
  const response = await fetch(app.url.replace('/graphql', '/metrics'));
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/text\/plain/);
  return response.text();
}

function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

it('exposes job counters, attempt durations, depth by status, subscriptions and GraphQL timings', async () => {
  const feed = subscribeWs(connectWs(app.url), WatchJobEvents, {});
  await app.data(SubmitJobs, {
    input: [
      ...Array.from({ length: 3 }, () => ({ type: 'echo', payload: 1 })),
      { type: 'http.request', payload: { url: 'http://127.0.0.1:9/', method: 'GET' }, maxAttempts: 2 },
    ],
  });
  await waitFor(async () => {
    const { jobStats } = await app.data(Stats, {});
    return jobStats.completed === 3 && jobStats.failed === 1 ? true : undefined;
  });
  await feed.until((f) => f.items.length > 0);

  const text = await scrape();
  const echo = 'queue="default",type="echo"';
  const http = 'queue="default",type="http.request"';
  expect(value(text, `jobgraph_jobs_submitted_total{${echo}}`)).toBe(3);
  expect(value(text, `jobgraph_jobs_completed_total{${echo}}`)).toBe(3);
  expect(value(text, `jobgraph_jobs_retried_total{${http}}`)).toBe(1);
  expect(value(text, `jobgraph_jobs_failed_total{${http}}`)).toBe(1);
  expect(value(text, `jobgraph_attempt_duration_seconds_count{${echo},outcome="completed"}`)).toBe(3);
  expect(value(text, `jobgraph_attempt_duration_seconds_count{${http},outcome="failed"}`)).toBe(2);
  expect(value(text, 'jobgraph_jobs{queue="default",status="COMPLETED"}')).toBe(3);
  expect(value(text, 'jobgraph_jobs{queue="default",status="FAILED"}')).toBe(1);
  expect(value(text, 'jobgraph_subscriptions_open')).toBe(1);
  expect(text).toMatch(/^graphql_envelop_phase_execute_count\{.*operationType="query".*\} \d+/m);
  expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
  feed.unsubscribe();
});

it('counts the watchers of a job and of a flow while they wait, and forgets each the moment it leaves', async () => {
  const later = new Date(Date.now() + 3_600_000).toISOString();
  const { submitJobs } = await app.data(SubmitJobs, { input: [{ type: 'echo', payload: 1, runAt: later }] });
  const jobId = submitJobs.jobs[0]!.id;
  const { submitFlow } = await app.data<{ submitFlow: { flow: { id: string }; userErrors: unknown[] } }, unknown>('mutation ($input: SubmitFlowInput!) { submitFlow(input: $input) { flow { id } userErrors { message } } }', {
    input: { jobs: [{ key: 'a', dependsOn: [], job: { type: 'echo', payload: 1, runAt: later } }] },
  });
  expect(submitFlow.userErrors).toEqual([]);
  const open = async () => value(await scrape(), 'jobgraph_subscriptions_open') ?? 0;
  const before = await open();
  const client = connectWs(app.url);
  const job = subscribeWs(client, WatchJob, { id: jobId });
  const flow = subscribeWs<{ flowUpdated: { status: string } }, { id: string }>(client, 'subscription ($id: ID!) { flowUpdated(id: $id) { status } }', { id: submitFlow.flow.id });
  await job.until((feed) => feed.items.length > 0);
  await flow.until((feed) => feed.items.length > 0);
  expect(await open()).toBe(before + 2);
  // Completed by the client while its stream waits for a change: its listener goes at once.
  job.unsubscribe();
  await waitFor(async () => ((await open()) === before + 1 ? true : undefined), 5000, 'the job watcher to go');
  // The socket closed under a waiting stream: the same.
  await client.dispose();
  await waitFor(async () => ((await open()) === before ? true : undefined), 5000, 'the flow watcher to go');
});
