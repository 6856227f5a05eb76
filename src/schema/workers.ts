// Query.workers: the worker processes alive now, from their heartbeats, with the jobs
// each runs (only those the caller may read).
import { reaches } from '../auth/access.js';
import type { WorkerInfo } from '../queue/heartbeat.js';
import { builder } from './builder.js';
import { JobRef } from './job.js';

const WorkerRef = builder.objectRef<WorkerInfo>('Worker').implement({
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Unique for the life of one process.' }),
    hostname: t.exposeString('hostname'),
    pid: t.exposeInt('pid'),
    queues: t.exposeStringList('queues'),
    concurrency: t.exposeInt('concurrency', { description: 'Jobs it may run at once, per queue.' }),
    running: t.field({
      type: [JobRef],
      description: 'Jobs it is running now.',
      resolve: async (worker, _args, ctx) => {
        const jobs = worker.running.length ? await ctx.queries.byIds(worker.running) : [];
        return jobs.filter((job) => job !== null && reaches(ctx.reads, job)) as NonNullable<(typeof jobs)[number]>[];
      },
    }),
    startedAt: t.field({ type: 'DateTime', resolve: (worker) => new Date(worker.startedAt) }),
    lastSeenAt: t.field({ type: 'DateTime', description: 'Its latest heartbeat.', resolve: (worker) => new Date(worker.lastSeenAt) }),
  }),
});

builder.queryFields((t) => ({
  workers: t.field({
    type: [WorkerRef],
    description: 'Worker processes alive now (seen within their heartbeat window).',
    // Each may run WORKER_CONCURRENCY jobs per queue: priced as a page of them.
    complexity: { field: 1, multiplier: 100 },
    resolve: (_root, _args, ctx) => ctx.workers(),
  }),
}));
