// retryJobs, cancelJobs and deleteJobs: one action on every job a filter matches, in
// batches of one statement each, within what the caller may change. Each retry and
// cancel is recorded as the job's event (RETRIED, CANCELLED, with who asked in its
// message); a deletion, which takes the job's history with it, is logged.
import type { Reach } from '../domain/reach.js';
import type { Db } from '../db/client.js';
import { isDatabaseUnavailable } from '../db/errors.js';
import type { Logger } from '../logger.js';
import { deleteFinished } from '../store/prune.js';
import type { JobFilter, JobQueries } from '../store/queries.js';
import { FINAL_STATUSES, type JobStatus } from '../domain/model.js';
import { TRANSITIONS } from '../domain/transitions.js';
import type { JobLifecycle } from './lifecycle.js';
import { userError, type UserError } from '../domain/errors.js';

export type BulkAction = 'retry' | 'cancel' | 'delete';

/** Jobs changed per statement. */
const BATCH = 500;

const FROM: Record<BulkAction, readonly JobStatus[]> = {
  retry: TRANSITIONS.retry.from,
  cancel: TRANSITIONS.cancel.from,
  delete: FINAL_STATUSES,
};

export interface BulkDeps {
  db: Db;
  queries: JobQueries;
  lifecycle: JobLifecycle;
  logger: Logger;
  /** Most jobs one call may change (MAX_BULK_JOBS). */
  maxJobs: number;
}

export interface BulkRequest {
  filter: JobFilter;
  /** The jobs the caller may change. */
  reach: Reach;
  /** Who asked, for the events and the log. */
  by: string;
  /** Counts the jobs against the caller's rate limit before anything changes; gives back what was not used. */
  take(jobs: number): Promise<void>;
  refund(jobs: number): Promise<void>;
}

export type BulkResult = { count: number; userErrors: UserError[] };

export class BulkActions {
  constructor(private readonly deps: BulkDeps) {}

  async run(action: BulkAction, request: BulkRequest): Promise<BulkResult> {
    const { filter, reach, by } = request;
    // Only the statuses the action applies to, narrowed by the filter's own.
    const statuses = FROM[action].filter((status) => !filter.status || filter.status.includes(status));
    if (statuses.length === 0) return { count: 0, userErrors: [] };
    const { maxJobs } = this.deps;
    const matching = await this.deps.queries.countMatching(filter, reach, statuses, maxJobs + 1);
    if (matching > maxJobs) {
      return {
        count: 0,
        userErrors: [userError('LIMIT_EXCEEDED', ['filter'], `filter: matches more than ${maxJobs} jobs (MAX_BULK_JOBS); narrow it (by createdBefore, say) and repeat. Nothing was changed`)],
      };
    }
    await request.take(matching);
    let count = 0;
    let after: string | null = null;
    try {
      // At most `matching` jobs: ones that came to match meanwhile wait for the next call.
      while (count < matching) {
        const ids = await this.deps.queries.idsMatching(filter, reach, statuses, after, Math.min(BATCH, matching - count));
        if (ids.length === 0) break;
        after = ids.at(-1) as string;
        count += await this.apply(action, ids, by);
      }
    } catch (error) {
      // Each batch is one statement: those before this one are done, and the caller must hear so.
      if (count === 0) throw error;
      this.deps.logger.error({ err: error, action, by, count, filter }, `bulk ${action} stopped after ${count} jobs`);
      return {
        count,
        userErrors: [userError('INTERRUPTED', null, `stopped after ${count} of ${matching} jobs: ${isDatabaseUnavailable(error) ? 'PostgreSQL could not be reached' : 'an unexpected error (in the service log)'}. The ${count} stay ${action === 'delete' ? 'deleted' : action === 'retry' ? 'retried' : 'cancelled'}; repeat the call for the rest`)],
      };
    } finally {
      await request.refund(matching - count);
    }
    this.deps.logger.info({ action, by, count, filter }, `bulk ${action}: ${count} jobs`);
    return { count, userErrors: [] };
  }

  /** One batch; returns how many jobs changed (another writer may have moved some on). The lifecycle tells Redis. */
  private async apply(action: BulkAction, ids: string[], by: string): Promise<number> {
    if (action === 'delete') return (await deleteFinished(this.deps.db, ids)).jobs;
    return (await this.deps.lifecycle.many(action, ids, `bulk ${action} by ${by}`)).length;
  }
}
