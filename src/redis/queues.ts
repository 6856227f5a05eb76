// BullMQ queues: how a stored job is handed to Redis. The BullMQ job carries only the
// job's id (as its own id), type and tenant (what TENANT_CONCURRENCY counts before the
// job starts); workers read everything else from PostgreSQL, which keeps Redis small and
// means nothing in Redis is needed to rebuild a job.
import { createHash } from 'node:crypto';
import { Queue, type JobsOptions } from 'bullmq';
import type { RedisClient } from './connection.js';
import type { Job } from '../domain/model.js';
import { within } from './within.js';

/**
 * Our priority is 0..100, higher first; BullMQ's is 1..2^21, lower first, and a job
 * without one skips the prioritized set entirely. Mapping every job to 101 - priority
 * keeps all of them in one ordering.
 */
export function bullPriority(priority: number): number {
  return 101 - priority;
}

export function bullJobOptions(job: Pick<Job, 'id' | 'priority' | 'runAt'>, now = Date.now()): JobsOptions {
  const delay = job.runAt ? Math.max(job.runAt.getTime() - now, 0) : 0;
  return {
    jobId: job.id,
    priority: bullPriority(job.priority),
    ...(delay > 0 ? { delay } : {}),
    // Outcomes and history live in PostgreSQL; BullMQ need not keep finished jobs.
    removeOnComplete: true,
    removeOnFail: true,
  };
}

/** What decides a job's BullMQ queue. */
export type Routed = Pick<Job, 'id' | 'queue' | 'type' | 'runnerScope'>;

/**
 * The BullMQ queue of the remote workers that run `type` for `scope` in `queue`: each
 * (queue, scope, type) has its own, so a worker takes only jobs it can run (and a
 * tenant's worker only its tenant's). `~` never appears in a queue name.
 */
export function remoteQueueName(queue: string, scope: string, type: string): string {
  return `${queue}~${createHash('sha256').update(`${scope}\u0000${type}`).digest('hex').slice(0, 20)}`;
}

/** The BullMQ queue a job waits in: its queue's, or that of the remote workers that run its type. */
export function bullQueueOf(job: Pick<Routed, 'queue' | 'type' | 'runnerScope'>): string {
  const scope = job.runnerScope ?? null;
  return scope === null ? job.queue : remoteQueueName(job.queue, scope, job.type);
}

/** A queue's limits across all workers; null: none. */
export interface QueueLimits {
  concurrency: number | null;
  rateLimit: { max: number; durationMs: number } | null;
}

export class JobQueues {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly connection: RedisClient,
    private readonly prefix: string,
    /** Longest wait for Redis in enqueue and remove (a client is waiting on them). */
    private readonly timeoutMs: number,
  ) {}

  get(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.connection, prefix: this.prefix });
      // Redis trouble is logged once, by the shared connection's own listener.
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** Adds the jobs to their queues in bulk. Adding a job id BullMQ already holds does nothing. */
  async enqueue(jobs: readonly Job[]): Promise<void> {
    const byQueue = new Map<string, Job[]>();
    for (const job of jobs) byQueue.set(bullQueueOf(job), [...(byQueue.get(bullQueueOf(job)) ?? []), job]);
    const now = Date.now();
    const adding = Promise.all(
      [...byQueue].map(([name, queueJobs]) =>
        this.get(name).addBulk(queueJobs.map((job) => ({ name: job.type, data: job.tenant ? { tenant: job.tenant } : {}, opts: bullJobOptions(job, now) }))),
      ),
    );
    await within(adding, this.timeoutMs, 'queueing jobs');
  }

  /**
   * Runs waiting jobs now: each is moved out of BullMQ's delayed set, or queued if BullMQ
   * does not hold it (Redis lost it). One a worker still holds (a retry being recorded) is
   * left to it: the worker reads the stored status, PENDING now, and runs it at once.
   */
  async promote(jobs: readonly Job[]): Promise<void> {
    const now = Date.now();
    const promoting = Promise.all(
      jobs.map(async (job) => {
        const queue = this.get(bullQueueOf(job));
        const held = await queue.getJob(job.id);
        if (!held) return void (await queue.add(job.type, job.tenant ? { tenant: job.tenant } : {}, bullJobOptions(job, now)));
        if (await held.isDelayed()) await held.promote();
      }),
    );
    await within(promoting, this.timeoutMs, 'promoting jobs');
  }

  /** The jobs that BullMQ does not hold, in any state (one pipelined EXISTS per job). */
  async missing<T extends Routed>(jobs: readonly T[]): Promise<T[]> {
    const pipeline = this.connection.pipeline();
    for (const job of jobs) pipeline.exists(this.get(bullQueueOf(job)).toKey(job.id));
    const results = (await pipeline.exec()) ?? [];
    return jobs.filter((_, index) => {
      const [error, exists] = results[index] ?? [null, 0];
      if (error) throw error;
      return exists === 0;
    });
  }

  /** Pauses (no job of it starts, in any worker) or resumes a queue. */
  async setPaused(name: string, paused: boolean): Promise<void> {
    const queue = this.get(name);
    await within(paused ? queue.pause() : queue.resume(), this.timeoutMs, paused ? 'pausing a queue' : 'resuming a queue');
  }

  /** Sets (or, with null, removes) the queue's limits across all workers: BullMQ's global concurrency and rate limit. */
  async setLimits(name: string, limits: QueueLimits): Promise<void> {
    const queue = this.get(name);
    const { concurrency, rateLimit } = limits;
    await within(
      Promise.all([
        concurrency === null ? queue.removeGlobalConcurrency() : queue.setGlobalConcurrency(concurrency),
        rateLimit === null ? queue.removeGlobalRateLimit() : queue.setGlobalRateLimit(rateLimit.max, rateLimit.durationMs),
      ]),
      this.timeoutMs,
      'setting a queue\'s limits',
    );
  }

  /** How long the queue's global rate limit still holds its jobs back, in ms (0: it does not now). */
  async rateLimitedForMs(name: string, max: number): Promise<number> {
    const ttl = await within(this.get(name).getRateLimitTtl(max), this.timeoutMs, 'reading a queue\'s rate limit');
    return Math.max(0, ttl);
  }

  isPaused(name: string): Promise<boolean> {
    return within(this.get(name).isPaused(), this.timeoutMs, 'reading a queue');
  }

  /** Removes a waiting or delayed job from BullMQ. A job a worker holds stays: the lifecycle stops it there (its cancel signal). */
  async remove(job: Routed): Promise<void> {
    await within(this.get(bullQueueOf(job)).remove(job.id), this.timeoutMs, 'removing a job from its queue');
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    this.queues.clear();
  }
}
