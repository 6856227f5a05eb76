// The job state machine: the only code that changes a job's status.
//
// Every change is one SQL statement that updates the job row only if its current status
// allows the transition (and, for a worker's outcome, only if the attempt is still the
// one the worker started), and inserts the event in the same statement, so the two
// commit together or not at all. A late or duplicate delivery finds the status moved
// on and is refused: a COMPLETED job can never run or complete again.
//
// The statements themselves, and the rule that orders event ids by commit, are in
// store/changes.ts.
import type pg from 'pg';
import { poolOf, type Db } from '../db/client.js';
import { applyTransition, createJobs, type Change, type NewJob, type Target } from '../store/changes.js';
import { DEPENDENCIES_DONE, flowStep, type FlowStep } from '../store/flows.js';
import type { JobEventType, JobStatus } from '../domain/model.js';
import { Batcher } from './batcher.js';

export type { Change, NewJob };

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
  cancel: { from: ['PENDING', 'SCHEDULED', 'RETRYING', 'RUNNING', 'BLOCKED'], to: 'CANCELLED', event: 'CANCELLED' },
  /** A client asks for a failed or cancelled job to run again (a flow's job: once what it waits for COMPLETED). */
  retry: { from: ['FAILED', 'CANCELLED'], to: 'PENDING', event: 'RETRIED' },
} as const satisfies Record<string, Transition>;

/**
 * The flows' own changes (store/flows.ts, one set-based statement each): BLOCKED to
 * PENDING or SCHEDULED when all it waits for COMPLETED (RELEASED); BLOCKED to CANCELLED
 * when one ended otherwise (CANCELLED); CANCELLED back to BLOCKED when what it waited for
 * was retried (RETRIED).
 */
export const FLOW_TRANSITIONS = {
  release: { from: ['BLOCKED'], to: 'PENDING', event: 'RELEASED' },
  cascade: { from: ['BLOCKED'], to: 'CANCELLED', event: 'CANCELLED' },
  reblock: { from: ['CANCELLED'], to: 'BLOCKED', event: 'RETRIED' },
} as const satisfies Record<string, Transition>;

/** More conditions of some transitions on the job row. */
const WHERE: Partial<Record<TransitionName, string>> = { retry: DEPENDENCIES_DONE };

export type TransitionName = keyof typeof TRANSITIONS;

export function allows(name: TransitionName, status: JobStatus): boolean {
  return (TRANSITIONS[name].from as readonly JobStatus[]).includes(status);
}

/** Most jobs (or submits) one batched statement carries. */
const MAX_BATCH = 200;
/** Most bytes of payloads or results one batched statement carries. */
const MAX_BATCH_BYTES = 32 * 1024 * 1024;

const jsonLength = (value: unknown) => 256 + (JSON.stringify(value ?? null)?.length ?? 0);

/** Who made a change: a client or worker (`job`), or a flow step following others (`flow`). */
export type ChangeOrigin = 'job' | 'flow';

/** Told of every change once it has committed, in commit order within this process. */
export type ChangeListener = (changes: Change[], origin: ChangeOrigin) => void;

/** What each transition sets besides status and updated_at, from its target `x` (store/changes.ts). */
const SETS: Record<TransitionName, string> = {
  start: 'attempts = jobs.attempts + 1, started_at = now(), run_at = NULL, progress = 0',
  progress: 'progress = x.progress',
  complete: 'result = x.result, result_bytes = COALESCE(octet_length(x.result::text), 0), progress = 100, finished_at = now()',
  scheduleRetry: "last_error = x.message, last_delay_ms = x.delay_ms, run_at = now() + x.delay_ms * interval '1 millisecond'",
  fail: 'last_error = x.message, finished_at = now()',
  // Not a failure: the attempt it spent is given back, so a job handed back at every
  // deploy never runs out of attempts.
  handBack: 'attempts = jobs.attempts - 1, last_error = x.message, run_at = now()',
  cancel: 'finished_at = now()',
  retry: 'attempts = 0, progress = 0, result = NULL, result_bytes = 0, run_at = NULL, last_delay_ms = NULL, finished_at = NULL',
};

export class JobStateMachine {
  private readonly pool: pg.Pool;
  // The worker's hot path (every job starts and completes) is batched: concurrent
  // calls share one statement, which commits before anyone hears of the change.
  private readonly starts = new Batcher<Target, Change | null>((targets) => this.apply('start', targets), { maxItems: MAX_BATCH });
  private readonly completions = new Batcher<Target, Change | null>((targets) => this.apply('complete', targets), {
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
    db: Db,
    private readonly onCommitted: ChangeListener = () => undefined,
  ) {
    this.pool = poolOf(db);
  }

  /**
   * Stores new jobs with their CREATED events; a job whose idempotency key is taken is
   * skipped. Submits that arrive together share one statement (group commit).
   */
  create(jobs: NewJob[]): Promise<Change[]> {
    return jobs.length === 0 ? Promise.resolve([]) : this.creations.add(jobs);
  }

  /** One INSERT for the jobs of several submits, each given back the changes of its own jobs. */
  private async insertForEach(submits: NewJob[][]): Promise<Change[][]> {
    const changes = await createJobs(this.pool, submits.flat());
    if (changes.length) this.onCommitted(changes, 'job');
    const byId = new Map(changes.map((change) => [change.job.id, change]));
    return submits.map((jobs) => jobs.flatMap((job) => byId.get(job.id) ?? []));
  }

  start(id: string): Promise<Change | null> {
    return this.starts.add({ id });
  }

  progress(id: string, attempt: number, percent: number): Promise<Change | null> {
    return this.transition('progress', { id, attempt, progress: percent });
  }

  complete(id: string, attempt: number, result: unknown): Promise<Change | null> {
    return this.completions.add({ id, attempt, result: result ?? null });
  }

  scheduleRetry(id: string, attempt: number, error: string, delayMs: number): Promise<Change | null> {
    return this.transition('scheduleRetry', { id, attempt, message: error, delayMs, data: { delayMs } });
  }

  fail(id: string, attempt: number, error: string): Promise<Change | null> {
    return this.transition('fail', { id, attempt, message: error });
  }

  /** Whatever attempts are left: the attempt was cut short by a shutdown, not by the job. */
  handBack(id: string, attempt: number, reason: string): Promise<Change | null> {
    return this.transition('handBack', { id, attempt, message: reason, data: { delayMs: 0 } });
  }

  cancel(id: string, reason: string | null = null): Promise<Change | null> {
    return this.transition('cancel', { id, message: reason });
  }

  retry(id: string): Promise<Change | null> {
    return this.transition('retry', { id });
  }

  /** Moves flows on after what `step` says happened (FLOW_TRANSITIONS; store/flows.ts). */
  async flowStep(step: FlowStep): Promise<Change[]> {
    const changes = await flowStep(this.pool, step);
    if (changes.length) this.onCommitted(changes, 'flow');
    return changes;
  }

  /** retry or cancel of many jobs in one statement (bulk actions); the reason is each event's message. */
  async many(name: 'retry' | 'cancel', ids: string[], reason: string | null): Promise<Change[]> {
    const changes = await this.apply(name, ids.map((id) => ({ id, message: reason })));
    return changes.filter((change): change is Change => change !== null);
  }

  /** Applies a named transition to one job; null when it is missing or its status (or attempt) does not allow it. */
  private async transition(name: TransitionName, target: Target): Promise<Change | null> {
    const [change] = await this.apply(name, [target]);
    return change ?? null;
  }

  /**
   * Applies a named transition to many jobs in one statement: each job row changes only
   * if its status (and attempt) allows, and gets its event. Results are in target order.
   */
  private async apply(name: TransitionName, targets: Target[]): Promise<(Change | null)[]> {
    // A job asked for twice in one batch changes once; the second ask is refused, as it would be in turn.
    const unique = [...new Map(targets.map((target) => [target.id, target])).values()];
    const changes = await applyTransition(this.pool, name, { ...TRANSITIONS[name], set: SETS[name], where: WHERE[name] }, unique);
    if (changes.length) this.onCommitted(changes, 'job');
    const byId = new Map(changes.map((change) => [change.job.id, change]));
    const claimed = new Set<string>();
    return targets.map((target) => {
      if (claimed.has(target.id)) return null;
      claimed.add(target.id);
      return byId.get(target.id) ?? null;
    });
  }
}
