// submitJob, submitJobs, retryJob, cancelJob. Expected refusals come back as
// `userErrors`, with nothing changed; only unexpected failures are GraphQL errors.
import { GraphQLError } from 'graphql';
import { inReach } from '../domain/reach.js';
import type { Context } from '../context.js';
import type { Job } from '../domain/model.js';
import type { UserError } from '../domain/errors.js';
import { builder } from './builder.js';
import { limited, SubmitJobInput, UserErrorRef } from './common.js';
import { JobRef } from './job.js';
import { type ErrorCode } from '../domain/errors.js';

interface JobPayload {
  job: Job | null;
  userErrors: UserError[];
}

/**
 * A mutation answers with the job it changed, if the caller may read it: one who may
 * change a tenant's jobs but read only its own (jobs:write with jobs:read:own) must not
 * read another's payload, result or history by cancelling or retrying it.
 */
function readableJob(ctx: Context, job: Job | null): Job | null {
  if (!job || inReach(ctx.reads, job)) return job;
  throw new GraphQLError('Forbidden: the change was made, but reading a job another caller submitted needs the jobs:read scope.', {
    extensions: { code: 'FORBIDDEN' satisfies ErrorCode },
  });
}

function jobPayload(name: string) {
  return builder.objectRef<JobPayload>(name).implement({
    fields: (t) => ({
      job: t.field({ type: JobRef, nullable: true, resolve: (payload, _args, ctx) => readableJob(ctx, payload.job) }),
      userErrors: t.field({ type: [UserErrorRef], resolve: (payload) => payload.userErrors }),
    }),
  });
}

const SubmitJobPayload = jobPayload('SubmitJobPayload');
const RetryJobPayload = jobPayload('RetryJobPayload');
const CancelJobPayload = jobPayload('CancelJobPayload');

const SubmitJobsPayload = builder.objectRef<{ jobs: Job[]; userErrors: UserError[] }>('SubmitJobsPayload').implement({
  fields: (t) => ({
    jobs: t.field({
      type: [JobRef],
      description: 'The jobs, in input order; empty when userErrors is not (all or nothing).',
      resolve: (payload, _args, ctx) => payload.jobs.map((job) => readableJob(ctx, job) as Job),
    }),
    userErrors: t.field({ type: [UserErrorRef], resolve: (payload) => payload.userErrors }),
  }),
});

builder.mutationFields((t) => ({
  submitJob: t.field({
    type: SubmitJobPayload,
    args: { input: t.arg({ type: SubmitJobInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const { jobs, userErrors } = await limited(ctx, 1, () => ctx.submissions.submit([input], () => ['input'], ctx.submitter));
      return { job: jobs[0] ?? null, userErrors };
    },
  }),
  submitJobs: t.field({
    type: SubmitJobsPayload,
    description: 'Submits many jobs at once: all are stored, or none.',
    args: { input: t.arg({ type: [SubmitJobInput], required: true }) },
    resolve: (_root, { input }, ctx) => limited(ctx, input.length, () => ctx.submissions.submit(input, (index) => ['input', index], ctx.submitter)),
  }),
  retryJob: t.field({
    type: RetryJobPayload,
    description: "Runs a FAILED or CANCELLED job again, with a fresh set of attempts, at once (a delayed job's runAt is not kept).",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => limited(ctx, 1, () => ctx.actions.retry(String(id), ctx)),
  }),
  promoteJob: t.field({
    type: RetryJobPayload,
    description: 'A SCHEDULED or RETRYING job runs now instead of at its runAt (its attempts stay as they are).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => limited(ctx, 1, () => ctx.actions.promote(String(id), ctx)),
  }),
  cancelJob: t.field({
    type: CancelJobPayload,
    description: 'Cancels a job that has not finished; a RUNNING one is told to stop.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => limited(ctx, 1, () => ctx.actions.cancel(String(id), ctx)),
  }),
}));
