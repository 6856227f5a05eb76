// Queues: which exist, their counts, and pausing them (admin only).
import { requireScope } from '../auth/plugin.js';
import type { QueueState } from '../queue/control.js';
import { userError, type UserError } from '../jobs/userErrors.js';
import { builder } from './builder.js';
import { UserErrorRef } from './mutations.js';
import { JobStatsRef } from './stats.js';

const QueueRef = builder.objectRef<QueueState>('Queue').implement({
  description: 'A configured queue.',
  fields: (t) => ({
    name: t.exposeString('name'),
    paused: t.exposeBoolean('paused', { description: 'Paused: its jobs stay where they are and none starts until it is resumed.' }),
    counts: t.field({ type: JobStatsRef, resolve: (queue, _args, ctx) => ctx.queries.stats(queue.name, ctx.reads) }),
  }),
});

const QueuePayloadRef = builder.objectRef<{ queue: QueueState | null; userErrors: UserError[] }>('QueuePayload').implement({
  fields: (t) => ({
    queue: t.field({ type: QueueRef, nullable: true, resolve: (payload) => payload.queue }),
    userErrors: t.field({ type: [UserErrorRef], resolve: (payload) => payload.userErrors }),
  }),
});

builder.queryFields((t) => ({
  queues: t.field({
    type: [QueueRef],
    description: 'Every configured queue, with its counts by status.',
    resolve: (_root, _args, ctx) => ctx.queueControl.list(),
  }),
}));

function setPaused(paused: boolean) {
  return async (_root: unknown, { name }: { name: string }, ctx: Parameters<typeof requireScope>[0]) => {
    requireScope(ctx, 'admin');
    if (!ctx.queueControl.knows(name)) {
      return { queue: null, userErrors: [userError('NOT_FOUND', ['name'], `name: no queue "${name.slice(0, 100)}"; configured: ${ctx.config.QUEUES.join(', ')}`)] };
    }
    return { queue: await ctx.queueControl.setPaused(name, paused), userErrors: [] };
  };
}

builder.mutationFields((t) => ({
  pauseQueue: t.field({
    type: QueuePayloadRef,
    description: 'Stops jobs of the queue from starting (running ones finish); they wait until resumeQueue. Needs the admin scope.',
    args: { name: t.arg.string({ required: true }) },
    resolve: setPaused(true),
  }),
  resumeQueue: t.field({
    type: QueuePayloadRef,
    description: 'Lets jobs of a paused queue start again. Needs the admin scope.',
    args: { name: t.arg.string({ required: true }) },
    resolve: setPaused(false),
  }),
}));
