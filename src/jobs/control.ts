// A client's retryJob and cancelJob: state machine first, then the queue.
import type { Logger } from '../logger.js';
import type { CancelSignals } from '../queue/cancellation.js';
import type { JobQueues } from '../queue/queues.js';
import type { JobQueries } from '../store/queries.js';
import { TRANSITIONS, type Change, type JobStateMachine } from './stateMachine.js';
import type { Job } from './model.js';
import { userError, type UserError } from './userErrors.js';
import { isUuid } from './ids.js';

export interface ControlDeps {
  queries: JobQueries;
  stateMachine: JobStateMachine;
  queues: JobQueues;
  cancelSignals: CancelSignals;
  logger: Logger;
}

export type ControlResult = { job: Job; userErrors: [] } | { job: null; userErrors: UserError[] };

export class JobControl {
  constructor(private readonly deps: ControlDeps) {}

  /** FAILED or CANCELLED back to PENDING with a fresh set of attempts. */
  async retry(id: string): Promise<ControlResult> {
    return this.apply('retry', id, async (change) => {
      try {
        await this.deps.queues.enqueue([change.job]);
      } catch (error) {
        this.deps.logger.error({ err: error, jobId: id }, 'retried job could not be queued yet');
      }
    });
  }

  /** A waiting job never runs; a running one has its handler's signal fired. */
  async cancel(id: string): Promise<ControlResult> {
    return this.apply('cancel', id, async (change) => {
      // Which of the two applies is not known here, and both are harmless when not.
      const results = await Promise.allSettled([this.deps.cancelSignals.send(id), this.deps.queues.remove(change.job)]);
      for (const result of results) {
        if (result.status === 'rejected') this.deps.logger.warn({ err: result.reason, jobId: id }, 'cancel not passed on to the queue');
      }
    });
  }

  private async apply(name: 'retry' | 'cancel', id: string, after: (change: Change) => Promise<void>): Promise<ControlResult> {
    if (!isUuid(id)) return { job: null, userErrors: [userError('INVALID_INPUT', ['id'], `id: "${id.slice(0, 100)}" is not a job id (a UUID)`)] };
    const change = await this.deps.stateMachine[name](id);
    if (change) {
      await after(change);
      return { job: change.job, userErrors: [] };
    }
    const job = await this.deps.queries.statusOf(id);
    if (!job) return { job: null, userErrors: [userError('NOT_FOUND', ['id'], `id: no job ${id}`)] };
    const allowed = TRANSITIONS[name].from.join(', ');
    return {
      job: null,
      userErrors: [userError('INVALID_STATE', ['id'], `job ${id} is ${job.status}; only ${allowed} jobs can be ${name === 'retry' ? 'retried' : 'cancelled'}`)],
    };
  }
}
