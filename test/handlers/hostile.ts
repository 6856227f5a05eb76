// Job types the hostile tests load through HANDLERS_DIR into a service process of its
// own: a handler that logs a lot, one that always fails, one that fails once, one that takes its time.
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { defineHandler, PermanentError } from '../../src/handlers/handler.js';

export const chatty = defineHandler({
  name: 'test.chatty',
  description: 'Logs `lines` lines, each with a message and data of about `bytes` bytes together.',
  payload: z.object({ lines: z.number().int().min(0).max(1000), bytes: z.number().int().min(0).max(10_000) }),
  async run({ lines, bytes }, ctx) {
    const message = 'm'.repeat(Math.min(1900, Math.floor(bytes / 5)));
    const data = { filler: 'd'.repeat(Math.max(0, Math.min(8000, bytes - message.length - 20))) };
    for (let line = 0; line < lines; line++) ctx.logger.info(data, message);
    return { lines };
  },
});

export const fail = defineHandler({
  name: 'test.fail',
  description: 'Fails at once, for good.',
  payload: z.object({ ms: z.number().int().min(0).max(10_000).default(0) }),
  async run({ ms }, ctx) {
    await delay(ms, undefined, { signal: ctx.signal });
    throw new PermanentError('this step always fails');
  },
});

export const step = defineHandler({
  name: 'test.step',
  description: 'Waits `ms` and returns what it saw of the jobs it depends on (their keys).',
  payload: z.object({ ms: z.number().int().min(0).max(60_000).default(0) }),
  async run({ ms }, ctx) {
    await delay(ms, undefined, { signal: ctx.signal });
    return { saw: Object.keys(ctx.dependencies).length };
  },
});

export const failOnce = defineHandler({
  name: 'test.failOnce',
  description: 'Fails its first attempt (a retryable error), then returns.',
  payload: z.object({}),
  async run(_payload, ctx) {
    if (ctx.attempt === 1) throw new Error('the first attempt fails');
    return { attempt: ctx.attempt };
  },
});
