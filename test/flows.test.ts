/* eslint-disable @typescript-eslint/no-explicit-any -- raw GraphQL responses, walked by path */
// Flows (issue 13, first part): a DAG submitted at once, run in dependency order, each
// step seeing the results of the steps it waits for; a failure cancels what waits
// downstream; a cycle is refused naming its keys.
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineHandler, PermanentError } from '../src/handlers/handler.js';
import { createSharedBackend, startTestApp, waitFor, type TestApp } from './helpers/app.js';
import { startOwnRedis } from './helpers/redis.js';
import { connectWs, subscribeSse, subscribeWs } from './helpers/live.js';

/** Marks of the steps that have failed their one time (failOnce). */
const failedOnce = new Set<string>();

const step = defineHandler({
  name: 'step',
  description: 'Returns its name and what it saw of the jobs it depends on; fails when told to.',
  payload: z.object({ name: z.string(), fail: z.boolean().default(false), failOnce: z.string().optional(), ms: z.number().int().min(0).max(5000).default(0) }),
  async run({ name, fail, failOnce, ms }, ctx) {
    await new Promise((resolve) => setTimeout(resolve, ms));
    if (fail) throw new PermanentError(`${name} cannot go on`);
    if (failOnce && !failedOnce.has(failOnce)) {
      failedOnce.add(failOnce);
      throw new PermanentError(`${name} failed this once`);
    }
    return { name, saw: ctx.dependencies };
  },
});

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({}, { handlers: [step] });
});
afterAll(async () => {
  await app?.stop();
});

const SUBMIT = `mutation ($input: SubmitFlowInput!) { submitFlow(input: $input) {
  flow { id name status jobs { id flowId status dependsOn { id } } } userErrors { code field message } } }`;
const FLOW = `query ($id: ID!) { flow(id: $id) { id name status finishedAt jobs { id status result startedAt finishedAt lastError
  events(first: 10) { nodes { type message } } } } }`;

const job = (name: string, dependsOn: string[] = [], extra: Record<string, unknown> = {}) => ({
  key: name,
  dependsOn,
  job: { type: 'step', payload: { name, ...extra } },
});

async function finished(id: string): Promise<any> {
  return waitFor(async () => {
    const { flow } = await app.data<any, any>(FLOW, { id });
    return flow.status === 'RUNNING' ? undefined : flow;
  }, 20_000, 'the flow to finish');
}

describe('flows', () => {
  it('run a diamond in dependency order, each step seeing the results it waits for', async () => {
    const { submitFlow } = await app.data<any, any>(SUBMIT, {
      input: { name: 'diamond', jobs: [job('A', [], { ms: 200 }), job('B', ['A'], { ms: 100 }), job('C', ['A']), job('D', ['B', 'C'])] },
    });
    expect(submitFlow.userErrors).toEqual([]);
    const [a, b, c, d] = submitFlow.flow.jobs;
    expect(submitFlow.flow.jobs.map((j: any) => j.status)).toEqual(['PENDING', 'BLOCKED', 'BLOCKED', 'BLOCKED']);
    expect(d.dependsOn.map((j: any) => j.id).sort()).toEqual([b.id, c.id].sort());
    expect(a.flowId).toBe(submitFlow.flow.id);

    const flow = await finished(submitFlow.flow.id);
    expect(flow).toMatchObject({ name: 'diamond', status: 'COMPLETED' });
    const [A, B, C, D] = flow.jobs;
    for (const later of [B, C]) expect(new Date(later.startedAt).getTime()).toBeGreaterThanOrEqual(new Date(A.finishedAt).getTime());
    expect(new Date(D.startedAt).getTime()).toBeGreaterThanOrEqual(Math.max(new Date(B.finishedAt).getTime(), new Date(C.finishedAt).getTime()));
    expect(D.result).toEqual({ name: 'D', saw: { B: { name: 'B', saw: { A: { name: 'A', saw: {} } } }, C: { name: 'C', saw: { A: { name: 'A', saw: {} } } } } });
    // D was released once, by the last of B and C.
    expect(D.events.nodes.map((event: any) => event.type)).toEqual(['CREATED', 'RELEASED', 'STARTED', 'COMPLETED']);
    expect(flow.finishedAt).not.toBeNull();
  });

  it('releases a job with its own runAt still ahead to SCHEDULED, and runs it then', async () => {
    const runAt = new Date(Date.now() + 1500).toISOString();
    const { submitFlow } = await app.data<any, any>(SUBMIT, {
      input: { jobs: [job('now'), { key: 'later', dependsOn: ['now'], job: { type: 'step', payload: { name: 'later' }, runAt } }] },
    });
    const later = submitFlow.flow.jobs[1];
    const released = await waitFor(async () => {
      const { flow } = await app.data<any, any>(FLOW, { id: submitFlow.flow.id });
      return flow.jobs[1].status !== 'BLOCKED' ? flow.jobs[1] : undefined;
    }, 10_000, 'the release');
    expect(released.status).toBe('SCHEDULED');
    const flow = await finished(submitFlow.flow.id);
    expect(flow.status).toBe('COMPLETED');
    expect(new Date(flow.jobs[1].startedAt).getTime()).toBeGreaterThanOrEqual(new Date(runAt).getTime() - 50);
    expect(later.status).toBe('BLOCKED');
  });

  it('cancels exactly what waits downstream of a failed job, naming it', async () => {
    const { submitFlow } = await app.data<any, any>(SUBMIT, {
      input: { jobs: [job('fetch', [], { fail: true }), job('side'), job('parse', ['fetch']), job('store', ['parse']), job('notify', ['store', 'side'])] },
    });
    const flow = await finished(submitFlow.flow.id);
    expect(flow.status).toBe('FAILED');
    expect(flow.jobs.map((j: any) => j.status)).toEqual(['FAILED', 'COMPLETED', 'CANCELLED', 'CANCELLED', 'CANCELLED']);
    expect(flow.jobs[2].events.nodes.at(-1)).toEqual({ type: 'CANCELLED', message: 'cancelled: fetch, which it depends on, ended FAILED' });
  });

  it('brings the cancelled downstream back when the failed job is retried, and the flow runs on', async () => {
    const { submitFlow } = await app.data<any, any>(SUBMIT, {
      input: { jobs: [job('load', [], { fail: true }), job('transform', ['load']), job('publish', ['transform'])] },
    });
    const failed = await finished(submitFlow.flow.id);
    expect(failed.jobs.map((j: any) => j.status)).toEqual(['FAILED', 'CANCELLED', 'CANCELLED']);
    // Retrying a cancelled downstream job alone is refused: what it waits for has not COMPLETED.
    const early = await app.data<any, any>('mutation ($id: ID!) { retryJob(id: $id) { userErrors { code message } } }', { id: failed.jobs[1].id });
    expect(early.retryJob.userErrors[0]).toEqual({ code: 'INVALID_STATE', message: `job ${failed.jobs[1].id} waits for jobs of its flow that have not COMPLETED (or were deleted); retry those first` });
    await app.data<any, any>('mutation ($id: ID!) { retryJob(id: $id) { userErrors { code } } }', { id: failed.jobs[0].id });
    // The step fails again (its payload says so), and takes its downstream with it once more:
    // each downstream job was brought back (BLOCKED), then cancelled again.
    const again = await waitFor(async () => {
      const { flow } = await app.data<any, any>(FLOW, { id: submitFlow.flow.id });
      const cancels = flow.jobs[2].events.nodes.filter((event: any) => event.type === 'CANCELLED').length;
      return flow.status === 'FAILED' && cancels === 2 ? flow : undefined;
    }, 15_000, 'the second failure');
    for (const downstream of again.jobs.slice(1)) {
      expect(downstream.events.nodes.map((event: any) => event.type)).toEqual(['CREATED', 'CANCELLED', 'RETRIED', 'CANCELLED']);
      expect(downstream.events.nodes[2].message).toBe('brought back: load, which it depends on, was retried');
    }
    expect(again.jobs.map((j: any) => j.status)).toEqual(['FAILED', 'CANCELLED', 'CANCELLED']);
  });

  it('streams a flow live (flowUpdated, and jobEvents by flowId), and its final state to a late subscriber', async () => {
    const WATCH = 'subscription ($id: ID!) { flowUpdated(id: $id) { status jobs { status } } }';
    const EVENTS = 'subscription ($flowId: ID) { jobEvents(after: "0", filter: { flowId: $flowId }) { jobId type } }';
    const { submitFlow } = await app.data<any, any>(SUBMIT, { input: { jobs: [job('one', [], { ms: 300 }), job('two', ['one'], { ms: 100 })] } });
    const id = submitFlow.flow.id;
    await app.data<any, any>(SUBMIT, { input: { jobs: [job('other')] } }); // another flow's events must not come
    const live = subscribeWs<any, any>(connectWs(app.url), WATCH, { id });
    const events = subscribeWs<any, any>(connectWs(app.url), EVENTS, { flowId: id });
    await live.until((f) => f.items.some((item) => item.flowUpdated.status === 'COMPLETED'), 20_000, 'the flow to complete');
    const seen = live.items.map((item) => item.flowUpdated.jobs.map((j: any) => j.status).join(','));
    // Each state once, in order: the second job goes BLOCKED, then on.
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.at(-1)).toBe('COMPLETED,COMPLETED');
    expect(seen.some((state) => state.endsWith('BLOCKED'))).toBe(true);
    const ids = new Set(submitFlow.flow.jobs.map((j: any) => j.id));
    await events.until((f) => f.items.filter((item) => item.jobEvents.type === 'COMPLETED').length === 2, 10_000, 'both COMPLETED events');
    expect(events.items.every((item) => ids.has(item.jobEvents.jobId))).toBe(true);
    expect(events.items.map((item) => item.jobEvents.type)).toContain('RELEASED');
    live.unsubscribe();
    events.unsubscribe();
    const late = subscribeSse<any, any>(app.url, WATCH, { id });
    await late.until((f) => f.items.length > 0, 10_000, 'the final state');
    expect(late.items[0].flowUpdated.status).toBe('COMPLETED');
    late.unsubscribe();
  });

  it('runs on to the end once the failed job, retried, succeeds', async () => {
    const { submitFlow } = await app.data<any, any>(SUBMIT, {
      input: { jobs: [job('pull', [], { failOnce: 'pull-1' }), job('merge', ['pull']), job('ship', ['merge'])] },
    });
    const failed = await finished(submitFlow.flow.id);
    expect(failed.status).toBe('FAILED');
    await app.data<any, any>('mutation ($id: ID!) { retryJob(id: $id) { userErrors { code } } }', { id: failed.jobs[0].id });
    const done = await finished(submitFlow.flow.id);
    expect(done.status).toBe('COMPLETED');
    expect(done.jobs[2].result).toEqual({ name: 'ship', saw: { merge: { name: 'merge', saw: { pull: { name: 'pull', saw: {} } } } } });
  });

  it('cancels a whole flow: every unfinished job, the running one told to stop', async () => {
    const { submitFlow } = await app.data<any, any>(SUBMIT, { input: { name: 'doomed', jobs: [job('long', [], { ms: 2000 }), job('after', ['long'])] } });
    await waitFor(async () => ((await app.data<any, any>(FLOW, { id: submitFlow.flow.id })).flow.jobs[0].status === 'RUNNING' ? true : undefined), 10_000, 'RUNNING');
    const { cancelFlow } = await app.data<any, any>('mutation ($id: ID!) { cancelFlow(id: $id) { flow { status jobs { status } } userErrors { code } } }', { id: submitFlow.flow.id });
    expect(cancelFlow.userErrors).toEqual([]);
    expect(cancelFlow.flow).toEqual({ status: 'CANCELLED', jobs: [{ status: 'CANCELLED' }, { status: 'CANCELLED' }] });
    const missing = await app.data<any, any>('mutation { cancelFlow(id: "0190a7c5-0000-7000-8000-000000000000") { flow { id } userErrors { code } } }');
    expect(missing.cancelFlow).toEqual({ flow: null, userErrors: [{ code: 'NOT_FOUND' }] });
  });

  it('refuses a cycle naming its keys, and bad keys naming the field, storing nothing', async () => {
    const cycle = (await app.data<any, any>(SUBMIT, { input: { jobs: [job('x', ['z']), job('y', ['x']), job('z', ['y'])] } })).submitFlow;
    expect(cycle.flow).toBeNull();
    expect(cycle.userErrors).toHaveLength(1);
    expect(cycle.userErrors[0]).toMatchObject({ code: 'INVALID_INPUT', field: ['input', 'jobs'] });
    expect(cycle.userErrors[0].message).toMatch(/a cycle: (x -> z -> y -> x|y -> x -> z -> y|z -> y -> x -> z)/);
    const bad = (await app.data<any, any>(SUBMIT, { input: { jobs: [job('a', ['nope']), job('a'), job('b', ['b'])] } })).submitFlow;
    expect(bad.userErrors.map((e: any) => e.field.join('.'))).toEqual(['input.jobs.1.key', 'input.jobs.0.dependsOn', 'input.jobs.2.dependsOn']);
    const { jobStats } = await app.data<any, any>('{ jobStats { blocked } }');
    expect(jobStats.blocked).toBe(0);
  });
});

describe('flows and deleteJobs (issue 18, finding 4)', () => {
  const DELETE = 'mutation ($filter: JobFilter!) { deleteJobs(filter: $filter) { count userErrors { code } } }';

  it('keep a flow that has not finished whole: what waits still gets the results it waits for', async () => {
    const tagged = (name: string, dependsOn: string[], extra: Record<string, unknown>) => ({ ...job(name, dependsOn, extra), job: { ...job(name, dependsOn, extra).job, tags: ['finding-4'] } });
    const { submitFlow } = await app.data<any, any>(SUBMIT, { input: { jobs: [tagged('x', [], {}), tagged('y', [], { ms: 1500 }), tagged('z', ['x', 'y'], {})] } });
    const [x] = submitFlow.flow.jobs;
    await waitFor(async () => ((await app.data<any, any>('query ($id: ID!) { job(id: $id) { status } }', { id: x.id })).job.status === 'COMPLETED' ? true : undefined), 10_000, 'x to complete');
    const deleted = await app.data<any, any>(DELETE, { filter: { tags: ['finding-4'], status: ['COMPLETED'] } });
    expect(deleted.deleteJobs).toEqual({ count: 0, userErrors: [] });
    const flow = await finished(submitFlow.flow.id);
    expect(flow.status).toBe('COMPLETED');
    expect(Object.keys(flow.jobs[2].result.saw).sort()).toEqual(['x', 'y']);
    // Once all of it has finished, it may go.
    expect((await app.data<any, any>(DELETE, { filter: { tags: ['finding-4'] } })).deleteJobs.count).toBe(3);
  });

  it('never run a job whose dependency was deleted: retrying it alone is refused, saying why', async () => {
    const { submitFlow } = await app.data<any, any>(SUBMIT, { input: { jobs: [{ ...job('gone', [], { fail: true }), job: { type: 'step', payload: { name: 'gone', fail: true }, tags: ['finding-4b'] } }, job('after', ['gone'])] } });
    const failed = await finished(submitFlow.flow.id);
    expect(failed.jobs.map((j: any) => j.status)).toEqual(['FAILED', 'CANCELLED']);
    expect((await app.data<any, any>(DELETE, { filter: { tags: ['finding-4b'] } })).deleteJobs.count).toBe(1);
    const refused = await app.data<any, any>('mutation ($id: ID!) { retryJob(id: $id) { job { id } userErrors { code message } } }', { id: failed.jobs[1].id });
    expect(refused.retryJob).toEqual({ job: null, userErrors: [{ code: 'INVALID_STATE', message: expect.stringContaining('(or were deleted)') }] });
    expect((await app.data<any, any>('query ($id: ID!) { job(id: $id) { status } }', { id: failed.jobs[1].id })).job.status).toBe('CANCELLED');
  });
});

describe('flows under faults', () => {
  it('release a job once when the two it waits for complete at the same instant in two processes', { timeout: 60_000 }, async () => {
    const backend = await createSharedBackend();
    const first = await startTestApp({}, { handlers: [step] }, backend);
    const second = await startTestApp({}, { handlers: [step] }, backend);
    try {
      const flows: string[] = [];
      for (let i = 0; i < 5; i++) {
        const { submitFlow } = await first.data<any, any>(SUBMIT, { input: { jobs: [job('A'), job('B', ['A'], { ms: 150 }), job('C', ['A'], { ms: 150 }), job('D', ['B', 'C'])] } });
        flows.push(submitFlow.flow.id);
      }
      for (const id of flows) {
        const flow = await waitFor(async () => {
          const found = (await first.data<any, any>(FLOW, { id })).flow;
          return found.status === 'RUNNING' ? undefined : found;
        }, 30_000, 'the flow');
        expect(flow.status).toBe('COMPLETED');
        const d = flow.jobs[3].events.nodes.map((event: any) => event.type);
        expect(d.filter((type: string) => type === 'RELEASED')).toHaveLength(1);
        expect(d.filter((type: string) => type === 'STARTED')).toHaveLength(1);
      }
    } finally {
      await second.stop();
      await first.stop();
      await backend.drop();
    }
  });

  it('loses nothing and runs nothing twice when Redis restarts empty in the middle of a flow', { timeout: 60_000 }, async () => {
    const redis = await startOwnRedis();
    const faulty = await startTestApp({ REDIS_URL: redis.url, RECONCILE_INTERVAL_MS: '1000', QUEUE_TIMEOUT_MS: '500' }, { handlers: [step] });
    try {
      const { submitFlow } = await faulty.data<any, any>(SUBMIT, { input: { jobs: [job('first', [], { ms: 1000 }), job('second', ['first']), job('third', ['second'])] } });
      await waitFor(async () => ((await faulty.data<any, any>(FLOW, { id: submitFlow.flow.id })).flow.jobs[0].status === 'RUNNING' ? true : undefined), 10_000, 'the first job to run');
      await redis.kill();
      await redis.start();
      const flow = await waitFor(async () => {
        const found = (await faulty.data<any, any>(FLOW, { id: submitFlow.flow.id })).flow;
        return found.status === 'RUNNING' ? undefined : found;
      }, 40_000, 'the flow after the Redis restart');
      expect(flow.status).toBe('COMPLETED');
      for (const each of flow.jobs) expect(each.events.nodes.filter((event: any) => event.type === 'COMPLETED')).toHaveLength(1);
    } finally {
      await faulty.stop();
      await redis.kill();
    }
  });
});

describe('flows and retention', () => {
  it('keeps every job of a flow until all of it has finished, then prunes it whole', { timeout: 60_000 }, async () => {
    // Retention long enough for the test to read the finished flow before it goes (1.5 s),
    // short enough that `quick` passes it while `slow` still runs (4 s).
    const pruned = await startTestApp({ RETENTION_COMPLETED_MS: '1500', PRUNE_INTERVAL_MS: '200' }, { handlers: [step] });
    try {
      const { submitFlow } = await pruned.data<any, any>(SUBMIT, { input: { jobs: [job('quick'), job('slow', [], { ms: 4000 }), job('last', ['quick', 'slow'])] } });
      const [quick] = submitFlow.flow.jobs;
      await waitFor(async () => ((await pruned.data<any, any>('query ($id: ID!) { job(id: $id) { status } }', { id: quick.id })).job?.status === 'COMPLETED' ? true : undefined), 10_000, 'quick');
      // Past its retention while the flow still runs: kept, as `last` needs its result.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect((await pruned.data<any, any>('query ($id: ID!) { job(id: $id) { status } }', { id: quick.id })).job).toEqual({ status: 'COMPLETED' });
      const done = await waitFor(async () => {
        const { flow } = await pruned.data<any, any>(FLOW, { id: submitFlow.flow.id });
        return flow && flow.status !== 'RUNNING' ? flow : undefined;
      }, 20_000, 'the flow');
      expect(done.jobs[2].result.saw.quick).toEqual({ name: 'quick', saw: {} });
      await waitFor(async () => ((await pruned.data<any, any>(FLOW, { id: submitFlow.flow.id })).flow === null ? true : undefined), 10_000, 'the flow pruned whole');
    } finally {
      await pruned.stop();
    }
  });

  it('keeps a finished flow until each of its jobs is past its own retention: a failed job retried later still sees what it waits for', { timeout: 60_000 }, async () => {
    // COMPLETED jobs go after 1 s, FAILED ones after 10 minutes.
    const pruned = await startTestApp({ RETENTION_COMPLETED_MS: '1000', RETENTION_FAILED_MS: '600000', PRUNE_INTERVAL_MS: '200' }, { handlers: [step] });
    const JOB = 'query ($id: ID!) { job(id: $id) { status result } }';
    try {
      const { submitFlow } = await pruned.data<any, any>(SUBMIT, { input: { jobs: [job('first'), job('then', ['first'], { failOnce: 'retention' })] } });
      const [first, then] = submitFlow.flow.jobs;
      const { submitJob } = await pruned.data<any, any>('mutation { submitJob(input: { type: "step", payload: { name: "alone" } }) { job { id } } }', {});
      await waitFor(async () => ((await pruned.data<any, any>(JOB, { id: then.id })).job?.status === 'FAILED' ? true : undefined), 10_000, 'then to fail');
      // The pruner has run past the COMPLETED retention: a job of no flow is gone ...
      await waitFor(async () => ((await pruned.data<any, any>(JOB, { id: submitJob.job.id })).job === null ? true : undefined), 10_000, 'the lone job pruned');
      await new Promise((resolve) => setTimeout(resolve, 1000));
      // ... but the flow's COMPLETED job stays while its FAILED one is kept.
      expect((await pruned.data<any, any>(JOB, { id: first.id })).job).toMatchObject({ status: 'COMPLETED' });
      const retried = await pruned.data<any, any>('mutation ($id: ID!) { retryJob(id: $id) { userErrors { code message } } }', { id: then.id });
      expect(retried.retryJob.userErrors).toEqual([]);
      const done = await waitFor(async () => {
        const { job: found } = await pruned.data<any, any>(JOB, { id: then.id });
        return found?.status === 'COMPLETED' ? found : undefined;
      }, 10_000, 'then to complete');
      expect(done.result.saw.first).toEqual({ name: 'first', saw: {} });
    } finally {
      await pruned.stop();
    }
  });
});
