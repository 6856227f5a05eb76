// Job.waitingFor: why a job that waits is not running now, in words, from what is known
// about it and about the service right now (which queues are paused, which workers are
// alive and what they run). Read-only: nothing here changes a job.
import type { JobSummary } from '../domain/model.js';
import type { WorkerInfo } from '../redis/workers.js';

/** What the service looks like now, read once per request (or per second of a subscription). */
export interface ServiceFacts {
  paused: ReadonlySet<string>;
  /** The workers alive now; null when Redis could not say. */
  workers: readonly WorkerInfo[] | null;
}

/** Whether some live worker runs jobs of this type in this queue (for `runnerScope`, a remote worker of that tenant). */
export function someWorkerRuns(workers: readonly WorkerInfo[], job: Pick<JobSummary, 'type' | 'queue' | 'runnerScope'>): boolean {
  return workers.some(
    (worker) =>
      worker.types.includes(job.type) &&
      worker.queues.includes(job.queue) &&
      (job.runnerScope === null ? worker.kind === 'IN_PROCESS' : worker.kind === 'REMOTE' && worker.scope === job.runnerScope),
  );
}

export function waitingFor(job: JobSummary, facts: ServiceFacts, now = Date.now()): string | null {
  switch (job.status) {
    case 'RUNNING':
    case 'COMPLETED':
    case 'FAILED':
    case 'CANCELLED':
      return null;
    case 'BLOCKED':
      return `the ${job.dependencyCount === 1 ? 'job' : `${job.dependencyCount} jobs`} it depends on (its flow releases it when they complete)`;
    default:
      break;
  }
  if (job.runAt && job.runAt.getTime() > now) {
    return job.status === 'RETRYING' ? `its next attempt, at ${job.runAt.toISOString()} (backoff)` : `its time, ${job.runAt.toISOString()}`;
  }
  if (facts.paused.has(job.queue)) return `its queue "${job.queue}" to be resumed (it is paused)`;
  if (facts.workers && !someWorkerRuns(facts.workers, job)) {
    return job.runnerScope === null
      ? `a worker: no worker alive runs "${job.type}" in queue "${job.queue}" (start a worker process with this handler)`
      : `a worker: no worker alive runs "${job.type}" in queue "${job.queue}" (connect a worker that registers it${job.runnerScope ? ` with a credential of tenant ${job.runnerScope}` : ''})`;
  }
  return 'a free worker: it runs as soon as one of those that run its type has room (and its queue\'s and tenant\'s limits allow)';
}
