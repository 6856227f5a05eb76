// `npm run bench:ordering`: what the event-ordering lock (store/sql.ts) costs as writing
// processes are added. 1, 2, 4 and 8 processes each run 4 writers that store one job per
// statement (the worst case: no batching, one commit each) for a few seconds, first with
// the lock as shipped, then with it replaced by a constant (the same statement, no
// ordering), on one fresh database. While they run, pg_stat_activity is sampled every
// 10 ms: the share of the writers' active time spent waiting for the advisory lock.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import { pino } from 'pino';
import { migrate } from '../src/db/migrate.js';
import { createJobs } from '../src/store/changes.js';
import { createTestDatabase, databaseUrl, dropTestDatabase } from '../test/helpers/db.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WRITERS_PER_PROCESS = 4;
const PROCESSES = [1, 2, 4, 8];

/** A child: writes for SECONDS, prints its commit count. */
async function child(url: string, ordered: boolean): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: WRITERS_PER_PROCESS });
  // Without ordering: the same statement, the lock call swapped for a constant of the same type.
  const writer: pg.Pool = ordered
    ? pool
    : (new Proxy(pool, {
        get: (target, key) =>
          key === 'query'
            ? (config: pg.QueryConfig) => target.query({ ...config, name: config.name ? `${config.name}.unordered` : undefined, text: config.text.replace('pg_advisory_xact_lock(', 'abs(') })
            : Reflect.get(target, key),
      }) as pg.Pool);
  const deadline = Date.now() + SECONDS * 1000;
  let commits = 0;
  await Promise.all(
    Array.from({ length: WRITERS_PER_PROCESS }, async () => {
      while (Date.now() < deadline) {
        await createJobs(writer, [
          {
            id: randomUUID(), queue: 'default', type: 'echo', payload: { n: commits }, status: 'PENDING', priority: 0, maxAttempts: 3,
            backoffType: 'EXPONENTIAL', backoffDelayMs: 1000, backoffMaxDelayMs: 3_600_000, backoffJitter: 'FULL', timeoutMs: 300_000,
            idempotencyKey: null, idempotencyScope: '', submittedBy: null, runAt: null, tenant: '', owner: null, ownerOnly: false, tags: [],
            flowId: null, flowKey: null, flowName: null, runnerScope: null,
          } as never,
        ]);
        commits++;
      }
    }),
  );
  await pool.end();
  console.log(String(commits));
}

async function round(url: string, database: string, processes: number, ordered: boolean): Promise<{ perSecond: number; waiting: number }> {
  const sampler = new pg.Client({ connectionString: url });
  await sampler.connect();
  let waiting = 0;
  let active = 0;
  let sampling = true;
  const samples = (async () => {
    while (sampling) {
      const { rows } = await sampler.query<{ waiting: number; active: number }>(
        `SELECT count(*) FILTER (WHERE wait_event_type = 'Lock' AND wait_event = 'advisory')::int AS waiting,
                count(*) FILTER (WHERE state = 'active')::int AS active
         FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
        [database],
      );
      waiting += rows[0]!.waiting;
      active += rows[0]!.active;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  const counts = await Promise.all(
    Array.from({ length: processes }, () =>
      new Promise<number>((resolve, reject) => {
        const worker = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', new URL(import.meta.url).pathname, '--child', url, String(ordered)], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        worker.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        worker.once('exit', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`writer exited with ${code}`))));
      }),
    ),
  );
  sampling = false;
  await samples;
  await sampler.end();
  return { perSecond: Math.round(counts.reduce((sum, count) => sum + count, 0) / SECONDS), waiting: active ? waiting / active : 0 };
}

async function main(): Promise<void> {
  const database = await createTestDatabase(null);
  const url = databaseUrl(database);
  try {
    await migrate(url, pino({ level: 'silent' }));
    console.log(`Event-ordering lock, ${os.cpus().length} cores (${os.cpus()[0]?.model}), ${WRITERS_PER_PROCESS} writers per process, one job per statement, ${SECONDS} s per round:\n`);
    console.log('| writing processes | commits/s with the lock | share of active time waiting for it | commits/s without it |');
    console.log('|---|---|---|---|');
    for (const processes of PROCESSES) {
      const withLock = await round(url, database, processes, true);
      const without = await round(url, database, processes, false);
      console.log(`| ${processes} | ${withLock.perSecond} | ${Math.round(withLock.waiting * 100)}% | ${without.perSecond} |`);
    }
  } finally {
    await dropTestDatabase(database);
  }
}

if (process.argv[2] === '--child') {
  await child(process.argv[3]!, process.argv[4] === 'true');
} else {
  await main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
