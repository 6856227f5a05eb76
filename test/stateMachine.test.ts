// The state machine against real PostgreSQL: legal transitions apply with their event,
// everything else is refused and changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { createDb, type Db } from '../src/db/client.js';
import { JOB_STATUSES } from '../src/domain/model.js';
import { allows, JobStateMachine, TRANSITIONS, type NewJob } from '../src/jobs/lifecycle.js';
import { createTestDatabase, databaseUrl, dropTestDatabase } from './helpers/db.js';

let database: string;
let db: Db;
let machine: JobStateMachine;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(databaseUrl(database), 2, () => undefined);
  machine = new JobStateMachine(db);
});
afterAll(async () => {
  await db?.$disconnect();
  if (database) await dropTestDatabase(database);
});

function newJob(overrides: Partial<NewJob> = {}): NewJob {
  return {
    id: uuidv7(),
    queue: 'default',
    type: 'echo',
    payload: {},
    submittedBy: null,
    status: 'PENDING',
    priority: 0,
    maxAttempts: 3,
    backoffType: 'FIXED',
    backoffDelayMs: 10,
    backoffMaxDelayMs: 10,
    backoffJitter: 'NONE',
    timeoutMs: 1000,
    idempotencyKey: null,
    idempotencyScope: '',
    tenant: '',
    owner: null,
    ownerOnly: false,
    tags: [],
    flowId: null,
    flowKey: null,
    flowName: null,
    runAt: null,
    ...overrides,
  };
}

async function created(): Promise<string> {
  const [change] = await machine.create([newJob()]);
  return change!.job.id;
}

async function events(id: string): Promise<string[]> {
  const rows = await db.jobEvent.findMany({ where: { jobId: id }, orderBy: { id: 'asc' } });
  return rows.map((row) => `${row.type}:${row.status}:${row.attempt}`);
}

describe('state machine', () => {
  it('has final states that no worker transition leaves', () => {
    for (const final of ['COMPLETED', 'FAILED', 'CANCELLED'] as const) {
      for (const name of ['start', 'progress', 'complete', 'scheduleRetry', 'fail', 'cancel'] as const) {
        expect(allows(name, final), `${name} from ${final}`).toBe(false);
      }
    }
    // Every status is reachable as some transition's target or as a created status.
    const targets = new Set<string>([...Object.values(TRANSITIONS).map((t) => t.to), 'PENDING', 'SCHEDULED', 'BLOCKED']);
    expect([...JOB_STATUSES].every((status) => targets.has(status))).toBe(true);
  });

  it('runs a job through start, progress and complete, one event each', async () => {
    const id = await created();
    expect((await machine.start(id))?.job).toMatchObject({ status: 'RUNNING', attempts: 1 });
    expect((await machine.progress(id, 1, 40))?.job.progress).toBe(40);
    const done = await machine.complete(id, 1, { ok: true });
    expect(done?.job).toMatchObject({ status: 'COMPLETED', result: { ok: true }, progress: 100 });
    expect(done?.event).toMatchObject({ type: 'COMPLETED', status: 'COMPLETED', attempt: 1 });
    expect(await events(id)).toEqual(['CREATED:PENDING:0', 'STARTED:RUNNING:1', 'PROGRESS:RUNNING:1', 'COMPLETED:COMPLETED:1']);
  });

  it('refuses a second COMPLETED, a late start and a late failure of a completed job', async () => {
    const id = await created();
    await machine.start(id);
    await machine.complete(id, 1, 'first');
    expect(await machine.complete(id, 1, 'second')).toBeNull();
    expect(await machine.start(id)).toBeNull();
    expect(await machine.fail(id, 1, 'late')).toBeNull();
    expect(await machine.scheduleRetry(id, 1, 'late', 10)).toBeNull();
    expect(await machine.cancel(id)).toBeNull();
    const job = await db.job.findUniqueOrThrow({ where: { id } });
    expect(job).toMatchObject({ status: 'COMPLETED', result: 'first' });
    expect((await events(id)).filter((event) => event.startsWith('COMPLETED'))).toHaveLength(1);
  });

  it('fences off a worker whose attempt was superseded by a redelivery', async () => {
    const id = await created();
    await machine.start(id);
    // The queue redelivers after the first worker was presumed dead: attempt 2 starts.
    expect((await machine.start(id))?.job.attempts).toBe(2);
    expect(await machine.complete(id, 1, 'stale worker')).toBeNull();
    expect((await machine.complete(id, 2, 'current worker'))?.job.result).toBe('current worker');
  });

  it('schedules a retry with runAt, then fails for good', async () => {
    const id = await created();
    await machine.start(id);
    const retry = await machine.scheduleRetry(id, 1, 'boom', 5000);
    expect(retry?.job).toMatchObject({ status: 'RETRYING', lastError: 'boom', lastDelayMs: 5000 });
    expect(retry!.job.runAt!.getTime()).toBeGreaterThan(Date.now() + 4000);
    expect(retry?.event).toMatchObject({ type: 'RETRY_SCHEDULED', message: 'boom', data: { delayMs: 5000 } });
    await machine.start(id);
    expect((await machine.fail(id, 2, 'boom again'))?.job).toMatchObject({ status: 'FAILED', lastError: 'boom again' });
  });

  it('lets a client retry only FAILED or CANCELLED jobs, resetting attempts', async () => {
    const pending = await created();
    expect(await machine.retry(pending)).toBeNull();
    await machine.cancel(pending);
    const retried = await machine.retry(pending);
    expect(retried?.job).toMatchObject({ status: 'PENDING', attempts: 0, finishedAt: null });
    expect(retried?.event.type).toBe('RETRIED');
  });

  it('refuses progress once the job is no longer running', async () => {
    const id = await created();
    expect(await machine.progress(id, 0, 10)).toBeNull();
    await machine.start(id);
    await machine.cancel(id);
    expect(await machine.progress(id, 1, 10)).toBeNull();
  });

  it('returns null for an unknown job', async () => {
    expect(await machine.cancel(uuidv7())).toBeNull();
  });

  it('skips a job whose idempotency key is taken, keeping the first', async () => {
    const [first] = await machine.create([newJob({ idempotencyKey: 'sm-key' })]);
    expect(await machine.create([newJob({ idempotencyKey: 'sm-key' })])).toEqual([]);
    expect(await db.job.count({ where: { idempotencyKey: 'sm-key' } })).toBe(1);
    expect(first?.job.idempotencyKey).toBe('sm-key');
  });
});
