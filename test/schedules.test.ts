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
