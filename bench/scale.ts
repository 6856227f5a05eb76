// The maintenance reads at scale: with N finished jobs (default 10 million) in the
// tables, how long jobStats, the metrics scrape's counts, one reconciler page, the
// newest page of the job list and one prune batch take. `npm run bench:scale -- 1000000`.
import pg from 'pg';
import { pino } from 'pino';
import { createDb } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { pruneBatch } from '../src/store/prune.js';
import { JobQueries } from '../src/store/queries.js';
import { createTestDatabase, databaseUrl, dropTestDatabase } from '../test/helpers/db.js';

const size = Number(process.argv[2] ?? 10_000_000);
const CHUNK = 500_000;

async function timed<T>(label: string, run: () => Promise<T>): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = process.hrtime.bigint();
    await run();
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  times.sort((a, b) => a - b);
  console.log(`| ${label} | ${times[2]!.toFixed(1)} | ${times[4]!.toFixed(1)} |`);
}

async function main(): Promise<void> {
  const database = await createTestDatabase(null);
  const url = databaseUrl(database);
  try {
    await migrate(url, pino({ level: 'silent' }));
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => undefined);
    await client.connect();
    const seeded = Date.now();
    for (let done = 0; done < size; done += CHUNK) {
      const n = Math.min(CHUNK, size - done);
      // Finished jobs, old enough for retention, with one event each; a few still owed a run.
      await client.query(
        `WITH j AS (
           INSERT INTO jobs (id, queue, type, payload, payload_bytes, status, priority, attempts, max_attempts, backoff_type, backoff_delay_ms,
                             backoff_max_delay_ms, backoff_jitter, timeout_ms, progress, created_at, updated_at, finished_at)
           SELECT gen_random_uuid(), 'default', 'echo', '{}', 2, CASE WHEN n % 10000 = 0 THEN 'PENDING' ELSE 'COMPLETED' END::"JobStatus", 0, 1, 3,
                  'EXPONENTIAL', 1000, 3600000, 'FULL', 300000, 100, t, t, CASE WHEN n % 10000 = 0 THEN NULL ELSE t END
           FROM generate_series($1::int, $2::int) AS n, LATERAL (SELECT now() - interval '30 days' + (n || ' milliseconds')::interval AS t) AS times
           RETURNING id, created_at)
         INSERT INTO job_events (job_id, type, status, attempt, created_at) SELECT id, 'COMPLETED', 'COMPLETED', 1, created_at FROM j`,
        [done + 1, done + n],
      );
    }
    await client.query('VACUUM ANALYZE jobs');
    await client.query('VACUUM ANALYZE job_events');
    await client.end();
    console.log(`${size} jobs and events written in ${Math.round((Date.now() - seeded) / 1000)} s\n`);
    const db = createDb(url, 4, () => undefined);
    const queries = new JobQueries(db);
    console.log('| read | median ms | worst of 5 ms |\n|---|---|---|');
    await timed('jobStats (all queues)', () => queries.stats(null, {}));
    await timed('metrics scrape counts (job_counts)', () => db.jobCount.findMany());
    await timed('reconciler page (1000 owed a run)', () =>
      db.job.findMany({ where: { status: { in: ['PENDING', 'SCHEDULED', 'RETRYING', 'RUNNING'] } }, orderBy: { id: 'asc' }, take: 1000 }),
    );
    await timed('jobs(first: 50), newest', () => queries.list(null, { field: 'CREATED_AT', direction: 'DESC' }, { first: 50 }, {}));
    await timed('jobs(first: 50, status: [COMPLETED])', () => queries.list({ status: ['COMPLETED'] }, { field: 'CREATED_AT', direction: 'DESC' }, { first: 50 }, {}));
    await timed('prune batch (5000 jobs + events)', () => pruneBatch(db, { statuses: ['COMPLETED'], olderThanMs: 86_400_000 }, 5000));
    await db.$disconnect();
  } finally {
    await dropTestDatabase(database);
  }
}

await main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
