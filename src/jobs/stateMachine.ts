// The job state machine: the only code that changes a job's status.
//
// Every change is one SQL statement that updates the job row only if its current status
// allows the transition (and, for a worker's outcome, only if the attempt is still the
// one the worker started), and inserts the event in the same statement, so the two
// commit together or not at all. A late or duplicate delivery finds the status moved
// on and is refused: a COMPLETED job can never run or complete again.
//
// Event ids are handed out in commit order: each statement takes one transaction-level
// advisory lock before it draws ids and holds it until it commits. So once an event is
// visible, every event with a smaller id that will ever exist is visible too, which is
// what lets subscribers resume from an id and fill gaps from PostgreSQL without missing
// one (a bigserial alone lets a later commit take a smaller id). It serialises the
// commits of status changes, so writers batch them (a statement may carry many jobs).
import type { Db } from '../db/client.js';
import { Prisma } from '../generated/prisma/client.js';
import { LARGE_JOB_FIELDS, type Job, type JobEvent, type JobEventType, type JobStatus } from './model.js';
import { Batcher } from './batcher.js';

export interface Transition {
  from: readonly JobStatus[];
  to: JobStatus;
  event: JobEventType;
}

/** Every legal status change, by name. Nothing else in the code writes `status`. */
export const TRANSITIONS = {
  /** A worker begins an attempt. From RUNNING only when the queue redelivers a job whose worker died. */
  start: { from: ['PENDING', 'SCHEDULED', 'RETRYING', 'RUNNING'], to: 'RUNNING', event: 'STARTED' },
  progress: { from: ['RUNNING'], to: 'RUNNING', event: 'PROGRESS' },
  complete: { from: ['RUNNING'], to: 'COMPLETED', event: 'COMPLETED' },
  /** The attempt failed and attempts are left. */
  scheduleRetry: { from: ['RUNNING'], to: 'RETRYING', event: 'RETRY_SCHEDULED' },
  /** The attempt failed and none are left, or the error was permanent. */
  fail: { from: ['RUNNING'], to: 'FAILED', event: 'FAILED' },
  /** The worker is shutting down and its grace period ran out: the job waits for another one. */
  handBack: { from: ['RUNNING'], to: 'RETRYING', event: 'RETRY_SCHEDULED' },
  cancel: { from: ['PENDING', 'SCHEDULED', 'RETRYING', 'RUNNING'], to: 'CANCELLED', event: 'CANCELLED' },
  /** A client asks for a failed or cancelled job to run again. */
  retry: { from: ['FAILED', 'CANCELLED'], to: 'PENDING', event: 'RETRIED' },
} as const satisfies Record<string, Transition>;

export type TransitionName = keyof typeof TRANSITIONS;

export function allows(name: TransitionName, status: JobStatus): boolean {
  return (TRANSITIONS[name].from as readonly JobStatus[]).includes(status);
}

/** A job as the database now holds it, and the event that recorded the change. */
export interface Change {
  job: Job;
  event: JobEvent;
}

/** A job ready to be stored: everything but the columns the database fills in. */
export type NewJob = Omit<
  Job,
  'attempts' | 'progress' | 'result' | 'lastError' | 'lastDelayMs' | 'createdAt' | 'updatedAt' | 'startedAt' | 'finishedAt' | 'payloadBytes' | 'resultBytes'
>;

// Model field -> column. Raw statements alias columns to field names so their rows have
// the same shape as Prisma's models.
const JOB_COLUMNS: Record<keyof Job, string> = {
  id: 'id',
  queue: 'queue',
  type: 'type',
  payload: 'payload',
  status: 'status',
  priority: 'priority',
  attempts: 'attempts',
  maxAttempts: 'max_attempts',
  backoffType: 'backoff_type',
  backoffDelayMs: 'backoff_delay_ms',
  backoffMaxDelayMs: 'backoff_max_delay_ms',
  backoffJitter: 'backoff_jitter',
  lastDelayMs: 'last_delay_ms',
  timeoutMs: 'timeout_ms',
  progress: 'progress',
  result: 'result',
  lastError: 'last_error',
  idempotencyKey: 'idempotency_key',
  submittedBy: 'submitted_by',
  payloadBytes: 'payload_bytes',
  resultBytes: 'result_bytes',
  idempotencyScope: 'idempotency_scope',
  runAt: 'run_at',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
};
const EVENT_COLUMNS: Record<keyof JobEvent, string> = {
  id: 'id',
  jobId: 'job_id',
  type: 'type',
  status: 'status',
  attempt: 'attempt',
  progress: 'progress',
  message: 'message',
  data: 'data',
  createdAt: 'created_at',
};
const EVENT_PREFIX = 'event.';

/** Key of the advisory lock that orders event ids by commit (see the top of this file). */
export const EVENT_ORDER_LOCK = 0x6a6f_6265_7665_6e74n; // "jobevent"
const LOCK_FOR_EVENTS = Prisma.sql`SELECT pg_advisory_xact_lock(${EVENT_ORDER_LOCK})`;

function select(alias: string, columns: Record<string, string>, prefix = ''): Prisma.Sql {
  return Prisma.raw(
    Object.entries(columns)
      .map(([field, column]) => `${alias}."${column}" AS "${prefix}${field}"`)
      .join(', '),
  );
}

/** Every job column of the row aliased `j`, named as Prisma's Job model names them. */
export const JOB_SELECT_J = select('j', JOB_COLUMNS);

/** Every job column but payload and result. */
export const JOB_SUMMARY_SELECT_J = select('j', Object.fromEntries(Object.entries(JOB_COLUMNS).filter(([field]) => !(LARGE_JOB_FIELDS as readonly string[]).includes(field))));
const CHANGE_SELECT = Prisma.sql`${JOB_SELECT_J}, ${select('e', EVENT_COLUMNS, EVENT_PREFIX)}`;

function splitChange(row: Record<string, unknown>): Change {
  const job: Record<string, unknown> = {};
  const event: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (key.startsWith(EVENT_PREFIX)) event[key.slice(EVENT_PREFIX.length)] = value;
    else job[key] = value;
  }
  return { job: job as unknown as Job, event: event as unknown as JobEvent };
}

interface EventFields {
  progress?: number | null;
  message?: string | null;
  data?: unknown;
}

interface TransitionOptions {
  /** Column assignments besides status and updated_at; `x.result` is the target's result. */
  set?: Prisma.Sql[];
  event?: EventFields;
}

/** A job a transition applies to. */
interface Target {
  id: string;
  /** Refuse unless the job is still in this attempt: fences off a worker that lost its job. */
  attempt?: number;
  /** The handler's result (complete only). */
  result?: unknown;
}

/** Most jobs (or submits) one batched statement carries. */
const MAX_BATCH = 200;
/** Most bytes of payloads or results one batched statement carries. */
const MAX_BATCH_BYTES = 32 * 1024 * 1024;

const jsonLength = (value: unknown) => 256 + (JSON.stringify(value ?? null)?.length ?? 0);

/** Told of every change once it has committed, in commit order within this process. */
export type ChangeListener = (changes: Change[]) => void;

export class JobStateMachine {
  // The worker's hot path (every job starts and completes) is batched: concurrent
  // calls share one statement, which commits before anyone hears of the change.
  private readonly starts = new Batcher<Target, Change | null>((targets) => this.apply('start', targets, START), { maxItems: MAX_BATCH });
  private readonly completions = new Batcher<Target, Change | null>((targets) => this.apply('complete', targets, COMPLETE), {
    maxItems: MAX_BATCH,
    maxBytes: MAX_BATCH_BYTES,
    bytes: (target) => jsonLength(target.result),
  });
  // Several submits share an INSERT; a single submitJobs is never split (its own limits bound it).
  private readonly creations = new Batcher<NewJob[], Change[]>((submits) => this.insertForEach(submits), {
    maxItems: MAX_BATCH,
    maxBytes: MAX_BATCH_BYTES,
    bytes: (jobs) => jobs.reduce((sum, job) => sum + jsonLength(job.payload), 0),
  });

  constructor(
    private readonly db: Db,
    private readonly onCommitted: ChangeListener = () => undefined,
  ) {}

  /**
   * Stores new jobs with their CREATED events; a job whose idempotency key is taken is
   * skipped. Submits that arrive together share one statement (group commit).
   */
  create(jobs: NewJob[]): Promise<Change[]> {
    return jobs.length === 0 ? Promise.resolve([]) : this.creations.add(jobs);
  }

  /** One INSERT for the jobs of several submits, each given back the changes of its own jobs. */
  private async insertForEach(submits: NewJob[][]): Promise<Change[][]> {
    const changes = await this.insert(submits.flat());
    const byId = new Map(changes.map((change) => [change.job.id, change]));
    return submits.map((jobs) => jobs.flatMap((job) => byId.get(job.id) ?? []));
  }

  private async insert(jobs: NewJob[]): Promise<Change[]> {
    const rows = jobs.map((job) => Object.fromEntries(Object.entries(job).map(([field, value]) => [JOB_COLUMNS[field as keyof Job], value])));
    const result = await this.db.$queryRaw<Record<string, unknown>[]>`
      WITH j AS (
        INSERT INTO jobs (id, queue, type, payload, payload_bytes, status, priority, max_attempts, backoff_type, backoff_delay_ms,
                          backoff_max_delay_ms, backoff_jitter, timeout_ms, idempotency_key, idempotency_scope, submitted_by, run_at)
        SELECT id, queue, type, payload, octet_length(payload::text), status::"JobStatus", priority, max_attempts, backoff_type::"BackoffType",
               backoff_delay_ms, backoff_max_delay_ms, backoff_jitter::"Jitter", timeout_ms, idempotency_key, idempotency_scope, submitted_by, run_at
        FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(
          id uuid, queue text, type text, payload jsonb, status text, priority int, max_attempts int, backoff_type text,
          backoff_delay_ms int, backoff_max_delay_ms int, backoff_jitter text, timeout_ms int, idempotency_key text,
          idempotency_scope text, submitted_by text, run_at timestamptz)
        ON CONFLICT (idempotency_scope, idempotency_key) DO NOTHING
        RETURNING *
      ), ordered AS (${LOCK_FOR_EVENTS} FROM (SELECT 1 FROM j LIMIT 1) AS any_row
      ), e AS (
        INSERT INTO job_events (id, job_id, type, status, attempt)
        SELECT nextval('job_events_id_seq'), j.id, 'CREATED', j.status, 0 FROM j, ordered
        RETURNING *
      )
      SELECT ${CHANGE_SELECT} FROM j JOIN e ON e.job_id = j.id ORDER BY e.id`;
    const changes = result.map(splitChange);
    if (changes.length) this.onCommitted(changes);
    return changes;
  }

  start(id: string): Promise<Change | null> {
    return this.starts.add({ id });
  }

  progress(id: string, attempt: number, percent: number): Promise<Change | null> {
    return this.transition('progress', { id, attempt }, { set: [Prisma.sql`progress = ${percent}`], event: { progress: percent } });
  }

  complete(id: string, attempt: number, result: unknown): Promise<Change | null> {
    return this.completions.add({ id, attempt, result: result ?? null });
  }

  scheduleRetry(id: string, attempt: number, error: string, delayMs: number): Promise<Change | null> {
    return this.transition('scheduleRetry', { id, attempt }, {
      set: [
        Prisma.sql`last_error = ${error}`,
        Prisma.sql`last_delay_ms = ${delayMs}`,
        Prisma.sql`run_at = now() + ${delayMs} * interval '1 millisecond'`,
      ],
      event: { message: error, data: { delayMs } },
    });
  }

  fail(id: string, attempt: number, error: string): Promise<Change | null> {
    return this.transition('fail', { id, attempt }, {
      set: [Prisma.sql`last_error = ${error}`, Prisma.sql`finished_at = now()`],
      event: { message: error },
    });
  }

  /** Whatever attempts are left: the attempt was cut short by a shutdown, not by the job. */
  handBack(id: string, attempt: number, reason: string): Promise<Change | null> {
    return this.transition('handBack', { id, attempt }, {
      set: [Prisma.sql`last_error = ${reason}`, Prisma.sql`run_at = now()`],
      event: { message: reason, data: { delayMs: 0 } },
    });
  }

  cancel(id: string, reason: string | null = null): Promise<Change | null> {
    return this.transition('cancel', { id }, { set: [Prisma.sql`finished_at = now()`], event: { message: reason } });
  }

  retry(id: string): Promise<Change | null> {
    return this.transition('retry', { id }, {
      set: [
        Prisma.sql`attempts = 0`,
        Prisma.sql`progress = 0`,
        Prisma.sql`result = NULL`,
        Prisma.sql`result_bytes = 0`,
        Prisma.sql`run_at = NULL`,
        Prisma.sql`last_delay_ms = NULL`,
        Prisma.sql`finished_at = NULL`,
      ],
    });
  }

  /** Applies a named transition to one job; null when it is missing or its status (or attempt) does not allow it. */
  private async transition(name: TransitionName, target: Target, options: TransitionOptions): Promise<Change | null> {
    const [change] = await this.apply(name, [target], options);
    return change ?? null;
  }

  /**
   * Applies a named transition to many jobs in one statement: each job row changes only
   * if its status (and attempt) allows, and gets its event. Results are in target order.
   */
  private async apply(name: TransitionName, targets: Target[], options: TransitionOptions): Promise<(Change | null)[]> {
    const { from, to, event } = TRANSITIONS[name];
    const set = options.set?.length ? Prisma.sql`, ${Prisma.join(options.set)}` : Prisma.empty;
    const data = options.event?.data === undefined ? null : JSON.stringify(options.event.data);
    // A job asked for twice in one batch changes once; the second ask is refused, as it would be in turn.
    const unique = [...new Map(targets.map((target) => [target.id, target])).values()];
    const rows = JSON.stringify(unique.map(({ id, attempt, result }) => ({ id, attempt: attempt ?? null, result: result ?? null })));
    const result = await this.db.$queryRaw<Record<string, unknown>[]>`
      WITH x AS (
        SELECT * FROM jsonb_to_recordset(${rows}::jsonb) AS x(id uuid, attempt int, result jsonb)
      ), j AS (
        UPDATE jobs SET status = ${to}::"JobStatus", updated_at = now() ${set}
        FROM x
        WHERE jobs.id = x.id AND jobs.status = ANY(${[...from]}::"JobStatus"[]) AND (x.attempt IS NULL OR jobs.attempts = x.attempt)
        RETURNING jobs.*
      ), ordered AS (${LOCK_FOR_EVENTS} FROM (SELECT 1 FROM j LIMIT 1) AS any_row
      ), e AS (
        INSERT INTO job_events (id, job_id, type, status, attempt, progress, message, data)
        SELECT nextval('job_events_id_seq'), j.id, ${event}::"JobEventType", j.status, j.attempts,
               ${options.event?.progress ?? null}::float8, ${options.event?.message ?? null}, ${data}::jsonb
        FROM j, ordered
        RETURNING *
      )
      SELECT ${CHANGE_SELECT} FROM j JOIN e ON e.job_id = j.id ORDER BY e.id`;
    const changes = result.map(splitChange);
    if (changes.length) this.onCommitted(changes);
    const byId = new Map(changes.map((change) => [change.job.id, change]));
    const claimed = new Set<string>();
    return targets.map((target) => {
      if (claimed.has(target.id)) return null;
      claimed.add(target.id);
      return byId.get(target.id) ?? null;
    });
  }
}

const START: TransitionOptions = {
  set: [Prisma.sql`attempts = jobs.attempts + 1`, Prisma.sql`started_at = now()`, Prisma.sql`run_at = NULL`, Prisma.sql`progress = 0`],
};
const COMPLETE: TransitionOptions = {
  set: [
    Prisma.sql`result = x.result`,
    Prisma.sql`result_bytes = COALESCE(octet_length(x.result::text), 0)`,
    Prisma.sql`progress = 100`,
    Prisma.sql`finished_at = now()`,
  ],
};
