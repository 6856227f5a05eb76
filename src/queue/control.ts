// Pausing and resuming queues. PostgreSQL holds whether a queue is paused; BullMQ is
// told at once and again by the reconciler, so a pause survives a Redis restart.
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import type { JobQueues } from './queues.js';

export interface QueueState {
  name: string;
  paused: boolean;
}

export class QueueControl {
  constructor(
    private readonly db: Db,
    private readonly queues: JobQueues,
    private readonly names: readonly string[],
    private readonly logger: Logger,
  ) {}

  knows(name: string): boolean {
    return this.names.includes(name);
  }

  /** Every configured queue, in configuration order, with whether it is paused. */
  async list(): Promise<QueueState[]> {
    const settings = await this.db.queueSetting.findMany({ where: { name: { in: [...this.names] } } });
    const paused = new Set(settings.filter((setting) => setting.paused).map((setting) => setting.name));
    return this.names.map((name) => ({ name, paused: paused.has(name) }));
  }

  /** Records the pause (or resume), then tells BullMQ; the reconciler retries that if Redis is away. */
  async setPaused(name: string, paused: boolean): Promise<QueueState> {
    await this.db.queueSetting.upsert({ where: { name }, create: { name, paused }, update: { paused } });
    try {
      await this.queues.setPaused(name, paused);
    } catch (error) {
      this.logger.warn({ err: error, queue: name }, 'queue pause not passed to Redis yet; the reconciler will');
    }
    return { name, paused };
  }

  /** Makes BullMQ's paused flags match PostgreSQL's. */
  async reconcile(): Promise<void> {
    for (const { name, paused } of await this.list()) {
      if ((await this.queues.isPaused(name)) !== paused) await this.queues.setPaused(name, paused);
    }
  }
}
