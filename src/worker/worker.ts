// BullMQ workers: take a job id from Redis, start the job through the lifecycle, run
// the attempt and record its outcome. Who runs the attempt is the runner's business:
// the job's handler in this process (`localRunner`), or a remote worker connected to
// this API process (remote/). Everything around it is the same: tenant slots, the
// timeout, the outcome recorded through the one lifecycle, the BullMQ job settled by
// what PostgreSQL says (a retry waits in BullMQ's delayed set with the same id).
//
// PostgreSQL unreachable: a worker does not run what it could not record. It puts the
// job back in the queue (BullMQ's manual rate limit, which costs no attempt) and takes
// nothing for a while. An outcome it cannot record is retried for a time, then the job
// is put back the same way and runs again once PostgreSQL answers.
import { setTimeout as sleep } from 'node:timers/promises';
import { DelayedError, UnrecoverableError, Worker, type Job as BullJob } from 'bullmq';
import type { RedisClient } from '../redis/connection.js';
import type { JobQueries } from '../store/queries.js';
import { isDatabaseUnavailable } from '../db/errors.js';
import type { HandlerRegistry } from '../handlers/registry.js';
import { AttemptAborted, attemptError, recordOutcome, runAttempt, type Outcome } from './attempt.js';
import { WAITING_STATUSES, type Job, type JobStatus } from '../domain/model.js';
import type { Change } from '../domain/transitions.js';
import { describeError } from '@jobgraph/worker';
import type { JobLifecycle } from '../jobs/lifecycle.js';
import type { Logger } from '../logger.js';
import type { JobLogs } from './logs.js';
import type { Metrics } from '../metrics/metrics.js';
import type { CancelSignals } from '../redis/cancelSignals.js';
import type { TenantSlots } from '../redis/tenantSlots.js';
import { inAttemptSpan, recordOutcomeOnSpan } from '../tracing/tracing.js';

export interface WorkerDeps {
  queries: JobQueries;
  lifecycle: JobLifecycle;
  cancelSignals: CancelSignals;
  connection: RedisClient;
  logger: Logger;
  metrics: Metrics;
  logs?: JobLogs;
  /** TENANT_CONCURRENCY: a job whose tenant runs that many already waits. */
  slots?: TenantSlots;
}

export interface WorkerOptions {
  prefix: string;
  /**
   * How long a worker's hold on a job lasts without renewal: a worker that died is
   * noticed after this, and its jobs run again.
   */
  lockMs: number;
}

/** How long a worker takes no jobs after finding PostgreSQL unreachable. */
const DATABASE_BACKOFF_MS = 2000;
/** How long a job waits after an unexpected error in starting or recording it. */
const UNEXPECTED_BACKOFF_MS = 5000;
/** How long an outcome is retried while PostgreSQL is unreachable before the job is put back. */
const RECORD_RETRY_MS = 15_000;
/**
 * A job whose tenant holds all its slots waits this long, doubling each time it finds
 * them still taken, up to the most: a tenant's backlog of thousands is not turned over
 * many times a second while its own jobs run.
 */
const SLOT_WAIT_MS = { first: 250, most: 10_000 } as const;

/**
 * Runs one attempt of a job the lifecycle has just started (with its flow
 * dependencies' results) and says how it ended. `controller` fires on cancel, timeout
 * and shutdown (with an AttemptAborted saying which).
 */
export type AttemptRunner = (job: Job, controller: AbortController, dependencies: Record<string, unknown> | undefined) => Promise<RunnerOutcome>;

/** An outcome, and who waits to hear whether it was recorded (a remote worker's outcome mutation). */
export type RunnerOutcome = Outcome & { recorded?: (change: Change | null) => void };

/** The runner of the service's own workers: the job's handler, in this process. */
export function localRunner(deps: { registry: HandlerRegistry; lifecycle: JobLifecycle; logger: Logger; logs?: JobLogs }): AttemptRunner {
  return async (job, controller, dependencies) => {
    const handler = deps.registry.get(job.type);
    if (!handler) return { kind: 'failed', error: attemptError('UnknownType', `no handler for job type "${job.type}" in this worker`), permanent: true };
    return runAttempt(job, handler, controller, { lifecycle: deps.lifecycle, logger: deps.logger, logs: deps.logs, dependencies });
  };
}

export class JobWorkers {
  private readonly workers = new Map<string, Worker>();
  /** Attempts running in this process, by job id, so a cancel can reach them. */
  private readonly running = new Map<string, AbortController>();
  private listening: Promise<() => void> | undefined;

  constructor(
    private readonly deps: WorkerDeps,
    private readonly options: WorkerOptions,
    private readonly runner: AttemptRunner,
  ) {}

  /** Takes jobs from BullMQ queue `queue`, `concurrency` at once (in this process). */
  async add(queue: string, concurrency: number): Promise<void> {
    this.listening ??= this.deps.cancelSignals.listen((jobId) => {
      this.running.get(jobId)?.abort(new AttemptAborted('cancelled', 'cancelled by a client'));
    });
    await this.listening;
    if (this.workers.has(queue)) return this.setConcurrency(queue, concurrency);
    const worker: Worker = new Worker(queue, (job, token) => this.process(worker, job, token), {
      connection: this.deps.connection,
      prefix: this.options.prefix,
      concurrency,
      // The job's own timeoutMs bounds an attempt; BullMQ's lock only detects dead workers.
      lockDuration: this.options.lockMs,
      stalledInterval: this.options.lockMs,
      // PostgreSQL counts attempts (a redelivered RUNNING job counts the lost one), so
      // BullMQ must never give up on a job by itself.
      maxStalledCount: Number.MAX_SAFE_INTEGER,
    });
    worker.on('error', (error) => this.deps.logger.error({ err: error, queue }, 'worker error'));
    this.workers.set(queue, worker);
    await worker.waitUntilReady();
  }

  /** How many jobs of `queue` run at once from now on (remote workers come and go). */
  setConcurrency(queue: string, concurrency: number): void {
    const worker = this.workers.get(queue);
    if (worker && worker.concurrency !== concurrency) worker.concurrency = concurrency;
  }

  /** Stops taking jobs from `queue`; those running finish. */
  async remove(queue: string): Promise<void> {
    const worker = this.workers.get(queue);
    this.workers.delete(queue);
    await worker?.close();
  }

  /** The BullMQ queues taken from now. */
  get queues(): string[] {
    return [...this.workers.keys()];
  }

  /** Ids of the jobs this process runs now. */
  runningIds(): Iterable<string> {
    return this.running.keys();
  }

  /** Stops taking jobs and waits up to `graceMs` for running ones, then aborts them. */
  async close(graceMs: number): Promise<void> {
    const { logger } = this.deps;
    const waiting = [...this.running.keys()];
    if (waiting.length) logger.info({ jobIds: waiting, graceMs }, `shutting down: taking no new jobs; waiting up to ${graceMs} ms for ${waiting.length} running`);
    const closing = Promise.all([...this.workers.values()].map((worker) => worker.close()));
    const timer = setTimeout(() => {
      const left = [...this.running.keys()];
      if (left.length) logger.warn({ jobIds: left }, `shutdown grace (SHUTDOWN_GRACE_MS) over: handing back ${left.length} running jobs; other workers run them`);
      for (const controller of this.running.values()) controller.abort(new AttemptAborted('shutdown', 'worker shutting down'));
    }, graceMs);
    try {
      await closing;
    } finally {
      clearTimeout(timer);
      (await this.listening)?.();
    }
  }

  private async process(worker: Worker, bullJob: BullJob, token: string | undefined): Promise<unknown> {
    const id = bullJob.id as string;
    const data = (bullJob.data ?? {}) as { tenant?: unknown; slotWaits?: unknown };
    const tenant = typeof data.tenant === 'string' ? data.tenant : '';
    // Redis trouble in the slot check lets the job run: the limit is fairness, not safety.
    const slot = this.deps.slots ? await this.deps.slots.acquire(tenant, id).catch(() => true) : true;
    if (!slot) {
      const waits = typeof data.slotWaits === 'number' ? data.slotWaits : 0;
      const delay = Math.min(SLOT_WAIT_MS.first * 2 ** waits, SLOT_WAIT_MS.most) * (0.75 + Math.random() / 2);
      await bullJob.updateData({ ...data, slotWaits: waits + 1 });
      await bullJob.moveToDelayed(Date.now() + delay, token);
      throw new DelayedError();
    }
    try {
      return await this.run(worker, bullJob, token);
    } finally {
      await this.deps.slots?.release(id);
    }
  }

  private async run(worker: Worker, bullJob: BullJob, token: string | undefined): Promise<unknown> {
    const id = bullJob.id as string;
    const { lifecycle } = this.deps;
    let started: Change | null;
    try {
      started = await lifecycle.start(id);
    } catch (error) {
      return this.putBack(worker, bullJob, token, error);
    }
    // Cancelled, finished or unknown: a stale delivery, nothing to run.
    if (!started) return null;
    // Traced (when tracing is on) in the trace of the submit, through its recorded outcome.
    return inAttemptSpan(started.job, () => this.attempt(worker, bullJob, token, started.job));
  }

  /** Runs a started attempt and records its outcome. */
  private async attempt(worker: Worker, bullJob: BullJob, token: string | undefined, job: Job): Promise<null> {
    const id = job.id;
    const { lifecycle } = this.deps;
    const controller = new AbortController();
    this.running.set(id, controller);
    // The job's own timeout, whoever runs it: a handler that ignores its signal is not waited for past it.
    const timer = setTimeout(() => controller.abort(new AttemptAborted('timeout', `timed out after ${job.timeoutMs} ms`)), job.timeoutMs);
    let outcome: RunnerOutcome;
    const began = performance.now();
    try {
      outcome = await this.withDependencies(job, (dependencies) => this.runner(job, controller, dependencies));
    } finally {
      clearTimeout(timer);
      this.running.delete(id);
    }
    if (outcome.kind === 'lost') {
      outcome.recorded?.(null);
      // Nothing recorded: the job runs again, and its start counts this attempt as lost.
      this.deps.logger.warn({ jobId: id, type: job.type, attempt: job.attempts, reason: outcome.reason }, 'the worker running this job was lost; it runs again');
      await bullJob.moveToDelayed(Date.now(), token);
      throw new DelayedError();
    }
    this.deps.metrics.observeAttempt(job, outcome.kind, (performance.now() - began) / 1000);
    recordOutcomeOnSpan(outcome.kind, outcome.kind === 'failed' ? outcome.error : null);
    try {
      let change: Change | null = null;
      try {
        change = await this.retryWhileDatabaseDown(() => recordOutcome(job, outcome, lifecycle));
      } finally {
        outcome.recorded?.(change);
      }
      if (change) this.tell(job, outcome, change);
      // Refused: the job was cancelled or retried meanwhile; go by what is stored now.
      const now = change
        ? change.job
        : await this.retryWhileDatabaseDown(() => this.deps.queries.statusOf(id));
      return await settle(bullJob, token, now);
    } catch (error) {
      if (error instanceof DelayedError || error instanceof UnrecoverableError) throw error;
      return this.putBack(worker, bullJob, token, error);
    }
  }

  /** A flow's job runs with its dependencies' results; if they cannot be read, the attempt fails (and is retried). */
  private async withDependencies(job: Job, run: (dependencies: Record<string, unknown> | undefined) => Promise<Outcome>): Promise<Outcome> {
    if (!job.flowId) return run(undefined);
    let dependencies: Record<string, unknown>;
    try {
      dependencies = await this.deps.queries.dependencyResults(job.id);
    } catch (error) {
      return { kind: 'failed', error: attemptError('DependenciesUnreadable', `the results of the jobs it depends on could not be read: ${(error as Error).message}`), permanent: false };
    }
    return run(dependencies);
  }

  /** The lines an operator looks for: an attempt that failed, a job that failed for good, one handed back. */
  private tell(job: Job, outcome: Outcome, change: Change): void {
    const about = { jobId: job.id, type: job.type, queue: job.queue, attempt: job.attempts };
    if (outcome.kind === 'failed' && change.job.status === 'RETRYING') {
      const retryInMs = change.job.runAt ? Math.max(change.job.runAt.getTime() - Date.now(), 0) : 0;
      this.deps.logger.warn({ ...about, error: describeError(outcome.error), retryInMs }, `attempt ${job.attempts} of ${job.maxAttempts} failed; retrying in ${retryInMs} ms`);
    } else if (outcome.kind === 'failed') {
      const why = outcome.permanent ? 'a permanent error' : `all ${job.maxAttempts} attempts failed`;
      this.deps.logger.error({ ...about, error: describeError(outcome.error), stack: outcome.error.stack ?? undefined }, `job failed: ${why}`);
    } else if (outcome.kind === 'interrupted') {
      this.deps.logger.info({ ...about }, 'job handed back: this worker is shutting down; another one runs it (the attempt is not counted)');
    }
  }

  private async retryWhileDatabaseDown<T>(write: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + RECORD_RETRY_MS;
    for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
      try {
        return await write();
      } catch (error) {
        if (!isDatabaseUnavailable(error) || Date.now() + delay > deadline) throw error;
        await sleep(delay);
      }
    }
  }

  /**
   * The job could not be started or its outcome not recorded. It must stay in Redis
   * (PostgreSQL still owes it a run), so it is never failed in BullMQ: with PostgreSQL
   * unreachable the whole worker pauses and the job goes back without an attempt;
   * after any other error this job alone waits a while and is tried again.
   */
  private async putBack(worker: Worker, bullJob: BullJob, token: string | undefined, error: unknown): Promise<never> {
    if (isDatabaseUnavailable(error)) {
      this.deps.logger.warn({ err: error }, `PostgreSQL unreachable: taking no jobs for ${DATABASE_BACKOFF_MS} ms`);
      await worker.rateLimit(DATABASE_BACKOFF_MS);
      throw Worker.RateLimitError();
    }
    this.deps.logger.error({ err: error, jobId: bullJob.id }, `job could not be started or recorded; trying again in ${UNEXPECTED_BACKOFF_MS} ms`);
    await bullJob.moveToDelayed(Date.now() + UNEXPECTED_BACKOFF_MS, token);
    throw new DelayedError();
  }
}

/** Leaves the BullMQ job where PostgreSQL's status says it belongs. */
async function settle(
  bullJob: BullJob,
  token: string | undefined,
  stored: { status: JobStatus; runAt: Date | null } | null,
): Promise<null> {
  if (stored && (WAITING_STATUSES as readonly JobStatus[]).includes(stored.status)) {
    // A retry, or a client's retryJob while this worker still held the BullMQ job.
    await bullJob.moveToDelayed(Math.max(stored.runAt?.getTime() ?? 0, Date.now()), token);
    throw new DelayedError();
  }
  if (stored?.status === 'FAILED') throw new UnrecoverableError('job failed');
  return null;
}
