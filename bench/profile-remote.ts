// Not part of the suite: profiles the service (main thread: the API and the remote
// path) while 5,000 no-op jobs run through a remote worker, and prints the functions
// with the most self time. `npx tsx --conditions=source bench/profile-remote.ts`.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { createTestDatabase, databaseUrl, dropTestDatabase } from '../test/helpers/db.js';
import { startServiceProcess } from '../test/helpers/process.js';
import { e2eThroughput, ServiceClient } from './e2e.js';
import { startRemoteWorker } from './remote.js';

const dir = '/tmp/jobgraph-profile';
rmSync(dir, { recursive: true, force: true });
const database = await createTestDatabase(null);
const service = await startServiceProcess(
  { NODE_ENV: 'development', DATABASE_URL: databaseUrl(database), REDIS_URL: 'redis://127.0.0.1:6379', QUEUE_PREFIX: `prof-${Date.now()}`, WORKER_CONCURRENCY: '50', RATE_LIMIT_JOBS_PER_MINUTE: '0', DATABASE_POOL_SIZE: '20' },
  60_000,
  ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--conditions=source', '--import', 'tsx', 'src/index.ts'],
);
const url = `http://127.0.0.1:${service.port}/graphql`;
const worker = await startRemoteWorker(url, 50);
const client = new ServiceClient(url);
await e2eThroughput(client, 1000, 4, 'bench.noop'); // warm up
console.log('jobs/s', Math.round(await e2eThroughput(client, 5000, 4, 'bench.noop')));
await worker.stop();
await service.stop();
await dropTestDatabase(database);

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount: number }
for (const file of readdirSync(dir)) {
  const profile = JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')) as { nodes: Node[]; samples: number[] };
  const total = profile.samples.length;
  const byFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const where = node.callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/\/work\/[^/]+\//, '');
    const key = `${node.callFrame.functionName || '(anonymous)'} ${where}:${node.callFrame.lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + node.hitCount);
  }
  const byPackage = new Map<string, number>();
  for (const node of profile.nodes) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(node.callFrame.url);
    const key = match ? match[1]! : node.callFrame.url.includes('/src/') ? 'jobgraph src' : node.callFrame.url ? 'node internals' : node.callFrame.functionName || '(vm)';
    byPackage.set(key, (byPackage.get(key) ?? 0) + node.hitCount);
  }
  console.log(`\n${file}: ${total} samples`);
  for (const [key, hits] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${((hits / total) * 100).toFixed(1)}%  ${key}`);
  for (const [key, hits] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${((hits / total) * 100).toFixed(1)}%  ${key}`);
}
