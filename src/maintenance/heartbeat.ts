// Each worker process's heartbeat (Query.workers): every WORKER_HEARTBEAT_MS it writes
// what it is, which queues it takes and what it runs now, alive until three beats from
// now (each writer scores its own deadline, so readers with another interval agree on
// who is alive); at stop it says goodbye at once.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { threadId } from 'node:worker_threads';
import type { RedisClient } from '../redis/connection.js';
import type { Logger } from '../logger.js';
import { removeWorker, writeWorker, type WorkerInfo } from '../redis/workers.js';
import type { PeriodicTask } from './periodic.js';

/** A worker that missed this many beats is gone. */
const MISSED_BEATS = 3;

export class Heartbeat implements PeriodicTask {
  readonly name = 'worker heartbeat';
  private readonly info: Omit<WorkerInfo, 'running' | 'lastSeenAt'>;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    worker: { queues: string[]; concurrency: number; types: string[] },
    private readonly running: () => Iterable<string>,
    readonly intervalMs: number,
    private readonly logger: Logger,
  ) {
    this.info = {
      id: `${hostname()}:${process.pid}:${threadId}:${randomBytes(3).toString('hex')}`,
      kind: 'IN_PROCESS',
      hostname: hostname(),
      pid: process.pid,
      ...worker,
      startedAt: new Date().toISOString(),
    };
  }

  async pass(): Promise<void> {
    // Redis away: beats would pile up in the client's offline queue; the next one after it returns will do.
    if (this.redis.status !== 'ready') return;
    const now = Date.now();
    const entry: WorkerInfo = { ...this.info, running: [...this.running()], lastSeenAt: new Date(now).toISOString(), rssBytes: process.memoryUsage.rss() };
    await writeWorker(this.redis, this.prefix, entry, now + MISSED_BEATS * this.intervalMs).catch((error: unknown) =>
      // Redis away: the next beat writes it again.
      this.logger.debug({ err: error }, 'worker heartbeat not written'),
    );
  }

  /** Says goodbye at once, rather than being missed for three beats. */
  async stopped(): Promise<void> {
    if (this.redis.status !== 'ready') return; // it will be missed instead
    await removeWorker(this.redis, this.prefix, this.info.id).catch(() => undefined);
  }
}
