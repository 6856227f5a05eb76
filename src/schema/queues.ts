// Queues: which exist, their counts and settings, and pausing them and setting their limits (admin only).
import { requireScope } from '../http/scopes.js';
import { QUEUE_LIMITS, type QueueState } from '../queues/settings.js';
import { userError, type UserError } from '../domain/errors.js';
import { builder } from './builder.js';
import { UserErrorRef } from './common.js';
import { JobStatsRef } from './stats.js';
import type { Context } from '../context.js';

const RateLimitRef = builder.objectRef<{ max: number; durationMs: number }>('RateLimit').implement({
  fields: (t) => ({ max: t.exposeInt('max'), durationMs: t.exposeInt('durationMs') }),
});

const RateLimitInput = builder.inputType('RateLimitInput', {
  fields: (t) => ({
    max: t.int({ required: true, description: `1 to ${QUEUE_LIMITS.rateMax}.` }),
    durationMs: t.int({ required: true, description: `1 to ${QUEUE_LIMITS.rateDurationMs}.` }),
  }),
});

const QueueSettingsInput = builder.inputType('QueueSettingsInput', {
  fields: (t) => ({
    concurrency: t.int({ description: `1 to ${QUEUE_LIMITS.concurrency}; null clears it.` }),
    rateLimit: t.field({ type: RateLimitInput, description: 'null clears it.' }),
  }),
});

const QueueRef = builder.objectRef<QueueState>('Queue').implement({
  description: 'A configured queue.',
  fields: (t) => ({
    name: t.exposeString('name'),
    concurrency: t.exposeInt('concurrency', {
      nullable: true,
      description: "Jobs of this queue running at once across all workers; null: only each worker's own concurrency.",
    }),
    rateLimit: t.field({
      type: RateLimitRef,
      nullable: true,
      description: 'At most max jobs of this queue start per durationMs, across all workers; null: no limit.',
      resolve: (queue) => queue.rateLimit,
    }),
    paused: t.exposeBoolean('paused', { description: 'Paused: its jobs stay where they are and none starts until it is resumed.' }),
    counts: t.field({ type: JobStatsRef, resolve: (queue, _args, ctx) => ctx.queries.stats(queue.name, ctx.reads) }),
    waitingSince: t.field({
      type: 'DateTime',
      nullable: true,
      description:
        "Since when its longest-waiting PENDING job has waited (its runAt, or when it was submitted): the queue's latency is now minus this. Null when none waits.",
      resolve: async (queue, _args, ctx) => (await activityOf(ctx)).get(queue.name)?.waitingSince ?? null,
    }),
    finishedLastMinute: t.int({
      description: 'Jobs of this queue that finished (completed, failed or cancelled) in the last minute.',
      resolve: async (queue, _args, ctx) => (await activityOf(ctx)).get(queue.name)?.finishedLastMinute ?? 0,
    }),
  }),
});

/** Every queue's activity, read once per request however many queues ask. */
const activities = new WeakMap<Context, ReturnType<Context['queries']['queueActivity']>>();
function activityOf(ctx: Context): ReturnType<Context['queries']['queueActivity']> {
  let read = activities.get(ctx);
  if (!read) activities.set(ctx, (read = ctx.queries.queueActivity(ctx.reads)));
  return read;
}

const QueuePayloadRef = builder.objectRef<{ queue: QueueState | null; userErrors: UserError[] }>('QueuePayload').implement({
  fields: (t) => ({
    queue: t.field({ type: QueueRef, nullable: true, resolve: (payload) => payload.queue }),
    userErrors: t.field({ type: [UserErrorRef], resolve: (payload) => payload.userErrors }),
  }),
});

builder.queryFields((t) => ({
  queues: t.field({
    type: [QueueRef],
    description: 'Every queue, with its settings and counts.',
    resolve: (_root, _args, ctx) => ctx.queueSettings.list(),
  }),
}));

function unknownQueue(name: string, queues: readonly string[]) {
  return { queue: null, userErrors: [userError('NOT_FOUND', ['name'], `name: no queue "${name.slice(0, 100)}"; configured: ${queues.join(', ')}`)] };
}

function setPaused(paused: boolean) {
  return async (_root: unknown, { name }: { name: string }, ctx: Parameters<typeof requireScope>[0]) => {
    requireScope(ctx, 'admin');
    if (!ctx.queueSettings.knows(name)) return unknownQueue(name, ctx.config.QUEUES);
    return { queue: await ctx.queueSettings.setPaused(name, paused), userErrors: [] };
  };
}

builder.mutationFields((t) => ({
  pauseQueue: t.field({
    type: QueuePayloadRef,
    description: 'Stops jobs of the queue from starting (running ones finish); they wait until resumeQueue. Needs the admin scope.',
    args: { name: t.arg.string({ required: true }) },
    resolve: setPaused(true),
  }),
  updateQueue: t.field({
    type: QueuePayloadRef,
    description: 'Sets the queue\'s limits across all workers; a field given as null clears that limit. Needs the admin scope.',
    args: { name: t.arg.string({ required: true }), input: t.arg({ type: QueueSettingsInput, required: true }) },
    resolve: async (_root, { name, input }, ctx) => {
      requireScope(ctx, 'admin');
      if (!ctx.queueSettings.knows(name)) return unknownQueue(name, ctx.config.QUEUES);
      return ctx.queueSettings.update(name, input);
    },
  }),
  resumeQueue: t.field({
    type: QueuePayloadRef,
    description: 'Lets jobs of a paused queue start again. Needs the admin scope.',
    args: { name: t.arg.string({ required: true }) },
    resolve: setPaused(false),
  }),
}));
