// Issue 22's read side, for triage: find jobs by what their payload holds
// (JobFilter.payloadContains) and count what finished over time from the record
// (finishedOverTime), each within the caller's reach, refused past its bounds.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, waitFor, type TestApp } from './helpers/app.js';
import { graphql } from './helpers/hostile.js';

const KEYS = { ops: 'ops-0123456789abcdef', acme: 'acme-0123456789abcdef', globex: 'globex-0123456789abcdef' };
let t: TestApp;

const post = async (key: string, query: string, variables?: unknown) => (await graphql(t.url, key, query, variables)).body;

const SUBMIT = 'mutation ($input: [SubmitJobInput!]!) { submitJobs(input: $input) { jobs { id } userErrors { message } } }';
const FIND = 'query ($filter: JobFilter) { jobs(filter: $filter, first: 100) { nodes { id payload } } }';
const OVER_TIME = 'query ($since: DateTime!, $bucketSeconds: Int, $queue: String) { finishedOverTime(since: $since, bucketSeconds: $bucketSeconds, queue: $queue) { at completed failed cancelled } }';

beforeAll(async () => {
  t = await startTestApp({
    API_KEYS: `ops:${KEYS.ops}:admin;acme:${KEYS.acme}:jobs:read,jobs:write:acme;globex:${KEYS.globex}:jobs:read,jobs:write:globex`,
    HANDLERS_DIR: 'test/handlers',
    QUEUES: 'default,reports',
    DEFAULT_MAX_ATTEMPTS: '1',
  });
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

describe('JobFilter.payloadContains', () => {
  it('finds the jobs whose payload contains the JSON given, within the caller\'s tenant', async () => {
    const acme = await post(KEYS.acme, SUBMIT, { input: [
      { type: 'echo', payload: { orderId: 42, customer: { country: 'FR' } }, runAt: new Date(Date.now() + 3_600_000).toISOString() },
      { type: 'echo', payload: { orderId: 43, customer: { country: 'DE' } }, runAt: new Date(Date.now() + 3_600_000).toISOString() },
      { type: 'echo', payload: { orderId: 42, lines: [1, 2] }, runAt: new Date(Date.now() + 3_600_000).toISOString() },
    ] });
    expect(acme.data.submitJobs.userErrors).toEqual([]);
    const [first, , third] = acme.data.submitJobs.jobs.map((job: { id: string }) => job.id);
    // Another tenant's job with the same order id stays out of acme's answers.
    await post(KEYS.globex, SUBMIT, { input: [{ type: 'echo', payload: { orderId: 42 }, runAt: new Date(Date.now() + 3_600_000).toISOString() }] });

    const byOrder = await post(KEYS.acme, FIND, { filter: { payloadContains: { orderId: 42 } } });
    expect(byOrder.data.jobs.nodes.map((job: { id: string }) => job.id).sort()).toEqual([first, third].sort());
    const nested = await post(KEYS.acme, FIND, { filter: { payloadContains: { customer: { country: 'FR' } } } });
    expect(nested.data.jobs.nodes.map((job: { id: string }) => job.id)).toEqual([first]);
    const inArray = await post(KEYS.acme, FIND, { filter: { payloadContains: { lines: [2] } } });
    expect(inArray.data.jobs.nodes.map((job: { id: string }) => job.id)).toEqual([third]);
    // The operator sees both tenants' jobs with that order id.
    const all = await post(KEYS.ops, FIND, { filter: { payloadContains: { orderId: 42 } } });
    expect(all.data.jobs.nodes.length).toBe(3);
    // totalCount and bulk actions take the same filter.
    const counted = await post(KEYS.acme, 'query ($filter: JobFilter) { jobs(filter: $filter, first: 1) { totalCount } }', { filter: { payloadContains: { orderId: 42 } } });
    expect(counted.data.jobs.totalCount).toBe(2);
    const cancelled = await post(KEYS.acme, 'mutation ($filter: JobFilter!) { cancelJobs(filter: $filter) { count userErrors { message } } }', { filter: { payloadContains: { orderId: 43 } } });
    expect(cancelled.data?.cancelJobs ?? cancelled.errors).toMatchObject({ count: 1, userErrors: [] });
  });

  it('refuses a filter past its size bound, naming the field', async () => {
    const big = await post(KEYS.acme, FIND, { filter: { payloadContains: { blob: 'x'.repeat(5000) } } });
    expect(big.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['filter', 'payloadContains'] });
    expect(big.errors?.[0]?.message).toMatch(/at most 4096 bytes/);
  });

  it('is answered from an index (jsonb_path_ops), not a scan of every payload', async () => {
    const client = new pg.Client({ connectionString: `postgresql://postgres@127.0.0.1:5432/${t.database}` });
    await client.connect();
    try {
      // The test's table is small enough to scan: the planner is told not to, to show the index answers.
      await client.query('SET enable_seqscan = off');
      const plan = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT id FROM jobs WHERE payload @> '{"orderId": 42}'::jsonb`);
      expect(plan.rows.map((row) => row['QUERY PLAN']).join('\n')).toContain('jobs_payload_idx');
    } finally {
      await client.end();
    }
  });
});

describe('finishedOverTime', () => {
  it('counts what finished per bucket from the record, by outcome and queue, within reach, the same on every read', { timeout: 30_000 }, async () => {
    // From now: the jobs of the tests above are not counted.
    const since = new Date().toISOString();
    const submitted = await post(KEYS.acme, SUBMIT, { input: [
      ...Array.from({ length: 3 }, () => ({ type: 'echo', payload: {}, queue: 'reports' })),
      { type: 'test.fail', payload: {}, queue: 'reports', maxAttempts: 1 },
      { type: 'echo', payload: {}, runAt: new Date(Date.now() + 3_600_000).toISOString() },
    ] });
    expect(submitted.data.submitJobs.userErrors).toEqual([]);
    const ids = submitted.data.submitJobs.jobs.map((job: { id: string }) => job.id);
    await post(KEYS.acme, 'mutation ($id: ID!) { cancelJob(id: $id) { userErrors { message } } }', { id: ids[4] });
    // Another tenant's finished job is not acme's to count.
    await post(KEYS.globex, SUBMIT, { input: [{ type: 'echo', payload: {} }] });
    const total = (rows: { completed: number; failed: number; cancelled: number }[]) =>
      rows.reduce((sum, row) => ({ completed: sum.completed + row.completed, failed: sum.failed + row.failed, cancelled: sum.cancelled + row.cancelled }), { completed: 0, failed: 0, cancelled: 0 });
    const counted = await waitFor(async () => {
      const { data } = await post(KEYS.acme, OVER_TIME, { since, bucketSeconds: 10 });
      const sum = total(data.finishedOverTime);
      return sum.completed === 3 && sum.failed === 1 && sum.cancelled === 1 ? data.finishedOverTime : undefined;
    }, 20_000, "acme's five finished jobs counted");
    // Buckets start at multiples of bucketSeconds since the epoch, oldest first, none missing up to now.
    const starts = counted.map((row: { at: string }) => Date.parse(row.at));
    for (const start of starts) expect(start % 10_000).toBe(0);
    for (let i = 1; i < starts.length; i++) expect(starts[i] - starts[i - 1]).toBe(10_000);
    expect(starts[0]).toBe(Math.floor(Date.parse(since) / 10_000) * 10_000);
    // By queue; and the operator sees globex's too.
    expect(total((await post(KEYS.acme, OVER_TIME, { since, bucketSeconds: 10, queue: 'reports' })).data.finishedOverTime)).toEqual({ completed: 3, failed: 1, cancelled: 0 });
    await waitFor(async () => (total((await post(KEYS.ops, OVER_TIME, { since })).data.finishedOverTime).completed === 4 ? true : undefined), 20_000, "globex's job counted for the operator");
    // Read again (a reload, another instance): the same counts.
    expect(total((await post(KEYS.acme, OVER_TIME, { since, bucketSeconds: 10 })).data.finishedOverTime)).toEqual({ completed: 3, failed: 1, cancelled: 1 });
  });

  it('refuses more buckets than it answers, or a bucket out of bounds, naming the argument', async () => {
    const tooMany = await post(KEYS.acme, OVER_TIME, { since: new Date(Date.now() - 86_400_000 * 2).toISOString(), bucketSeconds: 60 });
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['since'] });
    expect(tooMany.errors?.[0]?.message).toMatch(/at most 1440 buckets/);
    const tiny = await post(KEYS.acme, OVER_TIME, { since: new Date().toISOString(), bucketSeconds: 0 });
    expect(tiny.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['bucketSeconds'] });
    const future = await post(KEYS.acme, OVER_TIME, { since: new Date(Date.now() + 60_000).toISOString() });
    expect(future.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['since'] });
  });
});

describe('flows', () => {
  const SUBMIT_FLOW = 'mutation ($input: SubmitFlowInput!) { submitFlow(input: $input) { flow { id } userErrors { message } } }';
  const FLOWS = 'query ($filter: FlowFilter, $first: Int, $after: String) { flows(filter: $filter, first: $first, after: $after) { nodes { id name status jobCount createdAt finishedAt } pageInfo { hasNextPage endCursor } } }';
  const later = () => new Date(Date.now() + 3_600_000).toISOString();
  const flowOf = async (key: string, name: string, jobs: unknown[]) => {
    const { data } = await post(key, SUBMIT_FLOW, { input: { name, jobs } });
    expect(data.submitFlow.userErrors).toEqual([]);
    return data.submitFlow.flow.id as string;
  };

  it('lists the flows the caller may see, newest first, by status and name, in pages', { timeout: 30_000 }, async () => {
    const done = await flowOf(KEYS.acme, 'nightly-import', [{ key: 'a', job: { type: 'echo', payload: {} } }, { key: 'b', job: { type: 'echo', payload: {} }, dependsOn: ['a'] }]);
    const failed = await flowOf(KEYS.acme, 'nightly-export', [{ key: 'a', job: { type: 'test.fail', payload: {}, maxAttempts: 1 } }, { key: 'b', job: { type: 'echo', payload: {} }, dependsOn: ['a'] }]);
    const waiting = await flowOf(KEYS.acme, 'billing', [{ key: 'a', job: { type: 'echo', payload: {}, runAt: later() } }]);
    await flowOf(KEYS.globex, 'nightly-globex', [{ key: 'a', job: { type: 'echo', payload: {} } }]);

    const listed = await waitFor(async () => {
      const { data } = await post(KEYS.acme, FLOWS, {});
      const statuses = Object.fromEntries(data.flows.nodes.map((flow: { id: string; status: string }) => [flow.id, flow.status]));
      return statuses[done] === 'COMPLETED' && statuses[failed] === 'FAILED' ? data.flows : undefined;
    }, 20_000, 'the flows to finish');
    // Newest first; another tenant's flow is not there.
    expect(listed.nodes.map((flow: { id: string }) => flow.id)).toEqual([waiting, failed, done]);
    expect(listed.nodes[0]).toMatchObject({ name: 'billing', status: 'RUNNING', jobCount: 1, finishedAt: null });
    expect(listed.nodes[2]).toMatchObject({ name: 'nightly-import', status: 'COMPLETED', jobCount: 2 });
    expect(listed.nodes[2].finishedAt).not.toBeNull();

    const byStatus = await post(KEYS.acme, FLOWS, { filter: { status: ['FAILED', 'RUNNING'] } });
    expect(byStatus.data.flows.nodes.map((flow: { id: string }) => flow.id)).toEqual([waiting, failed]);
    const byName = await post(KEYS.acme, FLOWS, { filter: { name: 'nightly-' } });
    expect(byName.data.flows.nodes.map((flow: { id: string }) => flow.id)).toEqual([failed, done]);
    // "_" in a name is a character, not a wildcard.
    expect((await post(KEYS.acme, FLOWS, { filter: { name: 'nightly_' } })).data.flows.nodes).toEqual([]);
    // The operator sees every tenant's.
    expect((await post(KEYS.ops, FLOWS, { filter: { name: 'nightly' } })).data.flows.nodes.length).toBe(3);

    // Pages of one, each after the last one's cursor, end where the list does.
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      const { data } = await post(KEYS.acme, FLOWS, { first: 1, after });
      seen.push(...data.flows.nodes.map((flow: { id: string }) => flow.id));
      if (!data.flows.pageInfo.hasNextPage) break;
      after = data.flows.pageInfo.endCursor;
    }
    expect(seen).toEqual([waiting, failed, done]);

    // A listed flow's jobs are read when asked for.
    const withJobs = await post(KEYS.acme, 'query { flows(first: 1) { nodes { jobs { id status } } } }');
    expect(withJobs.data.flows.nodes[0].jobs).toHaveLength(1);
  });

  it('refuses a page size or cursor out of bounds, naming the argument', async () => {
    const big = await post(KEYS.acme, 'query { flows(first: 1000) { nodes { id } } }');
    expect(big.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['first'] });
    const cursor = await post(KEYS.acme, 'query { flows(after: "nope") { nodes { id } } }');
    expect(cursor.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['after'] });
  });
});

describe('Job.waitingFor: the limits a job waits behind, in words', () => {
  const WAITING = 'query ($id: ID!) { job(id: $id) { status waitingFor } }';
  const UPDATE = 'mutation ($name: String!, $input: QueueSettingsInput!) { updateQueue(name: $name, input: $input) { userErrors { message } } }';
  const submitTo = async (queue: string, jobs: unknown[]) => {
    const { data } = await post(KEYS.ops, SUBMIT, { input: jobs.map((job) => ({ queue, ...(job as object) })) });
    expect(data.submitJobs.userErrors).toEqual([]);
    return data.submitJobs.jobs.map((job: { id: string }) => job.id) as string[];
  };
  const waitingFor = async (id: string) => (await post(KEYS.ops, WAITING, { id })).data.job as { status: string; waitingFor: string | null };

  it("names the queue's concurrency limit, then its rate limit, while a job waits behind them", { timeout: 30_000 }, async () => {
    try {
      expect((await post(KEYS.ops, UPDATE, { name: 'reports', input: { concurrency: 1 } })).data.updateQueue.userErrors).toEqual([]);
      const [first, second] = await submitTo('reports', [{ type: 'sleep', payload: { ms: 1500 } }, { type: 'sleep', payload: { ms: 10 } }]);
      await waitFor(async () => ((await waitingFor(first as string)).status === 'RUNNING' ? true : undefined), 10_000, 'the first to run');
      const behind = await waitFor(async () => {
        const job = await waitingFor(second as string);
        return job.status === 'PENDING' && job.waitingFor?.startsWith('room in its queue') ? job : undefined;
      }, 5000, 'the second to wait behind the limit');
      expect(behind.waitingFor).toBe('room in its queue: 1 of "reports"\'s jobs run, its concurrency limit is 1 (across all workers)');
      await waitFor(async () => ((await waitingFor(second as string)).status === 'COMPLETED' ? true : undefined), 10_000, 'the second to run once there is room');

      // One job a minute: the next waits for the window, and is told so.
      expect((await post(KEYS.ops, UPDATE, { name: 'reports', input: { concurrency: null, rateLimit: { max: 1, durationMs: 60_000 } } })).data.updateQueue.userErrors).toEqual([]);
      const [, held] = await submitTo('reports', [{ type: 'echo', payload: {} }, { type: 'echo', payload: {} }]);
      const limited = await waitFor(async () => {
        const job = await waitingFor(held as string);
        return job.waitingFor?.startsWith("its queue's rate limit") ? job : undefined;
      }, 10_000, 'the rate limit to be named');
      expect(limited.waitingFor).toMatch(/^its queue's rate limit, 1 job per minute: "reports" may start more in \d+(\.\d)? s$/);
      // The queue says since when its longest-waiting job has waited, and what finished in the last minute.
      const { data } = await post(KEYS.ops, '{ queues { name waitingSince finishedLastMinute } }');
      const reports = data.queues.find((queue: { name: string }) => queue.name === 'reports');
      expect(Date.now() - Date.parse(reports.waitingSince)).toBeGreaterThanOrEqual(0);
      expect(Date.now() - Date.parse(reports.waitingSince)).toBeLessThan(60_000);
      expect(reports.finishedLastMinute).toBeGreaterThanOrEqual(3);
      expect(data.queues.find((queue: { name: string }) => queue.name === 'default').waitingSince).toBeNull();
    } finally {
      await post(KEYS.ops, UPDATE, { name: 'reports', input: { concurrency: null, rateLimit: null } });
    }
  });
});
