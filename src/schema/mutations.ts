// submitJob, submitJobs, retryJob, cancelJob. Expected refusals come back as
// `userErrors`, with nothing changed; only unexpected failures are GraphQL errors.
import { GraphQLError } from 'graphql';
import { inReach } from '../domain/reach.js';
import type { Context } from '../context.js';
import type { Job } from '../domain/model.js';
import type { UserError } from '../domain/errors.js';
import { builder } from './builder.js';
import { BackoffTypeEnum, JitterEnum, UserErrorCodeEnum } from './enums.js';
import { JobRef } from './job.js';

export const UserErrorRef = builder.objectRef<UserError>('UserError');
UserErrorRef.implement({
  description: 'A problem with what the client asked for. Nothing was changed.',
  fields: (t) => ({
    code: t.expose('code', { type: UserErrorCodeEnum }),
    message: t.exposeString('message'),
    field: t.exposeStringList('field', {
      nullable: true,
      description: 'Path to the input field at fault, e.g. ["input", "payload", "url"].',
    }),
  }),
});

const BackoffInput = builder.inputType('BackoffInput', {
  fields: (t) => ({
    type: t.field({ type: BackoffTypeEnum, required: true }),
    delayMs: t.int({ required: true, description: 'Base delay in milliseconds (0 to 86400000).' }),
    maxDelayMs: t.int({ description: 'Upper bound of one delay in milliseconds (at most 604800000).' }),
    jitter: t.field({ type: JitterEnum }),
  }),
});

export const SubmitJobInput = builder.inputType('SubmitJobInput', {
  fields: (t) => ({
    type: t.string({ required: true, description: 'A job type name from the jobTypes query.' }),
    payload: t.field({ type: 'JSON', required: true, description: "Must satisfy the type's payloadSchema; at most 1 MB by default." }),
    queue: t.string({ description: 'Default "default"; must be one of the configured queues.' }),
    priority: t.int({ description: '0 to 100, default 0.' }),
    maxAttempts: t.int({ description: '1 to 100. Default from the server\'s configuration.' }),
    backoff: t.field({ type: BackoffInput }),
    runAt: t.field({ type: 'DateTime', description: 'Run no earlier than this (a delayed job).' }),
    timeoutMs: t.int({ description: 'Fail an attempt that runs longer than this (1 to 86400000).' }),
    idempotencyKey: t.string({
      description: 'Submitting again with the same key returns the first job instead of a new one (1 to 255 characters).',
    }),
    tags: t.stringList({ description: 'Free labels for finding the job later (filter `tags`); at most 20, each 1 to 64 characters.' }),
  }),
});

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
    extensions: { code: 'FORBIDDEN' },
  });
}

/** Counts `work` against the caller's (and its tenant's) rate limit, and gives it back if the input is refused. */
export async function limited<T extends { userErrors: UserError[] }>(ctx: Context, work: number, run: () => Promise<T>): Promise<T> {
  await ctx.rateLimit.take(ctx.rateKeys, work);
  const result = await run();
  if (result.userErrors.length) await ctx.rateLimit.refund(ctx.rateKeys, work);
  return result;
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
  cancelJob: t.field({
    type: CancelJobPayload,
    description: 'Cancels a job that has not finished; a RUNNING one is told to stop.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => limited(ctx, 1, () => ctx.actions.cancel(String(id), ctx)),
  }),
}));
