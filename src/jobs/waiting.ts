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
  /** Jobs RUNNING now, per queue and per tenant (job_counts); absent when not read. */
  running?: { byQueue: ReadonlyMap<string, number>; byTenant: ReadonlyMap<string, number> };
  /** Each queue's limit on jobs running at once across all workers (null: none). */
  concurrency?: ReadonlyMap<string, number | null>;
  /** Queues whose rate limit holds their jobs back now: until when (ms since the epoch), and the limit. */
  rateLimited?: ReadonlyMap<string, { until: number; max: number; durationMs: number }>;
  /** TENANT_CONCURRENCY (0: none). */
  tenantConcurrency?: number;
}

/** A rate limit in words: "10 jobs per second", "600 per minute", "5 per 250 ms". */
export function rateInWords(max: number, durationMs: number): string {
  const unit = durationMs === 1000 ? 'second' : durationMs === 60_000 ? 'minute' : durationMs === 3_600_000 ? 'hour' : durationMs === 86_400_000 ? 'day' : null;
  const jobs = `${max} job${max === 1 ? '' : 's'}`;
  return unit ? `${jobs} per ${unit}` : `${jobs} per ${durationMs >= 1000 && durationMs % 1000 === 0 ? `${durationMs / 1000} s` : `${durationMs} ms`}`;
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
  const running = facts.running?.byQueue.get(job.queue) ?? 0;
  const queueLimit = facts.concurrency?.get(job.queue) ?? null;
  if (queueLimit !== null && running >= queueLimit) {
    return `room in its queue: ${running} of "${job.queue}"'s jobs run, its concurrency limit is ${queueLimit} (across all workers)`;
  }
  const limited = facts.rateLimited?.get(job.queue);
  if (limited && limited.until > now) {
    return `its queue's rate limit, ${rateInWords(limited.max, limited.durationMs)}: "${job.queue}" may start more in ${Math.ceil((limited.until - now) / 100) / 10} s`;
  }
  const tenantLimit = facts.tenantConcurrency ?? 0;
  const tenantRunning = job.tenant ? (facts.running?.byTenant.get(job.tenant) ?? 0) : 0;
  if (tenantLimit > 0 && tenantRunning >= tenantLimit) {
    return `its tenant's running jobs to finish: ${tenantRunning} of tenant ${job.tenant}'s jobs run, at most ${tenantLimit} at once (TENANT_CONCURRENCY)`;
  }
  if (facts.workers) {
    const slots = facts.workers.filter((worker) => someWorkerRuns([worker], job)).reduce((sum, worker) => sum + worker.concurrency, 0);
    if (running >= slots) return `a free worker: all ${slots} slots of the workers that run "${job.type}" in "${job.queue}" are busy`;
  }
  return 'a free worker: it runs as soon as one of those that run its type has room (and its queue\'s and tenant\'s limits allow)';
}
