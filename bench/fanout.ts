// `npm run bench:fanout [-- 10000]`: live updates at the scale of frontends, on one
// API instance, in two rounds (each on a fresh database and service, peak RSS read from
// /proc):
//   1. a reconnect storm: N WebSocket clients connecting at 1,000/s, each then watching
//      its own job (jobUpdated) while the N jobs complete at 1,000/s: connections
//      accepted, refused or reset, and finish-to-arrival latency;
//   2. a broadcast: N subscribers on one jobEvents filter with job fields
//      (jobEvents(filter: { eventType: [COMPLETED] }) { id createdAt job { id status } }),
//      one event a second: commit-to-arrival latency at every client, and PostgreSQL
//      statements (counted by a proxy in front of it), which must not grow with N.
// The service runs as it is deployed at that scale (deploy/kubernetes): the compiled
// build (`node dist/src/index.js`; the script builds it first), an API process
// (ROLE=api, with the NODE_OPTIONS of the API Deployment: its heap size) and a worker
// process (ROLE=worker) beside it. BENCH_NODE_FLAGS replaces those options;
// BENCH_FANOUT_ROLES=all runs one ROLE=all process instead (its workers in a thread).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createTestDatabase, dropTestDatabase } from '../test/helpers/db.js';
import { startServiceProcess, type ServiceProcess } from '../test/helpers/process.js';
import { startProxy, type CutProxy } from '../test/helpers/proxy.js';
import { fanOut, ServiceClient } from './e2e.js';
import { ownJobsRound } from './ownJobs.js';

const subscribers = Number(process.argv[2] ?? 10_000);
const EVENTS = 20;
const RATE = 1000;
const SPLIT = process.env.BENCH_FANOUT_ROLES !== 'all';
/** NODE_OPTIONS of the API Deployment (its V8 heap size). */
const DEPLOYED_NODE_OPTIONS = /name: NODE_OPTIONS, value: "([^"]*)"/.exec(readFileSync(new URL('../deploy/kubernetes/api.yaml', import.meta.url), 'utf8'))?.[1] ?? '';

const rssMb = (process: ServiceProcess) => Math.round(Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${process.child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);

/** A fresh database and service (the defaults, but one client address may open them all), for one shape. */
async function withService(round: (client: ServiceClient, proxy: CutProxy) => Promise<void>): Promise<void> {
  const database = await createTestDatabase(null);
  const proxy = await startProxy('127.0.0.1', 5432);
  const env = {
    NODE_ENV: 'development', // no credentials asked (the clients send none)
    DATABASE_URL: `postgresql://postgres@127.0.0.1:${proxy.port}/${database}`,
    QUEUE_PREFIX: `fanout-${randomBytes(4).toString('hex')}`,
    RATE_LIMIT_JOBS_PER_MINUTE: '0',
    // Every client connects from this one address, and there are N of them besides the
    // bench's own HTTP connections (the default MAX_CONNECTIONS is 10,000).
    MAX_CONNECTIONS_PER_ADDRESS: '100000',
    MAX_CONNECTIONS: '20000',
  };
  const args = [...(process.env.BENCH_NODE_FLAGS ?? DEPLOYED_NODE_OPTIONS).split(' ').filter(Boolean), 'dist/src/index.js'];
  const api = await startServiceProcess({ ...env, ROLE: SPLIT ? 'api' : 'all' }, 60_000, args);
  const worker = SPLIT ? await startServiceProcess({ ...env, ROLE: 'worker' }, 60_000, args) : null;
  try {
    await round(new ServiceClient(`http://127.0.0.1:${api.port}/graphql`), proxy);
    console.log(`  peak RSS (node ${args.slice(0, -1).join(' ')}): ${SPLIT ? `API process ${rssMb(api)} MB, worker process ${rssMb(worker as ServiceProcess)} MB` : `ROLE=all process ${rssMb(api)} MB`}`);
  } finally {
    await worker?.stop();
    await api.stop();
    await proxy.close();
    await dropTestDatabase(database);
  }
}

async function main(): Promise<void> {
  await withService(async (client) => {
    const storm = await ownJobsRound(client, subscribers, RATE, RATE);
    console.log(`1. ${subscribers} clients connecting at ${RATE}/s, each watching its own job (jobUpdated); the jobs completing at ${RATE}/s:`);
    console.log(`  connections accepted: ${storm.accepted}; failed: ${JSON.stringify(storm.failed)}; refused (close codes): ${JSON.stringify(storm.refused)}`);
    console.log(`  finish to arrival: p50 ${storm.latency.p50} ms, p95 ${storm.latency.p95} ms, p99 ${storm.latency.p99} ms (${storm.latency.samples} clients; ${storm.missing} never told)`);
  });
  await withService(async (client, proxy) => {
    const idle = proxy.statements;
    const started = Date.now();
    const latency = await fanOut(client, subscribers, EVENTS);
    const seconds = (Date.now() - started) / 1000;
    console.log(`2. ${subscribers} subscribers of one jobEvents filter with job fields, ${EVENTS} COMPLETED events, one a second:`);
    console.log(`  commit to arrival at every client: p50 ${latency.p50} ms, p95 ${latency.p95} ms, p99 ${latency.p99} ms`);
    console.log(`  PostgreSQL statements in the whole round (${seconds.toFixed(0)} s, submits, runs, polls included): ${proxy.statements - idle}`);
  });
}

await main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
