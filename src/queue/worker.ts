// BullMQ workers: take a job id from Redis, start the job through the state machine,
// run its handler and record the outcome. The BullMQ job's fate follows what
// PostgreSQL says: a retry waits in BullMQ's delayed set with the same id.
import { DelayedError, UnrecoverableError, Worker, type Job as BullJob } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Db } from '../db/client.js';
import type { HandlerRegistry } from '../handlers/registry.js';
import { AttemptAborted, recordOutcome, runAttempt, type Outcome } from '../jobs/attempt.js';
import { WAITING_STATUSES, type JobStatus } from '../jobs/model.js';
import type { JobStateMachine } from '../jobs/stateMachine.js';
import type { Logger } from '../logger.js';
import type { CancelSignals } from './cancellation.js';

export interface WorkerDeps {
  db: Db;
  stateMachine: JobStateMachine;
  registry: HandlerRegistry;
  cancelSignals: CancelSignals;
  connection: Redis;
  logger: Logger;
}

export interface WorkerOptions {
  queues: string[];
  prefix: string;
  /** Jobs run at once per queue in this process. */
  concurrency: number;
}

export class JobWorkers {
  private readonly workers: Worker[] = [];
  /** Attempts running in this process, by job id, so a cancel can reach them. */
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly deps: WorkerDeps,
    private readonly options: WorkerOptions,
  ) {}

  async start(): Promise<void> {
    await this.deps.cancelSignals.listen((jobId) => {
      this.running.get(jobId)?.abort(new AttemptAborted('cancelled', 'cancelled by a client'));
    });
    for (const queue of this.options.queues) {
      const worker = new Worker(queue, (job, token) => this.process(job, token), {
        connection: this.deps.connection,
        prefix: this.options.prefix,
        concurrency: this.options.concurrency,
        // The job's own timeoutMs bounds an attempt; BullMQ's lock only detects dead workers.
        lockDuration: 30_000,
      });
      worker.on('error', (error) => this.deps.logger.error({ err: error, queue }, 'worker error'));
      this.workers.push(worker);
    }
    await Promise.all(this.workers.map((worker) => worker.waitUntilReady()));
  }

  /** Stops taking jobs and waits up to `graceMs` for running ones, then aborts them. */
  async close(graceMs: number): Promise<void> {
    const closing = Promise.all(this.workers.map((worker) => worker.close()));
    const timer = setTimeout(() => {
      for (const controller of this.running.values()) controller.abort(new AttemptAborted('shutdown', 'worker shutting down'));
    }, graceMs);
    try {
      await closing;
    } finally {
      clearTimeout(timer);
      await this.deps.cancelSignals.close();
    }
  }

  private async process(bullJob: BullJob, token: string | undefined): Promise<unknown> {
    const id = bullJob.id as string;
    const { stateMachine, registry, logger } = this.deps;
    const started = await stateMachine.start(id);
    // Cancelled, finished or unknown: a stale delivery, nothing to run.
    if (!started) return null;
    const job = started.job;
    const handler = registry.get(job.type);
    const controller = new AbortController();
    this.running.set(id, controller);
    let outcome: Outcome;
    try {
      outcome = handler
        ? await runAttempt(job, handler, controller, { stateMachine, logger })
        : { kind: 'failed', error: `no handler for job type "${job.type}" in this worker`, permanent: true };
    } finally {
      this.running.delete(id);
    }
    const change = await recordOutcome(job, outcome, stateMachine);
    // Refused: the job was cancelled or retried meanwhile; go by what is stored now.
    const now = change ? change.job : await this.deps.db.job.findUnique({ where: { id }, select: { status: true, runAt: true } });
    return settle(bullJob, token, now);
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
