// A client's retryJob and cancelJob: state machine first, then the queue.
import { accessTo, type Reach } from '../auth/access.js';
import type { Logger } from '../logger.js';
import type { CancelSignals } from '../redis/cancelSignals.js';
import type { JobQueues } from '../redis/queues.js';
import type { JobQueries } from '../store/queries.js';
import { allows, TRANSITIONS, type Change, type JobStateMachine } from './lifecycle.js';
import type { Job } from '../domain/model.js';
import { userError, type UserError } from '../domain/errors.js';
import { isUuid } from '../domain/ids.js';

export interface ControlDeps {
  queries: JobQueries;
  stateMachine: JobStateMachine;
  queues: JobQueues;
  cancelSignals: CancelSignals;
  logger: Logger;
}

/** The jobs a caller may read, and may change. */
export interface Reaches {
  reads: Reach;
  writes: Reach;
}

export type ControlResult = { job: Job; userErrors: [] } | { job: null; userErrors: UserError[] };

export class JobControl {
  constructor(private readonly deps: ControlDeps) {}

  /** FAILED or CANCELLED back to PENDING with a fresh set of attempts. */
  async retry(id: string, caller: Reaches): Promise<ControlResult> {
    return this.apply('retry', id, caller, async (change) => {
      try {
        await this.deps.queues.enqueue([change.job]);
      } catch (error) {
        this.deps.logger.error({ err: error, jobId: id }, 'retried job could not be queued yet');
      }
    });
  }

  /** A waiting job never runs; a running one has its handler's signal fired. */
  async cancel(id: string, caller: Reaches): Promise<ControlResult> {
    return this.apply('cancel', id, caller, async (change) => {
      // Which of the two applies is not known here, and both are harmless when not.
      const results = await Promise.allSettled([this.deps.cancelSignals.send(id), this.deps.queues.remove(change.job)]);
      for (const result of results) {
        if (result.status === 'rejected') this.deps.logger.warn({ err: result.reason, jobId: id }, 'cancel not passed on to the queue');
      }
    });
  }

  private async apply(name: 'retry' | 'cancel', id: string, caller: Reaches, after: (change: Change) => Promise<void>): Promise<ControlResult> {
    if (!isUuid(id)) return { job: null, userErrors: [userError('INVALID_INPUT', ['id'], `id: "${id.slice(0, 100)}" is not a job id (a UUID)`)] };
    // Tenant and owner never change, so checking them before the transition races with nothing.
    const owned = await this.deps.queries.ownerOf(id);
    const notFound = { job: null, userErrors: [userError('NOT_FOUND', ['id'], `id: no job ${id}`)] };
    // Another tenant's job (or, for an :own caller, another user's) answers as a missing one.
    const access = owned ? accessTo(caller, owned) : 'none';
    if (access === 'none') return notFound;
    if (access === 'read') {
      const verb = name === 'retry' ? 'retry' : 'cancel';
      return { job: null, userErrors: [userError('FORBIDDEN', ['id'], `id: you may read job ${id} but not ${verb} it: only jobs you submitted (your credential holds jobs:write:own, not jobs:write)`)] };
    }
    const change = await this.deps.stateMachine[name](id);
    if (change) {
      await after(change);
      return { job: change.job, userErrors: [] };
    }
    const job = await this.deps.queries.statusOf(id);
    if (!job) return notFound;
    if (name === 'retry' && allows('retry', job.status)) {
      // Its status allows a retry: the flow's condition refused it (DEPENDENCIES_DONE).
      return {
        job: null,
        userErrors: [userError('INVALID_STATE', ['id'], `job ${id} waits for jobs of its flow that have not COMPLETED (or were deleted); retry those first`)],
      };
    }
    const allowed = TRANSITIONS[name].from.join(', ');
    return {
      job: null,
      userErrors: [userError('INVALID_STATE', ['id'], `job ${id} is ${job.status}; only ${allowed} jobs can be ${name === 'retry' ? 'retried' : 'cancelled'}`)],
    };
  }
}
