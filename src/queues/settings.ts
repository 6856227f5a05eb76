// Queue control: pausing, resuming, and limits across all workers (concurrency, rate).
// PostgreSQL holds each queue's settings; BullMQ is told at once and again by the
// reconciler, so they survive a Redis restart. A queue is several BullMQ queues: its
// own, and one per type remote workers registered (redis/queues.ts remoteQueueName);
// each is told (a limit thus bounds each remote type of the queue on its own).
import type { Db } from '../db/client.js';
import { userError, type UserError } from '../domain/errors.js';
import type { Logger } from '../logger.js';
import { remoteQueueName, type JobQueues, type QueueLimits } from '../redis/queues.js';
import { remoteTypes } from '../store/jobTypes.js';

export interface QueueState extends QueueLimits {
  name: string;
  paused: boolean;
}

/** A change of limits: an absent field stays as it is, null clears it. */
export interface QueueSettingsInput {
  concurrency?: number | null;
  rateLimit?: { max: number; durationMs: number } | null;
}

export const QUEUE_LIMITS = { concurrency: 10_000, rateMax: 1_000_000, rateDurationMs: 86_400_000 } as const;

export class QueueSettings {
  constructor(
    private readonly db: Db,
    private readonly queues: JobQueues,
    private readonly names: readonly string[],
    private readonly logger: Logger,
  ) {}

  knows(name: string): boolean {
    return this.names.includes(name);
  }

  /** Every configured queue, in configuration order, with its settings. */
  async list(): Promise<QueueState[]> {
    const settings = new Map((await this.db.queueSetting.findMany({ where: { name: { in: [...this.names] } } })).map((row) => [row.name, row]));
    return this.names.map((name) => {
      const row = settings.get(name);
      const rateLimit = row?.rateLimitMax != null && row.rateLimitDurationMs != null ? { max: row.rateLimitMax, durationMs: row.rateLimitDurationMs } : null;
      return { name, paused: row?.paused ?? false, concurrency: row?.concurrency ?? null, rateLimit };
    });
  }

  /** The queues (of `states`) whose global rate limit holds their jobs back now: until when, and the limit. */
  async rateLimitedNow(states: readonly QueueState[]): Promise<Map<string, { until: number; max: number; durationMs: number }>> {
    const limited = new Map<string, { until: number; max: number; durationMs: number }>();
    await Promise.all(
      states.map(async ({ name, rateLimit }) => {
        if (!rateLimit) return;
        const ms = await this.queues.rateLimitedForMs(name, rateLimit.max);
        if (ms > 0) limited.set(name, { until: Date.now() + ms, ...rateLimit });
      }),
    );
    return limited;
  }

  private async state(name: string): Promise<QueueState> {
    return (await this.list()).find((queue) => queue.name === name) as QueueState;
  }

  /** The BullMQ queues of a queue: its own, and those of the types remote workers registered. */
  private async bullQueues(name: string): Promise<string[]> {
    return [name, ...(await remoteTypes(this.db, null)).map((type) => remoteQueueName(name, type.scope, type.name))];
  }

  /** Records the pause (or resume), then tells BullMQ; the reconciler retries that if Redis is away. */
  async setPaused(name: string, paused: boolean): Promise<QueueState> {
    await this.db.queueSetting.upsert({ where: { name }, create: { name, paused }, update: { paused } });
    const bulls = await this.bullQueues(name);
    await this.tell(name, 'pause', async () => void (await Promise.all(bulls.map((bull) => this.queues.setPaused(bull, paused)))));
    return this.state(name);
  }

  /**
   * Gives one BullMQ queue of `name` its pause and limits, read just before (a remote
   * type's, before remote workers take from it; every one of them at each reconcile).
   */
  async applyTo(name: string, bull: string): Promise<void> {
    const queue = await this.state(name);
    if ((await this.queues.isPaused(bull)) !== queue.paused) await this.queues.setPaused(bull, queue.paused);
    // Setting them again is idempotent and as cheap as reading them.
    await this.queues.setLimits(bull, queue);
  }

  /** Checks and records new limits, then tells BullMQ. */
  async update(name: string, input: QueueSettingsInput): Promise<{ queue: QueueState | null; userErrors: UserError[] }> {
    const problems = checkSettings(input);
    if (problems.length) return { queue: null, userErrors: problems };
    const data = {
      ...(input.concurrency !== undefined ? { concurrency: input.concurrency } : {}),
      ...(input.rateLimit !== undefined ? { rateLimitMax: input.rateLimit?.max ?? null, rateLimitDurationMs: input.rateLimit?.durationMs ?? null } : {}),
    };
    await this.db.queueSetting.upsert({ where: { name }, create: { name, ...data }, update: data });
    const queue = await this.state(name);
    const bulls = await this.bullQueues(name);
    await this.tell(name, 'limits', async () => void (await Promise.all(bulls.map((bull) => this.queues.setLimits(bull, queue)))));
    return { queue, userErrors: [] };
  }

  /**
   * Makes BullMQ's paused flags and limits match PostgreSQL's. Each queue's row is read
   * just before it is applied, so a pause or limit set meanwhile is not undone; one
   * queue that fails does not stop the others.
   */
  async reconcile(): Promise<void> {
    let failure: unknown;
    for (const name of this.names) {
      try {
        for (const bull of await this.bullQueues(name)) await this.applyTo(name, bull);
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure) throw failure;
  }

  private async tell(name: string, what: string, change: () => Promise<void>): Promise<void> {
    try {
      await change();
    } catch (error) {
      this.logger.warn({ err: error, queue: name }, `queue ${what} not passed to Redis yet; the reconciler will`);
    }
  }
}

function checkSettings(input: QueueSettingsInput): UserError[] {
  const problems: UserError[] = [];
  const within = (value: number, min: number, max: number, field: string[]) => {
    if (!Number.isInteger(value) || value < min || value > max) problems.push(userError('INVALID_INPUT', field, `${field.join('.')}: must be between ${min} and ${max}`));
  };
  if (input.concurrency != null) within(input.concurrency, 1, QUEUE_LIMITS.concurrency, ['input', 'concurrency']);
  if (input.rateLimit != null) {
    within(input.rateLimit.max, 1, QUEUE_LIMITS.rateMax, ['input', 'rateLimit', 'max']);
    within(input.rateLimit.durationMs, 1, QUEUE_LIMITS.rateDurationMs, ['input', 'rateLimit', 'durationMs']);
  }
  return problems;
}
