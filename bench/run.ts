// `npm run bench [-- --json] [-- --quick]`: raw BullMQ, graphile-worker and jobgraph
// measured side by side in one run, on the same PostgreSQL and Redis. The service is
// started as a user starts it (its own process, migrating a fresh database); this
// process is the clients. CPU is read from /proc per process.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { createTestDatabase, databaseUrl, dropTestDatabase } from '../test/helpers/db.js';
import { startServiceProcess } from '../test/helpers/process.js';
import { perJob, sampleCpu, type CpuSample } from './cpu.js';
import { graphileRound, type PeerRound } from './graphile.js';
import { pruneRate } from './prune.js';
import { e2eLatency, e2eThroughput, fanOut, ServiceClient } from './e2e.js';
import { flowRounds, type FlowRounds } from './flows.js';
import { rawLatency, rawThroughput } from './raw.js';
import { startRemoteWorker } from './remote.js';
import type { Latency } from './stats.js';

const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SIZES = quick
  ? { jobs: 3000, latencyJobs: 400, rate: 100, subscribers: 200, fanOutEvents: 5, history: 10_000, concurrency: 50, inFlight: 4 }
  : { jobs: 20_000, latencyJobs: 2000, rate: 100, subscribers: 2000, fanOutEvents: 20, history: 1_000_000, concurrency: 50, inFlight: 4 };

const log = (message: string) => {
  if (!json) console.error(message);
};

function rssMb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0; // between a stop and the next start
  }
}

/** Finished jobs with their three events each, written straight into the tables. */
async function seedHistory(url: string, jobs: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(
    `WITH j AS (
       INSERT INTO jobs (id, queue, type, payload, status, priority, attempts, max_attempts, backoff_type, backoff_delay_ms,
                         backoff_max_delay_ms, backoff_jitter, timeout_ms, progress, result, created_at, updated_at, started_at, finished_at)
       SELECT gen_random_uuid(), 'default', 'echo', jsonb_build_object('n', n), 'COMPLETED', n % 101, 1, 3, 'EXPONENTIAL', 1000,
              3600000, 'FULL', 300000, 100, jsonb_build_object('n', n), t, t, t, t
       FROM generate_series(1, $1::int) AS n, LATERAL (SELECT now() - (n || ' seconds')::interval AS t) AS times
       RETURNING id, created_at)
     INSERT INTO job_events (job_id, type, status, attempt, created_at)
     SELECT id, kind.type::"JobEventType", kind.status::"JobStatus", kind.attempt, created_at FROM j,
       (VALUES ('CREATED', 'PENDING', 0), ('STARTED', 'RUNNING', 1), ('COMPLETED', 'COMPLETED', 1)) AS kind(type, status, attempt)`,
    [jobs],
  );
  // A table this size in production was vacuumed long ago and its writes checkpointed:
  // measure that steady state, not autovacuum and a checkpoint catching up mid-round.
  await client.query('VACUUM ANALYZE jobs');
  await client.query('VACUUM ANALYZE job_events');
  await client.query('CHECKPOINT');
  await client.end();
}

interface Round {
  throughput: number;
  latency: Latency;
  /** CPU ms per job during the throughput run, by process. */
  cpu: CpuSample;
}

async function main(): Promise<void> {
  const versions = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8')) as { packages: Record<string, { version: string }> };
  const version = (name: string) => versions.packages[`node_modules/${name}`]?.version;
  const { rows } = await new pg.Pool({ connectionString: databaseUrl('postgres'), max: 1 }).query<{ server_version: string }>('SHOW server_version');

  log(`raw BullMQ: ${SIZES.jobs} jobs at concurrency ${SIZES.concurrency}...`);
  const rawRun = await rawThroughput(REDIS_URL, SIZES.jobs, SIZES.concurrency);
  const raw: Round = { ...rawRun, latency: await rawLatency(REDIS_URL, SIZES.latencyJobs, SIZES.rate, SIZES.concurrency) };
  log(`graphile-worker: ${SIZES.jobs} jobs at concurrency ${SIZES.concurrency}...`);
  const graphile: PeerRound = await graphileRound(SIZES.jobs, SIZES.concurrency, SIZES.latencyJobs, SIZES.rate);

  const database = await createTestDatabase(null);
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  const start = () => startServiceProcess({
    NODE_ENV: 'development',
    DATABASE_URL: databaseUrl(database),
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    WORKER_CONCURRENCY: String(SIZES.concurrency),
    RATE_LIMIT_JOBS_PER_MINUTE: '0',
    DATABASE_POOL_SIZE: '20',
    // The bench stands for many clients, all from this one address (its HTTP pool and
    // every fan-out subscriber).
    MAX_CONNECTIONS_PER_ADDRESS: '100000',
  });
  let service = await start();
  let client = new ServiceClient(`http://127.0.0.1:${service.port}/graphql`);
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(service.child.pid as number))), 200);
  try {
    const round = async (label: string, type = 'echo', worker?: number): Promise<Round> => {
      const parts = { service: service.child.pid as number, ...(worker ? { worker } : {}), postgresql: { named: 'postgres' }, redis: { named: 'redis-server' } };
      log(`${label}: ${SIZES.jobs} jobs through submitJobs...`);
      const before = sampleCpu(parts);
      const throughput = await e2eThroughput(client, SIZES.jobs, SIZES.inFlight, type);
      const cpu = perJob(before, sampleCpu(parts), SIZES.jobs);
      log(`${label}: ${SIZES.latencyJobs} single jobs at ${SIZES.rate}/s...`);
      return { throughput, cpu, latency: await e2eLatency(client, SIZES.latencyJobs, SIZES.rate, type) };
    };
    const empty = await round('jobgraph, empty tables');
    const rssEmpty = peakRss;
    // The same no-op through a worker in its own process, connected over the API (one
    // WebSocket): what the extra hop costs.
    const remoteWorker = await startRemoteWorker(`http://127.0.0.1:${service.port}/graphql`, SIZES.concurrency);
    const remote = await round('jobgraph, remote worker', 'bench.noop', remoteWorker.child.pid as number).finally(() => remoteWorker.stop());
    log(`fan-out to ${SIZES.subscribers} subscribers...`);
    const fan = await fanOut(client, SIZES.subscribers, SIZES.fanOutEvents);
    log('flows: a 1,000-job fan-in and a 10-deep chain...');
    const flows = await flowRounds(client, 999, 10);
    // History written while the service is down, as if it had piled up before this
    // start: the service's event hub begins at the newest event, as it would.
    log(`writing ${SIZES.history} finished jobs into the tables...`);
    await service.stop();
    await seedHistory(databaseUrl(database), SIZES.history);
    service = await start();
    client = new ServiceClient(`http://127.0.0.1:${service.port}/graphql`);
    const full = await round(`jobgraph, ${SIZES.history} finished jobs`);
    log(`pruning the ${SIZES.history} finished jobs...`);
    const pruning = await pruneRate(databaseUrl(database));

    const result = {
      machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version },
      versions: { bullmq: version('bullmq'), ioredis: version('ioredis'), 'graphql-yoga': version('graphql-yoga'), prisma: version('@prisma/client'), postgresql: rows[0]?.server_version },
      sizes: SIZES,
      raw,
      graphile,
      jobgraph: { empty, remote, history: full, fanOut: fan, flows, pruning, peakRssMb: Math.round(peakRss), peakRssMbFirstRound: Math.round(rssEmpty) },
      ratios: {
        throughput: round2(empty.throughput / raw.throughput),
        graphileThroughput: round2(graphile.throughput / raw.throughput),
        p50: round2(empty.latency.p50 / raw.latency.p50),
        graphileP50: round2(graphile.latency.p50 / raw.latency.p50),
        cpuServicePlusPostgresMs: round2((empty.cpu.service ?? 0) + (empty.cpu.postgresql ?? 0)),
        historyCpu: round2(((full.cpu.service ?? 0) + (full.cpu.postgresql ?? 0)) / ((empty.cpu.service ?? 0) + (empty.cpu.postgresql ?? 0))),
        p99: round2(empty.latency.p99 / raw.latency.p99),
        fanOutP99OverRawP99: round2(fan.p99 / raw.latency.p99),
        historyThroughput: round2(full.throughput / empty.throughput),
        remoteThroughput: round2(remote.throughput / empty.throughput),
        remoteP50Ms: round2(remote.latency.p50 - empty.latency.p50),
        historyP50: round2(full.latency.p50 / empty.latency.p50),
      },
    };
    if (json) console.log(JSON.stringify(result, null, 2));
    else printTable(result);
  } finally {
    clearInterval(sampler);
    await service.stop();
    await dropTestDatabase(database);
  }
}

const round2 = (value: number) => Math.round(value * 100) / 100;

function printTable(result: {
  machine: { cores: number; cpu?: string; node: string };
  raw: Round;
  graphile: PeerRound;
  jobgraph: { empty: Round; remote: Round; history: Round; fanOut: Latency; flows: FlowRounds; pruning: { jobs: number; seconds: number; perSecond: number }; peakRssMb: number };
  ratios: Record<string, number>;
}): void {
  const { raw, graphile, jobgraph, ratios, machine } = result;
  const cpu = (sample: CpuSample) =>
    Object.entries(sample)
      .map(([part, ms]) => `${part} ${ms}`)
      .join(' + ');
  const row = (name: string, r: Round) =>
    `| ${name} | ${Math.round(r.throughput)} | ${r.latency.p50} | ${r.latency.p95} | ${r.latency.p99} | ${cpu(r.cpu)} |`;
  console.log(`Machine: ${machine.cores} cores, ${machine.cpu}, Node ${machine.node}\n`);
  console.log('| run | jobs/s | p50 ms | p95 ms | p99 ms | CPU ms per job |\n|---|---|---|---|---|---|');
  console.log(row('raw BullMQ', raw));
  console.log(row('graphile-worker 0.17', graphile));
  console.log(row('jobgraph, empty tables', jobgraph.empty));
  console.log(row('jobgraph, remote worker (its own process, over the API)', jobgraph.remote));
  console.log(row(`jobgraph, ${SIZES.history} finished jobs`, jobgraph.history));
  console.log(`\nFan-out to ${SIZES.subscribers} subscribers, commit to arrival: p50 ${jobgraph.fanOut.p50} ms, p99 ${jobgraph.fanOut.p99} ms`);
  const { fanIn, chain } = jobgraph.flows;
  console.log(`Flows: ${fanIn.jobs}-job fan-in in ${fanIn.ms} ms (${fanIn.jobsPerSecond} jobs/s); ${chain.depth}-deep chain in ${chain.ms} ms (${chain.msPerStep} ms a step)`);
  console.log(`Pruning: ${jobgraph.pruning.jobs} finished jobs (3 events each) in ${jobgraph.pruning.seconds.toFixed(1)} s, ${jobgraph.pruning.perSecond} jobs/s`);
  console.log(`Peak service RSS: ${jobgraph.peakRssMb} MB`);
  console.log(`Ratios: ${JSON.stringify(ratios)}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
