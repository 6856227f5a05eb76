// Counts by status and the registered job types.
import type { JobTypeView } from '../handlers/catalog.js';
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

const JobTypeRef = builder.objectRef<JobTypeView>('JobType');
JobTypeRef.implement({
  description: "A job type callers may submit: the service's own (built in, or HANDLERS_DIR) or one remote workers registered.",
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    payloadSchema: t.field({
      type: 'JSON',
      nullable: true,
      description: 'JSON Schema that a payload of this type must satisfy.',
      resolve: (type) => type.payloadSchema,
    }),
    remote: t.boolean({ description: 'Registered by remote workers (their own code, in their own processes), rather than run by the service\'s.', resolve: (type) => type.scope !== null }),
    tenant: t.string({ nullable: true, description: 'For a remote type: the tenant whose workers registered it (they run it for that tenant only); null for operators\' workers.', resolve: (type) => type.scope || null }),
    available: t.boolean({
      description: 'Some worker alive now (in a service process or connected from elsewhere) runs this type.',
      resolve: async (type, _args, ctx) => {
        const { workers } = await ctx.serviceFacts();
        return (workers ?? []).some((worker) => worker.types.includes(type.name) && (type.scope === null ? worker.kind === 'IN_PROCESS' : worker.kind === 'REMOTE' && worker.scope === type.scope));
      },
    }),
  }),
});

builder.queryFields((t) => ({
  jobStats: t.field({
    type: JobStatsRef,
    args: { queue: t.arg.string() },
    resolve: (_root, { queue }, ctx) => ctx.queries.stats(queue, ctx.reads),
  }),
  jobTypes: t.field({
    type: [JobTypeRef],
    description: "The types the caller may submit: the service's own, and those remote workers registered (a tenant's own, then operators').",
    // Up to the built-in and registered types of every scope an operator sees.
    complexity: { field: 1, multiplier: 100 },
    resolve: (_root, _args, ctx) => ctx.catalog.list(ctx.caller.kind === 'known' ? ctx.caller.who.tenant : null),
  }),
}));
