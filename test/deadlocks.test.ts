/* eslint-disable @typescript-eslint/no-explicit-any -- raw GraphQL answers, walked by path */
// Issue 18, finding 3: bulk actions against thousands of jobs that workers are running,
// while flows release, must never deadlock with the workers (PostgreSQL's own counter,
// pg_stat_database.deadlocks, must not move) and never answer "Unexpected error".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSharedBackend, type SharedBackend } from './helpers/app.js';
import { admin } from './helpers/db.js';
import { graphql } from './helpers/hostile.js';
import { startServiceProcess, type ServiceProcess } from './helpers/process.js';

const KEY = 'storm-0123456789abcdef';
const JOBS = 3000;

let backend: SharedBackend;
let service: ServiceProcess;
let url: string;

beforeAll(async () => {
  backend = await createSharedBackend();
  service = await startServiceProcess({
    ...backend.env,
    API_KEYS: `storm:${KEY}:jobs:read,jobs:write:A`,
    HANDLERS_DIR: 'test/handlers',
    WORKER_CONCURRENCY: '50',
    TENANT_CONCURRENCY: '0',
    DATABASE_POOL_SIZE: '20',
  });
  url = `http://127.0.0.1:${service.port}/graphql`;
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await backend?.drop();
});

async function deadlocks(): Promise<number> {
  // Statistics reach the view a moment after the transaction that counted them.
  await new Promise((resolve) => setTimeout(resolve, 1200));
  return admin(async (client) => {
    await client.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await client.query<{ deadlocks: string }>('SELECT deadlocks FROM pg_stat_database WHERE datname = $1', [backend.database]);
    return Number(rows[0]?.deadlocks ?? 0);
  });
}

const SUBMIT_MANY = 'mutation ($input: [SubmitJobInput!]!) { submitJobs(input: $input) { jobs { id } userErrors { message } } }';
const SUBMIT_FLOW = 'mutation ($input: SubmitFlowInput!) { submitFlow(input: $input) { flow { id } userErrors { message } } }';
const BULK = (action: string) => `mutation ($filter: JobFilter!) { ${action}(filter: $filter) { count userErrors { code message } } }`;

describe('bulk actions against running workers', () => {
  it('never deadlock, and never answer "Unexpected error"', { timeout: 120_000 }, async () => {
    const before = await deadlocks();
    for (let start = 0; start < JOBS; start += 500) {
      const input = Array.from({ length: 500 }, (_, index) => ({ type: 'sleep', payload: { ms: (start + index) % 2 ? 100 : 0 }, tags: ['storm'] }));
      const answer = await graphql(url, KEY, SUBMIT_MANY, { input });
      expect(answer.body.errors).toBeUndefined();
    }
    // Flows releasing at the same time: chains of five.
    for (let flow = 0; flow < 20; flow++) {
      const jobs = Array.from({ length: 5 }, (_, index) => ({ key: `s${index}`, dependsOn: index ? [`s${index - 1}`] : [], job: { type: 'test.step', payload: { ms: 20 }, tags: ['storm'] } }));
      expect((await graphql(url, KEY, SUBMIT_FLOW, { input: { jobs } })).body.errors).toBeUndefined();
    }
    const answers: any[] = [];
    const until = Date.now() + 10_000;
    const loop = async (action: string, filter: Record<string, unknown>) => {
      while (Date.now() < until) {
        const answer = await graphql(url, KEY, BULK(action), { filter });
        answers.push({ action, ...answer.body });
      }
    };
    await Promise.all([
      loop('cancelJobs', { tags: ['storm'] }),
      loop('retryJobs', { tags: ['storm'] }),
      loop('deleteJobs', { tags: ['storm'], status: ['COMPLETED'] }),
      loop('cancelJobs', { tags: ['storm'], status: ['RUNNING'] }),
    ]);
    const failures = answers.filter((answer) => answer.errors?.length || answer.data?.[answer.action]?.userErrors?.length);
    expect(failures.slice(0, 3)).toEqual([]);
    expect(answers.length).toBeGreaterThan(8);
    expect(answers.reduce((sum, answer) => sum + (answer.data?.[answer.action]?.count ?? 0), 0)).toBeGreaterThan(JOBS);
    expect(await deadlocks()).toBe(before);
    // The workers never met a statement they could not record.
    expect(service.output.filter((line) => /could not be started or recorded|progress not recorded|deadlock/.test(line)).slice(0, 3)).toEqual([]);
  });
});
