// An example of a job type of your own: put modules like this one in a directory and
// start the service with HANDLERS_DIR pointing at it (or run them in a worker of your
// own: docs/workers.md). Every exported handler becomes a job type.
import { defineHandler } from '@jobgraph/worker';
import { z } from 'zod';

export const slugify = defineHandler({
  name: 'text.slugify',
  description: 'Turns a title into a URL slug.',
  payload: z.object({ title: z.string().min(1).max(1000) }).strict(),
  async run({ title }, ctx) {
    ctx.progress(50);
    const slug = title
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '');
    return { slug };
  },
});
