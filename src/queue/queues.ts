// BullMQ queues: how a stored job is handed to Redis. The BullMQ job carries only the
// job's id (as its own id) and type; workers read everything else from PostgreSQL,
// which keeps Redis small and means nothing in Redis is needed to rebuild a job.
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Job } from '../jobs/model.js';

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

export class JobQueues {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly connection: Redis,
    private readonly prefix: string,
  ) {}

  get(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.connection, prefix: this.prefix });
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** Adds the jobs to their queues in bulk. Adding a job id BullMQ already holds does nothing. */
  async enqueue(jobs: readonly Job[]): Promise<void> {
    const byQueue = new Map<string, Job[]>();
    for (const job of jobs) byQueue.set(job.queue, [...(byQueue.get(job.queue) ?? []), job]);
    const now = Date.now();
    await Promise.all(
      [...byQueue].map(([name, queueJobs]) =>
        this.get(name).addBulk(queueJobs.map((job) => ({ name: job.type, data: {}, opts: bullJobOptions(job, now) }))),
      ),
    );
  }

  /** Removes a waiting or delayed job from BullMQ. A job a worker holds stays: the state machine stops it there. */
  async remove(job: Pick<Job, 'id' | 'queue'>): Promise<void> {
    await this.get(job.queue).remove(job.id);
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    this.queues.clear();
  }
}
