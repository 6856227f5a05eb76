// Retention: deletes finished jobs (with their events) once they are older than their
// status's retention. One process prunes at a time: the one holding a session-level
// advisory lock on a connection of its own; when it dies, PostgreSQL frees the lock
// and another worker process takes over at its next interval. Deletes go in bounded
// batches that skip locked rows, one after another until none is due.
import pg from 'pg';
import type { Db } from '../db/client.js';
import { pruneBatch, type PruneRule } from '../store/prune.js';
import type { Logger } from '../logger.js';
import type { PeriodicTask } from './periodic.js';

/** Key of the advisory lock that makes one process the pruner. */
export const PRUNER_LOCK = 0x6a6f_6270_7275_6e65n; // "jobprune"

export interface PrunerSettings {
  databaseUrl: string;
  /** Kept this long after they finished; 0 keeps them forever. */
  completedMs: number;
  failedMs: number;
  intervalMs: number;
  batchSize: number;
}

export class Pruner implements PeriodicTask {
  readonly name = 'retention';
  private leader: pg.Client | undefined;
  private stopping = false;

  constructor(
    private readonly db: Db,
    private readonly settings: PrunerSettings,
    private readonly logger: Logger,
  ) {}

  get intervalMs(): number {
    return this.settings.intervalMs;
  }

  private get rules(): PruneRule[] {
    const { completedMs, failedMs } = this.settings;
    return [
      ...(completedMs > 0 ? [{ statuses: ['COMPLETED'], olderThanMs: completedMs } as PruneRule] : []),
      ...(failedMs > 0 ? [{ statuses: ['FAILED', 'CANCELLED'], olderThanMs: failedMs } as PruneRule] : []),
    ];
  }


  /** Whether this process is the pruner now. */
  get leading(): boolean {
    return this.leader !== undefined;
  }

  private async lead(): Promise<boolean> {
    if (this.leader) return true;
    // Named after this process, so an operator (or a test) can see which one prunes.
    const client = new pg.Client({ connectionString: this.settings.databaseUrl, application_name: `jobgraph-pruner:${process.pid}` });
    client.on('error', () => undefined);
    let locked = false;
    try {
      await client.connect();
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [PRUNER_LOCK.toString()]);
      locked = rows[0]?.locked === true;
    } finally {
      if (!locked) await client.end().catch(() => undefined);
    }
    if (!locked) return false;
    // If this connection drops, the lock is gone: lead again only after taking it again.
    client.on('end', () => {
      if (this.leader === client) this.leader = undefined;
    });
    this.leader = client;
    this.logger.info('this process prunes finished jobs (it holds the pruner lock)');
    return true;
  }

  /** One pass: becomes the leader if nobody is, then prunes until nothing is due. */
  async pass(): Promise<void> {
    if (this.rules.length === 0 || this.stopping || !(await this.lead())) return;
    const started = Date.now();
    let jobs = 0;
    let events = 0;
    const rules = this.rules;
    for (const rule of rules) {
      for (;;) {
        if (this.stopping) break;
        const batch = await pruneBatch(this.db, rule, this.settings.batchSize, rules);
        jobs += batch.jobs;
        events += batch.events;
        if (batch.jobs < this.settings.batchSize) break;
      }
    }
    if (jobs) this.logger.info({ jobs, events, ms: Date.now() - started }, 'pruned finished jobs past their retention');
  }

  /** Gives up the lead: another process takes it at its next pass. */
  async stopped(): Promise<void> {
    this.stopping = true;
    await this.leader?.end().catch(() => undefined);
    this.leader = undefined;
  }
}
