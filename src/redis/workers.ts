// Which worker processes are alive: each one writes a heartbeat to Redis (what it is,
// which queues it takes, what it runs now); a worker not seen for three beats is gone
// and its entry is removed by whoever reads or writes next. Redis holds a hash of
// entries and a sorted set of when each was last seen: bounded by the live workers.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { threadId } from 'node:worker_threads';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { within } from './within.js';

/** A worker that missed this many beats is gone. */
const MISSED_BEATS = 3;

export interface WorkerInfo {
  id: string;
  hostname: string;
  pid: number;
  queues: string[];
  concurrency: number;
  /** Ids of the jobs it runs now. */
  running: string[];
  startedAt: string;
  lastSeenAt: string;
}

const keys = (prefix: string) => ({ entries: `${prefix}:workers`, seen: `${prefix}:workers:seen` });

/** Longest wait for Redis in a read or a goodbye: a request or a shutdown must not hang on it. */
const REDIS_WAIT_MS = 2000;

/**
 * Drops entries whose deadline has passed; part of every read and write. Each writer
 * scores its entry with its own deadline (now + MISSED_BEATS beats), so readers with
 * another WORKER_HEARTBEAT_MS agree on who is alive.
 */
function forgetStale(redis: Redis, prefix: string, now: number) {
  const { entries, seen } = keys(prefix);
  return redis.eval(
    `local gone = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
     for _, id in ipairs(gone) do redis.call('HDEL', KEYS[1], id) end
     if #gone > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1]) end
     return #gone`,
    2,
    entries,
    seen,
    String(now),
  );
}

/** The workers alive now, oldest first. */
export async function liveWorkers(redis: Redis, prefix: string): Promise<WorkerInfo[]> {
  // Redis away: the commands would wait in the client's offline queue; answer at once instead.
  if (redis.status !== 'ready') throw new Error('Redis is unreachable: the workers cannot be listed now');
  await within(forgetStale(redis, prefix, Date.now()), REDIS_WAIT_MS, 'listing workers');
  const values = await within(redis.hvals(keys(prefix).entries), REDIS_WAIT_MS, 'listing workers');
  return values.map((value) => JSON.parse(value) as WorkerInfo).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

export class Heartbeat {
  private readonly info: Omit<WorkerInfo, 'running' | 'lastSeenAt'>;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    worker: { queues: string[]; concurrency: number },
    private readonly running: () => Iterable<string>,
    private readonly beatMs: number,
    private readonly logger: Logger,
  ) {
    this.info = {
      id: `${hostname()}:${process.pid}:${threadId}:${randomBytes(3).toString('hex')}`,
      hostname: hostname(),
      pid: process.pid,
      ...worker,
      startedAt: new Date().toISOString(),
    };
  }

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.beatMs);
    this.timer.unref();
  }

  /** Says goodbye at once, rather than being missed for three beats. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    if (this.redis.status !== 'ready') return; // it will be missed instead
    const { entries, seen } = keys(this.prefix);
    await within(Promise.all([this.redis.hdel(entries, this.info.id), this.redis.zrem(seen, this.info.id)]), REDIS_WAIT_MS, 'saying goodbye').catch(() => undefined);
  }

  private async beat(): Promise<void> {
    // Redis away: beats would pile up in the client's offline queue; the next one after it returns will do.
    if (this.redis.status !== 'ready') return;
    const now = Date.now();
    const { entries, seen } = keys(this.prefix);
    const entry: WorkerInfo = { ...this.info, running: [...this.running()], lastSeenAt: new Date(now).toISOString() };
    try {
      await this.redis.multi().hset(entries, this.info.id, JSON.stringify(entry)).zadd(seen, now + MISSED_BEATS * this.beatMs, this.info.id).exec();
      await forgetStale(this.redis, this.prefix, now);
    } catch (error) {
      // Redis away: the next beat writes it again.
      this.logger.debug({ err: error }, 'worker heartbeat not written');
    }
  }
}
