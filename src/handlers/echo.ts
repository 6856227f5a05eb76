import { z } from 'zod';
import { defineHandler } from './handler.js';

export const echo = defineHandler({
  name: 'echo',
  description: 'Completes at once with its payload as the result. Useful to try the service out.',
  payload: z.json(),
  run: async (payload) => payload,
});
