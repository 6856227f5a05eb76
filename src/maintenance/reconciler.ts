// Makes Redis agree with PostgreSQL: queues' paused flags and limits, schedules, and
// jobs. Every job that PostgreSQL holds as PENDING, SCHEDULED, RETRYING or RUNNING must
// have its BullMQ job; one that has none (Redis was
// emptied, or a process died between the commit and the add, or the add timed out
// while Redis was down) is added again with its priority and runAt. A RUNNING job put
// back runs again, and its lost attempt is counted when it starts.
//
// Runs when a worker process starts, whenever its Redis connection comes back, and
// every RECONCILE_INTERVAL_MS (maintenance/periodic.ts). Adding an id BullMQ holds does
// nothing, so overlapping runs, here or in other processes, are harmless.
import { WAITING_STATUSES, type JobStatus } from '../domain/model.js';
import type { JobQueries } from '../store/queries.js';
import type { Logger } from '../logger.js';
import type { Schedules } from '../schedules/schedules.js';
import type { QueueSettings } from '../queues/settings.js';
import type { JobQueues } from '../redis/queues.js';
import type { PeriodicTask } from './periodic.js';

const PAGE = 1000;
const OWED_A_RUN: readonly JobStatus[] = [...WAITING_STATUSES, 'RUNNING'];

export class Reconciler implements PeriodicTask {
  readonly name = 'reconciler';

  constructor(
    private readonly queries: JobQueries,
    private readonly queues: JobQueues,
    private readonly queueSettings: QueueSettings,
    private readonly schedules: Schedules,
    private readonly logger: Logger,
    readonly intervalMs: number,
  ) {}

  async pass(): Promise<void> {
    await this.queueSettings.reconcile();
    await this.schedules.reconcile();
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
  }
}
