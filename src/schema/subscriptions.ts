// jobUpdated and jobEvents: live views of jobs, over graphql-ws (WebSocket) or
// Server-Sent Events, both served by the same Yoga instance and context.
import { GraphQLError } from 'graphql';
import { expiring, jobEventStream, jobUpdates } from '../events/streams.js';
import type { JobSummary } from '../domain/model.js';
import type { LiveEvent } from '../events/message.js';
import { checkJobId, parseEventId } from '../domain/ids.js';
import { type ErrorCode, InvalidArgumentError, checkFilterList, graphqlError } from '../domain/errors.js';
import type { Context } from '../context.js';
import { builder } from './builder.js';
import { JobEventTypeEnum } from './enums.js';
import { JobEventRef, JobRef } from './job.js';

const JobEventFilterInput = builder.inputType('JobEventFilter', {
  description: 'Which events a jobEvents subscription receives; every field given must match.',
  fields: (t) => ({
    jobId: t.id(),
    flowId: t.id({ description: 'Events of the jobs of one flow.' }),
    queue: t.stringList(),
    type: t.stringList({ description: 'Job types.' }),
    eventType: t.field({ type: [JobEventTypeEnum] }),
  }),
});

builder.subscriptionType({});

/** When the caller's credential expires (a token's `exp`); null for keys, and for a shared stream (each of its subscribers expires on its own). */
export const expiresAt = (ctx: Context) => (ctx.shared || ctx.caller.kind !== 'known' ? null : ctx.caller.who.expiresAt);

/**
 * A cursor below what retention has deleted would skip events silently: the
 * subscriber is told instead, with where a whole history starts again.
 */
async function refusePruned(ctx: Context, after: bigint): Promise<void> {
  const prunedThrough = await ctx.queries.eventsPrunedThrough();
  if (after >= prunedThrough) return;
  const oldest = (await ctx.queries.firstEventAfter(prunedThrough)) ?? prunedThrough + 1n;
  throw new GraphQLError(
    `after: events after ${after} were deleted by retention (up to event ${prunedThrough}); subscribe again with after: "${prunedThrough}" to receive everything from event ${oldest} on, and read older jobs with the jobs query.`,
    { extensions: { code: 'EVENTS_PRUNED' satisfies ErrorCode, field: ['after'], oldestEventId: oldest.toString(), resumeAfter: prunedThrough.toString() } },
  );
}

builder.subscriptionFields((t) => ({
  jobUpdated: t.field({
    type: JobRef,
    description: 'The job as it is now, at once, then again after every change.',
    args: { id: t.arg.id({ required: true }) },
    subscribe: async (_root, args, ctx) => {
      const id = String(args.id);
      const job = await ctx.queries.byId(id, ctx.reads); // refuses a malformed id, naming ['id']
      // Another tenant's job answers as a missing one.
      if (!job) throw graphqlError('NOT_FOUND', `id: no job ${id}`, { field: ['id'] });
      return expiring(jobUpdates(ctx.streams, job), expiresAt(ctx), () => null);
    },
    // Each event is a response of its own, with a fresh MAX_RESPONSE_BYTES.
    resolve: (job: JobSummary, _args, ctx) => {
      ctx.budget.reset();
      return job;
    },
  }),
  jobEvents: t.field({
    type: JobEventRef,
    description:
      'Events matching the filter as they happen. With `after`, first every recorded event with a larger id, in order, then live ones: no gap, no duplicate.',
    args: { filter: t.arg({ type: JobEventFilterInput }), after: t.arg.id() },
    subscribe: async (_root, { filter, after }, ctx) => {
      const jobId = filter?.jobId == null ? null : checkJobId(['filter', 'jobId'], String(filter.jobId));
      const flowId = filter?.flowId == null ? null : checkJobId(['filter', 'flowId'], String(filter.flowId));
      checkFilterList(['filter', 'queue'], filter?.queue);
      checkFilterList(['filter', 'type'], filter?.type);
      const afterId = after == null ? null : parseEventId(String(after));
      if (after != null && afterId === null) throw new InvalidArgumentError(['after'], 'not an event id (digits, as JobEvent.id gives)');
      if (afterId !== null) await refusePruned(ctx, afterId);
      const events = jobEventStream(ctx.streams, { ...filter, jobId, flowId, reach: ctx.reads }, afterId, ctx.config.SUBSCRIPTION_BUFFER_SIZE);
      return expiring(events, expiresAt(ctx), (last) => (last ? last.id.toString() : (afterId?.toString() ?? null)));
    },
    resolve: (event: LiveEvent, _args, ctx) => {
      ctx.budget.reset();
      ctx.cursor = event.id;
      return event;
    },
  }),
}));
