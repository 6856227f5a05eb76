// A client's retryJob, promoteJob and cancelJob: within what the caller may change, through the
// lifecycle (which tells Redis: a retried job is queued, a cancelled one withdrawn).
import { userError, type UserError } from '../domain/errors.js';
import { isUuid } from '../domain/ids.js';
import type { Job } from '../domain/model.js';
import { accessTo, type Reaches } from '../domain/reach.js';
import { refusal } from '../domain/transitions.js';
import type { JobQueries } from '../store/queries.js';
import type { JobLifecycle } from './lifecycle.js';

export interface ActionDeps {
  queries: JobQueries;
  lifecycle: JobLifecycle;
}

export type ActionResult = { job: Job; userErrors: [] } | { job: null; userErrors: UserError[] };

export class JobActions {
  constructor(private readonly deps: ActionDeps) {}

  /** FAILED or CANCELLED back to PENDING with a fresh set of attempts. */
  retry(id: string, caller: Reaches): Promise<ActionResult> {
    return this.apply('retry', id, caller);
  }

  /** A SCHEDULED or RETRYING job runs now instead of at its runAt. */
  promote(id: string, caller: Reaches): Promise<ActionResult> {
    return this.apply('promote', id, caller);
  }

  /** A waiting job never runs; a running one has its handler's signal fired. */
  cancel(id: string, caller: Reaches): Promise<ActionResult> {
    return this.apply('cancel', id, caller);
  }

  private async apply(name: 'retry' | 'cancel' | 'promote', id: string, caller: Reaches): Promise<ActionResult> {
    if (!isUuid(id)) return { job: null, userErrors: [userError('INVALID_INPUT', ['id'], `id: "${id.slice(0, 100)}" is not a job id (a UUID)`)] };
    // Tenant and owner never change, so checking them before the transition races with nothing.
    const owned = await this.deps.queries.ownerOf(id);
    const notFound = { job: null, userErrors: [userError('NOT_FOUND', ['id'], `id: no job ${id}`)] };
    // Another tenant's job (or, for an :own caller, another user's) answers as a missing one.
    const access = owned ? accessTo(caller, owned) : 'none';
    if (access === 'none') return notFound;
    if (access === 'read') {
      const verb = name === 'promote' ? 'run' : name;
      return { job: null, userErrors: [userError('FORBIDDEN', ['id'], `id: you may read job ${id} but not ${verb} it: only jobs you submitted (your credential holds jobs:write:own, not jobs:write)`)] };
    }
    const change = await this.deps.lifecycle[name](id);
    if (change) return { job: change.job, userErrors: [] };
    const job = await this.deps.queries.statusOf(id);
    if (!job) return notFound;
    return { job: null, userErrors: [userError('INVALID_STATE', ['id'], refusal(name, id, job.status))] };
  }
}
