import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { defineHandler } from './handler.js';

const STEPS = 10;

export const sleep = defineHandler({
  name: 'sleep',
  description: 'Waits `ms` milliseconds, reporting progress ten times along the way; stops when cancelled.',
  payload: z.object({ ms: z.number().int().min(0).max(86_400_000) }).strict(),
  async run({ ms }, ctx) {
    for (let step = 1; step <= STEPS; step++) {
      // Throws AbortError as soon as the job is cancelled or times out.
      await delay(ms / STEPS, undefined, { signal: ctx.signal });
      ctx.progress((step / STEPS) * 100);
    }
    return { sleptMs: ms };
  },
});
