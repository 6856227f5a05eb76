// `npm run bench:fanout [-- 10000]`: N WebSocket subscribers on one instance, each on
// jobEvents(filter: { eventType: [COMPLETED] }) { id createdAt job { id status } }:
// commit-to-arrival latency at every client, the service's peak RSS, and PostgreSQL
// statements per event (counted by a proxy in front of PostgreSQL), which must not grow
// with the number of subscribers.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createTestDatabase, dropTestDatabase } from '../test/helpers/db.js';
import { startServiceProcess } from '../test/helpers/process.js';
import { startProxy } from '../test/helpers/proxy.js';
import { fanOut, ServiceClient } from './e2e.js';

const subscribers = Number(process.argv[2] ?? 10_000);
const EVENTS = 20;

const rssMb = (pid: number) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

async function main(): Promise<void> {
  const database = await createTestDatabase(null);
  const proxy = await startProxy('127.0.0.1', 5432);
  const service = await startServiceProcess({
    NODE_ENV: 'development',
    DATABASE_URL: `postgresql://postgres@127.0.0.1:${proxy.port}/${database}`,
    QUEUE_PREFIX: `fanout-${randomBytes(4).toString('hex')}`,
    RATE_LIMIT_JOBS_PER_MINUTE: '0',
    // Every subscriber connects from this one address.
    MAX_CONNECTIONS_PER_ADDRESS: '100000',
    MAX_CONNECTIONS: '100000',
  }, 60_000, [...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean), '--conditions=source', '--import', 'tsx', 'src/index.ts']);
  try {
    const client = new ServiceClient(`http://127.0.0.1:${service.port}/graphql`);
    const idle = proxy.statements;
    const started = Date.now();
    const latency = await fanOut(client, subscribers, EVENTS);
    const seconds = (Date.now() - started) / 1000;
    const statements = proxy.statements - idle;
    console.log(`Fan-out to ${subscribers} WebSocket subscribers, ${EVENTS} COMPLETED events (plus warm-up):`);
    console.log(`  commit to arrival at every client: p50 ${latency.p50} ms, p95 ${latency.p95} ms, p99 ${latency.p99} ms`);
    console.log(`  service peak RSS: ${Math.round(rssMb(service.child.pid as number))} MB`);
    console.log(`  PostgreSQL statements in the whole round (${seconds.toFixed(0)} s, submits, runs, polls included): ${statements}`);
  } finally {
    await service.stop();
    await proxy.close();
    await dropTestDatabase(database);
  }
}

await main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
