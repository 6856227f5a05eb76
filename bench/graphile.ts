// The PostgreSQL-only peer: graphile-worker 0.17 (the last release that runs on Node 20;
// 0.18 needs Node >= 22.18), in this process with a no-op task at the same concurrency,
// on a fresh database of the same PostgreSQL, with its default settings (no local queue,
// one completion statement per job). Completion is its `job:success` event.
import { Logger, makeWorkerUtils, run } from 'graphile-worker';
import pg from 'pg';
import { createTestDatabase, databaseUrl, dropTestDatabase } from '../test/helpers/db.js';
import { perJob, sampleCpu, type CpuSample } from './cpu.js';
import { latency, paced, sleep, type Latency } from './stats.js';

const quiet = new Logger(() => () => undefined);

export interface PeerRound {
  throughput: number;
  latency: Latency;
  /** CPU ms per job during the throughput run: this process (producer + worker) and PostgreSQL. */
  cpu: CpuSample;
}

export async function graphileRound(count: number, concurrency: number, latencyJobs: number, perSecond: number): Promise<PeerRound> {
  const database = await createTestDatabase(null);
  // Our own pool, ended before the database is dropped (its default is 10 connections).
  const pgPool = new pg.Pool({ connectionString: databaseUrl(database), max: 10 });
  pgPool.on('error', () => undefined);
  pgPool.on('connect', (client) => client.on('error', () => undefined));
  const utils = await makeWorkerUtils({ pgPool, logger: quiet });
  await utils.migrate();
  let onSuccess: (id: string) => void = () => undefined;
  const runner = await run({ pgPool, concurrency, noHandleSignals: true, logger: quiet, taskList: { noop: async () => undefined } });
  runner.events.on('job:success', ({ job }) => onSuccess(job.id));
  try {
    // Throughput: batches of 100, as the other two are fed.
    let done = 0;
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    onSuccess = () => {
      if (++done === count) finish();
    };
    const parts = { bench: 'self' as const, postgresql: { named: 'postgres' } };
    const before = sampleCpu(parts);
    const started = performance.now();
    for (let index = 0; index < count; index += 100) {
      await utils.addJobs(Array.from({ length: Math.min(100, count - index) }, () => ({ identifier: 'noop', payload: {} })));
    }
    await finished;
    const throughput = count / ((performance.now() - started) / 1000);
    const cpu = perJob(before, sampleCpu(parts), count);

    // Latency: single adds at a steady rate, add to job:success.
    // A job may succeed before its add's answer is read: either side completes the sample.
    const sent = new Map<string, number>();
    const succeeded = new Map<string, number>();
    const samples: number[] = [];
    onSuccess = (id) => {
      const at = sent.get(id);
      if (at === undefined) succeeded.set(id, performance.now());
      else samples.push(performance.now() - at);
    };
    await paced(latencyJobs, perSecond, () => {
      const at = performance.now();
      void runner.addJob('noop', {}).then((job) => {
        const done = succeeded.get(job.id);
        if (done === undefined) sent.set(job.id, at);
        else samples.push(done - at);
      });
    });
    const deadline = Date.now() + 30_000;
    while (samples.length < latencyJobs && Date.now() < deadline) await sleep(20);
    return { throughput, latency: latency(samples), cpu };
  } finally {
    await runner.stop();
    await utils.release();
    await pgPool.end();
    await dropTestDatabase(database);
  }
}
