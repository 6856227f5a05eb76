// createJobToken: a backend that submitted a job on a user's behalf mints a short-lived
// token that reads that one job, for the user's browser to watch it (jobUpdated,
// jobEvents, job) without holding any credential of its own.
import type { JobSummary } from '../domain/model.js';
import { type UserError, graphqlError, userError } from '../domain/errors.js';
import { builder } from './builder.js';
import { JobRef } from './job.js';
import { UserErrorRef } from './common.js';

interface JobTokenPayload {
  token: string | null;
  expiresAt: Date | null;
  job: JobSummary | null;
  userErrors: UserError[];
}

const JobTokenPayloadRef = builder.objectRef<JobTokenPayload>('JobTokenPayload').implement({
  fields: (t) => ({
    token: t.exposeString('token', {
      nullable: true,
      description: 'A bearer token (JWT) that may read this job only: send it as `Authorization: Bearer <token>` or in graphql-ws connectionParams.',
    }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true }),
    job: t.field({ type: JobRef, nullable: true, resolve: (payload) => payload.job }),
    userErrors: t.field({ type: [UserErrorRef], resolve: (payload) => payload.userErrors }),
  }),
});

builder.mutationFields((t) => ({
  createJobToken: t.field({
    type: JobTokenPayloadRef,
    description:
      'A read-only token for one job the caller may read, lasting ttlSeconds (default and most: JOB_TOKEN_TTL_SECONDS). Needs JOB_TOKEN_SECRET.',
    args: { id: t.arg.id({ required: true }), ttlSeconds: t.arg.int() },
    resolve: async (_root, { id, ttlSeconds }, ctx) => {
      const none = { token: null, expiresAt: null, job: null };
      const { tokens } = ctx.auth;
      if (!tokens.canMint) {
        throw graphqlError('NOT_CONFIGURED', 'Job tokens are turned off here: the operator has not set JOB_TOKEN_SECRET.');
      }
      const most = ctx.config.JOB_TOKEN_TTL_SECONDS;
      if (ttlSeconds != null && (ttlSeconds < 10 || ttlSeconds > most)) {
        return { ...none, userErrors: [userError('INVALID_INPUT', ['ttlSeconds'], `ttlSeconds: must be between 10 and ${most} (JOB_TOKEN_TTL_SECONDS)`)] };
      }
      const job = await ctx.queries.byId(String(id), ctx.reads);
      if (!job) return { ...none, userErrors: [userError('NOT_FOUND', ['id'], `id: no job ${String(id)}`)] };
      const minter = ctx.caller.kind === 'known' ? ctx.caller.who.name : 'anonymous';
      const { token, expiresAt } = await tokens.mintJobToken(job, minter, ttlSeconds ?? most);
      return { token, expiresAt, job, userErrors: [] };
    },
  }),
}));
