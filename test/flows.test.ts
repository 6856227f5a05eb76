/* eslint-disable @typescript-eslint/no-explicit-any -- raw GraphQL responses, walked by path */
// Flows (issue 13, first part): a DAG submitted at once, run in dependency order, each
// step seeing the results of the steps it waits for; a failure cancels what waits
// downstream; a cycle is refused naming its keys.
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineHandler, PermanentError } from '../src/handlers/handler.js';
import { startTestApp, waitFor, type TestApp } from './helpers/app.js';
import { connectWs, subscribeSse, subscribeWs } from './helpers/live.js';

const step = defineHandler({
  name: 'step',
  description: 'Returns its name and what it saw of the jobs it depends on; fails when told to.',
  payload: z.object({ name: z.string(), fail: z.boolean().default(false), ms: z.number().int().min(0).max(2000).default(0) }),
  async run({ name, fail, ms }, ctx) {
    await new Promise((resolve) => setTimeout(resolve, ms));
    if (fail) throw new PermanentError(`${name} cannot go on`);
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
  events { nodes { type message } } } } }`;

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

  it('cancels exactly what waits downstream of a failed job, naming it', async () => {
    const { submitFlow } = await app.data<any, any>(SUBMIT, {
      input: { jobs: [job('fetch', [], { fail: true }), job('side'), job('parse', ['fetch']), job('store', ['parse']), job('notify', ['store', 'side'])] },
    });
    const flow = await finished(submitFlow.flow.id);
    expect(flow.status).toBe('FAILED');
    expect(flow.jobs.map((j: any) => j.status)).toEqual(['FAILED', 'COMPLETED', 'CANCELLED', 'CANCELLED', 'CANCELLED']);
    expect(flow.jobs[2].events.nodes.at(-1)).toEqual({ type: 'CANCELLED', message: 'cancelled: fetch, which it depends on, ended FAILED' });
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
