/* eslint-disable @typescript-eslint/no-explicit-any -- raw GraphQL responses, walked by path */
// Flows (issue 13, first part): a DAG submitted at once, run in dependency order, each
// step seeing the results of the steps it waits for; a failure cancels what waits
// downstream; a cycle is refused naming its keys.
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineHandler, PermanentError } from '../src/handlers/handler.js';
import { startTestApp, waitFor, type TestApp } from './helpers/app.js';

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
