// Schedules: a cron schedule that fires every second makes ordinary jobs; pausing and
// deleting stop it; it keeps firing after Redis restarts empty (rebuilt from PostgreSQL).
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, waitFor, type TestApp } from './helpers/app.js';
import { startOwnRedis, type OwnRedis } from './helpers/redis.js';

const CREATE = `mutation ($input: CreateScheduleInput!) {
  createSchedule(input: $input) { schedule { id name paused nextRunAt timezone } userErrors { code field message } }
}`;
const SET = (verb: string) => `mutation ($id: ID!) { ${verb}(id: $id) { schedule { id paused nextRunAt } userErrors { code field } } }`;
const MADE = `{ jobs(filter: { type: ["echo"] }, first: 500) { nodes { submittedBy status payload } } }`;

interface Made {
  jobs: { nodes: { submittedBy: string | null; status: string; payload: unknown }[] };
}

let redis: OwnRedis;
let app: TestApp;
beforeAll(async () => {
  redis = await startOwnRedis();
  app = await startTestApp({ REDIS_URL: redis.url, RECONCILE_INTERVAL_MS: '1000', QUEUE_TIMEOUT_MS: '500', SCHEDULE_MIN_INTERVAL_MS: '1000' });
});
afterAll(async () => {
  await app?.stop();
  await redis?.kill();
});

async function made(): Promise<number> {
  const { jobs } = await app.data<Made, unknown>(MADE);
  return jobs.nodes.filter((job) => job.submittedBy === 'schedule:ticker').length;
}

it('fires every second, pauses, resumes, survives Redis loss and stops when deleted', { timeout: 60_000 }, async () => {
  const { createSchedule } = await app.data<{ createSchedule: { schedule: { id: string; nextRunAt: string }; userErrors: unknown[] } }, unknown>(CREATE, {
    input: { name: 'ticker', cron: '* * * * * *', timezone: 'Europe/Paris', job: { type: 'echo', payload: { tick: true } } },
  });
  expect(createSchedule.userErrors).toEqual([]);
  expect(Date.parse(createSchedule.schedule.nextRunAt) - Date.now()).toBeLessThanOrEqual(1000);
  const id = createSchedule.schedule.id;
  await waitFor(async () => ((await made()) >= 2 ? true : undefined), 10_000, 'two scheduled jobs');
  const { jobs } = await app.data<Made, unknown>(MADE);
  expect(jobs.nodes.find((job) => job.submittedBy === 'schedule:ticker')).toMatchObject({ payload: { tick: true } });

  const paused = await app.data<{ pauseSchedule: { schedule: { paused: boolean; nextRunAt: string | null } } }, unknown>(SET('pauseSchedule'), { id });
  expect(paused.pauseSchedule.schedule).toMatchObject({ paused: true, nextRunAt: null });
  await sleep(1200); // a firing already under way may still land
  const whilePaused = await made();
  await sleep(2000);
  expect(await made()).toBe(whilePaused);

  await app.data(SET('resumeSchedule'), { id });
  await redis.kill();
  await redis.start(); // empty: BullMQ's scheduler is gone, PostgreSQL still has it
  await waitFor(async () => ((await made()) >= whilePaused + 2 ? true : undefined), 15_000, 'firing after Redis came back');

  const deleted = await app.data<{ deleteSchedule: { userErrors: unknown[] } }, unknown>(SET('deleteSchedule'), { id });
  expect(deleted.deleteSchedule.userErrors).toEqual([]);
  await sleep(1200);
  const afterDelete = await made();
  await sleep(2000);
  expect(await made()).toBe(afterDelete);
  expect((await app.data<{ schedules: unknown[] }, unknown>('{ schedules { id } }')).schedules).toEqual([]);
});

it('refuses a bad cron, time zone or job template, naming the field', async () => {
  const { createSchedule } = await app.data<{ createSchedule: { schedule: null; userErrors: { code: string; field: string[] }[] } }, unknown>(CREATE, {
    input: { name: 'bad', cron: 'every tuesday', timezone: 'Mars/Olympus', job: { type: 'nope', payload: {} } },
  });
  expect(createSchedule.schedule).toBeNull();
  expect(createSchedule.userErrors).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ code: 'INVALID_INPUT', field: ['input', 'timezone'] }),
      expect.objectContaining({ code: 'UNKNOWN_JOB_TYPE', field: ['input', 'job', 'type'] }),
    ]),
  );
  const badCron = await app.data<{ createSchedule: { userErrors: { field: string[] }[] } }, unknown>(CREATE, {
    input: { name: 'bad', cron: 'every tuesday', job: { type: 'echo', payload: {} } },
  });
  expect(badCron.createSchedule.userErrors.map((error) => error.field)).toEqual([['input', 'cron']]);
});

it('counts firings against the tenant\'s rate limit: a firing over it makes no job and says so in the schedule\'s runs (issue 18, finding 5)', { timeout: 30_000 }, async () => {
  const KEY = 'tenant-t-0123456789abcdef';
  const limited = await startTestApp({ API_KEYS: `t:${KEY}:jobs:read,jobs:write:T`, RATE_LIMIT_TENANT_JOBS_PER_MINUTE: '6', SCHEDULE_MIN_INTERVAL_MS: '1000' });
  const post = async (query: string, variables?: unknown) => {
    const response = await fetch(limited.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, body: JSON.stringify({ query, variables }) });
    return (await response.json()) as { data?: any; errors?: { extensions?: { code?: string } }[] }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  try {
    // Four schedules firing every second: each creation counts one of the six, the firings the rest.
    for (let index = 0; index < 4; index++) {
      const created = await post(CREATE, { input: { name: `burst-${index}`, cron: '* * * * * *', job: { type: 'echo', payload: { index } } } });
      expect(created.data.createSchedule.userErrors).toEqual([]);
    }
    await sleep(3500);
    const { data } = await post('{ schedules { name lastRunAt lastJob { id submittedBy } runs { at skipped job { id } } } jobs(first: 100) { nodes { submittedBy } } }');
    const made = data.jobs.nodes.filter((job: { submittedBy: string }) => job.submittedBy.startsWith('schedule:'));
    expect(made.length).toBe(2);
    const runs = data.schedules.flatMap((schedule: { runs: { skipped: string | null; job: unknown }[] }) => schedule.runs);
    expect(runs.filter((run: { job: unknown }) => run.job).length).toBe(2);
    const skipped = runs.filter((run: { skipped: string | null }) => run.skipped);
    expect(skipped.length).toBeGreaterThanOrEqual(6);
    expect(skipped[0].skipped).toMatch(/^skipped: over the rate limit of its creator or tenant \(at most 6 jobs .*RATE_LIMIT_TENANT_JOBS_PER_MINUTE/);
    const withJob = data.schedules.filter((schedule: { lastJob: unknown }) => schedule.lastJob);
    expect(withJob.every((schedule: { lastRunAt: string | null; lastJob: { submittedBy: string } }) => schedule.lastRunAt && schedule.lastJob.submittedBy.startsWith('schedule:burst-'))).toBe(true);
    // And a direct submit is refused like the firings.
    const direct = await post('mutation { submitJob(input: { type: "echo", payload: {} }) { job { id } } }');
    expect(direct.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  } finally {
    await limited.stop();
  }
});

it('runs a schedule now with runSchedule (paused too), its next run unchanged; a second run is a second job; a bad or unknown id is named', { timeout: 30_000 }, async () => {
  const RUN = 'mutation ($id: ID!) { runSchedule(id: $id) { schedule { id paused nextRunAt lastRunAt lastJob { id submittedBy payload } runs { job { id } skipped } } userErrors { code field message } } }';
  type Ran = { runSchedule: { schedule: { paused: boolean; nextRunAt: string | null; lastRunAt: string | null; lastJob: { id: string; submittedBy: string; payload: unknown } | null; runs: { job: { id: string } | null }[] } | null; userErrors: { code: string; field: string[]; message: string }[] } };
  // Once a year: only runSchedule makes its jobs here.
  const { createSchedule } = await app.data<{ createSchedule: { schedule: { id: string; nextRunAt: string } } }, unknown>(CREATE, {
    input: { name: 'yearly', cron: '0 0 1 1 *', job: { type: 'echo', payload: { yearly: true } } },
  });
  const { id, nextRunAt } = createSchedule.schedule;
  const first = await app.data<Ran, unknown>(RUN, { id });
  expect(first.runSchedule.userErrors).toEqual([]);
  expect(first.runSchedule.schedule).toMatchObject({ nextRunAt, lastJob: { submittedBy: 'schedule:yearly', payload: { yearly: true } } });
  expect(first.runSchedule.schedule?.runs[0]?.job?.id).toBe(first.runSchedule.schedule?.lastJob?.id);
  await waitFor(async () => {
    const { job } = await app.data<{ job: { status: string } }, unknown>('query ($id: ID!) { job(id: $id) { status } }', { id: first.runSchedule.schedule?.lastJob?.id });
    return job.status === 'COMPLETED' ? true : undefined;
  }, 10_000, 'the job it made to complete');

  // Paused, it still runs when asked, and stays paused; a second run is a second job.
  await app.data(SET('pauseSchedule'), { id });
  const second = await app.data<Ran, unknown>(RUN, { id });
  expect(second.runSchedule.schedule).toMatchObject({ paused: true, nextRunAt: null });
  expect(second.runSchedule.schedule?.lastJob?.id).not.toBe(first.runSchedule.schedule?.lastJob?.id);
  expect(second.runSchedule.schedule?.runs.filter((run) => run.job).length).toBe(2);

  // No such schedule, or not one: the field and why.
  const missing = await app.data<Ran, unknown>(RUN, { id: '0193a5a0-0000-7000-8000-000000000000' });
  expect(missing.runSchedule).toMatchObject({ schedule: null, userErrors: [{ code: 'NOT_FOUND', field: ['id'] }] });
  const bad = await app.data<Ran, unknown>(RUN, { id: 'nope' });
  expect(bad.runSchedule.userErrors[0]).toMatchObject({ code: 'INVALID_INPUT', field: ['id'] });
  await app.data(SET('deleteSchedule'), { id });
});

it("runs another tenant's schedule as a missing one, and a run over the creator's rate limit says so and makes no job", { timeout: 30_000 }, async () => {
  const KEYS = { a: 'tenant-a-0123456789abcdef', b: 'tenant-b-0123456789abcdef' };
  const tenants = await startTestApp({ API_KEYS: `a:${KEYS.a}:jobs:read,jobs:write:A;b:${KEYS.b}:jobs:read,jobs:write:B`, RATE_LIMIT_TENANT_JOBS_PER_MINUTE: '3' });
  const post = async (key: string, query: string, variables?: unknown) => {
    const response = await fetch(tenants.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query, variables }) });
    return (await response.json()) as { data?: any; errors?: unknown[] }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const RUN = 'mutation ($id: ID!) { runSchedule(id: $id) { schedule { id lastJob { id } } userErrors { code field message } } }';
  try {
    const created = await post(KEYS.a, CREATE, { input: { name: 'a-yearly', cron: '0 0 1 1 *', job: { type: 'echo', payload: {} } } });
    const id = created.data.createSchedule.schedule.id;
    const other = await post(KEYS.b, RUN, { id });
    expect(other.data.runSchedule).toMatchObject({ schedule: null, userErrors: [{ code: 'NOT_FOUND', field: ['id'] }] });
    // The creation counted one of three; two runs take the rest; the third run is over the limit.
    expect((await post(KEYS.a, RUN, { id })).data.runSchedule.userErrors).toEqual([]);
    expect((await post(KEYS.a, RUN, { id })).data.runSchedule.userErrors).toEqual([]);
    const over = await post(KEYS.a, RUN, { id });
    expect(over.data.runSchedule.schedule).toBeNull();
    expect(over.data.runSchedule.userErrors[0]).toMatchObject({ code: 'LIMIT_EXCEEDED', field: ['id'] });
    expect(over.data.runSchedule.userErrors[0].message).toMatch(/over the rate limit of its creator or tenant .*RATE_LIMIT_TENANT_JOBS_PER_MINUTE/);
    const { data } = await post(KEYS.a, '{ jobs(first: 10) { nodes { submittedBy } } }');
    expect(data.jobs.nodes.filter((job: { submittedBy: string }) => job.submittedBy === 'schedule:a-yearly').length).toBe(2);
  } finally {
    await tenants.stop();
  }
});
