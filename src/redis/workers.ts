// Which worker processes are alive: each one writes a heartbeat to Redis (what it is,
// which queues it takes, what it runs now: maintenance/heartbeat.ts); a worker not seen
// by its deadline is gone and its entry is removed by whoever reads or writes next.
// Redis holds a hash of entries and a sorted set of deadlines: bounded by live workers.
import type { RedisClient } from './connection.js';
import { within } from './within.js';

export interface WorkerInfo {
  id: string;
  /** IN_PROCESS: a service process's worker; REMOTE: one connected over the API (remote/). */
  kind: 'IN_PROCESS' | 'REMOTE';
  /** For a remote worker, the name it gave; else the host's. */
  hostname: string;
  pid: number;
  queues: string[];
  concurrency: number;
  /** The job types it runs. */
  types: string[];
  /** A remote worker's tenant ('' for an operator's); absent for in-process workers. */
  scope?: string;
  /** Ids of the jobs it runs now. */
  running: string[];
  startedAt: string;
  lastSeenAt: string;
  /** The resident memory of its process at its latest heartbeat, in bytes (in-process workers; absent for remote ones). */
  rssBytes?: number;
}

const keys = (prefix: string) => ({ entries: `${prefix}:workers`, seen: `${prefix}:workers:seen` });

/** Longest wait for Redis in a read or a goodbye: a request or a shutdown must not hang on it. */
const REDIS_WAIT_MS = 2000;

/**
 * Drops entries whose deadline has passed; part of every read and write. Each writer
 * scores its entry with its own deadline (now + MISSED_BEATS beats), so readers with
 * another WORKER_HEARTBEAT_MS agree on who is alive.
 */
function forgetStale(redis: RedisClient, prefix: string, now: number) {
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
export async function liveWorkers(redis: RedisClient, prefix: string): Promise<WorkerInfo[]> {
  // Redis away: the commands would wait in the client's offline queue; answer at once instead.
  if (redis.status !== 'ready') throw new Error('Redis is unreachable: the workers cannot be listed now');
  await within(forgetStale(redis, prefix, Date.now()), REDIS_WAIT_MS, 'listing workers');
  const values = await within(redis.hvals(keys(prefix).entries), REDIS_WAIT_MS, 'listing workers');
  // Entries written before kinds existed are in-process workers.
  return values.map((value) => ({ kind: 'IN_PROCESS', types: [], ...(JSON.parse(value) as Partial<WorkerInfo>) }) as WorkerInfo).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

/** Writes (or renews) a worker's entry, alive until `deadline`, and drops the stale ones. */
export async function writeWorker(redis: RedisClient, prefix: string, entry: WorkerInfo, deadline: number): Promise<void> {
  const { entries, seen } = keys(prefix);
  await redis.multi().hset(entries, entry.id, JSON.stringify(entry)).zadd(seen, deadline, entry.id).exec();
  await forgetStale(redis, prefix, Date.now());
}

/** Removes a worker's entry at once (its goodbye), rather than letting it be missed. */
export async function removeWorker(redis: RedisClient, prefix: string, id: string): Promise<void> {
  const { entries, seen } = keys(prefix);
  await within(Promise.all([redis.hdel(entries, id), redis.zrem(seen, id)]), REDIS_WAIT_MS, 'saying goodbye');
}
