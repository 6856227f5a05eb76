// Read side of the API: keyset pagination of `jobs`, filters, argument errors, stats,
// job types and a job's event history. ROLE=api runs no worker, so statuses only change
// when the test changes them (SCHEDULED via runAt, CANCELLED via cancelJob).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type GraphQLResponse, type TestApp } from './helpers/app.js';
import type { JobFilter, JobOrderField, ListJobsQuery, ListJobsQueryVariables, OrderDirection, SubmitJobInput } from './gql/graphql.js';
import { CancelJob, GetJob, JobEvents, JobTypes, ListJobs, Stats, SubmitJobs } from './operations.js';


type Node = ListJobsQuery['jobs']['edges'][number]['node'];

let t: TestApp;
/** What the test itself knows about every job it made, by id. */
const known = new Map<string, { queue: string; type: string; status: string }>();
/** The ids of the 25 base jobs, in submission index order. */
const base: string[] = [];
const future = new Date(Date.now() + 3_600_000).toISOString();
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function submit(inputs: SubmitJobInput[]): Promise<string[]> {
  const { submitJobs } = await t.data(SubmitJobs, { input: inputs });
  expect(submitJobs.userErrors).toEqual([]);
  submitJobs.jobs.forEach((job, i) => known.set(job.id, { queue: inputs[i]?.queue ?? 'default', type: job.type, status: job.status }));
  return submitJobs.jobs.map((job) => job.id);
}

const list = async (variables: ListJobsQueryVariables) => (await t.data(ListJobs, variables)).jobs;
const fetchAll = async (): Promise<Node[]> => (await list({ first: 500 })).edges.map((edge) => edge.node);

/** The order the service promises, computed here: sort key, then createdAt, then id. */
function expectedOrder(nodes: Node[], field: JobOrderField, direction: OrderDirection): string[] {
  const key = (n: Node): (number | string)[] =>
    field === 'PRIORITY' ? [n.priority, Date.parse(n.createdAt), n.id] : [Date.parse(field === 'CREATED_AT' ? n.createdAt : n.updatedAt), n.id];
  const compare = (a: Node, b: Node) => {
    const [ka, kb] = [key(a), key(b)];
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return (ka[i] as number | string) < (kb[i] as number | string) ? -1 : 1;
    return 0;
  };
  return [...nodes].sort((a, b) => compare(a, b) * (direction === 'DESC' ? -1 : 1)).map((n) => n.id);
}

/** A refusal the client can act on: not masked, BAD_USER_INPUT, naming the argument. */
function expectBadInput(result: GraphQLResponse<unknown>, field: string[]) {
  expect(result.errors, 'expected a GraphQL error').toHaveLength(1);
  const [error] = result.errors!;
  expect(error!.message).not.toBe('Unexpected error.');
  expect(error!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
}

beforeAll(async () => {
  t = await startTestApp({ ROLE: 'api', QUEUES: 'default,mail' });
  // Five batches of five: a batch shares one created_at (one statement), so CREATED_AT
  // has ties broken by id; priority i % 3 gives PRIORITY ties within and across batches.
  for (let b = 0; b < 5; b++) {
    const inputs = Array.from({ length: 5 }, (_, k): SubmitJobInput => {
      const i = b * 5 + k;
      return {
        type: i % 6 === 5 ? 'sleep' : 'echo',
        payload: i % 6 === 5 ? { ms: 10 } : { n: i },
        priority: i % 3,
        queue: i % 2 ? 'mail' : 'default',
        runAt: i % 4 === 3 ? future : undefined,
        idempotencyKey: i === 7 ? 'key-7' : undefined,
      };
    });
    base.push(...(await submit(inputs)));
    await pause(5); // distinct created_at per batch
  }
  // Cancelling two early jobs moves their updated_at past everyone else's, so the
  // UPDATED_AT order differs from CREATED_AT.
  for (const id of [base[0]!, base[2]!]) {
    const { cancelJob } = await t.data(CancelJob, { id });
    expect(cancelJob.job?.status).toBe('CANCELLED');
    known.get(id)!.status = 'CANCELLED';
    await pause(5);
  }
});

afterAll(async () => await t?.stop());

describe('jobs pagination', () => {
  it('lists exactly the submitted jobs with the statuses the test expects', async () => {
    const all = await fetchAll();
    expect(all).toHaveLength(25);
    for (const node of all) expect(known.get(node.id)).toEqual({ queue: node.queue, type: node.type, status: node.status });
    expect(all.filter((n) => n.status === 'SCHEDULED')).toHaveLength(6); // i = 3, 7, 11, 15, 19, 23
  });

  const orders = (['CREATED_AT', 'UPDATED_AT', 'PRIORITY'] as const).flatMap((field) =>
    (['ASC', 'DESC'] as const).map((direction) => ({ field, direction })),
  );

  it.each(orders)('pages forward and backward by $field $direction', async (orderBy) => {
    const expected = expectedOrder(await fetchAll(), orderBy.field, orderBy.direction);

    // Forward: first/after in pages of 7 → 7, 7, 7, 4.
    const forward: string[][] = [];
    for (let after: string | null = null; forward.length < 10; ) {
      const page = await list({ orderBy, first: 7, after });
      forward.push(page.edges.map((e) => e.node.id));
      expect(page.totalCount).toBe(25);
      expect(page.pageInfo.hasPreviousPage).toBe(forward.length > 1);
      expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor);
      expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(forward.map((p) => p.length)).toEqual([7, 7, 7, 4]);
    expect(new Set(forward.flat()).size).toBe(25);
    expect(forward.flat()).toEqual(expected);

    // Backward from the end: last/before, the same pages from the other side.
    const backward: string[][] = [];
    for (let before: string | null = null; backward.length < 10; ) {
      const page = await list({ orderBy, last: 7, before });
      backward.push(page.edges.map((e) => e.node.id));
      expect(page.pageInfo.hasNextPage).toBe(backward.length > 1);
      if (!page.pageInfo.hasPreviousPage) break;
      before = page.pageInfo.startCursor;
    }
    expect(backward[0]).toEqual(expected.slice(-7)); // `last` alone: the final items, in order
    expect(backward.map((p) => p.length)).toEqual([7, 7, 7, 4]);
    expect([...backward].reverse().flat()).toEqual(expected);
  });

  it('keeps cursors stable when jobs are added between pages', async () => {
    const all = await fetchAll();
    const orders = [{ field: 'CREATED_AT', direction: 'ASC' }, { field: 'CREATED_AT', direction: 'DESC' }] as const;
    const firstPages = await Promise.all(orders.map((orderBy) => list({ orderBy, first: 7 })));
    // New jobs are the newest: at the end in ASC, in front of page 1 in DESC (where an
    // offset-based cursor would shift and repeat items).
    await submit(Array.from({ length: 5 }, (_, i) => ({ type: 'echo', payload: { late: i } })));
    for (const [index, orderBy] of orders.entries()) {
      const page1 = firstPages[index]!.edges.map((e) => e.node.id);
      const page2 = (await list({ orderBy, first: 7, after: firstPages[index]!.pageInfo.endCursor })).edges.map((e) => e.node.id);
      expect(page2.filter((id) => page1.includes(id))).toEqual([]);
      expect(page2).toEqual(expectedOrder(all, orderBy.field, orderBy.direction).slice(7, 14));
    }
  });
});

describe('jobs filters', () => {
  // The filtered list must equal the full list filtered here; totalCount ignores `first`.
  async function expectFilter(filter: JobFilter, predicate: (n: Node) => boolean, count: number) {
    const expected = (await fetchAll()).filter(predicate).map((n) => n.id).sort();
    expect(expected).toHaveLength(count);
    const whole = await list({ filter, first: 500 });
    expect(whole.edges.map((e) => e.node.id).sort()).toEqual(expected);
    expect(whole.totalCount).toBe(count);
    const paged = await list({ filter, first: 2 });
    expect(paged.edges).toHaveLength(Math.min(2, count));
    expect(paged.totalCount).toBe(count);
  }

  it('filters by status, type and queue', async () => {
    const total = known.size;
    await expectFilter({ status: ['SCHEDULED'] }, (n) => n.status === 'SCHEDULED', 6);
    await expectFilter({ status: ['PENDING'] }, (n) => n.status === 'PENDING', total - 8);
    await expectFilter({ status: ['PENDING', 'CANCELLED'] }, (n) => n.status !== 'SCHEDULED', total - 6);
    await expectFilter({ type: ['sleep'] }, (n) => n.type === 'sleep', 4); // i = 5, 11, 17, 23
    await expectFilter({ queue: ['mail'] }, (n) => n.queue === 'mail', 12);
    await expectFilter(
      { queue: ['mail'], status: ['PENDING'], type: ['echo'] },
      (n) => n.queue === 'mail' && n.status === 'PENDING' && n.type === 'echo',
      [...known.values()].filter((j) => j.queue === 'mail' && j.status === 'PENDING' && j.type === 'echo').length,
    );
  });

  it('filters by creation time, bounds exclusive', async () => {
    const all = await fetchAll();
    const createdAt = (id: string) => all.find((n) => n.id === id)!.createdAt;
    const [after, before] = [createdAt(base[4]!), createdAt(base[20]!)]; // batch 1 and batch 5
    const inside = (n: Node) => Date.parse(n.createdAt) > Date.parse(after) && Date.parse(n.createdAt) < Date.parse(before);
    await expectFilter({ createdAfter: after, createdBefore: before }, inside, 15); // batches 2-4
    await expectFilter({ createdAfter: after }, (n) => Date.parse(n.createdAt) > Date.parse(after), known.size - 5);
    await expectFilter({ createdBefore: before }, (n) => Date.parse(n.createdAt) < Date.parse(before), 20);
  });

  it('filters by idempotency key', async () => {
    await expectFilter({ idempotencyKey: 'key-7' }, (n) => n.id === base[7], 1);
    const none = await list({ filter: { idempotencyKey: 'no-such-key' }, first: 5 });
    expect(none).toMatchObject({ totalCount: 0, edges: [], pageInfo: { hasNextPage: false, startCursor: null, endCursor: null } });
  });
});

describe('argument errors', () => {
  it('refuses page sizes out of bounds', async () => {
    expectBadInput(await t.gql(ListJobs, { first: 501 }), ['first']);
    expectBadInput(await t.gql(ListJobs, { first: -1 }), ['first']);
    expectBadInput(await t.gql(ListJobs, { last: 501 }), ['last']);
    expect((await t.gql(ListJobs, { first: 500 })).errors).toBeUndefined(); // the bound itself is fine
  });

  it('refuses garbage cursors and cursors of another ordering', async () => {
    expectBadInput(await t.gql(ListJobs, { first: 5, after: 'abc' }), ['after']);
    expectBadInput(await t.gql(ListJobs, { last: 5, before: 'abc' }), ['before']);
    const { endCursor } = (await list({ first: 1, orderBy: { field: 'CREATED_AT', direction: 'ASC' } })).pageInfo;
    expect(endCursor).toBeTruthy();
    expectBadInput(await t.gql(ListJobs, { first: 5, after: endCursor, orderBy: { field: 'PRIORITY', direction: 'ASC' } }), ['after']);
  });

  it('refuses a malformed job id and returns null for an unknown one', async () => {
    expectBadInput(await t.gql(GetJob, { id: 'not-a-uuid' }), ['id']);
    const unknown = await t.gql(GetJob, { id: randomUUID() });
    expect(unknown.errors).toBeUndefined();
    expect(unknown.data).toEqual({ job: null });
  });
});

describe('stats and job types', () => {
  function expectedStats(queue: string | null) {
    const counts: Record<string, number> = { total: 0, pending: 0, scheduled: 0, running: 0, retrying: 0, completed: 0, failed: 0, cancelled: 0 };
    const jobs = [...known.values()].filter((job) => queue === null || job.queue === queue);
    for (const job of jobs) counts[job.status.toLowerCase()]! += 1;
    return { queue, ...counts, total: jobs.length };
  }

  it('counts jobs per status, overall and per queue', async () => {
    expect((await t.data(Stats, {})).jobStats).toEqual(expectedStats(null));
    const mail = (await t.data(Stats, { queue: 'mail' })).jobStats;
    expect(mail).toEqual(expectedStats('mail'));
    expect(mail).toMatchObject({ total: 12, scheduled: 6, cancelled: 0 }); // every SCHEDULED index is odd
  });

  it('lists the job types with their payload schemas', async () => {
    const { jobTypes } = await t.data(JobTypes, {});
    expect(jobTypes.map((type) => type.name).sort()).toEqual(['data.export', 'echo', 'email.send', 'http.request', 'image.resize', 'sleep']);
    for (const type of jobTypes) expect(type.payloadSchema).toBeTypeOf('object');
    const http = jobTypes.find((type) => type.name === 'http.request')!.payloadSchema as { properties?: Record<string, unknown> };
    expect(http.properties).toHaveProperty('url');
    expect(http.properties).toHaveProperty('method');
  });
});

describe('job events', () => {
  it('pages a job history with event-id cursors', async () => {
    const id = base[0]!; // cancelled: CREATED then CANCELLED
    const first = (await t.data(JobEvents, { id, first: 1 })).job!.events;
    expect(first.edges).toHaveLength(1);
    const [created] = first.edges;
    expect(created!.node).toMatchObject({ type: 'CREATED', status: 'PENDING', attempt: 0, job: { id, status: 'CANCELLED' } });
    expect(created!.cursor).toBe(created!.node.id);
    expect(first.pageInfo).toEqual({ hasNextPage: true, endCursor: created!.node.id });

    const second = (await t.data(JobEvents, { id, first: 1, after: first.pageInfo.endCursor })).job!.events;
    const cancelled = second.edges[0]!;
    expect(second.edges).toHaveLength(1);
    expect(cancelled.node).toMatchObject({ id: cancelled.cursor, type: 'CANCELLED', job: { id } });
    expect(BigInt(cancelled.node.id)).toBeGreaterThan(BigInt(created!.node.id));
    expect(second.pageInfo.hasNextPage).toBe(false);

    // A job never touched since submission has just its CREATED event.
    const pending = (await t.data(JobEvents, { id: base[1]!, first: 10 })).job!.events;
    expect(pending.edges.map((e) => [e.node.type, e.node.job.id])).toEqual([['CREATED', base[1]]]);
    expectBadInput(await t.gql(JobEvents, { id, first: 1, after: 'abc' }), ['after']);
  });
});
