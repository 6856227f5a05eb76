// Makes Redis agree with PostgreSQL: queues' paused flags, schedules, and jobs. Every job that PostgreSQL holds as PENDING,
// SCHEDULED, RETRYING or RUNNING must have its BullMQ job; one that has none (Redis was
// emptied, or a process died between the commit and the add, or the add timed out
// while Redis was down) is added again with its priority and runAt. A RUNNING job put
// back runs again, and its lost attempt is counted when it starts.
//
// Runs when a worker process starts, whenever its Redis connection comes back, and
// every RECONCILE_INTERVAL_MS. Adding an id BullMQ holds does nothing, so overlapping
// runs, here or in other processes, are harmless.
import { WAITING_STATUSES, type JobStatus } from '../domain/model.js';
import type { JobQueries } from '../store/queries.js';
import type { Logger } from '../logger.js';
import type { Schedules } from '../schedules/schedules.js';
import type { QueueControl } from '../queues/settings.js';
import type { JobQueues } from '../redis/queues.js';

const PAGE = 1000;
const OWED_A_RUN: readonly JobStatus[] = [...WAITING_STATUSES, 'RUNNING'];

export class Reconciler {
  private running: Promise<number> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly queries: JobQueries,
    private readonly queues: JobQueues,
    private readonly queueControl: QueueControl,
    private readonly schedules: Schedules,
    private readonly logger: Logger,
    /** Flows' BLOCKED jobs wait for PostgreSQL, not Redis: what a crash left unreleased is released here. */
    private readonly flows?: { sweep(): Promise<void> },
  ) {}

  /** Runs now and then every `intervalMs`. */
  start(intervalMs: number): Promise<number> {
    this.timer = setInterval(() => void this.run(), intervalMs);
    this.timer.unref();
    return this.run();
  }

  stop(): Promise<unknown> {
    clearInterval(this.timer);
    return this.running ?? Promise.resolve();
  }

  /** One pass; a call while one runs joins it. Resolves with the number of jobs re-added. */
  run(): Promise<number> {
    this.running ??= this.pass()
      .catch((error: unknown) => {
        this.logger.warn({ err: error }, 'reconcile pass failed; the next one will try again');
        return 0;
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<number> {
    await this.queueControl.reconcile();
    await this.schedules.reconcile();
    await this.flows?.sweep();
    let after: string | null = null;
    let added = 0;
    for (;;) {
      const jobs = await this.queries.inStatuses(OWED_A_RUN, after, PAGE);
      if (jobs.length === 0) break;
      const missing = await this.queues.missing(jobs);
      if (missing.length) {
        await this.queues.enqueue(missing);
        added += missing.length;
      }
      after = jobs.at(-1)!.id;
    }
    if (added) this.logger.warn({ jobs: added }, 'jobs missing from Redis were queued again');
    return added;
  }
}
