// The team's worker process: connects to jobgraph with a jobs:work key, runs their
// handlers, and on SIGTERM finishes (or hands back) what it runs before it exits.
import { createWorker } from '@jobgraph/worker';
import { invoiceRender } from './handlers.js';

const worker = createWorker({
  url: process.env.JOBGRAPH_URL ?? 'http://localhost:4000/graphql',
  apiKey: process.env.JOBGRAPH_WORKER_KEY,
  handlers: [invoiceRender],
  concurrency: Number(process.env.CONCURRENCY ?? 10),
});

await worker.start();
console.log(`worker ${worker.id} registered: invoice.render`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void worker.stop({ graceMs: Number(process.env.GRACE_MS ?? 30_000) }).then(() => process.exit(0));
  });
}
