// The remote worker of `npm run bench`: a process of its own (as a team's worker is),
// connected to the service over its API, running a no-op job type. It prints "ready"
// once registered and stops on SIGTERM.
import { createWorker, defineHandler } from '@jobgraph/worker';
import { z } from 'zod';

const [url, concurrency] = process.argv.slice(2);
const noop = defineHandler({ name: 'bench.noop', payload: z.object({ index: z.number() }), run: async (payload) => payload });
const worker = createWorker({ url: url as string, handlers: [noop], concurrency: Number(concurrency), name: 'bench' });
await worker.start();
console.log('ready');
process.once('SIGTERM', () => void worker.stop({ graceMs: 1000 }).then(() => process.exit(0)));
