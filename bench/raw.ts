// The baseline: plain BullMQ on the same Redis, a no-op processor at the same
// concurrency, nothing else.
import { randomBytes } from 'node:crypto';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { perJob, sampleCpu, type CpuSample } from './cpu.js';
import { latency, paced, type Latency } from './stats.js';

const connection = (url: string) => new Redis(url, { maxRetriesPerRequest: null });

async function cleanup(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  redis.disconnect();
}

/**
 * Jobs per second: `count` jobs added in bulk (batches of 100), run by one worker; and
 * the CPU per job of this process (producer and worker) and of Redis meanwhile.
 */
export async function rawThroughput(redisUrl: string, count: number, concurrency: number): Promise<{ throughput: number; cpu: CpuSample }> {
  const prefix = `bench-raw-${randomBytes(4).toString('hex')}`;
  const queue = new Queue('raw', { connection: connection(redisUrl), prefix });
  let done = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const worker = new Worker('raw', async () => null, { connection: connection(redisUrl), prefix, concurrency, autorun: false });
  worker.on('completed', () => {
    if (++done === count) finish();
  });
  await worker.waitUntilReady();
  const parts = { bench: 'self' as const, redis: { named: 'redis-server' } };
  const before = sampleCpu(parts);
  const started = performance.now();
  void worker.run();
  for (let index = 0; index < count; index += 100) {
    await queue.addBulk(
      Array.from({ length: Math.min(100, count - index) }, () => ({ name: 'noop', data: {}, opts: { removeOnComplete: true, removeOnFail: true } })),
    );
  }
  await finished;
  const seconds = (performance.now() - started) / 1000;
  const cpu = perJob(before, sampleCpu(parts), count);
  await worker.close();
  await queue.close();
  await cleanup(redisUrl, prefix);
  return { throughput: count / seconds, cpu };
}

/** Add-to-completed latency seen through QueueEvents, jobs added one by one at `perSecond`. */
export async function rawLatency(redisUrl: string, count: number, perSecond: number, concurrency: number): Promise<Latency> {
  const prefix = `bench-raw-${randomBytes(4).toString('hex')}`;
  const queue = new Queue('raw', { connection: connection(redisUrl), prefix });
  const events = new QueueEvents('raw', { connection: connection(redisUrl), prefix });
  const worker = new Worker('raw', async () => null, { connection: connection(redisUrl), prefix, concurrency });
  await Promise.all([events.waitUntilReady(), worker.waitUntilReady()]);
  const sent = new Map<string, number>();
  const samples: number[] = [];
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  events.on('completed', ({ jobId }) => {
    const at = sent.get(jobId);
    if (at === undefined) return;
    samples.push(performance.now() - at);
    if (samples.length === count) finish();
  });
  await paced(count, perSecond, (index) => {
    const jobId = `j${index}`;
    sent.set(jobId, performance.now());
    void queue.add('noop', {}, { jobId, removeOnComplete: true, removeOnFail: true });
  });
  await finished;
  await worker.close();
  await events.close();
  await queue.close();
  await cleanup(redisUrl, prefix);
  return latency(samples);
}
