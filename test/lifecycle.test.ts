// The lifecycle against real PostgreSQL and Redis: every transition of the table
// (domain/transitions.ts) applies from each status it may leave, with its event and its
// effects (the event on the bus, Redis told what the table says), and is refused from
// every other status, changing nothing. The database itself refuses a finished_at that
// does not match the status.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../src/db/client.js';
import { JOB_STATUSES, type JobStatus } from '../src/domain/model.js';
import { allows, TRANSITIONS, type Change, type TransitionName } from '../src/domain/transitions.js';
import { EventBus } from '../src/events/bus.js';
import type { EventMessage } from '../src/events/message.js';
import { JobLifecycle } from '../src/jobs/lifecycle.js';
import { Metrics } from '../src/metrics/metrics.js';
import { CancelSignals } from '../src/redis/cancelSignals.js';
import { JobQueues } from '../src/redis/queues.js';
import type { NewFlowJob } from '../src/store/changes.js';
import { JobQueries } from '../src/store/queries.js';
import { REDIS_URL } from './helpers/app.js';
import { createTestDatabase, databaseUrl, dropTestDatabase } from './helpers/db.js';

let database: string;
let db: Db;
let redis: Redis;
let queues: JobQueues;
let cancelSignals: CancelSignals;
let bus: EventBus;
let lifecycle: JobLifecycle;
const prefix = `jgtest-${randomBytes(4).toString('hex')}`;
const published: EventMessage[] = [];
const cancelled: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(databaseUrl(database), 3, () => undefined);
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const logger = pino({ level: 'silent' });
  queues = new JobQueues(redis, prefix, 2000);
  cancelSignals = new CancelSignals(redis, `${prefix}:cancel`, 2000);
  await cancelSignals.listen((jobId) => cancelled.push(jobId));
  bus = new EventBus(redis, `${prefix}:events`, logger);
  bus.listen((messages) => published.push(...messages));
  lifecycle = new JobLifecycle({ db, bus, metrics: new Metrics(new JobQueries(db), () => 0, { perProcess: false }), queues, cancelSignals, logger });
});
afterAll(async () => {
  await lifecycle?.flows.settled();
  await cancelSignals?.close();
  await bus?.close();
  await queues?.close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis?.disconnect();
  await db?.$disconnect();
  if (database) await dropTestDatabase(database);
});

function newJob(overrides: Partial<NewFlowJob> = {}): NewFlowJob {
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
    runnerScope: null,
    traceParent: null,
    ...overrides,
  };
}

async function created(overrides: Partial<NewFlowJob> = {}): Promise<string> {
  const [change] = await lifecycle.create([newJob(overrides)]);
  return change!.job.id;
}

const statusOf = async (id: string) => (await db.job.findUniqueOrThrow({ where: { id } })).status;
const inRedis = async (id: string) => (await queues.missing([{ id, queue: 'default' } as never])).length === 0;

async function events(id: string): Promise<string[]> {
  const rows = await db.jobEvent.findMany({ where: { jobId: id }, orderBy: { id: 'asc' } });
  return rows.map((row) => `${row.type}:${row.status}:${row.attempt}`);
}

/** A job (and, in a flow, the one it waits for) brought to `status` through the lifecycle. */
async function jobIn(status: JobStatus): Promise<{ id: string; upstream?: string }> {
  if (status === 'BLOCKED') {
    const flowId = uuidv7();
    const upstream = newJob({ flowId, flowKey: 'up' });
    const down = newJob({ flowId, flowKey: 'down', status: 'BLOCKED', dependsOn: [upstream.id] });
    await lifecycle.create([upstream, down]);
    return { id: down.id, upstream: upstream.id };
  }
  if (status === 'SCHEDULED') return { id: await created({ status: 'SCHEDULED', runAt: new Date(Date.now() + 3_600_000) }) };
  const id = await created();
  if (status === 'PENDING') return { id };
  if (status === 'CANCELLED') {
    await lifecycle.cancel(id);
    return { id };
  }
  await lifecycle.start(id);
  if (status === 'RUNNING') return { id };
  if (status === 'RETRYING') await lifecycle.scheduleRetry(id, 1, 'boom', 10);
  if (status === 'COMPLETED') await lifecycle.complete(id, 1, { ok: true });
  if (status === 'FAILED') await lifecycle.fail(id, 1, 'boom');
  return { id };
}

/** Asks for a client's or worker's transition of one job (attempt 1 where a worker's needs one). */
function apply(name: Exclude<TransitionName, 'create' | 'release' | 'cascade' | 'reblock'>, id: string, attempts = 1): Promise<Change | null> {
  switch (name) {
    case 'start':
      return lifecycle.start(id);
    case 'progress':
      return lifecycle.progress(id, attempts, 50);
    case 'complete':
      return lifecycle.complete(id, attempts, 'done');
    case 'scheduleRetry':
      return lifecycle.scheduleRetry(id, attempts, 'again', 10);
    case 'fail':
      return lifecycle.fail(id, attempts, 'bad');
    case 'handBack':
      return lifecycle.handBack(id, attempts, 'shutting down');
    case 'cancel':
      return lifecycle.cancel(id, 'test');
    case 'retry':
      return lifecycle.retry(id);
    case 'promote':
      return lifecycle.promote(id);
  }
}

const attemptsOf = async (id: string) => (await db.job.findUniqueOrThrow({ where: { id } })).attempts;

describe('the lifecycle', () => {
  it('applies each client and worker transition from every status it leaves, and refuses it from the others', { timeout: 60_000 }, async () => {
    const names = ['start', 'progress', 'complete', 'scheduleRetry', 'fail', 'handBack', 'cancel', 'retry', 'promote'] as const;
    for (const name of names) {
      const { to, event } = TRANSITIONS[name];
      for (const status of JOB_STATUSES) {
        const { id } = await jobIn(status);
        const before = await events(id);
        const change = await apply(name, id, Math.max(await attemptsOf(id), 1));
        if (allows(name, status)) {
          expect(change, `${name} from ${status}`).not.toBeNull();
          expect(to as readonly string[], `${name} from ${status}`).toContain(change!.job.status);
          expect(change!.event.type).toBe(event);
          expect(change!.transition).toBe(name);
          expect(await events(id)).toEqual([...before, `${event}:${change!.job.status}:${change!.job.attempts}`]);
        } else {
          expect(change, `${name} from ${status}`).toBeNull();
          expect(await statusOf(id), `${name} from ${status}`).toBe(status);
          expect(await events(id)).toEqual(before);
        }
      }
    }
  });

  it('moves flows on: release, cascade and reblock, each from the status it leaves', { timeout: 30_000 }, async () => {
    const released = await jobIn('BLOCKED');
    await lifecycle.start(released.upstream!);
    await lifecycle.complete(released.upstream!, 1, 'up');
    await lifecycle.flows.settled();
    expect(await statusOf(released.id)).toBe('PENDING');
    expect((await events(released.id)).at(-1)).toBe('RELEASED:PENDING:0');
    expect(await inRedis(released.id)).toBe(true);

    const cascaded = await jobIn('BLOCKED');
    await lifecycle.start(cascaded.upstream!);
    await lifecycle.fail(cascaded.upstream!, 1, 'upstream broke');
    await lifecycle.flows.settled();
    expect(await statusOf(cascaded.id)).toBe('CANCELLED');
    expect((await db.jobEvent.findFirstOrThrow({ where: { jobId: cascaded.id, type: 'CANCELLED' } })).message).toBe('cancelled: up, which it depends on, ended FAILED');

    await lifecycle.retry(cascaded.upstream!);
    await lifecycle.flows.settled();
    expect(await statusOf(cascaded.id)).toBe('BLOCKED');
    expect((await events(cascaded.id)).at(-1)).toBe('RETRIED:BLOCKED:0');
    expect(await inRedis(cascaded.id)).toBe(false);
  });

  it('tells Redis what the table says: a created or retried job is queued, a cancelled one withdrawn and signalled', async () => {
    const id = await created();
    expect(await inRedis(id)).toBe(true);
    await lifecycle.cancel(id);
    expect(await inRedis(id)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(cancelled).toContain(id);
    await lifecycle.retry(id);
    expect(await inRedis(id)).toBe(true);
    // Every change went out on the bus, in order.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(published.filter((message) => message.jobId === id).map((message) => message.type)).toEqual(['CREATED', 'CANCELLED', 'RETRIED']);
  });

  it('fences off a worker whose attempt was superseded by a redelivery', async () => {
    const id = await created();
    await lifecycle.start(id);
    // The queue redelivers after the first worker was presumed dead: attempt 2 starts.
    expect((await lifecycle.start(id))?.job.attempts).toBe(2);
    expect(await lifecycle.complete(id, 1, 'stale worker')).toBeNull();
    expect((await lifecycle.complete(id, 2, 'current worker'))?.job.result).toBe('current worker');
  });

  it('skips a job whose idempotency key is taken, keeping the first', async () => {
    const [first] = await lifecycle.create([newJob({ idempotencyKey: 'sm-key' })]);
    expect(await lifecycle.create([newJob({ idempotencyKey: 'sm-key' })])).toEqual([]);
    expect(await db.job.count({ where: { idempotencyKey: 'sm-key' } })).toBe(1);
    expect(first?.job.idempotencyKey).toBe('sm-key');
  });

  it('has a database that refuses a finished_at out of step with the status', async () => {
    const id = await created();
    await expect(db.$executeRaw`UPDATE jobs SET finished_at = now() WHERE id = ${id}::uuid`).rejects.toThrow(/jobs_finished_at_final/);
    const done = await jobIn('COMPLETED');
    await expect(db.$executeRaw`UPDATE jobs SET finished_at = NULL WHERE id = ${done.id}::uuid`).rejects.toThrow(/jobs_finished_at_final/);
  });
});
