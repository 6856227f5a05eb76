// The job lifecycle: the only way a job's status changes, and the one place where what a
// change causes is decided. Each transition of domain/transitions.ts is one guarded SQL
// statement (store/changes.ts, store/flows.ts) that writes the job row and its event
// together; once it has committed, its effects follow, in this order (`announce()` for
// the first three, at once; `tellRedis()` for the fourth, before the caller hears back):
//
//   1. its events go out on the bus (every API process's subscribers, events/bus.ts);
//   2. metrics count it;
//   3. flows move on (jobs/flows.ts: what waited for a COMPLETED job is released, what
//      waited for a failed one cancelled, what waited for a retried one brought back);
//   4. Redis is told what the table says (`queue`: enqueue, or withdraw and signal).
//
// One failure policy for the Redis part: the change is recorded, so a Redis that cannot
// be told is logged and not thrown; the reconciler queues what is owed a run, and a
// withdrawn job that starts anyway is refused by `start`. Callers get the changes once
// their effects are applied, so an answer to a client comes after Redis heard of it.
//
// A late or duplicate delivery finds the status moved on and is refused: a COMPLETED job
// can never run or complete again.
import { poolOf, type Db } from '../db/client.js';
import type { AttemptError } from '../domain/errors.js';
import { WAITING_STATUSES, type Job } from '../domain/model.js';
import { TRANSITIONS, type Change } from '../domain/transitions.js';
import type { EventBus } from '../events/bus.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { CancelSignals } from '../redis/cancelSignals.js';
import type { JobQueues } from '../redis/queues.js';
import { applyTransition, createJobs, type NewFlowJob, type TargetedTransition, type Target } from '../store/changes.js';
import { flowStep, type FlowStep } from '../store/flows.js';
import { Batcher } from './batcher.js';
import { FlowProgress } from './flows.js';
import type pg from 'pg';


/** Most jobs (or submits) one batched statement carries. */
const MAX_BATCH = 200;
/** Most bytes of payloads or results one batched statement carries. */
const MAX_BATCH_BYTES = 32 * 1024 * 1024;

const jsonLength = (value: unknown) => 256 + (JSON.stringify(value ?? null)?.length ?? 0);

/** What the lifecycle tells once a change has committed. */
export interface LifecycleDeps {
  db: Db;
  bus: Pick<EventBus, 'publish'>;
  metrics: Pick<Metrics, 'record'>;
  queues: Pick<JobQueues, 'enqueue' | 'remove' | 'promote'>;
  cancelSignals: Pick<CancelSignals, 'send'>;
  logger: Logger;
}

export class JobLifecycle {
  private readonly pool: pg.Pool;
  /** Flows move on after their jobs' changes (effect 3). */
  readonly flows: FlowProgress;
  // The worker's hot path (every job starts and completes) is batched: concurrent
  // calls share one statement, which commits before anyone hears of the change.
  private readonly starts = new Batcher<Target, Change | null>((targets) => this.apply('start', targets), { maxItems: MAX_BATCH });
  private readonly completions = new Batcher<Target, Change | null>((targets) => this.apply('complete', targets), {
    maxItems: MAX_BATCH,
    maxBytes: MAX_BATCH_BYTES,
    bytes: (target) => jsonLength(target.result),
  });
  // Several submits share an INSERT; a single submitJobs is never split (its own limits bound it).
  private readonly creations = new Batcher<NewFlowJob[], Change[]>((submits) => this.insertForEach(submits), {
    maxItems: MAX_BATCH,
    maxBytes: MAX_BATCH_BYTES,
    bytes: (jobs) => jobs.reduce((sum, job) => sum + jsonLength(job.payload), 0),
  });

  constructor(private readonly deps: LifecycleDeps) {
    this.pool = poolOf(deps.db);
    this.flows = new FlowProgress((step) => this.flowStep(step), deps.db, deps.logger);
  }

  /**
   * Stores new jobs with their CREATED events (and a flow's edges); a job whose
   * idempotency key is taken is skipped. Submits that arrive together share one
   * statement (group commit).
   */
  async create(jobs: NewFlowJob[]): Promise<Change[]> {
    if (jobs.length === 0) return [];
    // Redis is told after the batch, per caller: the next batch's INSERT does not wait for this one's queue adds.
    return this.told(await this.creations.add(jobs));
  }

  /** A worker begins an attempt (nothing for Redis: the worker holds the job). */
  start(id: string): Promise<Change | null> {
    return this.starts.add({ id });
  }

  progress(id: string, attempt: number, percent: number): Promise<Change | null> {
    return this.one('progress', { id, attempt, progress: percent });
  }

  complete(id: string, attempt: number, result: unknown): Promise<Change | null> {
    return this.completions.add({ id, attempt, result: result ?? null });
  }

  /** The attempt failed with attempts left: RETRYING until now + delayMs. `error` in full is kept on the job and its event. */
  scheduleRetry(id: string, attempt: number, message: string, delayMs: number, error: AttemptError | null = null): Promise<Change | null> {
    return this.one('scheduleRetry', { id, attempt, message, delayMs, error, data: error ? { delayMs, error } : { delayMs } });
  }

  fail(id: string, attempt: number, message: string, error: AttemptError | null = null): Promise<Change | null> {
    return this.one('fail', { id, attempt, message, error, data: error ? { error } : null });
  }

  /** Whatever attempts are left: the attempt was cut short by a shutdown, not by the job. */
  handBack(id: string, attempt: number, reason: string): Promise<Change | null> {
    return this.one('handBack', { id, attempt, message: reason, data: { delayMs: 0 } });
  }

  cancel(id: string, reason: string | null = null): Promise<Change | null> {
    return this.one('cancel', { id, message: reason });
  }

  retry(id: string): Promise<Change | null> {
    return this.one('retry', { id });
  }

  /** A SCHEDULED or RETRYING job runs now. */
  promote(id: string): Promise<Change | null> {
    return this.one('promote', { id });
  }

  /** retry or cancel of many jobs in one statement (bulk actions); the reason is each event's message. */
  async many(name: 'retry' | 'cancel', ids: string[], reason: string | null): Promise<Change[]> {
    const changes = await this.apply(name, ids.map((id) => ({ id, message: reason })));
    return this.told(changes.filter((change): change is Change => change !== null));
  }

  /** Moves flows on after what `step` says happened (store/flows.ts). */
  private async flowStep(step: FlowStep): Promise<Change[]> {
    const changes = await flowStep(this.pool, step);
    this.announce(changes);
    return this.told(changes);
  }

  /** One INSERT for the jobs of several submits, each given back the changes of its own jobs. */
  private async insertForEach(submits: NewFlowJob[][]): Promise<Change[][]> {
    const changes = await createJobs(this.pool, submits.flat());
    this.announce(changes);
    const byId = new Map(changes.map((change) => [change.job.id, change]));
    return submits.map((jobs) => jobs.flatMap((job) => byId.get(job.id) ?? []));
  }

  /** Applies a transition to one job; null when it is missing or its status (or attempt) does not allow it. */
  private async one(name: TargetedTransition, target: Target): Promise<Change | null> {
    const [change] = await this.apply(name, [target]);
    if (change) await this.told([change]);
    return change ?? null;
  }

  /**
   * Applies a transition to many jobs in one statement: each job row changes only if
   * its status (and attempt) allows, and gets its event. Results are in target order.
   */
  private async apply(name: TargetedTransition, targets: Target[]): Promise<(Change | null)[]> {
    // A job asked for twice in one batch changes once; the second ask is refused, as it would be in turn.
    const unique = [...new Map(targets.map((target) => [target.id, target])).values()];
    const changes = await applyTransition(this.pool, name, unique);
    this.announce(changes);
    const byId = new Map(changes.map((change) => [change.job.id, change]));
    const claimed = new Set<string>();
    return targets.map((target) => {
      if (claimed.has(target.id)) return null;
      claimed.add(target.id);
      return byId.get(target.id) ?? null;
    });
  }

  /** The first effects of committed changes, at once (the header's 1 to 3). */
  private announce(changes: Change[]): void {
    if (changes.length === 0) return;
    this.deps.bus.publish(changes);
    this.deps.metrics.record(changes);
    this.flows.follow(changes);
  }

  /** The changes, once Redis was told what they need (the header's 4). */
  private async told(changes: Change[]): Promise<Change[]> {
    await this.tellRedis(changes);
    return changes;
  }

  /** What the table says Redis must do, with one failure policy: logged, never thrown. */
  private async tellRedis(changes: Change[]): Promise<void> {
    const enqueue: Job[] = [];
    const withdraw: Job[] = [];
    const promote: Job[] = [];
    for (const { job, transition } of changes) {
      const effect = TRANSITIONS[transition].queue;
      // Only waiting jobs go in: a flow's job created BLOCKED waits in PostgreSQL.
      if (effect === 'enqueue' && (WAITING_STATUSES as readonly string[]).includes(job.status)) enqueue.push(job);
      else if (effect === 'withdraw') withdraw.push(job);
      else if (effect === 'promote') promote.push(job);
    }
    if (!enqueue.length && !withdraw.length && !promote.length) return;
    const results = await Promise.allSettled([
      ...(enqueue.length ? [this.deps.queues.enqueue(enqueue)] : []),
      ...(promote.length ? [this.deps.queues.promote(promote)] : []),
      // Whether a withdrawn job is waiting or running is not known here; both steps are harmless when not.
      ...withdraw.flatMap((job) => [this.deps.cancelSignals.send(job.id), this.deps.queues.remove(job)]),
    ]);
    const failed = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed.length) {
      this.deps.logger.warn(
        { err: failed[0]?.reason, enqueue: enqueue.length, withdraw: withdraw.length, failed: failed.length },
        'recorded in PostgreSQL, but Redis was not told yet: the reconciler queues what is owed a run, and a withdrawn job that starts is refused',
      );
    }
  }
}
