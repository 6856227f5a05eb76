// Query.workers: the workers alive now (service processes' and remote ones), from their
// heartbeats, with the jobs each runs (only those the caller may read).
import type { WorkerInfo } from '../redis/workers.js';
import { builder } from './builder.js';
import { JobRef } from './job.js';
import { graphqlError } from '../domain/errors.js';

const WorkerKindEnum = builder.enumType('WorkerKind', {
  values: {
    IN_PROCESS: { description: 'A worker of a service process (ROLE=all or worker), running in-process handlers.' },
    REMOTE: { description: 'A worker connected over the API from its own process, running its own code.' },
  } as const,
});

const WorkerRef = builder.objectRef<WorkerInfo>('Worker').implement({
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Unique for the life of one process (or one connection of a remote worker).' }),
    kind: t.field({ type: WorkerKindEnum, resolve: (worker) => worker.kind }),
    types: t.exposeStringList('types', { description: 'The job types it runs.' }),
    hostname: t.exposeString('hostname', { description: 'Its host; for a remote worker, the name it gave.' }),
    pid: t.exposeInt('pid', { description: 'Its process id; 0 for a remote worker.' }),
    queues: t.exposeStringList('queues'),
    concurrency: t.exposeInt('concurrency', { description: 'Jobs it may run at once, per queue (a remote worker: in all).' }),
    running: t.field({
      type: [JobRef],
      description: 'Jobs it is running now.',
      resolve: (worker, _args, ctx) => (worker.running.length ? ctx.queries.list({ ids: worker.running }, { field: 'CREATED_AT', direction: 'ASC' }, { first: 500 }, ctx.reads).then((page) => page.edges.map((edge) => edge.node)) : []),
    }),
    startedAt: t.field({ type: 'DateTime', resolve: (worker) => new Date(worker.startedAt) }),
    lastSeenAt: t.field({ type: 'DateTime', description: 'Its latest heartbeat.', resolve: (worker) => new Date(worker.lastSeenAt) }),
    memoryBytes: t.float({
      nullable: true,
      description: "Its process's resident memory (RSS) at its latest heartbeat, in bytes (a remote worker's as it says; null until it has).",
      resolve: (worker) => worker.rssBytes ?? null,
    }),
  }),
});

builder.queryFields((t) => ({
  workers: t.field({
    type: [WorkerRef],
    description: 'Worker processes alive now (seen within their heartbeat window). Operators only (a key without a tenant, with jobs:read).',
    // Each may run WORKER_CONCURRENCY jobs per queue: priced as a page of them.
    complexity: { field: 1, multiplier: 100 },
    resolve: (_root, _args, ctx) => {
      // Host names, pids and the service's queues are the operator's business: a tenant's
      // user, or a job token, reads only its own jobs, wherever they run.
      if (Object.keys(ctx.reads).length > 0) {
        throw graphqlError('FORBIDDEN', 'Forbidden: workers are listed to operators only (a key without a tenant that may read every job).');
      }
      return ctx.workers().catch((error: unknown) => {
        throw graphqlError('SERVICE_UNAVAILABLE', `Service unavailable: ${(error as Error).message}.`);
      });
    },
  }),
}));
