// Pruning speed: finished jobs (with three events each) deleted per second by the
// pruner's statement, in batches of its default size, on tables of the given size.
import { createDb } from '../src/db/client.js';
import { pruneBatch } from '../src/store/prune.js';

export async function pruneRate(databaseUrl: string, batchSize = 5000): Promise<{ jobs: number; seconds: number; perSecond: number }> {
  const db = createDb(databaseUrl, 2, () => undefined);
  try {
    const started = process.hrtime.bigint();
    let jobs = 0;
    for (;;) {
      const batch = await pruneBatch(db, { statuses: ['COMPLETED'], olderThanMs: 0 }, batchSize);
      jobs += batch.jobs;
      if (batch.jobs < batchSize) break;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { jobs, seconds, perSecond: Math.round(jobs / seconds) };
  } finally {
    await db.$disconnect();
  }
}
