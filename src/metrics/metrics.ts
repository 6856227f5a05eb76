// Prometheus metrics (prom-client), one registry per process, served at GET /metrics.
// Job counters come from committed changes, so each process counts what it did and a
// sum over instances is the service's total; depth by status is read from PostgreSQL
// at scrape time, so every instance reports the same, whole-service figure.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { JobQueries } from '../store/queries.js';
import type { Change } from '../domain/transitions.js';

const EVENT_COUNTERS = {
  CREATED: ['jobgraph_jobs_submitted_total', 'Jobs accepted.'],
  COMPLETED: ['jobgraph_jobs_completed_total', 'Jobs completed.'],
  FAILED: ['jobgraph_jobs_failed_total', 'Jobs failed for good (no attempts left, or a permanent error).'],
  RETRY_SCHEDULED: ['jobgraph_jobs_retried_total', 'Attempts that failed (or were handed back) with a retry scheduled.'],
  CANCELLED: ['jobgraph_jobs_cancelled_total', 'Jobs cancelled.'],
} as const;

export class Metrics {
  readonly registry = new Registry();
  private readonly counters = new Map<string, Counter<'queue' | 'type'>>();
  private readonly attempts: Histogram<'queue' | 'type' | 'outcome'>;

  /**
   * `perProcess` false leaves out what a process reports once for all its threads: Node's
   * own metrics and the figures read at scrape time (a worker thread's registry is merged
   * into its process's, see workerThread.ts).
   */
  constructor(queries: JobQueries, openSubscriptions: () => number, { perProcess = true } = {}) {
    if (perProcess) collectDefaultMetrics({ register: this.registry });
    for (const [event, [name, help]] of Object.entries(EVENT_COUNTERS)) {
      this.counters.set(event, new Counter({ name, help, labelNames: ['queue', 'type'], registers: [this.registry] }));
    }
    this.attempts = new Histogram({
      name: 'jobgraph_attempt_duration_seconds',
      help: 'Time a handler ran for, per attempt, by outcome (completed, failed, cancelled, interrupted).',
      labelNames: ['queue', 'type', 'outcome'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800],
      registers: [this.registry],
    });
    if (!perProcess) return;
    new Gauge({
      name: 'jobgraph_jobs',
      help: 'Jobs by queue and status, as PostgreSQL holds them (read at scrape time).',
      labelNames: ['queue', 'status'],
      registers: [this.registry],
      async collect() {
        // Kept by triggers (job_counts): a few rows, whatever the size of jobs.
        const rows = await queries.counts();
        this.reset();
        for (const row of rows) this.set({ queue: row.queue, status: row.status }, row.count);
      },
    });
    new Gauge({
      name: 'jobgraph_subscriptions_open',
      help: 'Live subscriptions (jobUpdated, jobEvents) open on this instance.',
      registers: [this.registry],
      collect() {
        this.set(openSubscriptions());
      },
    });
  }

  /** Counts committed changes by their event (the lifecycle calls it after each commit). */
  record(changes: Change[]): void {
    for (const { job, event } of changes) this.counters.get(event.type)?.inc({ queue: job.queue, type: job.type });
  }

  observeAttempt(job: { queue: string; type: string }, outcome: string, seconds: number): void {
    this.attempts.observe({ queue: job.queue, type: job.type, outcome }, seconds);
  }
}
