// Counts by status, finished jobs over time, and the registered job types.
import type { JobTypeView } from '../handlers/catalog.js';
import type { Context } from '../context.js';
import { checkFilterText, checkInstant, InvalidArgumentError } from '../domain/errors.js';
import type { FinishedCount } from '../store/queries.js';
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

const FinishedCountRef = builder.objectRef<FinishedCount>('FinishedCount').implement({
  description: 'Jobs that finished in one time bucket.',
  fields: (t) => ({
    at: t.expose('at', { type: 'DateTime', description: 'The start of the bucket.' }),
    completed: t.exposeInt('completed'),
    failed: t.exposeInt('failed'),
    cancelled: t.exposeInt('cancelled'),
  }),
});

/** Most buckets finishedOverTime answers (a day of minutes). */
export const MAX_BUCKETS = 1440;

/** Every bucket from the one holding `since` to the one holding now, oldest first, with zeros where nothing finished. */
async function finishedOverTime(ctx: Context, since: Date, bucketSeconds: number | null | undefined, queue: string | null | undefined): Promise<FinishedCount[]> {
  const seconds = bucketSeconds ?? 60;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 86_400) throw new InvalidArgumentError(['bucketSeconds'], 'from 1 to 86400 seconds');
  checkInstant(['since'], since);
  const now = Date.now();
  if (since.getTime() > now) throw new InvalidArgumentError(['since'], 'must not be in the future');
  const size = seconds * 1000;
  const first = Math.floor(since.getTime() / size);
  const last = Math.floor(now / size);
  if (last - first + 1 > MAX_BUCKETS) {
    throw new InvalidArgumentError(['since'], `at most ${MAX_BUCKETS} buckets: ${last - first + 1} of ${seconds} s from there; a later since or a larger bucketSeconds`);
  }
  if (queue != null) checkFilterText(['queue'], queue);
  const counted = new Map((await ctx.queries.finishedOverTime(since, seconds, queue ?? null, ctx.reads)).map((row) => [row.at.getTime() / size, row]));
  return Array.from({ length: last - first + 1 }, (_, index) => counted.get(first + index) ?? { at: new Date((first + index) * size), completed: 0, failed: 0, cancelled: 0 });
}

builder.queryFields((t) => ({
  finishedOverTime: t.field({
    type: [FinishedCountRef],
    description:
      'Jobs that finished since `since`, counted per bucket of `bucketSeconds` (default 60), oldest first, read from the record (the same after a reload or on another instance). Buckets start at multiples of bucketSeconds; at most 1440 of them. Jobs retention has deleted are no longer counted.',
    args: { queue: t.arg.string(), since: t.arg({ type: 'DateTime', required: true }), bucketSeconds: t.arg.int() },
    complexity: { field: 1, multiplier: MAX_BUCKETS },
    resolve: (_root, { queue, since, bucketSeconds }, ctx) => finishedOverTime(ctx, since, bucketSeconds, queue),
  }),
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
