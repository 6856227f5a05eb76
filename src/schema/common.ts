// What several parts of the schema share: the UserError type of every payload, the job
// input that submits, flows and schedules take, and the rate limit every piece of work
// counts against.
import type { Context } from '../context.js';
import type { UserError } from '../domain/errors.js';
import { builder } from './builder.js';
import { BackoffTypeEnum, JitterEnum, UserErrorCodeEnum } from './enums.js';

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

/** Counts `work` against the caller's (and its tenant's) rate limit, and gives it back if the input is refused. */
export async function limited<T extends { userErrors: UserError[] }>(ctx: Context, work: number, run: () => Promise<T>): Promise<T> {
  await ctx.rateLimit.take(ctx.rateKeys, work);
  const result = await run();
  if (result.userErrors.length) await ctx.rateLimit.refund(ctx.rateKeys, work);
  return result;
}

