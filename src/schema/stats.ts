// Counts by status and the registered job types.
import type { JobHandler } from '../handlers/handler.js';
import { builder } from './builder.js';

export const JobStatsRef = builder.objectRef<Awaited<ReturnType<import('../store/queries.js').JobQueries['stats']>>>('JobStats');
JobStatsRef.implement({
  description: 'Counts of jobs by status.',
  fields: (t) => ({
    queue: t.exposeString('queue', { nullable: true, description: 'The queue counted, or null for all.' }),
    total: t.exposeInt('total'),
    pending: t.exposeInt('pending'),
    scheduled: t.exposeInt('scheduled'),
    running: t.exposeInt('running'),
    retrying: t.exposeInt('retrying'),
    completed: t.exposeInt('completed'),
    failed: t.exposeInt('failed'),
    cancelled: t.exposeInt('cancelled'),
    blocked: t.exposeInt('blocked', { description: 'Jobs of flows waiting for the jobs they depend on.' }),
  }),
});

const JobTypeRef = builder.objectRef<JobHandler>('JobType');
JobTypeRef.implement({
  description: 'A job type that the workers can run.',
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    payloadSchema: t.field({
      type: 'JSON',
      nullable: true,
      description: 'JSON Schema that a payload of this type must satisfy.',
      resolve: (handler, _args, ctx) => ctx.registry.payloadJsonSchema(handler),
    }),
  }),
});

builder.queryFields((t) => ({
  jobStats: t.field({
    type: JobStatsRef,
    args: { queue: t.arg.string() },
    resolve: (_root, { queue }, ctx) => ctx.queries.stats(queue, ctx.reads),
  }),
  jobTypes: t.field({ type: [JobTypeRef], resolve: (_root, _args, ctx) => ctx.registry.list() }),
}));
