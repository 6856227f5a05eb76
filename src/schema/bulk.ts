// retryJobs, cancelJobs, deleteJobs: act on every job a filter matches (that the caller
// may change), all counted against the caller's rate limit before anything changes.
import type { Context } from '../context.js';
import type { BulkAction, BulkRequest } from '../jobs/bulk.js';
import type { JobFilter } from '../store/queries.js';
import type { UserError } from '../domain/errors.js';
import { builder } from './builder.js';
import { JobFilterInput } from './job.js';
import { UserErrorRef } from './common.js';

const BulkJobsPayloadRef = builder.objectRef<{ count: number; userErrors: UserError[] }>('BulkJobsPayload').implement({
  fields: (t) => ({
    count: t.exposeInt('count', { description: 'How many jobs were changed.' }),
    userErrors: t.field({ type: [UserErrorRef], resolve: (payload) => payload.userErrors }),
  }),
});

/** A bulk action by the caller: within what it may change, counted against its (and its tenant's) rate limit. */
export function bulkRequest(ctx: Context, filter: JobFilter): BulkRequest {
  return {
    filter,
    reach: ctx.writes,
    by: ctx.caller.kind === 'known' ? ctx.caller.who.name : 'anonymous',
    take: (jobs) => ctx.rateLimit.take(ctx.rateKeys, jobs),
    refund: (jobs) => ctx.rateLimit.refund(ctx.rateKeys, jobs),
  };
}

function bulk(action: BulkAction) {
  return (_root: unknown, { filter }: { filter: JobFilter | null }, ctx: Context) => ctx.bulk.run(action, bulkRequest(ctx, filter ?? {}));
}

builder.mutationFields((t) => ({
  retryJobs: t.field({
    type: BulkJobsPayloadRef,
    description: `Runs again every FAILED or CANCELLED job matching the filter (at most MAX_BULK_JOBS).`,
    args: { filter: t.arg({ type: JobFilterInput, required: true }) },
    resolve: bulk('retry'),
  }),
  cancelJobs: t.field({
    type: BulkJobsPayloadRef,
    description: 'Cancels every unfinished job matching the filter (at most MAX_BULK_JOBS).',
    args: { filter: t.arg({ type: JobFilterInput, required: true }) },
    resolve: bulk('cancel'),
  }),
  deleteJobs: t.field({
    type: BulkJobsPayloadRef,
    description: 'Deletes every finished (COMPLETED, FAILED, CANCELLED) job matching the filter, with its history and logs (at most MAX_BULK_JOBS).',
    args: { filter: t.arg({ type: JobFilterInput, required: true }) },
    resolve: bulk('delete'),
  }),
}));
