// Flows: jobs that wait for each other. Submitting checks the graph (keys, edges, no
// cycle) and stores every job and edge in one statement; a job with dependencies starts
// BLOCKED. Once a change commits, this module moves the flow on: a COMPLETED job
// releases the jobs that wait for it whose dependencies have all COMPLETED (a statement
// of its own after the commit, so it sees every completion committed before it: two
// completions at once release a job once, the second finding it no longer BLOCKED); a
// job that ends FAILED or CANCELLED cancels everything that waits for it, directly or
// not. A retried job brings back what was cancelled downstream of it (BLOCKED again).
// The reconciler's sweep finishes what a crash between the two left undone.
import type pg from 'pg';
import { poolOf, type Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import type { JobQueues } from '../queue/queues.js';
import { blockedDownstream, cancelledDownstream, strandedBlocked, type Change } from '../store/changes.js';
import type { JobStateMachine } from './stateMachine.js';

/** Jobs a sweep looks at per run. */
const SWEEP_LIMIT = 1000;

export class FlowProgress {
  private readonly pool: pg.Pool;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    db: Db,
    private readonly stateMachine: JobStateMachine,
    private readonly queues: JobQueues,
    private readonly logger: Logger,
  ) {
    this.pool = poolOf(db);
  }

  /** Told of every committed change (in this process): moves flows on, one step at a time. */
  follow(changes: Change[]): void {
    const flow = changes.filter((change) => change.job.flowId !== null);
    if (flow.length === 0) return;
    const completed = flow.filter((change) => change.job.status === 'COMPLETED').map((change) => change.job.id);
    const ended = flow.filter((change) => change.job.status === 'FAILED' || change.job.status === 'CANCELLED');
    const retried = flow.filter((change) => change.event.type === 'RETRIED' && change.job.status === 'PENDING');
    this.chain = this.chain
      .then(async () => {
        for (const change of retried) await this.reblock(change);
        if (completed.length) await this.release(completed);
        for (const change of ended) await this.cancelDownstream([change.job.id], `cancelled: ${change.job.flowKey ?? change.job.id}, which it depends on, ended ${change.job.status}`);
      })
      .catch((error: unknown) => this.logger.warn({ err: error }, 'flow not moved on yet; the reconciler will'));
  }

  /** Waits until everything this process was told has been acted on (tests, shutdown). */
  settled(): Promise<void> {
    return this.chain;
  }

  /** Releases the BLOCKED jobs that wait for these, if all they wait for COMPLETED (one statement), and queues them. */
  async release(completedIds: string[]): Promise<void> {
    const released = await this.stateMachine.releaseAfter(completedIds);
    if (released.length) await this.queues.enqueue(released.map((change) => change.job)).catch((error: unknown) => this.logger.warn({ err: error }, 'released jobs not queued yet; the reconciler will'));
  }

  /** What was cancelled downstream of a retried job waits for it again. */
  async reblock(retried: Change): Promise<void> {
    const downstream = await cancelledDownstream(this.pool, [retried.job.id]);
    if (downstream.length === 0) return;
    const back = await this.stateMachine.many('reblock', downstream, `brought back: ${retried.job.flowKey ?? retried.job.id}, which it depends on, was retried`);
    // The retried job may have completed meanwhile (in another process): release what is ready now.
    const released = await this.stateMachine.many('release', back.map((change) => change.job.id), null);
    if (released.length) await this.queues.enqueue(released.map((change) => change.job));
  }

  async cancelDownstream(endedIds: string[], reason: string): Promise<void> {
    const downstream = await blockedDownstream(this.pool, endedIds);
    if (downstream.length) await this.stateMachine.many('cancel', downstream, reason);
  }

  /** Releases or cancels BLOCKED jobs whose dependencies settled while nobody was told (a crash after a commit). */
  async sweep(): Promise<void> {
    const stranded = await strandedBlocked(this.pool, SWEEP_LIMIT);
    const ready = stranded.filter((job) => job.settled).map((job) => job.id);
    if (ready.length) {
      const released = await this.stateMachine.many('release', ready, null);
      if (released.length) await this.queues.enqueue(released.map((change) => change.job));
    }
    const doomed = stranded.filter((job) => !job.settled).map((job) => job.id);
    if (doomed.length) await this.stateMachine.many('cancel', doomed, 'cancelled: a job it depends on ended FAILED or CANCELLED');
  }
}
