// Retention: deletes finished jobs (with their events) once they are older than their
// status's retention. One process prunes at a time: the one holding a session-level
// advisory lock on a connection of its own; when it dies, PostgreSQL frees the lock
// and another worker process takes over at its next interval. Deletes go in bounded
// batches that skip locked rows, one after another until none is due.
import pg from 'pg';
import type { Db } from '../db/client.js';
import { pruneBatch, type PruneRule } from '../store/prune.js';
import type { Logger } from '../logger.js';

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

export class Pruner {
  private timer: NodeJS.Timeout | undefined;
  private leader: pg.Client | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly settings: PrunerSettings,
    private readonly logger: Logger,
  ) {}

  private get rules(): PruneRule[] {
    const { completedMs, failedMs } = this.settings;
    return [
      ...(completedMs > 0 ? [{ statuses: ['COMPLETED'], olderThanMs: completedMs } as PruneRule] : []),
      ...(failedMs > 0 ? [{ statuses: ['FAILED', 'CANCELLED'], olderThanMs: failedMs } as PruneRule] : []),
    ];
  }

  start(): void {
    if (this.rules.length === 0) return;
    this.timer = setInterval(() => void this.run(), this.settings.intervalMs).unref();
    void this.run();
  }

  /** One pass: becomes the leader if nobody is, then prunes until nothing is due. */
  run(): Promise<void> {
    this.running ??= this.pass()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'pruning failed; trying again at the next interval'))
      .finally(() => (this.running = undefined));
    return this.running;
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

  private async pass(): Promise<void> {
    if (this.stopped || !(await this.lead())) return;
    const started = Date.now();
    let jobs = 0;
    let events = 0;
    for (const rule of this.rules) {
      for (;;) {
        if (this.stopped) break;
        const batch = await pruneBatch(this.db, rule, this.settings.batchSize);
        jobs += batch.jobs;
        events += batch.events;
        if (batch.jobs < this.settings.batchSize) break;
      }
    }
    if (jobs) this.logger.info({ jobs, events, ms: Date.now() - started }, 'pruned finished jobs past their retention');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
    await this.leader?.end().catch(() => undefined);
    this.leader = undefined;
  }
}
